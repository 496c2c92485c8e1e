"""
Daily check-in reminders: the patient's own time of day in their own zone (daylight
saving included), once a local day at most, none after the day's check-in; by e-mail
through a real SMTP server, and by Web Push encrypted to keys the test holds; the
settings page, the devices' subscriptions and the link that turns reminders off.
"""

import base64
import email
import io
import json
import logging
import os
import socket
import threading
from datetime import date, datetime, time
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core import mail, signing
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase
from py_vapid import Vapid

from audit.models import AuditEvent
from reminders import sending, tasks
from reminders.models import PushSubscription, Reminder
from tests.conftest import sign_in_with_second_step
from tests.factories import CheckInFactory, EpisodeFactory, UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://spasmlog.test"
TEXT = "Time for today's check-in"
# What a diary holds that no reminder may carry.
HEALTH_WORDS = ["Cramped after the long drive", "calf", "cramp", "intensity", "Penn", "Slept badly"]


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(autouse=True)
def site(settings):
    settings.SITE_URL = SITE
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""


@pytest.fixture
def vapid(settings):
    """A key pair made by the site's own command, set as the site's keys."""
    out = io.StringIO()
    call_command("vapid_keys", stdout=out)
    keys = dict(line.split("=", 1) for line in out.getvalue().split())
    settings.VAPID_PUBLIC_KEY = keys["VAPID_PUBLIC_KEY"]
    settings.VAPID_PRIVATE_KEY = keys["VAPID_PRIVATE_KEY"]
    settings.VAPID_SUBJECT = "mailto:care@spasmlog.test"
    return keys


def remind(zone="Europe/London", at=time(20, 0), enabled=True, **fields):
    patient = UserFactory(time_zone=zone)
    # A diary with health data in it, which the reminder must never carry.
    EpisodeFactory(patient=patient, notes="Cramped after the long drive", intensity=9)
    return Reminder.objects.create(patient=patient, enabled=enabled, at=at, **fields)


def run_at(time_machine, moment):
    """The worker's run of that minute; how many reminders it e-mailed."""
    time_machine.move_to(moment, tick=False)
    before = len(mail.outbox)
    tasks.send_reminders.call_local()
    return len(mail.outbox) - before


# Each case: the zone, the reminder's local time, and the runs in UTC with how many reminders each sends.
DST_CASES = {
    # New York springs forward at 02:00 EST to 03:00 EDT: 02:30 does not exist that day,
    # and the reminder comes with the first minute after the gap.
    "new-york-spring-forward": (
        "America/New_York",
        time(2, 30),
        [("2026-03-08T06:59Z", 0), ("2026-03-08T07:00Z", 1), ("2026-03-08T07:30Z", 0), ("2026-03-09T06:30Z", 1)],
    ),
    # New York falls back at 02:00 EDT to 01:00 EST: 01:30 comes twice, the reminder once.
    "new-york-fall-back": (
        "America/New_York",
        time(1, 30),
        [("2026-11-01T05:29Z", 0), ("2026-11-01T05:30Z", 1), ("2026-11-01T06:30Z", 0), ("2026-11-02T06:30Z", 1)],
    ),
    # The evening time follows the clock across the change: 20:00 EST, then 20:00 EDT.
    "new-york-evening-across-the-change": (
        "America/New_York",
        time(20, 0),
        [("2026-03-08T01:00Z", 1), ("2026-03-08T23:59Z", 0), ("2026-03-09T00:00Z", 1)],
    ),
    # Auckland ends daylight saving on 5 April 2026 at 03:00 NZDT, back to 02:00 NZST.
    "auckland-dst-ends": (
        "Pacific/Auckland",
        time(2, 30),
        [("2026-04-04T13:29Z", 0), ("2026-04-04T13:30Z", 1), ("2026-04-04T14:30Z", 0), ("2026-04-05T14:30Z", 1)],
    ),
    # Auckland starts daylight saving on 27 September 2026 at 02:00 NZST, on to 03:00 NZDT.
    "auckland-dst-starts": (
        "Pacific/Auckland",
        time(2, 30),
        [("2026-09-26T13:59Z", 0), ("2026-09-26T14:00Z", 1), ("2026-09-26T15:00Z", 0), ("2026-09-27T13:30Z", 1)],
    ),
}


