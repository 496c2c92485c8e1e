"""
Calendar days in a patient's zone and periods of them; and the days and
moments a person can type, held between bounds that every computation made
with them survives. Every form field for a date or a date and
time is one of these, so a day outside them is refused next to the field
before anything counts with it.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django import forms

# No diary goes back further; earlier dates are typing slips.
EARLIEST_DAY = date(1900, 1, 1)
# Far beyond any plan a diary holds (the day a medicine stops), yet far from the calendar's end:
# the day after it, its midnight in any zone from UTC-12 to UTC+14 turned into UTC, and the
# period before the longest period these bounds allow all stay inside the years 1 to 9999.
LATEST_DAY = date(2999, 12, 31)
# The first moment of EARLIEST_DAY anywhere (UTC+14 starts it on the day before in UTC), with room to spare.
EARLIEST_MOMENT = datetime.combine(EARLIEST_DAY - timedelta(days=1), time.min, tzinfo=UTC)

# The summary's period when none is chosen.
DEFAULT_PERIOD_DAYS = 90


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """The aware start of a calendar day in a zone (daylight saving included)."""
    return datetime.combine(day, time.min, zone)


@dataclass(frozen=True)
class Period:
    """A run of calendar days in the patient's zone, both ends included."""

    first_day: date
    last_day: date

    @classmethod
    def last(cls, days: int, today: date) -> "Period":
        return cls(today - timedelta(days=days - 1), today)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def previous(self) -> "Period":
        """The period of the same length just before this one."""
        return Period(self.first_day - timedelta(days=self.days), self.first_day - timedelta(days=1))

    def bounds(self, zone: tzinfo) -> tuple[datetime, datetime]:
        return local_midnight(self.first_day, zone), local_midnight(self.last_day + timedelta(days=1), zone)

    def slug(self) -> str:
        return f"{self.first_day.isoformat()}-to-{self.last_day.isoformat()}"


# How the browser's own pickers write a bound, so they offer only days that are accepted.
PICKER_FORMATS = {"date": "%Y-%m-%d", "month": "%Y-%m", "datetime-local": "%Y-%m-%dT%H:%M"}


class BoundedMixin(forms.Field):
    """Refuses a day outside EARLIEST_DAY to LATEST_DAY; for a moment, the day written with it."""

    default_error_messages = {
        "too_early": f"Pick a day from {EARLIEST_DAY.year} on.",
        "too_late": f"Pick a day in {LATEST_DAY.year} or before.",
    }

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value in self.empty_values:
            return
        # The day as written, in whatever zone the moment carries: comparing it needs no arithmetic.
        day = value.date() if isinstance(value, datetime) else value
        if day < EARLIEST_DAY:
            raise forms.ValidationError(self.error_messages["too_early"], code="too_early")
        if day > LATEST_DAY:
            raise forms.ValidationError(self.error_messages["too_late"], code="too_late")

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        picker = PICKER_FORMATS.get(getattr(widget, "input_type", ""))
        if picker:
            attrs["min"] = datetime.combine(EARLIEST_DAY, time.min).strftime(picker)
            attrs["max"] = datetime.combine(LATEST_DAY, time.max).strftime(picker)
        return attrs


class BoundedDateField(BoundedMixin, forms.DateField):
    pass


class BoundedDateTimeField(BoundedMixin, forms.DateTimeField):
    pass


def parse_day(text: str) -> date | None:
    """A day as the forms read it, or None when the text is not one or is out of bounds."""
    try:
        return BoundedDateField().clean(text)
    except forms.ValidationError:
        return None
