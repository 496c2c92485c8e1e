"""Sign-in, sessions and headers: what a security review of a health-data service expects."""

import importlib
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from logs.addresses import client_address
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2_in_production():
    production = importlib.import_module("spasmlog.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("cramps-at-night", hasher.salt())
    assert encoded.startswith("argon2$argon2id$") and hasher.verify("cramps-at-night", encoded)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pass1", "This password is too short. It must contain at least 12 characters."),
        ("x7" * 64 + "q", "This password is too long: use at most 128 characters."),
        ("password1234", "This password is too common."),
        ("alex.longname.example", "The password is too similar to the e-mail address."),
    ],
)
def test_weak_or_overlong_passwords_are_refused(client, password, message):
    response = client.post(
        reverse("signup"),
        {
            "email": "alex.longname.example@example.org",
            "display_name": "Alex",
            "password1": password,
            "password2": password,
            "time_zone": "UTC",
        },
    )
    assert message in response.content.decode()


def test_a_passphrase_of_128_characters_is_accepted(client):
    passphrase = ("calf cramps at night " * 7)[:128]
    response = client.post(
        reverse("signup"),
        {
            "email": "long@example.org",
            "display_name": "L",
            "password1": passphrase,
            "password2": passphrase,
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 302


def sign_in(client, email, password, address="198.51.100.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address)


def test_ten_wrong_passwords_pause_that_address_and_account_for_15_minutes(client, time_machine):
    time_machine.move_to(timezone.now())
    patient = UserFactory()
    for _ in range(9):
        assert sign_in(client, patient.email, "wrong-password").status_code == 200
    locked = sign_in(client, patient.email, "wrong-password")
    assert locked.status_code == 429 and "paused for 15 minutes" in locked.content.decode()
    # Locked even with the right password, from that address, for now.
    assert sign_in(client, patient.email, PASSWORD).status_code == 429
    # The patient elsewhere is not held up by an attacker here.
    assert sign_in(Client(), patient.email, PASSWORD, address="203.0.113.5").status_code == 302
    # And never for good.
    time_machine.move_to(timezone.now() + timedelta(minutes=16))
    assert sign_in(Client(), patient.email, PASSWORD).status_code == 302


def test_the_client_address_comes_from_a_trusted_header_only(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_address(request) == "10.0.0.2"  # no header configured: the connection
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    settings.TRUSTED_PROXIES = 1
    assert client_address(request) == "203.0.113.7"  # what our proxy added, not the client's claim
    settings.TRUSTED_PROXIES = 2
    assert client_address(request) == "6.6.6.6"


def test_signing_in_starts_a_new_session_and_signing_out_ends_it(client):
    patient = UserFactory()
    client.get(reverse("login"))
    before = client.cookies.get("sessionid")
    sign_in(client, patient.email, PASSWORD)
    key = client.cookies["sessionid"].value
    assert before is None or before.value != key
    assert Session.objects.filter(session_key=key).exists()
    response = client.post(reverse("logout"))
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'
    assert not Session.objects.filter(session_key=key).exists()


def test_a_password_change_ends_the_other_sessions(client):
    patient = UserFactory()
    other_device = Client()
    sign_in(other_device, patient.email, PASSWORD, address="203.0.113.9")
    sign_in(client, patient.email, PASSWORD)
    new = "a-new-long-diary-password"
    client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new})
    assert client.get(reverse("logs:quick-log")).status_code == 200
    assert other_device.get(reverse("logs:quick-log"))["Location"].startswith(reverse("login"))


def test_a_session_ends_after_30_minutes_idle(patient_client, time_machine):
    time_machine.move_to(timezone.now())
    assert patient_client.get(reverse("logs:quick-log")).status_code == 200
    time_machine.move_to(timezone.now() + timedelta(minutes=29))
    assert patient_client.get(reverse("logs:quick-log")).status_code == 200
    time_machine.move_to(timezone.now() + timedelta(minutes=31))
    assert patient_client.get(reverse("logs:quick-log"))["Location"].startswith(reverse("login"))


def test_a_session_ends_after_12_hours_however_busy(patient_client, time_machine):
    start = timezone.now()
    time_machine.move_to(start)
    patient_client.get(reverse("logs:quick-log"))
    for minutes in range(20, 12 * 60, 20):
        time_machine.move_to(start + timedelta(minutes=minutes))
        assert patient_client.get(reverse("logs:quick-log")).status_code == 200
    time_machine.move_to(start + timedelta(hours=12, minutes=1))
    assert patient_client.get(reverse("logs:quick-log"))["Location"].startswith(reverse("login"))


def test_every_response_carries_the_security_headers(client):
    response = client.get(reverse("login"))
    assert response["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "base-uri 'none'" in response["Content-Security-Policy"]


def test_error_pages_are_friendly_and_reveal_nothing(client, patient_client):
    missing = patient_client.get("/episodes/999999/")
    assert missing.status_code == 404 and "Not found" in missing.content.decode()
    page = server_error(RequestFactory().get("/")).content.decode()
    assert "Something went wrong" in page and "Traceback" not in page
    csrf_client = Client(enforce_csrf_checks=True)
    refused = csrf_client.post(reverse("login"), {"username": "x", "password": "y"})
    assert refused.status_code == 403 and "Please try again" in refused.content.decode()


@pytest.mark.parametrize(
    "name", ["logs:quick-log", "logs:dashboard", "logs:episode-list", "logs:profile", "logs:summary"]
)
def test_pages_with_patient_data_are_never_stored(patient_client, name):
    assert "no-store" in patient_client.get(reverse(name))["Cache-Control"]


def test_sign_in_answers_the_same_for_an_unknown_address_and_a_wrong_password(client):
    patient = UserFactory()
    unknown = sign_in(client, "nobody@example.org", "wrong-password").content.decode()
    wrong = sign_in(client, patient.email, "wrong-password").content.decode()
    message = "Please enter a correct e-mail address and password."
    assert message in unknown and message in wrong


def test_password_reset_answers_the_same_whether_the_address_exists(client, mailoutbox):
    patient = UserFactory()
    known = client.post(reverse("password_reset"), {"email": patient.email})
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1


def test_https_responses_ask_for_https_for_a_year_with_subdomains(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
