"""Every diary URL, walked with every method: a stranger's records are 404, signed-out people sign in."""

import pytest
from django.urls import get_resolver, reverse

from tests.factories import CheckInFactory, EpisodeFactory, MedicineFactory

# Each URL of the diary, with the kind of record it opens (None: the patient's own pages).
DIARY_URLS = {
    "quick-log": None,
    "same-as-last": None,
    "dashboard": None,
    "profile": None,
    "account-export": None,
    "account-import": None,
    "account-email": None,
    "account-delete": None,
    "episode-list": None,
    "episode-new": None,
    "episode-edit": EpisodeFactory,
    "episode-delete": EpisodeFactory,
    "checkin-list": None,
    "checkin-new": None,
    "checkin-edit": CheckInFactory,
    "checkin-delete": CheckInFactory,
    "medicine-list": None,
    "medicine-new": None,
    "medicine-edit": MedicineFactory,
    "medicine-delete": MedicineFactory,
    # The summary and its downloads show only the signed-in patient's own diary.
    "summary": None,
    "summary-pdf": None,
    "summary-csv": None,
    "summary-fhir": None,
}
# Arguments for URLs that take some but open no record.
URL_ARGS = {"summary-csv": ["episodes"]}


def diary_url_names():
    resolver = get_resolver()
    namespace = resolver.namespace_dict["logs"][1]
    return sorted(pattern.name for pattern in namespace.url_patterns)


def test_every_diary_url_is_in_the_table():
    assert diary_url_names() == sorted(DIARY_URLS)


@pytest.mark.parametrize("name", sorted(name for name, factory in DIARY_URLS.items() if factory))
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_patients_record_is_not_found(patient_client, other_patient, name, method):
    record = DIARY_URLS[name](patient=other_patient)
    response = getattr(patient_client, method)(reverse(f"logs:{name}", args=[record.pk]))
    assert response.status_code == 404
    assert type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("name", sorted(DIARY_URLS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_signed_out_people_are_sent_to_sign_in(client, other_patient, name, method):
    factory = DIARY_URLS[name]
    args = [factory(patient=other_patient).pk] if factory else URL_ARGS.get(name, [])
    response = getattr(client, method)(reverse(f"logs:{name}", args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(name for name, factory in DIARY_URLS.items() if factory))
def test_the_owner_opens_their_own_record(patient_client, patient, name):
    record = DIARY_URLS[name](patient=patient)
    assert patient_client.get(reverse(f"logs:{name}", args=[record.pk])).status_code == 200


def test_a_state_change_needs_a_csrf_token(patient, other_patient):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    assert client.post(reverse("logs:quick-log"), {"locations": ["calf:left"], "kind": "spasm"}).status_code == 403
    assert not patient.episodes.exists()


def test_the_admin_is_for_staff_only(patient_client):
    response = patient_client.get("/admin/logs/episode/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_can_search_patient_data_in_the_admin(client, patient, django_user_model):
    staff = django_user_model.objects.create_superuser("staff@example.com", "a-long-staff-password", display_name="S")
    EpisodeFactory(patient=patient)
    client.force_login(staff)
    for model in [
        "user",
        "profile",
        "episode",
        "checkin",
        "medicine",
        "episodelocation",
        "episoderelief",
        "episodemedicine",
    ]:
        assert client.get(f"/admin/logs/{model}/", {"q": patient.email}).status_code == 200
