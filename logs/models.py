import functools
import zoneinfo
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, ClassVar, NamedTuple, Self, TypeVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from spasmlog.dates import EARLIEST_DAY, EARLIEST_MOMENT, LATEST_DAY
from spasmlog.durations import format_duration

MAX_DURATION_SECONDS = 24 * 60 * 60
# A start may be a little ahead of the clock that records it: phones drift.
FUTURE_TOLERANCE = timedelta(minutes=5)

_Record = TypeVar("_Record", bound=models.Model)


def normalise_email(address: str) -> str:
    """
    An e-mail address as accounts keep it and every lookup asks for it: trimmed
    and in lower case, so that ``Victim@example.com``, as a phone capitalises
    it, finds the account of ``victim@example.com``.
    """
    return address.strip().lower()


def field_label(model: type[models.Model], name: str) -> str:
    """A field's verbose name, as pages and files label its values."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{name} is the far end of a relation, which has no label"
    return str(field.verbose_name)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """Django's own spot for it, used by model validation and by the admin's forms."""
        return normalise_email(email or "")

    def get_by_natural_key(self, username: str | None) -> "User":
        """Sign-in looks the account up here (ModelBackend)."""
        return super().get_by_natural_key(normalise_email(username or ""))

    def _create_user(self, email: str, password: str | None, **extra_fields: Any) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields: Any) -> "User":
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """An account, signed in by e-mail address."""

    # Django drops an inherited field set to None; the stubs know only the fields.
    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    display_name = models.CharField("name", max_length=150, help_text="How your name appears on your summary.")
    time_zone = models.CharField(max_length=64, default="UTC")
    is_clinician = models.BooleanField(
        default=False, help_text="A clinician reviews what patients share, and keeps no diary of their own."
    )

    # Not AbstractUser's manager, which the stubs insist on: that one creates accounts by username.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    class Meta(AbstractUser.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(email=Lower("email")), name="user_email_lower_case"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


class Profile(models.Model):
    """What a doctor asks about a patient beyond the diary itself."""

    patient = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    date_of_birth = models.DateField(null=True, blank=True)
    first_noticed = models.DateField(
        "spasms first noticed",
        null=True,
        blank=True,
        help_text="Month and year are enough.",
    )
    occupation = models.CharField(max_length=200, blank=True)
    usual_exercise = models.TextField(blank=True)
    conditions = models.TextField("past medical conditions", blank=True)
    injuries = models.TextField(blank=True)
    surgeries = models.TextField(blank=True)
    questions = models.TextField(
        "questions for your next visit",
        blank=True,
        help_text="Anything you want to ask the doctor. It is printed on your summary.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True) | Q(date_of_birth__lte=F("updated_at")),
                name="profile_birth_not_future",
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True) | Q(date_of_birth__gte=EARLIEST_DAY),
                name="profile_birth_in_bounds",
            ),
            models.CheckConstraint(
                condition=Q(first_noticed__isnull=True) | Q(first_noticed__gte=EARLIEST_DAY),
                name="profile_first_noticed_in_bounds",
            ),
            models.CheckConstraint(
                condition=Q(first_noticed__isnull=True) | Q(first_noticed__lte=F("updated_at")),
                name="profile_first_noticed_not_future",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.patient}"


class Region(models.TextChoices):
    """Body regions from head to feet, each drawn on the front or back diagram."""

    HEAD = "head", "Head or scalp"
    EYELID = "eyelid", "Eyelid"
    FACE = "face", "Face"
    JAW = "jaw", "Jaw"
    TONGUE = "tongue", "Tongue or throat"
    NECK = "neck", "Neck"
    SHOULDER = "shoulder", "Shoulder"
    UPPER_ARM = "upper_arm", "Upper arm"
    FOREARM = "forearm", "Forearm"
    HAND = "hand", "Hand or fingers"
    CHEST = "chest", "Chest"
    ABDOMEN = "abdomen", "Abdomen"
    UPPER_BACK = "upper_back", "Upper back"
    LOWER_BACK = "lower_back", "Lower back"
    HIP = "hip", "Hip"
    GROIN = "groin", "Groin"
    BUTTOCK = "buttock", "Buttock"
    THIGH_FRONT = "thigh_front", "Thigh (front)"
    THIGH_BACK = "thigh_back", "Hamstring (back of thigh)"
    KNEE = "knee", "Knee"
    SHIN = "shin", "Shin"
    CALF = "calf", "Calf"
    FOOT = "foot", "Foot or toes"


class Side(models.TextChoices):
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BOTH = "both", "Both sides"
    MIDLINE = "midline", "Middle"


class Kind(models.TextChoices):
    TWITCH = "twitch", "Twitch"
    CRAMP = "cramp", "Cramp"
    SPASM = "spasm", "Spasm"


class Activity(models.TextChoices):
    RESTING = "resting", "Resting"
    SLEEPING = "sleeping", "Sleeping"
    SITTING = "sitting", "Sitting"
    STANDING = "standing", "Standing"
    WALKING = "walking", "Walking"
    EXERCISING = "exercising", "Exercising"
    WORKING = "working", "Working"
    OTHER = "other", "Other"


class Relief(models.TextChoices):
    STRETCHING = "stretching", "Stretching"
    MOIST_HEAT = "moist_heat", "Moist heat"
    DRY_HEAT = "dry_heat", "Dry heat"
    ICE = "ice", "Ice"
    MASSAGE = "massage", "Massage"
    REST = "rest", "Rest"
    FLUIDS = "fluids", "Fluids or electrolytes"
    MEDICINE = "medicine", "Medicine"


class Helped(models.TextChoices):
    NOT_AT_ALL = "not_at_all", "Not at all"
    A_LITTLE = "a_little", "A little"
    A_LOT = "a_lot", "A lot"


# The fields of Episode that say what came with it, and those that say what
# the surroundings were; both are ticked in groups on the episode form.
ACCOMPANYING_FIELDS = [
    "pain",
    "weakness",
    "spreading_weakness",
    "numbness",
    "saddle_numbness",
    "bladder_bowel",
    "fever",
    "confusion",
    "dark_urine",
]
ENVIRONMENT_FIELDS = ["hot", "cold", "humid", "sun", "dehydrated"]


class PatientQuerySet(models.QuerySet[_Record]):
    """The records of patients' diaries: episodes, medicines, check-ins."""

    def for_patient(self, patient: User) -> Self:
        return self.filter(patient=patient)

    def _within(self, **bounds: Any) -> Self:
        """Filtered by the bounds given as lookups ({"day__gte": first_day}); a bound of None is left open."""
        return self.filter(**{lookup: value for lookup, value in bounds.items() if value is not None})


