from datetime import time
from typing import Self

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse

from logs.models import User

# The turn-off link's own salt, so no other signed value of the site can stand in for it.
OFF_LINK_SALT = "reminders.off-link"
# Browsers' push endpoints are a few hundred characters; their keys, base64 of 65 and 16 bytes.
MAX_ENDPOINT = 1000
MAX_P256DH = 100
MAX_AUTH = 50


class ReminderQuerySet(models.QuerySet["Reminder"]):
    def from_off_token(self, token: str) -> "Reminder | None":
        """The reminder a turn-off link names, or None for a link the site did not sign."""
        try:
            pk = signing.loads(token, salt=OFF_LINK_SALT)
        except signing.BadSignature:
            return None
        if not isinstance(pk, int):
            return None
        return self.select_related("patient").filter(pk=pk).first()


class Reminder(models.Model):
    """A patient's daily check-in reminder: at a time of day in the patient's own zone, and how it is sent."""

    patient = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder")
    enabled = models.BooleanField("remind me every day", default=False)
    at = models.TimeField("time", default=time(20, 0))
    by_email = models.BooleanField("by e-mail", default=True)
    by_push = models.BooleanField("by notification on the devices that allow it", default=False)
    # The patient's local day the last reminder went out: at most one a day.
    last_sent_on = models.DateField(null=True, blank=True, editable=False)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(enabled=False) | Q(by_email=True) | Q(by_push=True),
                name="reminder_on_has_a_way",
                violation_error_message="Choose how to be reminded: by e-mail, by notification, or both.",
            ),
        ]

    def __str__(self) -> str:
        return f"Reminder of {self.patient}"

    def get_absolute_url(self) -> str:
        return reverse("reminders:settings")

    def off_token(self) -> str:
        """The secret of the link in each e-mail that turns the reminder off without signing in."""
        return signing.dumps(self.pk, salt=OFF_LINK_SALT)


class PushSubscriptionQuerySet(models.QuerySet["PushSubscription"]):
    def for_patient(self, patient: User) -> Self:
        return self.filter(patient=patient)


class PushSubscription(models.Model):
    """
    A browser that allows notifications: the push service's address for it and the
    keys its messages are encrypted to. The endpoint is a secret (whoever holds it
    can post to that browser), so it is never logged.
    """

    patient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=MAX_ENDPOINT, unique=True)
    p256dh = models.CharField(max_length=MAX_P256DH)
    auth = models.CharField(max_length=MAX_AUTH)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PushSubscriptionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(endpoint="") & ~Q(p256dh="") & ~Q(auth=""), name="push_subscription_complete"
            ),
        ]

    def __str__(self) -> str:
        return f"Device of {self.patient}"

    def info(self) -> dict[str, object]:
        """The subscription as the Push API gives it, which pywebpush takes."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}
