"""Sign-in, sessions and headers: what a security review of a health-data service expects."""

import importlib
import os
import re
import time
from datetime import timedelta

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, MD5PasswordHasher
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.views.defaults import server_error

from accounts import limits
from spasmlog.addresses import client_address
from tests.factories import PASSWORD, UserFactory
from tests.test_settings import PRODUCTION, check, printed_by_django

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2_in_production():
    production = importlib.import_module("spasmlog.settings")
    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    hasher = Argon2PasswordHasher()
    encoded = hasher.encode("cramps-at-night", hasher.salt())
    assert encoded.startswith("argon2$argon2id$") and hasher.verify("cramps-at-night", encoded)


def confirmation_page(client, email="alex.longname.example@example.org"):
    """The page the sign-up e-mail's link opens, where the password is chosen."""
    client.post(reverse("signup"), {"email": email, "display_name": "Alex", "time_zone": "UTC"})
    return re.search(r"http://testserver(/accounts/signup/confirm/[^/\s]+/)", mail.outbox[-1].body).group(1)


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
    link = confirmation_page(client)
    response = client.post(link, {"password1": password, "password2": password})
    assert message in response.content.decode()


def test_a_passphrase_of_128_characters_is_accepted(client):
    passphrase = ("calf cramps at night " * 7)[:128]
    link = confirmation_page(client, "long@example.org")
    response = client.post(link, {"password1": passphrase, "password2": passphrase})
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
    new = "7319-quartz-4482"
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
    "name", ["logs:quick-log", "reports:dashboard", "logs:episode-list", "logs:profile", "reports:summary"]
)
def test_pages_with_patient_data_are_never_stored(patient_client, name):
    assert "no-store" in patient_client.get(reverse(name))["Cache-Control"]


def test_sign_in_answers_the_same_for_an_unknown_address_and_a_wrong_password(client):
    patient = UserFactory()
    unknown = sign_in(client, "nobody@example.org", "wrong-password").content.decode()
    wrong = sign_in(client, patient.email, "wrong-password").content.decode()
    message = "Please enter a correct e-mail address and password."
    assert message in unknown and message in wrong


@pytest.fixture
def hashes(monkeypatch):
    """Every password hashed or checked, in order: the test suite's hasher, counted."""
    done = []
    encode, verify = MD5PasswordHasher.encode, MD5PasswordHasher.verify

    def counted_encode(self, password, salt):
        done.append("hash")
        return encode(self, password, salt)

    def counted_verify(self, password, encoded):
        done.append("check")
        return verify(self, password, encoded)

    monkeypatch.setattr(MD5PasswordHasher, "encode", counted_encode)
    monkeypatch.setattr(MD5PasswordHasher, "verify", counted_verify)
    return done


def work(url, data, hashes):
    """What answering a new visitor's post takes: the page it leads to, the e-mails, the hashes, the kinds of query."""
    mail.outbox.clear()
    hashes.clear()
    with CaptureQueriesContext(connection) as queries:
        response = Client().post(url, data, follow=True)
    kinds = [query["sql"].split()[0] for query in queries]
    return response, len(mail.outbox), list(hashes), kinds


def page_text(response, typed):
    """The page as the person sees it, with what they typed and the form's one-time CSRF mask set aside."""
    page = response.content.decode().replace(typed, "TYPED")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_password_reset_does_the_same_work_whether_the_address_has_an_account(hashes):
    patient = UserFactory()
    url = reverse("password_reset")
    known, known_mails, known_hashes, known_queries = work(url, {"email": patient.email}, hashes)
    unknown, unknown_mails, unknown_hashes, unknown_queries = work(url, {"email": "nobody@example.org"}, hashes)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert known.content == unknown.content
    assert known_mails == unknown_mails == 1
    assert known_hashes == unknown_hashes
    assert known_queries == unknown_queries


