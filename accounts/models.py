from datetime import timedelta
from typing import Any

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from logs.models import User


class PendingAccount(models.Model):
    """
    A sign-up waiting for its e-mail address to be confirmed. Nothing is opened
    until the link in the message is followed, so signing up answers the same
    whether or not the address already has an account. The password is chosen
    on the page the link opens, by whoever holds it: a sign-up made with
    someone else's address can never set the password of their account. An
    address has one sign-up waiting at most; a new one ends the link before it.
    """

    LIFETIME = timedelta(hours=24)

    token_hash = models.CharField(max_length=64, unique=True)
    email = models.EmailField()
    display_name = models.CharField(max_length=150)
    time_zone = models.CharField(max_length=64)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Kept from when sign-ups lived with the diary.
        db_table = "logs_pendingaccount"
        constraints = [
            models.UniqueConstraint(fields=["email"], name="pending_account_one_per_address"),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="pending_account_email_lower_case"),
        ]

    def __str__(self) -> str:
        return f"Sign-up waiting since {self.created_at:%Y-%m-%d %H:%M}"

    def new_account(self, **fields: Any) -> User:
        """The account this sign-up asks for, not yet saved and without a password."""
        return User(email=self.email, display_name=self.display_name, time_zone=self.time_zone, **fields)

    def open_account(self, password: str, **fields: Any) -> User:
        """The account this sign-up asked for, saved, with the password chosen on the confirmation page."""
        user = self.new_account(**fields)
        user.set_password(password)
        user.save()
        return user
