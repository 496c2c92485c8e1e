"""
SpasmLog without a signal, on the server's side: the endpoint that stores the logs a phone
kept (once per id, at the tap's time, refusing what the form refuses), and the manifest,
service worker and offline pages, which hold no one's data. The browser's side is in
tests/browser/test_offline_journeys.py.
"""

import json
import uuid
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from audit.models import AuditEvent
from logs import pwa
from logs.models import Episode
from logs.pwa import offline_key

SENT = reverse("logs:quick-log-sent")


def millis(moment):
    return int(moment.timestamp() * 1000)


def a_log(**changes):
    return {
        "id": str(uuid.uuid4()),
        "tapped_at": millis(timezone.now() - timedelta(minutes=20)),
        "locations": ["calf:left"],
        "intensity": 6,
        "kind": "cramp",
        **changes,
    }


def send(client, patient, log, *, owner=None, body=None):
    return client.post(
        SENT,
        body if body is not None else json.dumps(log),
        content_type="application/json",
        headers={"X-Offline-Owner": owner if owner is not None else offline_key(patient)},
    )


class TestStoringAKeptLog:
    def test_it_is_stored_at_the_taps_time_and_audited(self, patient_client, patient):
        log = a_log()
        response = send(patient_client, patient, log)
        assert response.status_code == 201
        episode = Episode.objects.get(patient=patient)
        assert millis(episode.started_at) == log["tapped_at"]
        assert (episode.kind, episode.intensity, str(episode.client_id)) == ("cramp", 6, log["id"])
        assert [(p.region, p.side) for p in episode.locations.all()] == [("calf", "left")]
        assert response.json()["logged"] == f"{reverse('logs:quick-log')}?logged={episode.pk}"
        assert AuditEvent.objects.filter(action="logged").count() == 1

    def test_the_same_id_sent_again_is_stored_once(self, patient_client, patient):
        log = a_log()
        first = send(patient_client, patient, log)
        again = send(patient_client, patient, log)
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json()["episode"] == first.json()["episode"]
        assert Episode.objects.filter(patient=patient).count() == 1

    def test_two_patients_may_send_the_same_id(self, client, patient, other_patient):
        log = a_log()
        for person in (patient, other_patient):
            client.force_login(person)
            assert send(client, person, log).status_code == 201
        assert Episode.objects.filter(client_id=log["id"]).count() == 2

    def test_a_race_between_two_tabs_answers_with_the_first(self, patient_client, patient, monkeypatch):
        """The second sending passes the lookup before the first is stored; the constraint decides."""
        log = a_log()
        send(patient_client, patient, log)
        real_filter = Episode.objects.for_patient(patient).filter
        calls = []

        def lookup_misses_once(self, *args, **kwargs):
            calls.append(kwargs)
            result = real_filter.__func__(self, *args, **kwargs)
            return result.none() if len(calls) == 1 and "client_id" in kwargs else result

        monkeypatch.setattr(type(Episode.objects.all()), "filter", lookup_misses_once)
        again = send(patient_client, patient, log)
        assert again.status_code == 200
        assert Episode.objects.filter(patient=patient).count() == 1

    def test_the_other_place_and_no_intensity(self, patient_client, patient):
        log = a_log(locations=[], other_region="neck", other_side="both", intensity=None)
        assert send(patient_client, patient, log).status_code == 201
        episode = Episode.objects.get(patient=patient)
        assert episode.intensity is None
        assert [(p.region, p.side) for p in episode.locations.all()] == [("neck", "both")]


