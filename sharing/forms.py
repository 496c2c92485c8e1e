from datetime import date, timedelta, tzinfo
from typing import Any

from django import forms

from logs.forms import DateInput, form_helper
from logs.models import User, normalise_email
from reports.forms import SummaryForm
from sharing.models import DEFAULT_SHARE_DAYS, Note, Protection, Share, Via, normalise_code
from spasmlog.dates import BoundedDateField, local_midnight

MIN_PIN = 4


class ShareForm(SummaryForm):
    """What to share (a period, as for the summary), with whom, and until when."""

    via = forms.ChoiceField(label="Share with", choices=Via.choices, initial=Via.CLINICIAN, widget=forms.RadioSelect)
    clinician = forms.CharField(
        label="Clinician's e-mail address or code",
        required=False,
        help_text="The clinician needs a SpasmLog clinician account; their code looks like ABCD-2345.",
    )
    protection = forms.ChoiceField(
        label="To open the link, also ask for",
        choices=Protection.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    pin = forms.CharField(
        label="PIN",
        required=False,
        min_length=MIN_PIN,
        max_length=20,
        help_text=f"At least {MIN_PIN} characters. Tell it to the clinician separately, not with the link.",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    include_episodes = forms.BooleanField(
        label="Include every entry: each episode and check-in of the period, with notes",
        required=False,
        help_text="Without it, the clinician sees the two-page summary and its list of medicines, nothing more.",
    )
    ends_on = BoundedDateField(label="Share until", widget=DateInput())

    def __init__(self, *args: Any, patient: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        del self.fields["appendix"]
        self.fields["ends_on"].initial = self.today + timedelta(days=DEFAULT_SHARE_DAYS)
        self.fields["ends_on"].help_text = "Two weeks unless you choose otherwise; a year at most."
        self.helper = form_helper(
            "period",
            "since",
            "start",
            "end",
            "include_episodes",
            "via",
            "clinician",
            "protection",
            "pin",
            "ends_on",
            submit="Share",
        )

    def clean_ends_on(self) -> date:
        ends_on = self.cleaned_data["ends_on"]
        if ends_on < self.today:
            raise forms.ValidationError("Pick today or a later day.")
        if ends_on > self.today + timedelta(days=365):
            raise forms.ValidationError("A share lasts a year at most.")
        return ends_on

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("via") == Via.CLINICIAN:
            self._clean_clinician(cleaned.get("clinician", "").strip())
        elif cleaned.get("via") == Via.LINK:
            protection = cleaned.get("protection") or Protection.NONE
            if protection == Protection.PIN and not cleaned.get("pin") and "pin" not in self.errors:
                self.add_error("pin", "Choose a PIN, or pick another way to protect the link.")
            profile = getattr(self.patient, "profile", None)
            if protection == Protection.BIRTH_DATE and not (profile and profile.date_of_birth):
                self.add_error("protection", "Add your date of birth to your profile first, or choose a PIN.")
        return cleaned

    def _clean_clinician(self, text: str) -> None:
        if not text:
            self.add_error("clinician", "Enter the clinician's e-mail address or code.")
            return
        if "@" in text:
            found = User.objects.filter(email=normalise_email(text), is_clinician=True).first()
        else:
            found = User.objects.filter(clinician__code=normalise_code(text), is_clinician=True).first()
        if found is None:
            self.add_error(
                "clinician",
                "No SpasmLog clinician has that e-mail address or code. Check it with your clinician.",
            )
        self.found_clinician = found

    def make_share(self, zone: tzinfo) -> tuple[Share, str | None]:
        """The share, not yet saved, and the link's token when it is a link."""
        data = self.cleaned_data
        period = self.summary_period()
        share = Share(
            patient=self.patient,
            via=data["via"],
            first_day=period.first_day,
            last_day=period.last_day,
            include_episodes=data["include_episodes"],
            expires_at=local_midnight(data["ends_on"] + timedelta(days=1), zone),
        )
        token = None
        if share.via == Via.CLINICIAN:
            share.clinician = self.found_clinician
        else:
            token = share.new_token()
            share.protection = data.get("protection") or Protection.NONE
            if share.protection == Protection.PIN:
                share.set_secret(data["pin"])
            elif share.protection == Protection.BIRTH_DATE:
                born = self.patient.profile.date_of_birth
                assert born is not None, "clean() refuses this protection without a date of birth"
                share.set_secret(born.isoformat())
        return share, token


class SecretForm(forms.Form):
    """The date of birth or PIN that a protected link asks for."""

    pin = forms.CharField(label="PIN", max_length=20, widget=forms.PasswordInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args: Any, protection: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if protection == Protection.BIRTH_DATE:
            self.fields["pin"] = BoundedDateField(label="The patient's date of birth", widget=DateInput())
        self.helper = form_helper("pin", submit="Open")

    def secret(self) -> str:
        value = self.cleaned_data["pin"]
        return value.isoformat() if hasattr(value, "isoformat") else value


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3, "maxlength": 1000})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = form_helper("text", submit="Leave the note")
