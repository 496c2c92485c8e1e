"""
The audit trail: each sign-in, each change to patient data, each look at it by
someone other than its owner. Written by explicit calls where the change is
made, so nothing depends on signals that bulk operations would skip.
"""

from audit.models import AuditEvent, account_ref
from spasmlog.addresses import client_address


def record(request, action, target=None, *, patient=None, actor=None):
    """Write one event. target is a record (named by kind and number) or a short text."""
    if actor is None and request.user.is_authenticated:
        actor = request.user
    if patient is None and target is not None:
        patient = getattr(target, "patient", None)
    if hasattr(target, "_meta"):
        target = f"{target._meta.verbose_name} {target.pk}"
    AuditEvent.objects.create(
        actor=actor,
        actor_ref=account_ref(actor),
        patient_ref=account_ref(patient),
        action=action,
        target=target or "",
        address=client_address(request),
    )


def signed_in(sender, request, user, **kwargs):
    record(request, "signed in", actor=user, patient=None if user.is_clinician else user)


def sign_in_failed(sender, credentials, request=None, **kwargs):
    # What was typed is never kept: it may be a password typed in the wrong box.
    if request is not None:
        record(request, "sign-in failed")


def signed_out(sender, request, user, **kwargs):
    if user is not None:
        record(request, "signed out", actor=user)