@pytest.mark.parametrize("case", DST_CASES)
def test_the_reminder_comes_once_a_local_day_at_the_patients_time_on_change_days(time_machine, case):
    zone, at, runs = DST_CASES[case]
    reminder = remind(zone=zone, at=at)
    assert [(moment, run_at(time_machine, moment)) for moment, _ in runs] == runs
    reminder.refresh_from_db()
    last_run = datetime.fromisoformat(runs[-1][0])
    assert reminder.last_sent_on == last_run.astimezone(reminder.patient.zone).date()


def test_the_spring_forward_reminder_counts_for_that_local_day(time_machine):
    reminder = remind(zone="Pacific/Auckland", at=time(2, 30))
    assert run_at(time_machine, "2026-09-26T14:00Z") == 1
    reminder.refresh_from_db()
    assert reminder.last_sent_on == date(2026, 9, 27)


def test_a_second_run_the_same_local_day_sends_nothing_and_the_next_day_sends_again(time_machine):
    remind(zone="Europe/London", at=time(8, 0))
    assert run_at(time_machine, "2026-06-01T07:00Z") == 1  # 08:00 BST
    assert run_at(time_machine, "2026-06-01T07:01Z") == 0
    assert run_at(time_machine, "2026-06-01T22:59Z") == 0  # 23:59 the same day
    assert run_at(time_machine, "2026-06-01T23:00Z") == 0  # 00:00 the next day, before 08:00
    assert run_at(time_machine, "2026-06-02T07:00Z") == 1


def test_no_reminder_after_the_days_check_in_in_the_patients_zone(time_machine):
    # 08:00 on 1 July in Auckland is still 30 June in UTC.
    reminder = remind(zone="Pacific/Auckland", at=time(8, 0))
    CheckInFactory(patient=reminder.patient, day=date(2026, 7, 1), note="Slept badly")
    assert run_at(time_machine, "2026-06-30T20:00Z") == 0
    other = remind(zone="Pacific/Auckland", at=time(8, 0))
    CheckInFactory(patient=other.patient, day=date(2026, 6, 30))
    assert run_at(time_machine, "2026-06-30T20:01Z") == 1
    assert mail.outbox[-1].to == [other.patient.email]


def test_a_reminder_turned_off_or_of_an_inactive_patient_sends_nothing(time_machine):
    remind(enabled=False)
    inactive = remind()
    inactive.patient.is_active = False
    inactive.patient.save()
    assert run_at(time_machine, "2026-06-01T19:30Z") == 0


def test_only_one_of_two_workers_claims_a_days_reminder(time_machine):
    remind(at=time(8, 0))
    time_machine.move_to("2026-06-01T07:00Z", tick=False)
    [(found, day)] = sending.due(datetime.fromisoformat("2026-06-01T07:00Z"))
    assert sending.claim(found, day)  # the other worker
    tasks.send_reminders.call_local()
    assert mail.outbox == []
    assert not sending.claim(found, day)


def test_the_email_holds_links_and_no_health_data(time_machine):
    reminder = remind(at=time(8, 0))
    CheckInFactory(patient=reminder.patient, day=date(2026, 5, 31), note="Slept badly")
    run_at(time_machine, "2026-06-01T07:00Z")
    [message] = mail.outbox
    assert message.subject == TEXT
    assert message.to == [reminder.patient.email]
    assert f"{SITE}{reverse('logs:checkin-new')}" in message.body
    off = f"{SITE}{reverse('reminders:off', args=[reminder.off_token()])}"
    assert off in message.body
    assert message.extra_headers["List-Unsubscribe"] == f"<{off}>"
    for word in HEALTH_WORDS:
        assert word.lower() not in message.body.lower()


def test_a_saved_setting_leaves_todays_sent_mark(patient_client, patient):
    Reminder.objects.create(patient=patient, enabled=True, last_sent_on=date(2026, 6, 1))
    patient_client.post(reverse("reminders:settings"), {"enabled": "on", "at": "07:15", "by_email": "on"})
    reminder = Reminder.objects.get(patient=patient)
    assert (reminder.at, reminder.last_sent_on) == (time(7, 15), date(2026, 6, 1))