def test_sign_up_does_the_same_work_whether_the_address_has_an_account(hashes):
    """A password hashed on one branch only made that branch slower, telling them apart: none is hashed on either."""
    patient = UserFactory()
    url, data = reverse("signup"), {"display_name": "Someone", "time_zone": "UTC"}
    fresh, fresh_mails, fresh_hashes, fresh_queries = work(url, {**data, "email": "nobody@example.org"}, hashes)
    taken, taken_mails, taken_hashes, taken_queries = work(url, {**data, "email": patient.email}, hashes)
    assert fresh.redirect_chain == taken.redirect_chain == [(reverse("signup-sent"), 302)]
    assert fresh_mails == taken_mails == 1
    assert fresh_hashes == taken_hashes == []
    assert fresh_queries == taken_queries


def test_the_email_change_says_nothing_about_an_address_without_the_right_password(patient_client, other_patient):
    url = reverse("account-email")
    free = patient_client.post(url, {"email": "free@example.org", "current_password": "a-wrong-guess"})
    taken = patient_client.post(url, {"email": other_patient.email, "current_password": "a-wrong-guess"})
    for response in (free, taken):
        assert response.context["form"].errors == {"current_password": ["That is not your current password."]}
    assert "cannot be used" not in taken.content.decode()
    assert page_text(free, "free@example.org") == page_text(taken, other_patient.email)


