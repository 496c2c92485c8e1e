from datetime import date
from typing import Any

from crispy_forms.layout import Div
from django import forms

from logs.forms import DateInput, form_helper
from spasmlog.dates import DEFAULT_PERIOD_DAYS, BoundedDateField, Period


class SummaryForm(forms.Form):
    """Which period the summary covers: the last 30 or 90 days, since a day, or any range."""

    LAST_30, LAST_90, SINCE, RANGE = "30", "90", "since", "range"
    PERIODS = {
        LAST_30: "Last 30 days",
        LAST_90: "Last 90 days",
        SINCE: "Since a date",
        RANGE: "From a date to a date",
    }

    period = forms.ChoiceField(
        choices=PERIODS.items(),
        initial=LAST_90,
        required=False,
        widget=forms.RadioSelect,
    )
    since = BoundedDateField(label="Since", required=False, widget=DateInput())
    start = BoundedDateField(label="From", required=False, widget=DateInput())
    end = BoundedDateField(label="To", required=False, widget=DateInput())
    appendix = forms.BooleanField(label="Add a list of every episode (an appendix)", required=False)

    def __init__(self, *args: Any, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.helper = form_helper(
            "period",
            Div(
                Div("since", css_class="col-12 col-sm-4"),
                Div("start", css_class="col-6 col-sm-4"),
                Div("end", css_class="col-6 col-sm-4"),
                css_class="row",
            ),
            "appendix",
            submit=None,
        )
        # The period is read from the address: a CSRF token has no place in it.
        self.helper.disable_csrf = True

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        period = cleaned.get("period")
        today_text = f"{self.today:%-d %B %Y}"
        if period == self.SINCE:
            since = cleaned.get("since")
            if since is None and "since" not in self.errors:
                self.add_error("since", "Pick the first day of the summary.")
            elif since and since > self.today:
                self.add_error("since", f"Pick a day no later than today, {today_text}.")
        # A day typed for an option not chosen would be ignored without a word: it is refused instead.
        for name, option in (("since", self.SINCE), ("start", self.RANGE), ("end", self.RANGE)):
            if cleaned.get(name) and period != option:
                self.add_error(
                    name, f"This day counts only with “{self.PERIODS[option]}”: choose that above, or clear the day."
                )
        if period == self.RANGE:
            start, end = cleaned.get("start"), cleaned.get("end")
            for name in ("start", "end"):
                if cleaned.get(name) is None and name not in self.errors:
                    self.add_error(name, "Pick a day." if name == "end" else "Pick the first day.")
            for name in ("start", "end"):
                if cleaned.get(name) and cleaned[name] > self.today:
                    self.add_error(name, f"Pick a day no later than today, {today_text}.")
            if start and end and start <= self.today and end < start:
                self.add_error("end", "The end comes before the start.")
        return cleaned

    def summary_period(self) -> Period:
        """The chosen Period; the last 90 days when nothing (or nothing valid) is chosen."""
        if not self.is_bound or not self.is_valid():
            return Period.last(DEFAULT_PERIOD_DAYS, self.today)
        period = self.cleaned_data["period"] or self.LAST_90
        if period in (self.LAST_30, self.LAST_90):
            return Period.last(int(period), self.today)
        if period == self.SINCE:
            return Period(self.cleaned_data["since"], self.today)
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])

    def wants_appendix(self) -> bool:
        return self.is_bound and self.is_valid() and self.cleaned_data["appendix"]