# The link that turns reminders off


def test_the_off_link_works_without_signing_in_and_only_by_post(client):
    reminder = remind()
    address = reverse("reminders:off", args=[reminder.off_token()])
    page = client.get(address)
    assert page.status_code == 200 and b"Turn off reminders" in page.content
    reminder.refresh_from_db()
    assert reminder.enabled
    response = client.post(address)
    assert response.status_code == 302
    reminder.refresh_from_db()
    assert not reminder.enabled
    event = AuditEvent.objects.get(action="turned off reminders")
    assert event.patient_ref == f"account {reminder.patient.pk}"
    assert b"Your reminders are off" in client.get(address).content


@pytest.mark.parametrize(
    "token",
    ["not-a-token", "signed:with:nothing", "default-salt", "tampered"],
)
def test_a_bad_off_link_is_not_found(client, token):
    reminder = remind()
    token = {
        "default-salt": signing.dumps(reminder.pk),
        "tampered": reminder.off_token()[:-2] + "xx",
    }.get(token, token)
    address = reverse("reminders:off", args=[token])
    assert client.get(address).status_code == 404
    assert client.post(address).status_code == 404
    reminder.refresh_from_db()
    assert reminder.enabled


def test_the_off_link_needs_the_forms_csrf_token(db):
    reminder = remind()
    response = Client(enforce_csrf_checks=True).post(reverse("reminders:off", args=[reminder.off_token()]))
    assert response.status_code == 403
    reminder.refresh_from_db()
    assert reminder.enabled


# A real SMTP round trip


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collect:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.mark.slow
def test_the_email_goes_through_a_real_smtp_server(settings, time_machine):
    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        reminder = remind(at=time(8, 0))
        time_machine.move_to("2026-06-01T07:00Z", tick=False)
        tasks.send_reminders.call_local()
    finally:
        controller.stop()
    [envelope] = handler.envelopes
    assert envelope.rcpt_tos == [reminder.patient.email]
    message = email.message_from_bytes(envelope.content, policy=default_policy)
    assert message["Subject"] == TEXT
    body = message.get_body(("plain",)).get_content()
    assert f"{SITE}{reverse('logs:checkin-new')}" in body
    assert f"{SITE}{reverse('reminders:off', args=[reminder.off_token()])}" in body
    assert "Cramped" not in body


# Web Push to a local push service that decrypts what it is sent


class PushService:
    """A push service on 127.0.0.1 that keeps what it is posted and answers with status."""

    def __init__(self, status=201):
        self.received = []
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.received.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.status = status
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class Browser:
    """A browser's side of a subscription: its key pair and auth secret, which decrypt what it is sent."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.auth = os.urandom(16)

    def subscribe(self, patient, endpoint):
        public = self.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        return PushSubscription.objects.create(
            patient=patient, endpoint=endpoint, p256dh=b64url(public), auth=b64url(self.auth)
        )

    def decrypt(self, body):
        return http_ece.decrypt(body, private_key=self.key, auth_secret=self.auth, version="aes128gcm")


def verify_vapid(header, public_key, audience):
    """The Authorization header is a JWT signed by the site's VAPID key for this push service."""
    scheme, _, rest = header.partition(" ")
    assert scheme == "vapid"
    parts = dict(part.strip().split("=", 1) for part in rest.split(","))
    assert parts["k"] == public_key
    signed, _, signature = parts["t"].rpartition(".")
    raw = unb64url(signature)
    key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(public_key))
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    key.verify(der, signed.encode(), ec.ECDSA(hashes.SHA256()))
    claims = json.loads(unb64url(signed.split(".")[1]))
    assert claims["aud"] == audience and claims["sub"] == "mailto:care@spasmlog.test"


