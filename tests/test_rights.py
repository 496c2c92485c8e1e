"""The patient's rights: everything out, back in without loss, the account gone; account changes need the password."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from logs.models import CheckIn, Episode, EpisodeMedicine, EpisodeRelief, Medicine, User
from sharing.models import Share
from tests.factories import PASSWORD, CheckInFactory, EpisodeFactory, MedicineFactory, ShareFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_diary(patient):
    profile = patient.profile
    profile.date_of_birth = "1978-05-14"
    profile.conditions = "Hypothyroidism"
    profile.questions = "=Is it the statin?"
    profile.save()
    baclofen = MedicineFactory(patient=patient, name="Baclofen", started="2026-01-01", kind="")
    MedicineFactory(patient=patient, name="Prednisolone", kind="corticosteroid", purpose="other", stopped="2026-02-01")
    now = timezone.now()
    for hours in (3, 30, 300):
        episode = EpisodeFactory(
            patient=patient,
            started_at=now - timedelta(hours=hours),
            notes=f"note {hours} ünïcode",
            hot=hours == 30,
            fever=hours == 300,
            activity="other",
            activity_other="Gardening",
        )
        EpisodeRelief.objects.create(episode=episode, measure="stretching", helped="a_lot")
        EpisodeMedicine.objects.create(episode=episode, medicine=baclofen, dose="10 mg")
    CheckInFactory(patient=patient, day=timezone.localdate(), sleep_hours="6.5", magnesium=True, note="slept badly")
    CheckInFactory(patient=patient, day=timezone.localdate() - timedelta(days=1), penn_frequency=0, penn_severity=None)
    return patient


def unzip(response):
    assert response["Content-Type"] == "application/zip" and "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return archive, json.loads(archive.read("spasmlog.json"))


def test_the_export_holds_every_record_as_json_and_csv(client, full_diary):
    client.force_login(full_diary)
    response = client.get(reverse("account-export"))
    assert "-everything.zip" in response["Content-Disposition"]
    archive, data = unzip(response)
    assert sorted(archive.namelist()) == [
        "README.txt",
        "checkins.csv",
        "episodes.csv",
        "medicines.csv",
        "spasmlog.json",
    ]
    assert (data["format"], data["version"]) == ("spasmlog-export", 1)
    assert (len(data["episodes"]), len(data["checkins"]), len(data["medicines"])) == (3, 2, 2)
    episode = data["episodes"][0]
    assert {"started_at", "duration_seconds", "kind", "intensity", "notes", "created_at", "updated_at"} <= set(episode)
    assert episode["locations"] == [{"region": "calf", "side": "left"}]
    assert data["profile"]["conditions"] == "Hypothyroidism"
    assert archive.read("episodes.csv").decode("utf-8-sig").count("\n") == 4
    assert AuditEvent.objects.filter(action="exported everything").exists()


def comparable(data):
    """An export without what a new account necessarily changes: ids, the account and the time of export."""

    def strip(record):
        return {k: strip_list(v) for k, v in record.items() if k not in {"id", "medicine_id"}}

    def strip_list(value):
        return [strip(item) if isinstance(item, dict) else item for item in value] if isinstance(value, list) else value

    return {key: [strip(r) for r in data[key]] for key in ("episodes", "checkins", "medicines")} | {
        "profile": {k: v for k, v in data["profile"].items() if k != "updated_at"},
        "taken": [[m["medicine_id"] is not None for m in e["medicines_taken"]] for e in data["episodes"]],
    }


def test_an_export_imports_into_a_new_account_without_losing_anything(client, full_diary):
    client.force_login(full_diary)
    exported = client.get(reverse("account-export")).content
    first = json.loads(zipfile.ZipFile(io.BytesIO(exported)).read("spasmlog.json"))

    newcomer = UserFactory()
    client.force_login(newcomer)
    upload = io.BytesIO(exported)
    upload.name = "export.zip"
    response = client.post(reverse("account-import"), {"file": upload})
    assert response["Location"] == reverse("reports:dashboard")

    again = json.loads(zipfile.ZipFile(io.BytesIO(client.get(reverse("account-export")).content)).read("spasmlog.json"))
    assert comparable(again) == comparable(first)
    taken = EpisodeMedicine.objects.filter(episode__patient=newcomer).select_related("medicine")
    assert {use.medicine.patient_id for use in taken} == {newcomer.pk}
    assert Episode.objects.filter(patient=full_diary).count() == 3  # the original is untouched


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not json at all", "The file is not JSON."),
        (json.dumps({"format": "other"}).encode(), "This is not a SpasmLog export."),
        (json.dumps({"format": "spasmlog-export", "version": 9}).encode(), "this SpasmLog reads version 1"),
        (
            json.dumps(
                {"format": "spasmlog-export", "version": 1, "episodes": [{"kind": "cramp", "intensity": 42}]}
            ).encode(),
            "could not be read",
        ),
    ],
)
def test_a_file_that_cannot_be_imported_is_explained_and_nothing_is_saved(patient_client, patient, content, message):
    upload = io.BytesIO(content)
    upload.name = "export.json"
    response = patient_client.post(reverse("account-import"), {"file": upload})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Episode.objects.filter(patient=patient).exists()


def test_import_goes_into_an_empty_diary_only(patient_client, patient):
    EpisodeFactory(patient=patient)
    upload = io.BytesIO(json.dumps({"format": "spasmlog-export", "version": 1}).encode())
    upload.name = "export.json"
    response = patient_client.post(reverse("account-import"), {"file": upload})
    assert "import into a new, empty account" in response.content.decode()


def test_deleting_the_account_needs_the_password_and_removes_everything(client, full_diary, clinician):
    ShareFactory(patient=full_diary, clinician=clinician)
    client.force_login(full_diary)
    page = client.get(reverse("account-delete")).content.decode()
    assert reverse("account-export") in page
    wrong = client.post(reverse("account-delete"), {"current_password": "not-it"})
    assert "That is not your current password." in wrong.content.decode()
    assert User.objects.filter(pk=full_diary.pk).exists()

    response = client.post(reverse("account-delete"), {"current_password": PASSWORD})
    assert response["Location"] == reverse("login")
    assert not User.objects.filter(pk=full_diary.pk).exists()
    assert not Episode.objects.exists() and not CheckIn.objects.exists() and not Medicine.objects.exists()
    assert not Share.objects.exists()
    stub = AuditEvent.objects.get(action="deleted the account")
    assert stub.patient_ref == f"account {full_diary.pk}" and stub.actor is None
    assert full_diary.email not in str(list(AuditEvent.objects.values_list()))
    assert client.get(reverse("logs:quick-log"))["Location"].startswith(reverse("login"))


def test_changing_the_email_address_needs_the_current_password(patient_client, patient):
    wrong = patient_client.post(reverse("account-email"), {"email": "new@example.org", "current_password": "x"})
    assert "That is not your current password." in wrong.content.decode()
    assert 'value="new@example.org"' in wrong.content.decode()
    patient_client.post(reverse("account-email"), {"email": "New@Example.org", "current_password": PASSWORD})
    patient.refresh_from_db()
    assert patient.email == "new@example.org"


def test_an_address_already_in_use_is_refused_without_saying_whose(patient_client, other_patient):
    response = patient_client.post(
        reverse("account-email"), {"email": other_patient.email, "current_password": PASSWORD}
    )
    assert "That address cannot be used." in response.content.decode()


def test_changing_the_password_needs_the_current_one(patient_client, patient):
    new = "7319-quartz-4482"
    response = patient_client.post(
        reverse("password_change"), {"old_password": "wrong", "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    patient.refresh_from_db()
    assert check_password(PASSWORD, patient.password)
