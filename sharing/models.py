"""
What a patient shares with a clinician, and every look at it.

A share covers a period of the diary (its summary, or every entry too) and ends
on a date. It goes to a clinician's account, which accepts it, or out as a link
whose token only the patient and the recipient know (the database keeps its
hash), optionally behind the patient's date of birth or a PIN.
"""

import secrets
from datetime import datetime, timedelta
from typing import Any, Self

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models import Case, F, Q, Value, When
from django.urls import reverse
from django.utils import timezone

from logs.models import User
from spasmlog.append_only import AppendOnly
from spasmlog.dates import EARLIEST_DAY, LATEST_DAY, Period
from spasmlog.tokens import token_hash

MAX_SHARE = timedelta(days=366)
DEFAULT_SHARE_DAYS = 14
# A clinician's code: no 0/O, 1/I/L, so it can be read out over the phone.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
# Wrong PINs for one link before it rests for a while.
PIN_TRIES = 5
PIN_REST = timedelta(minutes=15)
# What a share can show. Every share covers the two-page summary (its page and
# PDF), the medicines CSV (the summary lists them) and a FHIR export of the
# patient and those medicines. Each episode and check-in, with its notes, is
# covered only when the patient included every entry: the appendix, the
# episodes and check-ins CSVs, and the entries of the FHIR export.
SUMMARY_PARTS = frozenset({"summary", "medicines", "fhir"})
ENTRY_PARTS = frozenset({"appendix", "episodes", "checkins", "entries"})


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


class Clinician(models.Model):
    """What a clinician's account holds beyond the name and e-mail address."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="clinician")
    practice = models.CharField("practice or clinic", max_length=200)
    registration = models.CharField("professional registration number", max_length=100, blank=True)
    code = models.CharField(
        max_length=CODE_LENGTH,
        unique=True,
        default=new_code,
        help_text="Patients can find this clinician by this code as well as by e-mail address.",
    )

    def __str__(self) -> str:
        return f"{self.user} ({self.practice})"

    @property
    def code_display(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"


class Via(models.TextChoices):
    CLINICIAN = "clinician", "A clinician's account"
    LINK = "link", "A link"


class Protection(models.TextChoices):
    NONE = "", "Nothing more"
    BIRTH_DATE = "birth_date", "My date of birth"
    PIN = "pin", "A PIN I choose"


class ShareQuerySet(models.QuerySet["Share"]):
    def live(self, now: datetime | None = None) -> Self:
        """Not revoked and not yet ended (accepted or not)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())

    def open_to(self, clinician: User, now: datetime | None = None) -> Self:
        """The shares a clinician may read now."""
        return self.live(now).filter(via=Via.CLINICIAN, clinician=clinician, accepted_at__isnull=False)