@pytest.mark.slow
def test_web_push_is_encrypted_to_the_browser_signed_by_the_site_and_holds_no_health_data(vapid, time_machine):
    reminder = remind(at=time(8, 0), by_email=False, by_push=True)
    CheckInFactory(patient=reminder.patient, day=date(2026, 5, 31), note="Slept badly")
    browser = Browser()
    with PushService() as service:
        browser.subscribe(reminder.patient, f"{service.origin}/push/device-1")
        assert run_at(time_machine, "2026-06-01T07:00Z") == 0  # no e-mail: by notification only
    [(path, headers, body)] = service.received
    assert path == "/push/device-1"
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) == sending.PUSH_TTL_SECONDS
    verify_vapid(headers["authorization"], vapid["VAPID_PUBLIC_KEY"], service.origin)
    text = browser.decrypt(body).decode()
    assert json.loads(text) == {"title": "SpasmLog", "body": TEXT, "url": reverse("logs:checkin-new")}
    for word in HEALTH_WORDS:
        assert word.lower() not in text.lower()
    assert TEXT.encode() not in body  # encrypted on the way


@pytest.mark.slow
def test_a_subscription_the_push_service_says_is_gone_is_forgotten(vapid, time_machine):
    reminder = remind(at=time(8, 0), by_push=True)
    with PushService(status=410) as service:
        Browser().subscribe(reminder.patient, f"{service.origin}/push/gone")
        assert run_at(time_machine, "2026-06-01T07:00Z") == 1  # the e-mail still goes
    assert len(service.received) == 1
    assert not PushSubscription.objects.exists()


@pytest.mark.slow
def test_a_push_failure_is_logged_without_the_endpoint(vapid, time_machine, caplog):
    reminder = remind(at=time(8, 0), by_push=True)
    caplog.set_level(logging.WARNING)
    with PushService(status=500) as service:
        endpoint = f"{service.origin}/push/secret-capability-path"
        Browser().subscribe(reminder.patient, endpoint)
        run_at(time_machine, "2026-06-01T07:00Z")
    unreachable = Browser().subscribe(reminder.patient, f"http://127.0.0.1:{free_port()}/push/another-secret-path")
    sending.push(reminder.patient.pk)
    assert PushSubscription.objects.count() == 2  # kept: the service may be back tomorrow
    assert "refused" in caplog.text and "Could not reach" in caplog.text
    assert "secret" not in caplog.text and str(unreachable.pk) in caplog.text


# The settings page


def test_the_settings_page_saves_and_is_audited(patient_client, patient, django_assert_num_queries):
    with django_assert_num_queries(4):  # session, account, the reminder, the devices
        page = patient_client.get(reverse("reminders:settings"))
    assert page.status_code == 200 and b"Allow notifications" not in page.content
    response = patient_client.post(reverse("reminders:settings"), {"enabled": "on", "at": "21:30", "by_email": "on"})
    assert response.status_code == 302
    reminder = Reminder.objects.get(patient=patient)
    assert (reminder.enabled, reminder.at, reminder.by_email, reminder.by_push) == (True, time(21, 30), True, False)
    assert AuditEvent.objects.filter(action="changed", target=f"reminder {reminder.pk}").exists()


def test_the_settings_page_offers_notifications_with_the_sites_key(patient_client, vapid):
    page = patient_client.get(reverse("reminders:settings")).content.decode()
    assert f'data-push-key="{vapid["VAPID_PUBLIC_KEY"]}"' in page
    assert "reminders/push.js" in page and "By notification" in page


def test_a_reminder_needs_a_way_to_come(patient_client, patient, vapid):
    response = patient_client.post(reverse("reminders:settings"), {"enabled": "on", "at": "20:00"})
    assert "Choose how to be reminded" in response.content.decode()
    response = patient_client.post(reverse("reminders:settings"), {"enabled": "on", "at": "20:00", "by_push": "on"})
    assert "No device allows notifications yet" in response.content.decode()
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("typed", ["", "25:00", "noon", "20:00:99"])
def test_a_bad_time_is_refused_next_to_the_field(patient_client, typed):
    response = patient_client.post(reverse("reminders:settings"), {"enabled": "on", "at": typed, "by_email": "on"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not Reminder.objects.exists()


def test_the_profile_says_what_is_on(patient_client, patient, vapid):
    assert "No reminders." in patient_client.get(reverse("logs:profile")).content.decode()
    Reminder.objects.create(patient=patient, enabled=True, at=time(20, 0), by_push=True)
    Browser().subscribe(patient, "https://fcm.googleapis.com/fcm/send/device")
    page = patient_client.get(reverse("logs:profile")).content.decode()
    assert "Daily check-in reminder at 20:00 by e-mail and on 1 device." in page


def test_the_keys_of_the_command_work_together(vapid):
    public = unb64url(vapid["VAPID_PUBLIC_KEY"])
    assert len(public) == 65 and public[0] == 4
    private = Vapid.from_string(vapid["VAPID_PRIVATE_KEY"])
    assert private.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint) == public


# Devices' subscriptions


def subscription_json(endpoint="https://fcm.googleapis.com/fcm/send/abc123", browser=None):
    browser = browser or Browser()
    public = browser.key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": b64url(public), "auth": b64url(browser.auth)},
    }