class EpisodeQuerySet(PatientQuerySet["Episode"]):
    def log(self, patient: User, places: Mapping[str, str], **fields: Any) -> "Episode":
        """A new episode of the patient's, with its places ({region: side}); call it inside a transaction."""
        episode = self.create(patient=patient, **fields)
        episode.add_places(places)
        return episode

    def between(self, start: datetime | None = None, end: datetime | None = None) -> Self:
        """Episodes that started in [start, end); either bound may be open."""
        return self._within(started_at__gte=start, started_at__lt=end)


class Episode(models.Model):
    # The index on (patient, started_at) serves every lookup by patient; a second one would only slow writes.
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="episodes", db_index=False
    )
    started_at = models.DateTimeField("start", default=timezone.now)
    duration_seconds = models.PositiveIntegerField(
        "duration",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DURATION_SECONDS)],
    )
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.SPASM)
    intensity = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
        help_text="0 = none, 10 = worst imaginable.",
    )
    activity = models.CharField("activity at onset", max_length=12, choices=Activity, blank=True)
    activity_other = models.CharField("other activity", max_length=200, blank=True)
    new_exercise = models.BooleanField("the exercise was new or unusual", default=False)

    hot = models.BooleanField("hot", default=False)
    cold = models.BooleanField("cold", default=False)
    humid = models.BooleanField("humid", default=False)
    sun = models.BooleanField("in the sun", default=False)
    dehydrated = models.BooleanField("felt dehydrated", default=False)

    pain = models.BooleanField("pain", default=False)
    weakness = models.BooleanField("weakness", default=False)
    spreading_weakness = models.BooleanField("new weakness that is spreading", default=False)
    numbness = models.BooleanField("numbness or tingling", default=False)
    saddle_numbness = models.BooleanField("numbness in the groin or saddle area", default=False)
    bladder_bowel = models.BooleanField("loss of bladder or bowel control", default=False)
    fever = models.BooleanField("fever", default=False)
    confusion = models.BooleanField("confusion", default=False)
    dark_urine = models.BooleanField("dark urine", default=False)

    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The id a phone gave a log it kept while offline: stored once per patient, however often it is sent.
    client_id = models.UUIDField(null=True, blank=True, editable=False)
    # When the patient put away the dashboard's warning about this episode's red flags.
    warning_dismissed_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = EpisodeQuerySet.as_manager()

    # Set by with_details(), in words: where it was, the relief tried, the medicines taken;
    # and by the summary's appendix, the first two cut to fit its table.
    places: list[str]
    tried: "list[Tried]"
    taken: list[str]
    where_text: str
    tried_text: str

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["patient", "started_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True)
                | Q(duration_seconds__gte=1, duration_seconds__lte=MAX_DURATION_SECONDS),
                name="episode_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(intensity__isnull=True) | Q(intensity__gte=0, intensity__lte=10),
                name="episode_intensity_range",
            ),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="episode_kind_valid"),
            models.CheckConstraint(
                condition=Q(activity="") | Q(activity__in=Activity.values), name="episode_activity_valid"
            ),
            # updated_at is the moment of the write, so this says: not in the
            # future when it was saved.
            models.CheckConstraint(
                condition=Q(started_at__lte=F("updated_at") + FUTURE_TOLERANCE),
                name="episode_start_not_future",
            ),
            models.CheckConstraint(condition=Q(started_at__gte=EARLIEST_MOMENT), name="episode_start_in_bounds"),
            models.UniqueConstraint(fields=["patient", "client_id"], name="episode_client_id_once_per_patient"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {timezone.localtime(self.started_at):%-d %b %Y, %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("logs:episode-edit", args=[self.pk])

    def add_places(self, places: Mapping[str, str]) -> None:
        """Where the episode was, as {region: side}: one side per region, as the constraint says."""
        EpisodeLocation.objects.bulk_create(
            EpisodeLocation(episode=self, region=region, side=side) for region, side in places.items()
        )

    @property
    def duration_display(self) -> str:
        return format_duration(self.duration_seconds) if self.duration_seconds else ""


class EpisodeLocation(models.Model):
    # Indexed by the unique (episode, region) constraint.
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="locations", db_index=False)
    region = models.CharField(max_length=16, choices=Region)
    side = models.CharField(max_length=8, choices=Side)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # One side per region: left and right together are "both sides".
            models.UniqueConstraint(fields=["episode", "region"], name="location_region_once_per_episode"),
            models.CheckConstraint(condition=Q(region__in=Region.values), name="location_region_valid"),
            models.CheckConstraint(condition=Q(side__in=Side.values), name="location_side_valid"),
        ]

    def __str__(self) -> str:
        return location_label(self.region, self.side)


