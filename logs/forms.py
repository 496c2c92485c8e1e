import calendar
import re
import zoneinfo
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Field, Fieldset, Layout, Submit
from django import forms
from django.db import models, transaction
from django.utils import timezone

from logs.models import (
    ACCOMPANYING_FIELDS,
    ENVIRONMENT_FIELDS,
    FUTURE_TOLERANCE,
    MAX_DURATION_SECONDS,
    SUPPLEMENT_FIELDS,
    Activity,
    CheckIn,
    Episode,
    EpisodeMedicine,
    EpisodeRelief,
    Helped,
    Kind,
    Medicine,
    MedicineKind,
    PennFrequency,
    PennSeverity,
    Profile,
    Region,
    Relief,
    Side,
    User,
    location_label,
)
from spasmlog.dates import (
    EARLIEST_DAY,
    EARLIEST_MOMENT,
    LATEST_DAY,
    BoundedDateField,
    BoundedDateTimeField,
    local_midnight,
)
from spasmlog.durations import format_duration, parse_duration

TIME_ZONE_CHOICES = [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


def local_today() -> date:
    return timezone.localdate()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DurationField(forms.Field):
    """Seconds, typed the way a person says them."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid": "Write a duration such as 45s, 2 min, 1h 5m or 1:30.",
        "zero": "A duration must be longer than zero.",
        "too_long": "An episode can last at most 24 hours; log a longer one as several.",
    }

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        if isinstance(value, int):
            return value
        try:
            return parse_duration(str(value))
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is None:
            return
        if value <= 0:
            raise forms.ValidationError(self.error_messages["zero"], code="zero")
        if value > MAX_DURATION_SECONDS:
            raise forms.ValidationError(self.error_messages["too_long"], code="too_long")

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):
            return format_duration(value)
        return value

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        attrs.update({"autocomplete": "off", "placeholder": "e.g. 45s, 2 min, 1h 5m"})
        return attrs


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m")


class MonthField(BoundedDateField):
    """A month and year, kept as the first day of that month."""

    widget = MonthInput
    default_error_messages = {
        "too_early": f"Pick a month from {EARLIEST_DAY.year} on.",
        "too_late": f"Pick a month in {LATEST_DAY.year} or before.",
    }
    month_names = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
    month_names.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "Month and year, for example 2024-03 or March 2024.")
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, date):
            return value.replace(day=1)
        text = str(value).strip().lower()
        patterns = [
            (r"(\d{4})-(\d{1,2})(?:-\d{1,2})?", lambda m: (m[1], m[2])),
            (r"(\d{1,2})[/.](\d{4})", lambda m: (m[2], m[1])),
            (r"([a-z]+)\.?,?\s+(\d{4})", lambda m: (m[2], self.month_names.get(m[1]))),
        ]
        for pattern, pick in patterns:
            match = re.fullmatch(pattern, text)
            if match:
                year, month = pick(match)
                try:
                    return date(int(year), int(month), 1)
                except (TypeError, ValueError):
                    break
        raise forms.ValidationError("Write a month and year, for example 2024-03 or March 2024.")


def diary_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """
    The form field of a model's field (a ModelForm's Meta.formfield_callback): dates and
    times kept within the diary's bounds, typed with the browser's own pickers.
    """
    if isinstance(db_field, models.DateTimeField):
        kwargs = {"form_class": BoundedDateTimeField, "widget": DateTimeLocalInput, **kwargs}
    elif isinstance(db_field, models.DateField):
        kwargs = {"form_class": BoundedDateField, "widget": DateInput, **kwargs}
    return db_field.formfield(**kwargs)


def form_helper(*layout: Any, submit: str | None = "Save") -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.layout = Layout(*layout)
    if submit:
        helper.layout.append(Submit("submit", submit, css_class="btn-lg"))
    return helper


class AccountForm(forms.ModelForm):
    time_zone = forms.ChoiceField(choices=TIME_ZONE_CHOICES)

    class Meta:
        model = User
        fields = ["display_name", "time_zone"]


class ProfileForm(forms.ModelForm):
    first_noticed = MonthField(label="Spasms first noticed", required=False)

    class Meta:
        model = Profile
        fields = [
            "date_of_birth",
            "first_noticed",
            "occupation",
            "usual_exercise",
            "conditions",
            "injuries",
            "surgeries",
            "questions",
        ]
        formfield_callback = diary_formfield
        widgets = {
            "usual_exercise": forms.Textarea(attrs={"rows": 2}),
            "conditions": forms.Textarea(attrs={"rows": 3}),
            "injuries": forms.Textarea(attrs={"rows": 2}),
            "surgeries": forms.Textarea(attrs={"rows": 2}),
            "questions": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"date_of_birth": "Optional. Printed on your summary so the clinic can match it."}

    def clean_date_of_birth(self) -> date | None:
        born = self.cleaned_data["date_of_birth"]
        if born and born > local_today():
            raise forms.ValidationError("A date of birth cannot be in the future.")
        return born

    def clean_first_noticed(self) -> date | None:
        noticed = self.cleaned_data["first_noticed"]
        if noticed and noticed > local_today():
            raise forms.ValidationError("This month has not come yet.")
        return noticed

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        born, noticed = cleaned.get("date_of_birth"), cleaned.get("first_noticed")
        if born and noticed and noticed < born.replace(day=1):
            self.add_error("first_noticed", "This is before your date of birth.")
        return cleaned


SIDE_CHOICES = [("", "—")] + Side.choices
RELIEF_CHOICES = [
    ("", "Not tried"),
    ("tried", "Tried; not sure yet"),
    (Helped.NOT_AT_ALL, "Tried; did not help"),
    (Helped.A_LITTLE, "Helped a little"),
    (Helped.A_LOT, "Helped a lot"),
]


class EpisodeForm(forms.ModelForm):
    """Every detail of an episode, with its locations, relief and medicines."""

    duration_seconds = DurationField(
        label="How long it lasted",
        required=False,
        help_text="For example 45s, 2 min, 1h 5m or 1:30. A number alone is seconds.",
    )
    intensity = forms.TypedChoiceField(
        label="Intensity",
        choices=[("", "Not rated")] + [(i, str(i)) for i in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
        help_text="0 = none, 10 = worst imaginable.",
    )

    class Meta:
        model = Episode
        fields = [
            "started_at",
            "duration_seconds",
            "kind",
            "intensity",
            "activity",
            "activity_other",
            "new_exercise",
            *ENVIRONMENT_FIELDS,
            *ACCOMPANYING_FIELDS,
            "notes",
        ]
        formfield_callback = diary_formfield
        widgets = {
            "kind": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, patient: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.patient = patient
        self.fields["started_at"].help_text = "Date and time, in your time zone."
        cast(forms.ChoiceField, self.fields["activity"]).choices = [("", "Not recorded"), *Activity.choices]

        located = {}
        relieved = {}
        taken = {}
        if self.instance.pk:
            located = {loc.region: loc.side for loc in self.instance.locations.all()}
            relieved = {r.measure: r.helped or "tried" for r in self.instance.reliefs.all()}
            taken = {use.medicine_id: use.dose for use in self.instance.medicines_taken.all()}

        self.location_names = self._choice_for_each(Region, "loc", SIDE_CHOICES, located)
        self.relief_names = self._choice_for_each(Relief, "relief", RELIEF_CHOICES, relieved)

        on_day = timezone.localdate(self.instance.started_at) if self.instance.pk else local_today()
        self.medicines = [
            medicine
            for medicine in Medicine.objects.for_patient(patient)
            if medicine.pk in taken or medicine.is_current(on_day)
        ]
        self.medicine_names = []
        for medicine in self.medicines:
            name = f"med_{medicine.pk}"
            self.fields[name] = forms.BooleanField(
                label=f"Took {medicine.name}", required=False, initial=medicine.pk in taken
            )
            self.fields[f"{name}_dose"] = forms.CharField(
                label=f"Dose of {medicine.name}",
                max_length=100,
                required=False,
                initial=taken.get(medicine.pk, medicine.dose),
            )
            self.medicine_names += [name, f"{name}_dose"]

        self.helper = form_helper(
            Fieldset(
                "When and how strong",
                "started_at",
                "duration_seconds",
                Field("kind", css_class="kind-choice"),
                "intensity",
            ),
            Fieldset("Where", Div(*self.location_names, css_class="location-grid")),
            Fieldset("What you were doing", "activity", "activity_other", "new_exercise"),
            Fieldset("Surroundings", Div(*ENVIRONMENT_FIELDS, css_class="check-grid")),
            Fieldset("What came with it", Div(*ACCOMPANYING_FIELDS, css_class="check-grid")),
            Fieldset("What you tried for relief", Div(*self.relief_names, css_class="location-grid")),
            *(
                [Fieldset("Medicines taken for it", Div(*self.medicine_names, css_class="medicine-grid"))]
                if self.medicines
                else []
            ),
            Fieldset("Notes", "notes"),
        )

    def _choice_for_each(
        self, members: type[models.Choices], prefix: str, choices: list[tuple[str, str]], chosen: dict[str, str]
    ) -> list[str]:
        """A choice for each region or relief measure, named prefix_value, with what was chosen before; their names."""
        names = []
        for member in members:
            name = f"{prefix}_{member.value}"
            self.fields[name] = forms.ChoiceField(
                label=member.label, choices=choices, required=False, initial=chosen.get(member.value, "")
            )
            names.append(name)
        return names

    def clean_started_at(self) -> datetime:
        started_at = self.cleaned_data["started_at"]
        if started_at and started_at > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError("The start cannot be in the future.")
        return started_at

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self.chosen_locations = {
            name.removeprefix("loc_"): cleaned[name] for name in self.location_names if cleaned.get(name)
        }
        if not self.chosen_locations:
            self.add_error(None, "Choose at least one place where the spasm was, with its side.")
        if cleaned.get("activity") == "other" and not cleaned.get("activity_other", "").strip():
            self.add_error("activity_other", "Say what you were doing.")
        return cleaned

    @transaction.atomic(savepoint=False)
    def save(self, commit: bool = True) -> Episode:
        if not commit:
            raise ValueError("An episode is saved with its places, relief and medicines, or not at all.")
        episode = super().save(commit=False)
        episode.patient = self.patient
        if episode.activity != "other":
            episode.activity_other = ""
        episode.save()

        episode.locations.all().delete()
        episode.add_places(self.chosen_locations)

        episode.reliefs.all().delete()
        EpisodeRelief.objects.bulk_create(
            EpisodeRelief(
                episode=episode,
                measure=name.removeprefix("relief_"),
                helped="" if self.cleaned_data[name] == "tried" else self.cleaned_data[name],
            )
            for name in self.relief_names
            if self.cleaned_data[name]
        )

        episode.medicines_taken.all().delete()
        EpisodeMedicine.objects.bulk_create(
            EpisodeMedicine(episode=episode, medicine=medicine, dose=self.cleaned_data[f"med_{medicine.pk}_dose"])
            for medicine in self.medicines
            if self.cleaned_data[f"med_{medicine.pk}"]
        )
        return episode


# What a new patient sees on the quick log before their own history ranks it.
DEFAULT_QUICK_LOCATIONS = [
    ("calf", "left"),
    ("calf", "right"),
    ("foot", "left"),
    ("foot", "right"),
    ("thigh_back", "left"),
    ("thigh_back", "right"),
    ("lower_back", "midline"),
    ("neck", "midline"),
    ("eyelid", "left"),
    ("eyelid", "right"),
    ("hand", "left"),
    ("hand", "right"),
]
QUICK_LOCATION_COUNT = 12


def location_key(region: str, side: str) -> str:
    return f"{region}:{side}"


def merge_sides(pairs: Iterable[tuple[str, ...]]) -> dict[str, str]:
    """One side per region: left and right of the same region become both sides."""
    sides: dict[str, str] = {}
    for region, side in pairs:
        if sides.get(region, side) != side:
            side = Side.BOTH
        sides[region] = side
    return sides


class PlacesField(forms.MultipleChoiceField):
    """Places as "region:side". Any real place is accepted, so a post is checked without the ones offered."""

    default_error_messages = {"invalid_choice": "SpasmLog knows no place called “%(value)s”: choose another."}

    def valid_value(self, value: str) -> bool:
        region, _, side = value.partition(":")
        return region in Region.values and side in Side.values


class QuickLogForm(forms.Form):
    """A spasm in at most three taps: where, how strong, save."""

    locations = PlacesField(
        label="Where",
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    other_region = forms.ChoiceField(label="Another place", choices=[("", "—")] + Region.choices, required=False)
    other_side = forms.ChoiceField(label="Side", choices=SIDE_CHOICES, required=False)
    intensity = forms.TypedChoiceField(
        label="How strong (0 = none, 10 = worst imaginable)",
        choices=[(i, str(i)) for i in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(choices=Kind.choices, initial=Kind.SPASM, widget=forms.RadioSelect)

    def __init__(self, *args: Any, shortcuts: Iterable[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offer(shortcuts)

    def offer(self, shortcuts: Iterable[tuple[str, str]]) -> None:
        """The places to tap (PlacesField accepts any real place, so a post is checked without them)."""
        cast(PlacesField, self.fields["locations"]).choices = [
            (location_key(region, side), location_label(region, side)) for region, side in shortcuts
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        pairs = [tuple(value.split(":")) for value in cleaned.get("locations", [])]
        region, side = cleaned.get("other_region"), cleaned.get("other_side")
        if region and not side:
            self.add_error("other_side", "Choose the side for this place.")
        elif side and not region:
            self.add_error("other_region", "Choose the place for this side.")
        elif region and side:
            pairs.append((region, side))
        if not pairs and not self.errors:
            self.add_error("locations", "Tap where the spasm is.")
        cleaned["sides"] = merge_sides(pairs)
        return cleaned

    @transaction.atomic(savepoint=False)
    def save(self, patient: User) -> Episode:
        data = self.cleaned_data
        return Episode.objects.log(patient, data["sides"], intensity=data["intensity"], kind=data["kind"])


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Times before every diary and after its bounds, in milliseconds since 1970: a phone's time
# beyond them is held to them before it is read, and then refused.
EARLIEST_MS = (EARLIEST_MOMENT - EPOCH) // timedelta(milliseconds=1)
LATEST_MS = (datetime.combine(LATEST_DAY, datetime.min.time(), UTC) - EPOCH) // timedelta(milliseconds=1)


class OfflineLogForm(QuickLogForm):
    """
    A quick log that a phone kept while it had no signal, sent when it has: the tap's own id,
    so that it is stored once however often it comes, and the moment of the tap, which is
    the episode's start.
    """

    id = forms.UUIDField()
    # Milliseconds since 1970, as the phone's clock (JavaScript's Date.now()) gave them.
    tapped_at = forms.IntegerField()

    def clean_tapped_at(self) -> datetime:
        moment = EPOCH + timedelta(milliseconds=min(max(self.cleaned_data["tapped_at"], EARLIEST_MS), LATEST_MS))
        if moment > timezone.now() + FUTURE_TOLERANCE:
            raise forms.ValidationError("This log's time is later than now: check the clock of this phone.")
        if moment <= EARLIEST_MOMENT:
            raise forms.ValidationError(
                f"This log's time is before {EARLIEST_DAY.year}: check the clock of this phone."
            )
        return moment

    @transaction.atomic(savepoint=False)
    def save(self, patient: User) -> Episode:
        data = self.cleaned_data
        return Episode.objects.log(
            patient,
            data["sides"],
            intensity=data["intensity"],
            kind=data["kind"],
            started_at=data["tapped_at"],
            client_id=data["id"],
        )


class CheckInForm(forms.ModelForm):
    counts = ["fluids_glasses", "caffeine_drinks", "alcohol_units", "stress", "exercise_minutes", "sun_heat_minutes"]

    class Meta:
        model = CheckIn
        fields = [
            "day",
            "penn_frequency",
            "penn_severity",
            "sleep_hours",
            "fluids_glasses",
            "caffeine_drinks",
            "alcohol_units",
            "nicotine",
            "nicotine_amount",
            "stress",
            "exercise_minutes",
            "exercise_new",
            "sun_heat_minutes",
            *SUPPLEMENT_FIELDS,
            "note",
        ]
        formfield_callback = diary_formfield
        widgets = {
            "penn_frequency": forms.RadioSelect,
            "penn_severity": forms.RadioSelect,
            "note": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"penn_frequency": "How often (Penn Spasm Frequency Scale)", "penn_severity": "How severe"}
        help_texts = {
            "penn_severity": "Skip this when there were no spasms.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The day is what a check-in is; another day is another check-in.
            self.fields["day"].disabled = True
        else:
            self.fields["day"].initial = local_today()
        # The scales without the empty choice that a field without a default offers.
        cast(forms.ChoiceField, self.fields["penn_frequency"]).choices = PennFrequency.choices
        cast(forms.ChoiceField, self.fields["penn_severity"]).choices = PennSeverity.choices
        self.fields["sleep_hours"].widget.attrs.update({"step": "0.5", "inputmode": "decimal"})
        for name in self.counts:
            self.fields[name].widget.attrs["inputmode"] = "numeric"
        self.helper = form_helper(
            "day",
            Fieldset("Spasms in the last 24 hours", "penn_frequency", "penn_severity"),
            Fieldset(
                "Today's factors",
                Div("sleep_hours", *self.counts, css_class="number-grid"),
                "exercise_new",
                "nicotine",
                "nicotine_amount",
            ),
            Fieldset("Supplements taken", Div(*SUPPLEMENT_FIELDS, css_class="check-grid")),
            Fieldset("Note", "note"),
        )

    def clean_day(self) -> date:
        day = self.cleaned_data["day"]
        if day > local_today():
            raise forms.ValidationError("A check-in is for today or a day that has passed.")
        return day

    def clean_sleep_hours(self) -> Decimal | None:
        hours = self.cleaned_data["sleep_hours"]
        if hours is not None and hours > 24:
            raise forms.ValidationError("A day has 24 hours: sleep cannot be more.")
        return hours

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        frequency = cleaned.get("penn_frequency")
        if frequency == 0:
            cleaned["penn_severity"] = None
        elif frequency is not None and not cleaned.get("penn_severity"):
            self.add_error("penn_severity", "Rate how severe the spasms were.")
        if not cleaned.get("nicotine"):
            cleaned["nicotine_amount"] = ""
        return cleaned


# Names of medicines that the articles say can cause spasms, to flag them for the patient.
FLAGGED_MEDICINE_NAMES = {
    MedicineKind.CORTICOSTEROID: [
        "prednisone",
        "prednisolone",
        "methylprednisolone",
        "dexamethasone",
        "hydrocortisone",
        "cortisone",
        "betamethasone",
        "budesonide",
        "triamcinolone",
        "fludrocortisone",
        "deflazacort",
    ],
    MedicineKind.ESTROGEN: ["estradiol", "oestradiol", "estrogen", "oestrogen", "ethinylestradiol", "premarin"],
}


def guess_medicine_kind(name: str) -> MedicineKind:
    words = set(re.findall(r"[a-z]+", name.lower()))
    for kind, names in FLAGGED_MEDICINE_NAMES.items():
        if words.intersection(names):
            return kind
    return MedicineKind.OTHER


class MedicineForm(forms.ModelForm):
    class Meta:
        model = Medicine
        fields = ["name", "dose", "frequency", "purpose", "kind", "started", "stopped"]
        formfield_callback = diary_formfield
        widgets = {"purpose": forms.RadioSelect}
        help_texts = {
            "kind": "Corticosteroids and estrogen pills can themselves cause spasms. "
            "Common names are recognised for you.",
            "stopped": "Leave empty while you still take it.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].label = "Kind"
        self.helper = form_helper(
            "name",
            Div("dose", "frequency", css_class="number-grid"),
            "purpose",
            "kind",
            Div("started", "stopped", css_class="number-grid"),
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        _check_order(self, "started", "stopped", "It cannot stop before it started.")
        if not cleaned.get("kind") and cleaned.get("name"):
            cleaned["kind"] = guess_medicine_kind(cleaned["name"])
        return cleaned


def _check_order(form: forms.BaseForm, earlier: str, later: str, message: str) -> None:
    """An error on the later of two dates when it comes before the earlier; either may be empty."""
    first, last = form.cleaned_data.get(earlier), form.cleaned_data.get(later)
    if first and last and last < first:
        form.add_error(later, message)


class DateRangeForm(forms.Form):
    """Filters for the lists: a range of days in the patient's zone, and a region."""

    start = BoundedDateField(label="From", required=False, widget=DateInput())
    end = BoundedDateField(label="To", required=False, widget=DateInput())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The lists lay these out by hand, so the widgets carry Bootstrap's classes themselves.
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field.widget, forms.Select) else "form-control"

    def clean(self) -> dict[str, Any]:
        super().clean()
        _check_order(self, "start", "end", "The end comes before the start.")
        return self.cleaned_data

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The filter as aware datetimes [start, end) in the active zone."""
        if not self.is_valid():
            return None, None
        zone = timezone.get_current_timezone()
        start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        return (
            local_midnight(start, zone) if start else None,
            local_midnight(end + timedelta(days=1), zone) if end else None,
        )


class EpisodeFilterForm(DateRangeForm):
    region = forms.ChoiceField(label="Where", choices=[("", "Anywhere")] + Region.choices, required=False)