class Share(models.Model):
    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares")
    via = models.CharField(max_length=10, choices=Via)
    # Indexed by (clinician, expires_at).
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="shared_with_me",
        db_index=False,
    )
    first_day = models.DateField()
    last_day = models.DateField()
    include_episodes = models.BooleanField(
        "include every entry",
        default=False,
        help_text="Each episode and check-in of the period, with notes; else the summary and its medicines.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField("ends")
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    protection = models.CharField(max_length=12, choices=Protection, blank=True)
    secret_hash = models.CharField(max_length=128, blank=True, editable=False)
    failed_tries = models.PositiveSmallIntegerField(default=0)
    resting_until = models.DateTimeField(null=True, blank=True)

    objects = ShareQuerySet.as_manager()

    # Set by the lists of shares for their templates: state() as the page is drawn, and
    # what a clinician sees of the patient at a glance (reports.summary.clinician_glance).
    current_state: str
    glance: dict[str, Any]

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["clinician", "expires_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(first_day__lte=F("last_day")), name="share_period_in_order"),
            models.CheckConstraint(
                condition=Q(first_day__gte=EARLIEST_DAY, last_day__lte=LATEST_DAY), name="share_period_in_bounds"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at"), expires_at__lte=F("created_at") + MAX_SHARE),
                name="share_ends_within_a_year",
            ),
            models.CheckConstraint(
                condition=Q(via=Via.CLINICIAN, clinician__isnull=False, token_hash__isnull=True)
                | Q(via=Via.LINK, clinician__isnull=True, token_hash__isnull=False),
                name="share_has_one_recipient",
            ),
            models.CheckConstraint(
                condition=Q(protection="", secret_hash="") | (~Q(protection="") & ~Q(secret_hash="")),
                name="share_protection_has_secret",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(via=Via.CLINICIAN), name="share_only_accounts_accept"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient}'s diary, {self.first_day} to {self.last_day}, {self.get_via_display().lower()}"

    def get_absolute_url(self) -> str:
        return reverse("sharing:clinician-share", args=[self.pk])

    @property
    def period(self) -> Period:
        return Period(self.first_day, self.last_day)

    def covers(self, part: str) -> bool:
        """Whether the share shows this part (one of SUMMARY_PARTS or ENTRY_PARTS); nothing else is shown."""
        return part in SUMMARY_PARTS or (self.include_episodes and part in ENTRY_PARTS)

    @property
    def covers_display(self) -> str:
        if self.covers("entries"):
            return "the summary and every entry: each episode and check-in of the period, with notes"
        return "the two-page summary and its list of medicines only; no single episode, check-in or note"

    def state(self, now: datetime | None = None) -> str:
        now = now or timezone.now()
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "ended"
        if self.via == Via.CLINICIAN and not self.accepted_at:
            return "waiting"
        return "open"

    def new_token(self) -> str:
        """A long random token for a link; only its hash is kept. Returns the token."""
        token = secrets.token_urlsafe(32)
        self.token_hash = token_hash(token)
        return token

    def set_secret(self, secret: str) -> None:
        self.secret_hash = make_password(secret) if secret else ""

    def check_secret(self, secret: str) -> bool:
        return bool(self.secret_hash) and check_password(secret, self.secret_hash)

    def is_resting(self, now: datetime | None = None) -> bool:
        return self.resting_until is not None and self.resting_until > (now or timezone.now())

    def try_secret(self, secret: str, now: datetime | None = None) -> bool:
        """
        Whether the answer to the link's PIN or date of birth is right. Each answer
        first claims one of PIN_TRIES tries in a single conditional UPDATE, so
        answers sent at once cannot check more than that, and only a claimed answer
        is checked. Claiming the last try rests the link for PIN_REST there and
        then, so a request that stops half way cannot leave it without tries and
        without an end to that; a right answer lifts the rest and starts the count
        again, and once a rest is over the count starts again too. Afterwards the
        share holds the count and the rest as stored.
        """
        now = now or timezone.now()
        this = Share.objects.filter(pk=self.pk)
        rest_over = Q(resting_until__lte=now)
        counting = Q(resting_until__isnull=True, failed_tries__lt=PIN_TRIES)
        claimed = this.filter(rest_over | counting).update(
            failed_tries=Case(When(rest_over, then=Value(1)), default=F("failed_tries") + 1),
            resting_until=Case(
                When(counting & Q(failed_tries=PIN_TRIES - 1), then=Value(now + PIN_REST)),
                default=None,
                output_field=models.DateTimeField(),
            ),
        )
        right = bool(claimed) and self.check_secret(secret)
        if right:
            this.update(failed_tries=0, resting_until=None)
        self.refresh_from_db(fields=["failed_tries", "resting_until"])
        return right


class AccessRecord(AppendOnly):
    """One look at shared data: who, what, when, from where. Written once, never changed."""

    # Indexed by (share, at).
    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="accesses", db_index=False)
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    what = models.CharField(max_length=40)
    at = models.DateTimeField(default=timezone.now)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["share", "at"])]

    def __str__(self) -> str:
        return f"{self.what} of share {self.share_id} at {self.at:%Y-%m-%d %H:%M}"


class Note(models.Model):
    """A clinician's short note on a shared summary, for the patient to read."""

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = models.TextField("note for the patient", max_length=1000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Note by {self.author} on share {self.share_id}"