@functools.cache
def location_label(region: str, side: str) -> str:
    """'Left calf', 'Calf, both sides', 'Neck'."""
    region_label = Region(region).label
    if side in (Side.LEFT, Side.RIGHT):
        return f"{Side(side).label} {region_label[0].lower()}{region_label[1:]}"
    if side == Side.BOTH:
        return f"{region_label}, both sides"
    return region_label


class EpisodeRelief(models.Model):
    """A relief measure tried for an episode, and whether it helped."""

    # Indexed by the unique (episode, measure) constraint.
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="reliefs", db_index=False)
    measure = models.CharField(max_length=12, choices=Relief)
    helped = models.CharField(max_length=12, choices=Helped, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "measure"], name="relief_unique_per_episode"),
        ]

    def __str__(self) -> str:
        return str(Tried.of(self.measure, self.helped))


class Tried(NamedTuple):
    """A relief measure tried, in words: "Stretching", "helped a lot"."""

    measure: str
    helped: str
    sure: bool

    @classmethod
    @functools.cache
    def of(cls, measure: str, helped: str) -> "Tried":
        if helped:
            return cls(Relief(measure).label, f"helped {Helped(helped).label.lower()}", True)
        return cls(Relief(measure).label, "not sure whether it helped", False)

    def __str__(self) -> str:
        return f"{self.measure}: {self.helped}" if self.sure else self.measure


class MedicineKind(models.TextChoices):
    """Kinds of medicine that can themselves cause spasms, and the rest."""

    OTHER = "", "Other or not sure"
    CORTICOSTEROID = "corticosteroid", "Corticosteroid"
    ESTROGEN = "estrogen", "Estrogen pill"


class Purpose(models.TextChoices):
    SPASMS = "spasms", "For the spasms"
    OTHER = "other", "For something else"


