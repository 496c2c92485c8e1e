"""Oversized bodies, unknown choices, wrong methods, malformed dates and ids: a 4xx or a field error, never a 500."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import EpisodeFactory

pytestmark = pytest.mark.django_db


def test_an_oversized_body_is_refused(patient_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = patient_client.post(reverse("logs:episode-new"), {"notes": "x" * 20_000})
    assert response.status_code == 400


def test_too_many_fields_are_refused(patient_client):
    response = patient_client.post(reverse("logs:episode-new"), {f"field{i}": "1" for i in range(1200)})
    assert response.status_code == 400


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options", "trace"])
def test_other_methods_are_refused(patient_client, method):
    response = getattr(patient_client, method)(reverse("logs:quick-log"))
    assert response.status_code == 405 and "POST" in response["Allow"]


@pytest.mark.parametrize("name", ["logs:same-as-last", "sharing:share-accept", "sharing:share-note"])
def test_a_get_to_a_change_is_refused(patient_client, name):
    args = [] if name == "logs:same-as-last" else [1]
    assert patient_client.get(reverse(name, args=args)).status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/episodes/abc/",
        "/episodes/-1/",
        "/episodes/99999999999999999999999/",
        "/checkins/1e9/",
        "/clinicians/shares/99999999999999999999/",
        "/summary/csv/passwords/",
        "/s/%00/",
    ],
)
def test_malformed_ids_in_addresses_are_not_found(patient_client, path):
    assert patient_client.get(path).status_code == 404


def test_the_largest_id_that_fits_is_simply_not_found(patient_client):
    assert patient_client.get("/episodes/999999999999999999/").status_code == 404


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("logs:checkin-new", {"day": "2026-02-30"}),
        ("logs:checkin-new", {"day": "yesterday"}),
        ("logs:episode-list", {"start": "31/31/2026", "region": "tail"}),
        ("logs:checkin-list", {"start": "0000-00-00"}),
        ("logs:summary", {"period": "since", "since": "9999-99-99"}),
        ("logs:summary", {"period": "fortnight"}),
        ("logs:quick-log", {"logged": "'; DROP TABLE logs_episode; --"}),
        ("logs:episode-list", {"page": "-5"}),
    ],
)
def test_malformed_dates_and_choices_in_queries_are_handled(patient_client, url, query):
    assert patient_client.get(reverse(url), query).status_code in (200, 302)


def test_unknown_choices_in_a_form_are_refused_next_to_the_field(patient_client, patient):
    response = patient_client.post(
        reverse("logs:episode-new"),
        {"started_at": "2026-01-01T10:00", "kind": "seizure", "loc_calf": "upside", "relief_ice": "maybe"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"kind", "loc_calf", "relief_ice"} <= set(errors)
    assert not patient.episodes.exists()


def test_a_stale_form_without_its_csrf_token_gets_the_friendly_403(patient):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    episode = EpisodeFactory(patient=patient)
    response = client.post(reverse("logs:episode-delete", args=[episode.pk]))
    assert response.status_code == 403 and "Please try again" in response.content.decode()