class TestRefused:
    @pytest.mark.parametrize(
        "changes, reason",
        [
            ({"locations": []}, "Tap where the spasm is."),
            ({"locations": ["elbow:sideways"]}, "SpasmLog knows no place called “elbow:sideways”"),
            ({"kind": "sneeze"}, "Select a valid choice."),
            ({"intensity": 11}, "Select a valid choice."),
            ({"tapped_at": millis(timezone.now() + timedelta(hours=1))}, "later than now: check the clock"),
            ({"tapped_at": -(10**20)}, "before 1900: check the clock"),
            ({"tapped_at": 10**30}, "later than now: check the clock"),
            ({"id": "not-an-id"}, "Enter a valid UUID."),
            ({"tapped_at": "soon"}, "Enter a whole number."),
        ],
    )
    def test_what_the_form_refuses_with_its_reason(self, patient_client, patient, changes, reason):
        response = send(patient_client, patient, a_log(**changes))
        assert response.status_code == 400
        assert reason in response.json()["message"]
        assert not Episode.objects.exists()

    @pytest.mark.parametrize("body", ["", "[]", "not json", '{"locations": "calf:left"}', "\xff", "[" * 4000])
    def test_what_is_not_a_log(self, patient_client, patient, body):
        response = send(patient_client, patient, None, body=body)
        assert response.status_code == 400
        assert response.json()["message"] == "This is not a log SpasmLog can read."

    def test_a_body_too_long_is_refused_unread(self, patient_client, patient):
        response = send(patient_client, patient, a_log(label="x" * 5000))
        assert response.status_code == 413

    def test_a_log_kept_for_someone_else_is_not_stored(self, patient_client, patient, other_patient):
        response = send(patient_client, patient, a_log(), owner=offline_key(other_patient))
        assert response.status_code == 409
        assert not Episode.objects.exists()

    def test_signed_out_it_says_so_and_stores_nothing(self, client, patient):
        response = send(client, patient, a_log())
        assert response.status_code == 401
        assert "sign in" in response.json()["message"]
        assert not Episode.objects.exists()

    def test_a_clinician_has_no_diary(self, client, clinician):
        client.force_login(clinician)
        assert send(client, clinician, a_log()).status_code == 403

    def test_only_post(self, patient_client):
        assert patient_client.get(SENT).status_code == 405

    def test_csrf_holds(self, patient):
        client = Client(enforce_csrf_checks=True)
        client.force_login(patient)
        assert send(client, patient, a_log()).status_code == 403
        page = client.get(reverse("logs:quick-log"))
        token = page.context["csrf_token"]
        response = client.post(
            SENT,
            json.dumps(a_log()),
            content_type="application/json",
            headers={"X-CSRFToken": str(token), "X-Offline-Owner": offline_key(patient)},
        )
        assert response.status_code == 201


class TestTheAppShell:
    def test_the_manifest_is_installable(self, client, settings):
        response = client.get(reverse("logs:manifest"))
        assert response["Content-Type"] == "application/manifest+json"
        manifest = response.json()
        assert manifest["display"] == "standalone"
        assert manifest["start_url"] == reverse("logs:quick-log")
        sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
        assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
        assert [shortcut["name"] for shortcut in manifest["shortcuts"]] == ["Log a spasm", "Daily check-in"]
        for icon in manifest["icons"]:
            path = finders.find(icon["src"].removeprefix(settings.STATIC_URL))
            assert Image.open(path).size == tuple(int(n) for n in icon["sizes"].split("x"))

    def test_every_page_links_the_manifest_and_names_its_patient_only_for_them(self, patient_client, patient):
        page = patient_client.get(reverse("logs:quick-log")).content.decode()
        assert reverse("logs:manifest") in page
        assert f'data-patient="{offline_key(patient)}"' in page
        assert "data-patient" not in Client().get(reverse("login")).content.decode()

    def test_the_service_worker_is_fresh_on_every_visit_and_keeps_no_diary_page(self, client):
        response = client.get(reverse("logs:service-worker"))
        assert response["Content-Type"] == "text/javascript"
        assert response["Cache-Control"] == "no-cache"
        body = response.content.decode()
        precache = json.loads(body.split("var PRECACHE = ", 1)[1].split(";\n", 1)[0])
        diary = {reverse(name) for name in ["logs:quick-log", "logs:episode-list", "reports:dashboard"]}
        assert not diary & set(precache)
        assert reverse("logs:offline-quick-log") in precache

    def test_the_offline_quick_log_holds_no_ones_data(self, patient_client, patient):
        send(patient_client, patient, a_log())
        response = patient_client.get(reverse("logs:offline-quick-log"))
        page = response.content.decode()
        assert "Log it now" in page
        assert "data-offline-copy" in page
        for private in [patient.display_name, patient.email, offline_key(patient), "csrfmiddlewaretoken", "Sign out"]:
            assert private not in page
        assert response.content == Client().get(reverse("logs:offline-quick-log")).content

    def test_the_offline_page_says_what_works(self, client):
        page = client.get(reverse("logs:offline")).content.decode()
        assert "What works without a signal" in page

    def test_the_version_changes_with_what_is_kept(self, client, settings):
        """A new release (here, static files under new names) is a new cache, so the old one goes."""

        def version():
            getattr(pwa._version, "cache_clear", lambda: None)()  # computed once per process in production
            return client.get(reverse("logs:service-worker")).content.decode().split('var CACHE = "')[1][:25]

        first = version()
        settings.STATIC_URL = "/static-2/"
        assert version() != first
        settings.STATIC_URL = "/static/"
        assert version() == first

    def test_diary_pages_stay_no_store(self, patient_client):
        response = patient_client.get(reverse("logs:quick-log"))
        assert "no-store" in response["Cache-Control"]


def test_storing_a_kept_log_costs_a_fixed_number_of_queries(patient_client, patient, django_assert_num_queries):
    """A new log: session and account, the id looked up, then the episode, its place and the audit in a
    transaction. One stored already: session, account and the lookup, nothing written."""
    log = a_log()
    with django_assert_num_queries(8):
        assert send(patient_client, patient, log).status_code == 201
    with django_assert_num_queries(3):
        assert send(patient_client, patient, log).status_code == 200
