from django.conf import settings
from django.db import models
from django.utils import timezone

from spasmlog.append_only import AppendOnly


class AuditEvent(AppendOnly):
    """
    Who did what to which record, when and from where. Written once and never
    changed. The references are account numbers, which stay when an account is
    deleted: a pseudonymous stub, with no name, address or diary text.
    """

    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_ref = models.CharField("by", max_length=40, blank=True)
    patient_ref = models.CharField("whose", max_length=40, blank=True)
    action = models.CharField(max_length=40)
    target = models.CharField(max_length=80, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        # Kept from when the trail lived with the diary.
        db_table = "logs_auditevent"
        ordering = ["-at"]
        indexes = [models.Index(fields=["patient_ref", "at"]), models.Index(fields=["actor_ref", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_ref or 'someone'} {self.action} {self.target}".strip()


def account_ref(user: models.Model | None) -> str:
    return f"account {user.pk}" if user is not None and user.pk is not None else ""