def test_https_responses_ask_for_https_for_a_year_with_subdomains(client, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_PRELOAD = True
    response = client.get(reverse("login"), secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# Limits, counted in the cache every process shares (REDIS_URL).


def ask_for_email(kind, email, address):
    """A sign-up or a password reset for an address, from a client address; the page it leads to."""
    client = Client(REMOTE_ADDR=address)
    if kind == "sign-up":
        data = {"email": email, "display_name": "Someone", "time_zone": "UTC"}
        return client.post(reverse("signup"), data, follow=True)
    return client.post(reverse("password_reset"), {"email": email}, follow=True)


@pytest.mark.parametrize("kind", ["sign-up", "reset"])
def test_an_address_gets_three_account_emails_an_hour_and_the_page_never_says_so(kind):
    pages = [ask_for_email(kind, "victim@example.org", f"198.51.100.{n}") for n in range(1, 6)]
    assert len(mail.outbox) == 3
    assert {page.content for page in pages} == {pages[0].content}
    assert {tuple(page.redirect_chain) for page in pages} == {tuple(pages[0].redirect_chain)}


def test_sign_up_and_reset_emails_count_together_for_an_address():
    UserFactory(email="victim@example.org")
    for n, kind in enumerate(["sign-up", "reset", "sign-up", "reset", "sign-up"]):
        ask_for_email(kind, "Victim@Example.org", f"198.51.100.{n}")
    assert len(mail.outbox) == 3


def test_a_client_address_asks_for_at_most_twenty_account_emails_an_hour():
    for n in range(20):
        ask_for_email("sign-up" if n % 2 else "reset", f"person{n}@example.org", "203.0.113.7")
    assert len(mail.outbox) == 20
    ask_for_email("sign-up", "one-more@example.org", "203.0.113.7")
    assert len(mail.outbox) == 20
    # Someone else, elsewhere, is not held up.
    ask_for_email("sign-up", "one-more@example.org", "203.0.113.8")
    assert len(mail.outbox) == 21


def test_account_emails_go_again_once_the_hour_is_over(monkeypatch):
    monkeypatch.setattr(limits, "ACCOUNT_EMAIL_WINDOW", 1)
    for n in range(4):
        ask_for_email("reset", "victim@example.org", f"198.51.100.{n}")
    assert len(mail.outbox) == 3
    time.sleep(1.2)
    ask_for_email("reset", "victim@example.org", "198.51.100.9")
    assert len(mail.outbox) == 4


def cache_keys():
    backend = cache._cache
    if isinstance(backend, dict):
        return [str(key) for key in backend]
    return [key.decode() for key in backend.get_client().keys("*")]


def test_the_counters_keep_no_address_in_their_keys():
    ask_for_email("sign-up", "victim@example.org", "198.51.100.23")
    keys = cache_keys()
    assert keys and not any("victim" in key or "example" in key or "198.51.100" in key for key in keys)


def change_email(client, password):
    return client.post(reverse("account-email"), {"email": "new@example.org", "current_password": password})


def delete_account(client, password):
    return client.post(reverse("account-delete"), {"current_password": password})


def change_password(client, password):
    new = "7319-quartz-4482"
    return client.post(
        reverse("password_change"), {"old_password": password, "new_password1": new, "new_password2": new}
    )


WAIT = "Too many wrong passwords. Wait 15 minutes, then try again."


def test_five_wrong_current_passwords_rest_the_account_across_every_form(patient_client, patient, hashes):
    for attempt in (change_email, delete_account, change_password, change_email):
        response = attempt(patient_client, "a-wrong-guess")
        assert "That is not your current password." in response.content.decode()
    assert WAIT in delete_account(patient_client, "a-wrong-guess").content.decode()

    hashes.clear()
    for attempt, field in (
        (change_email, "current_password"),
        (delete_account, "current_password"),
        (change_password, "old_password"),
    ):
        response = attempt(patient_client, PASSWORD)
        assert response.status_code == 200
        assert response.context["form"].errors[field] == [WAIT]
    assert hashes == []  # not even checked
    patient.refresh_from_db()
    assert patient.email != "new@example.org" and patient.check_password(PASSWORD)


def test_wrong_current_passwords_count_for_one_account_only(client, patient, other_patient):
    client.force_login(patient)
    for _ in range(5):
        delete_account(client, "a-wrong-guess")
    assert change_email(client, PASSWORD).context["form"].errors["current_password"] == [WAIT]
    other = Client()
    other.force_login(other_patient)
    assert change_email(other, PASSWORD)["Location"] == reverse("logs:profile")


def test_the_right_current_password_works_again_once_the_rest_is_over(patient_client, patient, monkeypatch):
    monkeypatch.setattr(limits, "CURRENT_PASSWORD_WINDOW", 1)
    for _ in range(5):
        change_password(patient_client, "a-wrong-guess")
    assert change_email(patient_client, PASSWORD).status_code == 200
    time.sleep(1.2)
    assert change_email(patient_client, PASSWORD)["Location"] == reverse("logs:profile")


def test_wrong_sign_ins_count_as_one_account_whatever_the_case_of_the_address(client):
    patient = UserFactory()
    spellings = [patient.email, patient.email.upper(), patient.email.capitalize()]
    for n in range(9):
        assert sign_in(client, spellings[n % 3], "wrong-password").status_code == 200
    assert sign_in(client, patient.email.title(), "wrong-password").status_code == 429
    assert sign_in(client, patient.email, PASSWORD).status_code == 429


def test_production_without_redis_warns_that_limits_count_per_process():
    result = check(**PRODUCTION, REDIS_URL="")
    assert "spasmlog.W001" in result.stdout + result.stderr


@pytest.mark.parametrize("environment", [{**PRODUCTION, "REDIS_URL": "redis://127.0.0.1:6379/0"}, {"DEBUG": "1"}])
def test_no_warning_with_a_shared_cache_or_in_development(environment):
    result = check(**{"REDIS_URL": "", **environment})
    assert "spasmlog.W001" not in result.stdout + result.stderr


def test_the_cache_is_redis_when_redis_url_is_set():
    code = "from django.conf import settings; print(settings.CACHES['default'])"
    printed = printed_by_django(code, {**os.environ, **PRODUCTION, "REDIS_URL": "redis://cache:6379/2"})
    assert "django.core.cache.backends.redis.RedisCache" in printed
    assert "redis://cache:6379/2" in printed