def post_json(client, name, data, **extra):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(reverse(name), body, content_type="application/json", **extra)


def test_a_device_subscribes_and_unsubscribes(patient_client, patient):
    data = subscription_json()
    response = post_json(patient_client, "reminders:push", data)
    assert response.status_code == 200 and response.json() == {"devices": 1}
    subscription = PushSubscription.objects.get()
    assert (subscription.patient, subscription.endpoint) == (patient, data["endpoint"])
    assert post_json(patient_client, "reminders:push", data).json() == {"devices": 1}  # the same browser again
    assert post_json(patient_client, "reminders:push-remove", {"endpoint": data["endpoint"]}).json() == {"devices": 0}
    assert not PushSubscription.objects.exists()
    actions = list(AuditEvent.objects.filter(patient_ref=f"account {patient.pk}").values_list("action", flat=True))
    assert actions.count("allowed notifications") == 2 and "stopped notifications" in actions


@pytest.mark.parametrize(
    "body",
    [
        "endpoint=https://fcm.googleapis.com/fcm/send/x",
        "not json",
        "[]",
        "null",
        json.dumps({"endpoint": "https://fcm.googleapis.com/fcm/send/x"}),
        json.dumps({**subscription_json(), "keys": "none"}),
        json.dumps({**subscription_json(), "endpoint": "http://fcm.googleapis.com/fcm/send/plain"}),
        json.dumps({**subscription_json(), "endpoint": "https://127.0.0.1/inside"}),
        json.dumps({**subscription_json(), "endpoint": "https://[fd00::1]/inside"}),
        json.dumps({**subscription_json(), "endpoint": "https://admin.localhost/inside"}),
        json.dumps({**subscription_json(), "endpoint": "https://[::1/broken"}),
        json.dumps({**subscription_json(), "endpoint": "https://user:pw@push.example/x"}),
        json.dumps({**subscription_json(), "endpoint": "javascript:alert(1)"}),
        # Only the browsers' push services: nothing else the worker could be aimed at.
        json.dumps({**subscription_json(), "endpoint": "https://push.example/x"}),
        json.dumps({**subscription_json(), "endpoint": "https://googleapis.com.evil.example/x"}),
        json.dumps({**subscription_json(), "endpoint": "https://evilgoogleapis.com/x"}),
        "[" * 4000,
        json.dumps({**subscription_json(), "endpoint": "https://fcm.googleapis.com/fcm/send/" + "a" * 1000}),
        json.dumps({**subscription_json(), "endpoint": 42}),
        # A public key that is not a point on the curve.
        json.dumps(
            {**subscription_json(), "keys": {"p256dh": b64url(b"\x04" + b"\x01" * 64), "auth": b64url(b"a" * 16)}}
        ),
        json.dumps({**subscription_json(), "keys": {**subscription_json()["keys"], "auth": b64url(b"short")}}),
        json.dumps({**subscription_json(), "padding": "x" * 5000}),
    ],
)
def test_a_bad_subscription_is_refused_with_400(patient_client, body):
    response = post_json(patient_client, "reminders:push", body)
    assert response.status_code == 400 and response.json()["message"]
    assert not PushSubscription.objects.exists()


def test_a_form_post_is_refused(patient_client):
    response = patient_client.post(reverse("reminders:push"), {"endpoint": "https://fcm.googleapis.com/fcm/send/x"})
    assert response.status_code == 400