class MedicineQuerySet(PatientQuerySet["Medicine"]):
    def taken_between(self, first_day: date, last_day: date) -> Self:
        """Medicines taken on any day from first_day to last_day; open dates count as taken."""
        return self.filter(Q(started__isnull=True) | Q(started__lte=last_day)).filter(
            Q(stopped__isnull=True) | Q(stopped__gte=first_day)
        )


class Medicine(models.Model):
    # Indexed by (patient, name).
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="medicines", db_index=False
    )
    name = models.CharField(max_length=200)
    dose = models.CharField(max_length=100, blank=True, help_text="For example 10 mg.")
    frequency = models.CharField("how often", max_length=100, blank=True, help_text="For example twice a day.")
    started = models.DateField(null=True, blank=True)
    stopped = models.DateField(null=True, blank=True)
    purpose = models.CharField("what it is for", max_length=8, choices=Purpose, default=Purpose.OTHER)
    kind = models.CharField(
        max_length=16,
        choices=MedicineKind,
        blank=True,
        help_text="Corticosteroids and estrogen pills can themselves cause spasms.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MedicineQuerySet.as_manager()

    # Set by the summary: the period's episodes it was taken for, and how often it helped.
    use: Mapping[str, Any] | None

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["patient", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(stopped__isnull=True) | Q(started__isnull=True) | Q(stopped__gte=F("started")),
                name="medicine_stopped_after_started",
            ),
            models.CheckConstraint(condition=Q(kind__in=MedicineKind.values), name="medicine_kind_valid"),
            models.CheckConstraint(
                condition=(Q(started__isnull=True) | Q(started__gte=EARLIEST_DAY, started__lte=LATEST_DAY))
                & (Q(stopped__isnull=True) | Q(stopped__gte=EARLIEST_DAY, stopped__lte=LATEST_DAY)),
                name="medicine_dates_in_bounds",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.dose}".strip()

    def get_absolute_url(self) -> str:
        return reverse("logs:medicine-edit", args=[self.pk])

    @property
    def may_cause_spasms(self) -> bool:
        return bool(self.kind)

    def is_current(self, on_date: date) -> bool:
        """Whether it was still being taken on that day."""
        return self.stopped is None or self.stopped >= on_date


def with_details(episodes: models.QuerySet[Episode]) -> list[Episode]:
    """
    The episodes as a list, each with its places, relief tried and medicines
    taken in words (.places, .tried, .taken): four queries however many there
    are, and none of the per-episode cost of prefetch_related on thousands.
    """
    ids = episodes.values("pk")
    places: defaultdict[int, list[str]] = defaultdict(list)
    tried: defaultdict[int, list[Tried]] = defaultdict(list)
    taken: defaultdict[int, list[str]] = defaultdict(list)
    for episode_id, region, side in (
        EpisodeLocation.objects.filter(episode__in=ids).values_list("episode_id", "region", "side").order_by("pk")
    ):
        places[episode_id].append(location_label(region, side))
    for episode_id, measure, helped in (
        EpisodeRelief.objects.filter(episode__in=ids).values_list("episode_id", "measure", "helped").order_by("pk")
    ):
        tried[episode_id].append(Tried.of(measure, helped))
    for episode_id, name, dose in (
        EpisodeMedicine.objects.filter(episode__in=ids)
        .values_list("episode_id", "medicine__name", "dose")
        .order_by("pk")
    ):
        taken[episode_id].append(f"{name} {dose}".strip())
    listed = list(episodes)
    for episode in listed:
        episode.places, episode.tried, episode.taken = places[episode.pk], tried[episode.pk], taken[episode.pk]
    return listed


class EpisodeMedicine(models.Model):
    """A medicine from the patient's list taken for an episode."""

    # Indexed by the unique (episode, medicine) constraint.
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="medicines_taken", db_index=False)
    medicine = models.ForeignKey(Medicine, on_delete=models.CASCADE, related_name="episode_uses")
    dose = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "medicine"], name="medicine_once_per_episode"),
        ]

    def __str__(self) -> str:
        return f"{self.medicine.name} {self.dose}".strip()


class PennFrequency(models.IntegerChoices):
    NONE = 0, "0 = No spasms"
    MILD_STIMULATION = 1, "1 = Mild spasms induced by stimulation"
    INFREQUENT = 2, "2 = Infrequent full spasms occurring less than once per hour"
    HOURLY = 3, "3 = Spasms occurring more than once per hour"
    VERY_FREQUENT = 4, "4 = Spasms occurring more than 10 times per hour"


