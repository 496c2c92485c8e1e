from django import template

from spasmlog.durations import format_duration

register = template.Library()


@register.filter
def seconds(value):
    """A number of seconds written the way a person reads it: 90 -> "1 min 30 s"."""
    if value is None or value == "":
        return ""
    return format_duration(round(value))
