"""The audit trail: sign-ins, every change to patient data, looks by others; nothing secret in the logs."""

import logging
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.sites import site
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.admin import PatientDataAdmin
from audit.models import AuditEvent
from logs.models import EpisodeMedicine, EpisodeRelief
from sharing.models import AccessRecord, Clinician, Note
from tests.conftest import sign_in_with_second_step
from tests.factories import PASSWORD, CheckInFactory, EpisodeFactory, MedicineFactory, ShareFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def events():
    return [(event.action, event.target.rsplit(" ", 1)[0]) for event in AuditEvent.objects.order_by("pk")]


def test_sign_ins_and_failures_are_recorded_without_what_was_typed(client):
    patient = UserFactory()
    client.post(
        reverse("login"), {"username": patient.email, "password": "wrong-secret-typed"}, REMOTE_ADDR="198.51.100.3"
    )
    client.post(reverse("login"), {"username": patient.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.3")
    failed, signed_in = AuditEvent.objects.order_by("pk")
    assert (failed.action, failed.address, failed.actor_ref) == ("sign-in failed", "198.51.100.3", "")
    assert (signed_in.action, signed_in.actor_ref) == ("signed in", f"account {patient.pk}")
    assert "wrong-secret-typed" not in str(AuditEvent.objects.values_list())
    assert patient.email not in str(AuditEvent.objects.values_list())


def test_every_change_to_patient_data_is_recorded(patient_client, patient):
    before = AuditEvent.objects.count()  # the sign-in
    patient_client.post(reverse("logs:quick-log"), {"locations": ["calf:left"], "kind": "cramp", "intensity": "5"})
    episode = patient.episodes.get()
    patient_client.post(reverse("logs:same-as-last"))
    patient_client.post(reverse("logs:episode-delete", args=[episode.pk]))
    checkin = CheckInFactory(patient=patient)
    patient_client.post(reverse("logs:checkin-delete", args=[checkin.pk]))
    medicine = MedicineFactory(patient=patient)
    patient_client.post(reverse("logs:medicine-delete", args=[medicine.pk]))
    assert events()[before:] == [
        ("logged", "episode"),
        ("logged", "episode"),
        ("deleted", "episode"),
        ("deleted", "check in"),
        ("deleted", "medicine"),
    ]
    assert {event.patient_ref for event in AuditEvent.objects.all()[: AuditEvent.objects.count() - before]} == {
        f"account {patient.pk}"
    }


def test_sharing_and_revoking_are_recorded(patient_client, patient, clinician):
    share = ShareFactory(patient=patient, clinician=clinician)
    patient_client.post(reverse("sharing:share-revoke", args=[share.pk]))
    assert AuditEvent.objects.filter(action="revoked", patient_ref=f"account {patient.pk}").exists()


def test_staff_looking_at_patient_data_in_the_admin_is_recorded(client, patient):
    staff = UserFactory(is_staff=True, is_superuser=True)
    episode = EpisodeFactory(patient=patient)
    sign_in_with_second_step(client, staff)
    client.get(reverse("admin:logs_episode_changelist"))
    client.get(reverse("admin:logs_episode_change", args=[episode.pk]))
    opened = AuditEvent.objects.get(action="opened in the admin")
    assert (opened.actor_ref, opened.patient_ref) == (f"account {staff.pk}", f"account {patient.pk}")
    assert AuditEvent.objects.filter(action="listed in the admin", target="episodes").exists()


# What the admin shows that holds no patient data, and why. Every other model registered in
# the admin must audit each look at it (PatientDataAdmin), or the test below fails.
NOT_PATIENT_DATA = {
    Group: "permissions",
    AuditEvent: "the audit trail itself: references and actions, never what was seen",
    Clinician: "a clinician's practice and registration",
    TOTPDevice: "the second step of clinicians and staff",
    StaticDevice: "the recovery codes of clinicians and staff",
    AccessAttempt: "sign-in attempts, kept by django-axes to pause repeated failures",
    AccessLog: "sign-ins, kept by django-axes",
    AccessFailureLog: "failed sign-ins, kept by django-axes",
}


def admin_models_with_patient_data():
    return sorted((model for model in site._registry if model not in NOT_PATIENT_DATA), key=lambda m: m._meta.label)


@pytest.mark.parametrize("model", admin_models_with_patient_data(), ids=lambda model: model._meta.label)
def test_every_admin_of_patient_data_records_each_list_and_record_opened(client, patient, clinician, model):
    medicine = MedicineFactory(patient=patient)
    episode = EpisodeFactory(patient=patient)
    EpisodeRelief.objects.create(episode=episode, measure="stretching", helped="a_lot")
    EpisodeMedicine.objects.create(episode=episode, medicine=medicine)
    CheckInFactory(patient=patient)
    share = ShareFactory(patient=patient, clinician=clinician)
    AccessRecord.objects.create(share=share, viewer=clinician, what="summary")
    Note.objects.create(share=share, author=clinician, text="Try stretching before bed.")
    staff = UserFactory(is_staff=True, is_superuser=True)
    sign_in_with_second_step(client, staff)
    model_admin = site._registry[model]
    assert isinstance(model_admin, PatientDataAdmin)
    record = model.objects.get(**{model_admin.patient_path or "pk": patient.pk})
    info = model._meta.app_label, model._meta.model_name
    assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
    listed = AuditEvent.objects.get(action="listed in the admin")
    assert (listed.actor_ref, listed.target) == (f"account {staff.pk}", model._meta.verbose_name_plural)
    assert client.get(reverse("admin:{}_{}_change".format(*info), args=[record.pk])).status_code == 200
    opened = AuditEvent.objects.get(action="opened in the admin")
    assert (opened.actor_ref, opened.patient_ref) == (f"account {staff.pk}", f"account {patient.pk}")
    assert opened.target == f"{model._meta.verbose_name} {record.pk}"


def test_audit_events_are_never_changed_or_deleted(patient):
    event = AuditEvent.objects.create(action="logged", actor_ref=f"account {patient.pk}")
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    admin = site._registry[AuditEvent]
    assert not (
        admin.has_add_permission(None) or admin.has_change_permission(None) or admin.has_delete_permission(None)
    )


def test_the_logs_carry_no_diary_text_and_no_passwords(client, caplog):
    patient = UserFactory()
    caplog.set_level(logging.DEBUG)  # everything the application logs, from here on
    client.post(reverse("login"), {"username": patient.email, "password": "typed-wrong-password-42"})
    client.post(reverse("login"), {"username": patient.email, "password": PASSWORD})
    client.post(
        reverse("logs:episode-new"),
        {"started_at": "2020-01-01T10:00", "kind": "cramp", "loc_calf": "left", "notes": "my private diary words"},
    )
    client.get("/episodes/999999/")
    client.get(reverse("reports:summary-pdf"))
    text = caplog.text
    for secret in ("typed-wrong-password-42", PASSWORD, "my private diary words"):
        assert secret not in text


# Where the code changes patient data in bulk, and why the audit still holds. A new
# QuerySet.update(), bulk_create(), bulk_update() or queryset delete() must be added
# here with its reason, or this test fails.
BULK_ALLOWED = {
    # The demo patient's diary: development and benchmarks only.
    "logs/management/commands/seed_demo.py": 6,
    # The episode form replaces the episode's places, relief and medicines inside its
    # save, which the view records as one change of the episode.
    "logs/forms.py": 5,
    # An episode's places are written with it (Episode.add_places), inside the logging
    # or the change that the view records.
    "logs/models.py": 1,
    # Sign-ups never confirmed are cleared after 24 hours (no account, no diary), and
    # the recovery codes of a clinician's second step are replaced (not patient data).
    "accounts/views.py": 3,
    # Import writes a whole diary in one transaction, recorded as one import, keeping
    # the file's timestamps (the manager's raw insert, as loading a fixture does).
    "accounts/portability.py": 4,
    # A link's count of wrong answers, claimed and reset with one conditional update each.
    "sharing/models.py": 2,
    # A day's reminder is claimed with one conditional update, so two workers never both send it
    # (not patient data: when the last reminder went out).
    "reminders/sending.py": 1,
}
BULK = re.compile(
    r"\.(update|bulk_create|bulk_update|_insert)\(|\.(all|filter)\([^)]*\)\.delete\(\)|objects\.filter\(.*\)\.delete\(\)"
)


# Dictionaries updated, not tables.
NOT_DATA = re.compile(r"(context|attrs|month_names|extra_context|entry)\.update\(")


def test_no_bulk_change_to_patient_data_escapes_the_audit():
    found = {}
    apps = ["accounts", "audit", "logs", "reports", "sharing", "spasmlog", "reminders"]
    for path in [path for app in apps for path in ROOT.glob(f"{app}/**/*.py")]:
        if "migrations" in path.parts:
            continue
        lines = [line for line in path.read_text().splitlines() if BULK.search(line)]
        lines = [
            line for line in lines if not re.search(r"(context|attrs|month_names|extra_context|entry)\.update\(", line)
        ]
        if lines:
            found[str(path.relative_to(ROOT))] = len(lines)
    assert found == BULK_ALLOWED
