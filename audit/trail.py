"""
The audit trail: each sign-in, each change to patient data, each look at it by
someone other than its owner. Written by explicit calls where the change is
made, so nothing depends on signals that bulk operations would skip.
"""

from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest

from audit.models import AuditEvent, account_ref
from spasmlog.addresses import client_address

if TYPE_CHECKING:
    # The user model as the type checker's Django plugin sees it (settings.AUTH_USER_MODEL):
    # the audit trail sits below the diary, so it never imports logs.
    from django.contrib.auth.models import _User as User


def record(
    request: HttpRequest,
    action: str,
    target: models.Model | str | None = None,
    *,
    patient: "User | None" = None,
    actor: "User | None" = None,
) -> None:
    """Write one event. target is a record (named by kind and number) or a short text."""
    if actor is None and request.user.is_authenticated:
        actor = request.user
    if patient is None and target is not None:
        patient = getattr(target, "patient", None)
    if isinstance(target, models.Model):
        target = f"{target._meta.verbose_name} {target.pk}"
    AuditEvent.objects.create(
        actor=actor,
        actor_ref=account_ref(actor),
        patient_ref=account_ref(patient),
        action=action,
        target=target or "",
        address=client_address(request),
    )


def signed_in(sender: type, request: HttpRequest, user: "User", **kwargs: Any) -> None:
    record(request, "signed in", actor=user, patient=None if user.is_clinician else user)


def sign_in_failed(
    sender: object, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # What was typed is never kept: it may be a password typed in the wrong box.
    if request is not None:
        record(request, "sign-in failed")


def signed_out(sender: type, request: HttpRequest, user: "User | None", **kwargs: Any) -> None:
    if user is not None:
        record(request, "signed out", actor=user)