def test_a_local_push_service_is_taken_only_while_developing(patient_client, settings):
    settings.DEBUG = True
    response = post_json(patient_client, "reminders:push", subscription_json("http://localhost:8001/push/1"))
    assert response.status_code == 200


def test_subscribing_needs_the_csrf_token(patient):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    client.get(reverse("reminders:settings"))
    token = client.cookies["csrftoken"].value
    assert post_json(client, "reminders:push", subscription_json()).status_code == 403
    assert post_json(client, "reminders:push", subscription_json(), HTTP_X_CSRFTOKEN=token).status_code == 200


def test_subscribing_answers_post_only_and_only_to_patients(patient_client, clinician):
    assert patient_client.get(reverse("reminders:push")).status_code == 405
    assert patient_client.get(reverse("reminders:push-remove")).status_code == 405
    assert post_json(Client(), "reminders:push", subscription_json()).status_code == 401
    clinician_client = sign_in_with_second_step(Client(), clinician)
    assert post_json(clinician_client, "reminders:push", subscription_json()).status_code == 403
    assert not PushSubscription.objects.exists()


def test_another_patients_subscription_cannot_be_removed(patient_client, other_patient):
    theirs = Browser().subscribe(other_patient, "https://fcm.googleapis.com/fcm/send/theirs")
    response = post_json(patient_client, "reminders:push-remove", {"endpoint": theirs.endpoint})
    assert response.json() == {"devices": 0}
    assert PushSubscription.objects.filter(pk=theirs.pk, patient=other_patient).exists()


def test_the_settings_page_counts_only_the_patients_own_devices(patient_client, patient, other_patient, vapid):
    Browser().subscribe(other_patient, "https://fcm.googleapis.com/fcm/send/theirs")
    page = patient_client.get(reverse("reminders:settings")).content.decode()
    assert "No device allows notifications yet." in page


def test_the_service_worker_shows_the_reminder_and_opens_the_check_in(client):
    script = client.get(reverse("logs:service-worker")).content.decode()
    assert 'addEventListener("push"' in script and 'addEventListener("notificationclick"' in script
    assert '"check-in-reminder"' in script and f'"{reverse("reminders:settings")}"' in script


# Generated input: never a 500, never half a save.

ODD_TEXT = st.text(max_size=40) | st.sampled_from(["", " ", "0", "-1", "24:00", "23:59:60", "<script>", "'; --"])
TIMES = st.times().map(lambda moment: moment.isoformat(timespec="minutes")) | ODD_TEXT
CHECKBOX = st.sampled_from(["on", "", "false", "yes"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ODD_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ODD_TEXT, inner, max_size=3),
    max_leaves=8,
)


@pytest.mark.slow
class RemindersNeverBreak(HypothesisTestCase):
    def setUp(self):
        self.patient = UserFactory()
        self.client = Client()
        self.client.force_login(self.patient)

    def tearDown(self):
        timezone.deactivate()

    @hypothesis_settings(max_examples=100, deadline=None)
    @given(
        data=st.fixed_dictionaries(
            {}, optional={"enabled": CHECKBOX, "at": TIMES, "by_email": CHECKBOX, "by_push": CHECKBOX}
        )
    )
    def test_the_settings_form(self, data):
        response = self.client.post(reverse("reminders:settings"), data)
        assert response.status_code in (200, 302)
        reminder = Reminder.objects.filter(patient=self.patient).first()
        if response.status_code == 200:
            form = response.context["form"]
            assert reminder is None and (form.errors or not form.is_bound)  # an empty POST shows the form afresh
        else:
            reminder.full_clean()

    @hypothesis_settings(max_examples=100, deadline=None)
    @given(
        body=st.fixed_dictionaries(
            {},
            optional={
                "endpoint": st.sampled_from(["https://fcm.googleapis.com/fcm/send/1", "http://push.example/1"])
                | JSON_VALUES,
                "keys": st.fixed_dictionaries(
                    {}, optional={"p256dh": st.just(subscription_json()["keys"]["p256dh"]) | JSON_VALUES}
                )
                | JSON_VALUES,
            },
        )
        | JSON_VALUES
    )
    def test_the_subscription(self, body):
        response = post_json(self.client, "reminders:push", body)
        assert response.status_code == 400
        assert not PushSubscription.objects.exists()
