import re
from datetime import date

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from accounts.models import PendingAccount
from logs.models import Profile, User
from spasmlog.tokens import token_hash
from tests.factories import PASSWORD


def signup_data(**overrides):
    return {
        "email": "New.Patient@Example.com",
        "display_name": "New Patient",
        "time_zone": "Europe/Berlin",
    } | overrides


def password_data(password="cramps-at-night-again", again=None):
    return {"password1": password, "password2": password if again is None else again}


def confirm_link(message):
    return re.search(r"http://testserver(/accounts/signup/confirm/[^/\s]+/)", message.body).group(1)


def test_sign_up_opens_the_account_from_the_emailed_link_and_signs_in(client, db):
    response = client.post(reverse("signup"), signup_data())
    assert response["Location"] == reverse("signup-sent")
    assert "new.patient@example.com" in client.get(response["Location"]).content.decode()
    assert not User.objects.exists()
    link = confirm_link(mail.outbox[0])
    page = client.get(link).content.decode()
    assert "Open my account" in page and 'name="password1"' in page and 'name="password2"' in page
    response = client.post(link, password_data())
    assert response["Location"] == reverse("logs:quick-log")
    user = User.objects.get()
    assert (user.email, user.display_name, user.time_zone) == (
        "new.patient@example.com",
        "New Patient",
        "Europe/Berlin",
    )
    assert Profile.objects.filter(patient=user).exists()
    assert client.get(reverse("logs:quick-log")).status_code == 200
    assert user.check_password("cramps-at-night-again")
    assert not PendingAccount.objects.exists()
    # Used once only.
    assert client.post(link, password_data()).status_code == 404


def test_the_sign_up_form_asks_for_no_password(client, db):
    page = client.get(reverse("signup")).content.decode()
    assert 'type="password"' not in page
    client.post(reverse("signup"), signup_data(password1="ignored-password", password2="ignored-password"))
    assert "password" not in [field.name for field in PendingAccount._meta.get_fields()]


def test_a_second_sign_up_for_an_address_ends_the_first_link_and_its_holder_chooses_the_password(client, db):
    """An attacker signing up with the victim's address first can neither open nor set the password of the account."""
    client.post(reverse("signup"), signup_data(display_name="Attacker"))
    client.post(reverse("signup"), signup_data(display_name="Victim"))
    first, second = (confirm_link(message) for message in mail.outbox)
    assert PendingAccount.objects.get().display_name == "Victim"
    assert client.get(first).status_code == 404
    assert client.post(first, password_data("the-attackers-own-password")).status_code == 404
    assert not User.objects.exists()

    assert client.post(second, password_data("the-victims-chosen-password"))["Location"] == reverse("logs:quick-log")
    victim = User.objects.get(email="new.patient@example.com")
    assert victim.display_name == "Victim"
    assert victim.check_password("the-victims-chosen-password")
    assert not victim.check_password("the-attackers-own-password")


def test_an_address_has_one_sign_up_waiting_in_the_database_too(db):
    PendingAccount.objects.create(token_hash="a" * 64, email="one@example.com", display_name="A", time_zone="UTC")
    with pytest.raises(IntegrityError), transaction.atomic():
        PendingAccount.objects.create(token_hash="b" * 64, email="one@example.com", display_name="B", time_zone="UTC")


def test_two_posts_of_one_link_open_one_account(client, db):
    client.post(reverse("signup"), signup_data())
    link = confirm_link(mail.outbox[0])
    assert client.post(link, password_data())["Location"] == reverse("logs:quick-log")
    assert Client().post(link, password_data("another-long-password")).status_code == 404
    assert User.objects.get().check_password("cramps-at-night-again")


def test_sign_up_answers_the_same_when_the_address_has_an_account(client, patient):
    fresh = client.post(reverse("signup"), signup_data())
    taken = client.post(reverse("signup"), signup_data(email=patient.email.upper()))
    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"] == reverse("signup-sent")
    assert User.objects.count() == 1
    assert [message.to for message in mail.outbox] == [["new.patient@example.com"], [patient.email]]
    assert "already has an account" in mail.outbox[1].body
    assert "/accounts/signup/confirm/" not in mail.outbox[1].body


