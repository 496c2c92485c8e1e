import re
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from logs.models import Profile, User
from tests.factories import PASSWORD


def signup_data(**overrides):
    data = {
        "email": "New.Patient@Example.com",
        "display_name": "New Patient",
        "password1": "cramps-at-night-again",
        "password2": "cramps-at-night-again",
        "time_zone": "Europe/Berlin",
    }
    data.update(overrides)
    return data


def confirm_link(message):
    return re.search(r"http://testserver(/accounts/signup/confirm/[^/\s]+/)", message.body).group(1)


def test_sign_up_opens_the_account_from_the_emailed_link_and_signs_in(client, db):
    response = client.post(reverse("signup"), signup_data())
    assert response["Location"] == reverse("signup-sent")
    assert "new.patient@example.com" in client.get(response["Location"]).content.decode()
    assert not User.objects.exists()
    link = confirm_link(mail.outbox[0])
    assert "Open my account" in client.get(link).content.decode()
    response = client.post(link)
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
    # Used once only.
    assert client.post(link).status_code == 404


def test_sign_up_answers_the_same_when_the_address_has_an_account(client, patient):
    fresh = client.post(reverse("signup"), signup_data())
    taken = client.post(reverse("signup"), signup_data(email=patient.email.upper()))
    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"] == reverse("signup-sent")
    assert User.objects.count() == 1
    assert [message.to for message in mail.outbox] == [["new.patient@example.com"], [patient.email]]
    assert "already has an account" in mail.outbox[1].body
    assert "/accounts/signup/confirm/" not in mail.outbox[1].body


def test_a_sign_up_link_ends_after_24_hours(client, db, time_machine):
    time_machine.move_to("2026-03-01 12:00:00+00:00")
    client.post(reverse("signup"), signup_data())
    time_machine.move_to("2026-03-02 12:01:00+00:00")
    assert client.post(confirm_link(mail.outbox[0])).status_code == 404
    assert not User.objects.exists()


def test_sign_up_offers_the_browser_zone_to_the_page(client, db):
    page = client.get(reverse("signup")).content.decode()
    assert "data-browser-zone" in page


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"password1": "short", "password2": "short"}, "password2"),
        ({"password1": "password1234", "password2": "password1234"}, "password2"),
        ({"password2": "something-else-entirely"}, "password2"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"email": "not-an-address"}, "email"),
    ],
)
def test_sign_up_refuses_bad_input_and_keeps_the_rest(client, db, overrides, field):
    response = client.post(reverse("signup"), signup_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["form"]["display_name"].value() == "New Patient"
    assert not User.objects.exists()


def test_sign_in_is_by_email_address(client, patient):
    response = client.post(reverse("login"), {"username": patient.email, "password": PASSWORD})
    assert response["Location"] == reverse("logs:quick-log")


def test_sign_out_is_a_post(patient_client):
    assert patient_client.get(reverse("logout")).status_code == 405
    patient_client.post(reverse("logout"))
    assert patient_client.get(reverse("logs:dashboard"))["Location"].startswith(reverse("login"))


def test_password_reset_sends_a_link(client, patient):
    response = client.post(reverse("password_reset"), {"email": patient.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_change_needs_the_old_one(patient_client, patient):
    response = patient_client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "another-long-secret", "new_password2": "another-long-secret"},
    )
    assert "old_password" in response.context["form"].errors
    response = patient_client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "another-long-secret", "new_password2": "another-long-secret"},
    )
    assert response.status_code == 302
    patient.refresh_from_db()
    assert patient.check_password("another-long-secret")


def profile_data(**overrides):
    data = {
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
    }
    data.update(overrides)
    return data


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


def test_sign_up_refuses_a_password_like_the_name(client, db):
    response = client.post(
        reverse("signup"),
        signup_data(
            display_name="Marguerite Oppenheimer", password1="margueriteoppenheimer", password2="margueriteoppenheimer"
        ),
    )
    assert "too similar" in str(response.context["form"].errors["password2"])


def test_a_profile_is_made_on_first_save_for_an_account_without_one(client, db):
    user = User.objects.create_user("admin-made@example.com", "x" * 20, display_name="A")
    client.force_login(user)
    assert client.get(reverse("logs:profile")).status_code == 200
    assert not Profile.objects.exists()
    client.post(reverse("logs:profile"), profile_data())
    assert Profile.objects.get().patient == user