class PennSeverity(models.IntegerChoices):
    MILD = 1, "1 = Mild"
    MODERATE = 2, "2 = Moderate"
    SEVERE = 3, "3 = Severe"


SUPPLEMENT_FIELDS = ["magnesium", "potassium", "calcium", "vitamin_d", "vitamin_b"]


class CheckInQuerySet(PatientQuerySet["CheckIn"]):
    def between(self, first_day: date | None = None, last_day: date | None = None) -> Self:
        """Check-ins of the days first_day to last_day, both included."""
        return self._within(day__gte=first_day, day__lte=last_day)


class CheckIn(models.Model):
    """One per day: the Penn Spasm Frequency Scale for the last 24 hours and the day's factors."""

    # Indexed by the unique (patient, day) constraint.
    patient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkins", db_index=False
    )
    day = models.DateField()
    penn_frequency = models.PositiveSmallIntegerField("spasm frequency in the last 24 hours", choices=PennFrequency)
    penn_severity = models.PositiveSmallIntegerField("spasm severity", choices=PennSeverity, null=True, blank=True)
    sleep_hours = models.DecimalField(
        "sleep (hours)",
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(24)],
    )
    fluids_glasses = models.PositiveSmallIntegerField(
        "fluids (glasses)", null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    caffeine_drinks = models.PositiveSmallIntegerField(
        "caffeine drinks", null=True, blank=True, validators=[MaxValueValidator(40)]
    )
    alcohol_units = models.PositiveSmallIntegerField(
        "alcohol (units)", null=True, blank=True, validators=[MaxValueValidator(60)]
    )
    nicotine = models.BooleanField("nicotine", default=False)
    nicotine_amount = models.CharField(
        "how much nicotine", max_length=100, blank=True, help_text="For example 10 cigarettes."
    )
    stress = models.PositiveSmallIntegerField(
        "stress (0–10)", null=True, blank=True, validators=[MaxValueValidator(10)]
    )
    exercise_minutes = models.PositiveSmallIntegerField(
        "exercise (minutes)", null=True, blank=True, validators=[MaxValueValidator(1440)]
    )
    exercise_new = models.BooleanField("the exercise was new or unusual", default=False)
    sun_heat_minutes = models.PositiveSmallIntegerField(
        "time in sun or heat (minutes)", null=True, blank=True, validators=[MaxValueValidator(1440)]
    )
    magnesium = models.BooleanField(default=False)
    potassium = models.BooleanField(default=False)
    calcium = models.BooleanField(default=False)
    vitamin_d = models.BooleanField("vitamin D", default=False)
    vitamin_b = models.BooleanField("B vitamins", default=False)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CheckInQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "day"], name="checkin_one_per_day"),
            models.CheckConstraint(
                condition=Q(penn_frequency__gte=0, penn_frequency__lte=4),
                name="checkin_penn_frequency_range",
            ),
            # Severity is rated only when there were spasms.
            models.CheckConstraint(
                condition=Q(penn_frequency=0, penn_severity__isnull=True)
                | Q(penn_frequency__gt=0, penn_severity__isnull=False, penn_severity__gte=1, penn_severity__lte=3),
                name="checkin_penn_severity_with_frequency",
            ),
            models.CheckConstraint(
                condition=Q(sleep_hours__isnull=True) | Q(sleep_hours__gte=0, sleep_hours__lte=24),
                name="checkin_sleep_range",
            ),
            models.CheckConstraint(condition=Q(stress__isnull=True) | Q(stress__lte=10), name="checkin_stress_range"),
            models.CheckConstraint(
                condition=Q(exercise_minutes__isnull=True) | Q(exercise_minutes__lte=1440),
                name="checkin_exercise_range",
            ),
            models.CheckConstraint(
                condition=Q(sun_heat_minutes__isnull=True) | Q(sun_heat_minutes__lte=1440),
                name="checkin_sun_heat_range",
            ),
            # A patient's "today" runs at most 14 hours ahead of UTC.
            models.CheckConstraint(
                condition=Q(day__lte=F("updated_at") + timedelta(days=1)),
                name="checkin_day_not_future",
            ),
            models.CheckConstraint(condition=Q(day__gte=EARLIEST_DAY), name="checkin_day_in_bounds"),
        ]

    def __str__(self) -> str:
        return f"Check-in of {self.day}"

    def get_absolute_url(self) -> str:
        return reverse("logs:checkin-edit", args=[self.pk])