def test_the_page_after_sign_up_reads_the_same_for_a_new_address_and_a_known_one(patient):
    pages = []
    for email in ("nobody@example.com", patient.email):
        client = Client()
        sent = client.post(reverse("signup"), signup_data(email=email), follow=True)
        pages.append(sent.content.decode().replace(email, "ADDRESS"))
    assert pages[0] == pages[1]


def test_a_sign_up_link_ends_after_24_hours(client, db, time_machine):
    time_machine.move_to("2026-03-01 12:00:00+00:00")
    client.post(reverse("signup"), signup_data())
    time_machine.move_to("2026-03-02 12:01:00+00:00")
    assert client.post(confirm_link(mail.outbox[0]), password_data()).status_code == 404
    assert not User.objects.exists()


def test_sign_up_offers_the_browser_zone_to_the_page(client, db):
    page = client.get(reverse("signup")).content.decode()
    assert "data-browser-zone" in page


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_sign_up_refuses_bad_input_and_keeps_the_rest(client, db, overrides, field):
    response = client.post(reverse("signup"), signup_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["form"]["display_name"].value() == "New Patient"
    assert not PendingAccount.objects.exists() and not mail.outbox


@pytest.mark.parametrize(
    "password, again",
    [("short", None), ("password1234", None), ("cramps-at-night-again", "something-else-entirely")],
)
def test_the_confirmation_page_refuses_a_bad_password_and_opens_nothing(client, db, password, again):
    client.post(reverse("signup"), signup_data())
    link = confirm_link(mail.outbox[0])
    response = client.post(link, password_data(password, again))
    assert response.status_code == 200
    assert "password2" in response.context["form"].errors
    assert "Open my account" in response.content.decode()
    assert not User.objects.exists() and PendingAccount.objects.exists()


def test_sign_in_is_by_email_address(client, patient):
    response = client.post(reverse("login"), {"username": patient.email, "password": PASSWORD})
    assert response["Location"] == reverse("logs:quick-log")


def capitalised(email):
    """The address as a phone's keyboard types it: first letter and domain in capitals."""
    local, domain = email.split("@")
    return f" {local.capitalize()}@{domain.upper()} "


def test_sign_in_finds_the_account_whatever_the_case_of_the_address(client, patient):
    response = client.post(reverse("login"), {"username": capitalised(patient.email), "password": PASSWORD})
    assert response["Location"] == reverse("logs:quick-log")


def test_password_reset_finds_the_account_whatever_the_case_of_the_address(client, patient):
    client.post(reverse("password_reset"), {"email": capitalised(patient.email)})
    assert [message.to for message in mail.outbox] == [[patient.email]]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_sign_up_with_a_capitalised_address_that_has_an_account_sends_no_link(client, patient):
    client.post(reverse("signup"), signup_data(email=capitalised(patient.email)))
    assert [message.to for message in mail.outbox] == [[patient.email]]
    assert "already has an account" in mail.outbox[0].body
    assert "/accounts/signup/confirm/" not in mail.outbox[0].body
    assert User.objects.count() == 1


def test_a_sign_up_for_an_address_that_has_an_account_never_opens(client, patient):
    token = "a-token-nobody-was-sent"
    PendingAccount.objects.create(
        token_hash=token_hash(token), email=patient.email, display_name="Someone", time_zone="UTC"
    )
    link = reverse("signup-confirm", args=[token])
    assert client.get(link).status_code == 404
    assert client.post(link, password_data()).status_code == 404
    patient.refresh_from_db()
    assert patient.check_password(PASSWORD)


def test_an_address_in_use_is_refused_for_an_email_change_whatever_its_case(patient_client, patient, other_patient):
    response = patient_client.post(
        reverse("account-email"), {"email": capitalised(other_patient.email), "current_password": PASSWORD}
    )
    assert "That address cannot be used." in response.content.decode()
    patient.refresh_from_db()
    assert patient.email != other_patient.email


def test_an_address_is_kept_in_lower_case_however_it_is_given(db):
    user = User.objects.create_user(" Sam.Smith@Example.COM ", "a-long-diary-password", display_name="Sam")
    assert user.email == "sam.smith@example.com"
    assert User.objects.get_by_natural_key("SAM.smith@example.com") == user


def test_the_database_refuses_an_address_in_capitals(patient):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=patient.pk).update(email="Someone@Example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        PendingAccount.objects.create(token_hash="c" * 64, email="Someone@example.com", display_name="S")


def test_password_reset_for_an_unknown_address_says_no_account_uses_it(client, db):
    response = client.post(reverse("password_reset"), {"email": "Nobody@Example.org"})
    assert response["Location"] == reverse("password_reset_done")
    [message] = mail.outbox
    assert message.to == ["nobody@example.org"] and message.subject == "Reset your SpasmLog password"
    assert "No account uses it." in message.body
    assert "http://testserver/accounts/signup/" in message.body
    assert "/accounts/reset/" not in message.body


def test_sign_out_is_a_post(patient_client):
    assert patient_client.get(reverse("logout")).status_code == 405
    patient_client.post(reverse("logout"))
    assert patient_client.get(reverse("reports:dashboard"))["Location"].startswith(reverse("login"))


def test_password_reset_sends_a_link(client, patient):
    response = client.post(reverse("password_reset"), {"email": patient.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_change_needs_the_old_one(patient_client, patient):
    # A password that shares few letters with any name, so the similarity check never refuses it.
    new = "7319-quartz-4482"
    response = patient_client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": new, "new_password2": new},
    )
    assert "old_password" in response.context["form"].errors
    response = patient_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.check_password(new)


def profile_data(**overrides):
    return {
        "account-display_name": "Sam",
        "account-time_zone": "America/Chicago",
        "profile-date_of_birth": "1980-02-29",
        "profile-first_noticed": "2024-03",
        "profile-occupation": "Baker",
        "profile-usual_exercise": "Cycling",
        "profile-conditions": "Asthma",
        "profile-injuries": "",
        "profile-surgeries": "",
        "profile-questions": "Is this normal?",
    } | overrides


def test_the_profile_holds_the_history_a_doctor_asks_for(patient_client, patient):
    response = patient_client.post(reverse("logs:profile"), profile_data())
    assert response.status_code == 302
    patient.refresh_from_db()
    profile = patient.profile
    assert (patient.display_name, patient.time_zone) == ("Sam", "America/Chicago")
    assert profile.first_noticed == date(2024, 3, 1)
    assert (profile.occupation, profile.conditions, profile.questions) == ("Baker", "Asthma", "Is this normal?")


@pytest.mark.parametrize(
    "typed, month", [("March 2024", date(2024, 3, 1)), ("03/2024", date(2024, 3, 1)), ("2024-3", date(2024, 3, 1))]
)
def test_the_first_noticed_month_is_read_as_people_write_it(patient_client, patient, typed, month):
    patient_client.post(reverse("logs:profile"), profile_data(**{"profile-first_noticed": typed}))
    patient.profile.refresh_from_db()
    assert patient.profile.first_noticed == month


@pytest.mark.parametrize(
    "field, value",
    [
        ("profile-date_of_birth", "2999-01-01"),
        ("profile-first_noticed", "2999-01"),
        ("profile-first_noticed", "1970-01"),
        ("profile-first_noticed", "sometime"),
        ("account-time_zone", "Nowhere/Here"),
    ],
)
def test_the_profile_refuses_impossible_dates_and_keeps_the_rest(patient_client, patient, field, value):
    response = patient_client.post(reverse("logs:profile"), profile_data(**{field: value}))
    assert response.status_code == 200
    assert "Please check what is marked below." in response.content.decode()
    assert response.context["profile_form"]["occupation"].value() == "Baker"
    patient.profile.refresh_from_db()
    assert patient.profile.occupation == ""


@pytest.mark.parametrize(
    "overrides, password",
    [
        ({"display_name": "Marguerite Oppenheimer"}, "margueriteoppenheimer"),
        ({"email": "alex.longname.example@example.org"}, "alex.longname.example"),
    ],
)
def test_the_confirmation_page_refuses_a_password_like_the_name_or_address(client, db, overrides, password):
    client.post(reverse("signup"), signup_data(**overrides))
    response = client.post(confirm_link(mail.outbox[0]), password_data(password))
    assert "too similar" in str(response.context["form"].errors["password2"])
    assert not User.objects.exists()


def test_a_profile_is_made_on_first_save_for_an_account_without_one(client, db):
    user = User.objects.create_user("admin-made@example.com", "x" * 20, display_name="A")
    client.force_login(user)
    assert client.get(reverse("logs:profile")).status_code == 200
    assert not Profile.objects.exists()
    client.post(reverse("logs:profile"), profile_data())
    assert Profile.objects.get().patient == user
