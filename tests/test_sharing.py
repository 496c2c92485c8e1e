"""Sharing with clinicians: accounts with two-step sign-in, shares, links, the access log."""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from logs.models import User
from sharing.models import PIN_TRIES, AccessRecord, Note, Share
from tests.conftest import sign_in_with_second_step
from tests.factories import PASSWORD, ClinicianFactory, EpisodeFactory, LinkShareFactory, ShareFactory, UserFactory

pytestmark = pytest.mark.django_db


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_clinician_signs_up_and_must_turn_on_two_step_sign_in(client, time_machine):
    response = client.post(
        reverse("clinician-signup"),
        {
            "email": "Dr.Rivers@Example.org",
            "display_name": "Dr Ana Rivers",
            "practice": "Riverside Clinic",
            "registration": "GMC 1234567",
            "time_zone": "Europe/London",
        },
    )
    assert response["Location"] == reverse("signup-sent")
    link = re.search(r"http://testserver(/accounts/clinicians/signup/confirm/[^/\s]+/)", mail.outbox[0].body).group(1)
    password = {"password1": "cramps-are-common-at-night", "password2": "cramps-are-common-at-night"}
    assert client.post(link, password)["Location"] == reverse("two-step-setup")
    user = User.objects.get(email="dr.rivers@example.org")
    assert user.is_clinician and user.clinician.practice == "Riverside Clinic"
    assert len(user.clinician.code) == 8

    # Patients' data waits behind the second step.
    assert client.get(reverse("sharing:clinician-home"))["Location"] == reverse("two-step-setup")
    page = client.get(reverse("two-step-setup")).content.decode()
    assert "<svg" in page and "otpauth" not in page.split("<svg")[0]
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed

    wrong = client.post(reverse("two-step-setup"), {"code": "000000"})
    assert "That code did not match" in wrong.content.decode()
    too_soon = client.post(reverse("two-step-setup"), {"code": code_for(device)})
    assert "wait a few seconds" in too_soon.content.decode()
    time_machine.move_to(timezone.now() + timedelta(seconds=5))
    done = client.post(reverse("two-step-setup"), {"code": code_for(device)})
    codes = re.findall(r"<code>([a-z0-9]+)</code>", done.content.decode())
    assert len(codes) == 10
    assert client.get(reverse("sharing:clinician-home")).status_code == 200

    # Next time: the password, then the code or a recovery code (once).
    client.logout()
    client.post(reverse("login"), {"username": user.email, "password": "cramps-are-common-at-night"})
    home = reverse("sharing:clinician-home")
    assert client.get(home)["Location"] == f"{reverse('two-step-verify')}?next={home}"
    assert client.post(reverse("two-step-verify"), {"code": codes[0]})["Location"] == home
    client.logout()
    client.post(reverse("login"), {"username": user.email, "password": "cramps-are-common-at-night"})
    time_machine.move_to(timezone.now() + timedelta(seconds=5))  # django-otp slows tries after a miss
    used = client.post(reverse("two-step-verify"), {"code": codes[0]})
    assert "That code did not match, or was used already." in used.content.decode()


def test_a_clinician_account_has_no_diary(clinician_client):
    for name in ["logs:quick-log", "reports:dashboard", "reports:summary", "sharing:share-list"]:
        assert clinician_client.get(reverse(name))["Location"] == reverse("sharing:clinician-home")
    assert clinician_client.get(reverse("home"))["Location"] == reverse("sharing:clinician-home")


def share_data(**overrides):
    return {"period": "90", "via": "clinician", "ends_on": "", **overrides}


@pytest.mark.parametrize("found_by", ["email", "code"])
def test_a_patient_shares_with_a_clinician_found_by_email_or_code(patient_client, patient, clinician, found_by):
    text = clinician.email.upper() if found_by == "email" else clinician.clinician.code_display.lower()
    today = timezone.localdate()
    response = patient_client.post(
        reverse("sharing:share-new"), share_data(clinician=text, ends_on=str(today + timedelta(days=14)))
    )
    assert response.status_code == 302
    share = Share.objects.get(patient=patient)
    assert (share.clinician, share.accepted_at, share.state()) == (clinician, None, "waiting")
    assert (share.first_day, share.last_day) == (today - timedelta(days=89), today)
    assert share.expires_at.astimezone(patient.zone).date() == today + timedelta(days=15)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"clinician": "nobody@example.org"}, "clinician", "No SpasmLog clinician has that e-mail address or code."),
        ({"clinician": ""}, "clinician", "Enter the clinician's e-mail address or code."),
        ({"via": "link", "protection": "pin", "pin": ""}, "pin", "Choose a PIN"),
        ({"via": "link", "protection": "pin", "pin": "12"}, "pin", "at least 4 characters"),
        ({"ends_on": "2999-01-01"}, "ends_on", "A share lasts a year at most."),
        ({"ends_on": "2000-01-01"}, "ends_on", "Pick today or a later day."),
    ],
)
def test_a_share_that_is_not_valid_is_explained_next_to_the_field(patient_client, clinician, data, field, message):
    data = {**share_data(clinician=clinician.email, ends_on=str(timezone.localdate())), **data}
    response = patient_client.post(reverse("sharing:share-new"), data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not Share.objects.exists()


def test_a_patient_cannot_share_with_another_patient(patient_client, other_patient):
    response = patient_client.post(reverse("sharing:share-new"), share_data(clinician=other_patient.email))
    assert "No SpasmLog clinician" in response.content.decode()


def test_a_clinician_accepts_then_reads_the_summary_and_downloads(client, clinician, patient):
    EpisodeFactory(patient=patient, notes="inside")
    EpisodeFactory(patient=patient, started_at=timezone.now() - timedelta(days=200), notes="outside the period")
    share = ShareFactory(patient=patient, clinician=clinician, accepted_at=None, include_episodes=True)
    sign_in_with_second_step(client, clinician)

    home = client.get(reverse("sharing:clinician-home")).content.decode()
    assert "Waiting for you to accept" in home and patient.display_name in home
    assert client.get(reverse("sharing:clinician-share", args=[share.pk])).status_code == 404

    response = client.post(reverse("sharing:share-accept", args=[share.pk]))
    assert response["Location"] == reverse("sharing:clinician-share", args=[share.pk])
    page = client.get(response["Location"], REMOTE_ADDR="203.0.113.9")
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    assert f"Shared by {patient.display_name}" in page.content.decode()

    for name, args in [("pdf", []), ("csv", ["episodes"]), ("fhir", [])]:
        download = client.get(reverse(f"sharing:clinician-share-{name}", args=[share.pk, *args]))
        assert download.status_code == 200 and "no-store" in download["Cache-Control"]
        if name == "csv":
            text = download.content.decode()
            assert "inside" in text and "outside the period" not in text

    records = list(AccessRecord.objects.filter(share=share).order_by("at"))
    assert [r.what for r in records] == ["summary", "PDF", "episodes CSV", "FHIR export"]
    assert records[0].viewer == clinician and records[0].address == "203.0.113.9"


def test_the_patient_sees_every_share_and_the_access_log(client, patient, clinician):
    share = ShareFactory(patient=patient, clinician=clinician)
    AccessRecord.objects.create(share=share, viewer=clinician, what="PDF", address="198.51.100.7")
    client.force_login(patient)
    page = client.get(reverse("sharing:share-list")).content.decode()
    assert clinician.display_name in page and "Riverside Clinic" in page and "Open" in page
    assert "198.51.100.7" in page and "PDF" in page


def test_a_revoked_share_shows_nothing_more_at_once(client, patient, clinician):
    share = ShareFactory(patient=patient, clinician=clinician)
    sign_in_with_second_step(client, clinician)
    url = reverse("sharing:clinician-share", args=[share.pk])
    assert client.get(url).status_code == 200

    patient_client = type(client)()
    patient_client.force_login(patient)
    assert patient_client.get(reverse("sharing:share-revoke", args=[share.pk])).status_code == 200
    patient_client.post(reverse("sharing:share-revoke", args=[share.pk]))
    share.refresh_from_db()
    assert share.state() == "revoked"

    assert client.get(url).status_code == 404
    assert client.get(reverse("sharing:clinician-share-pdf", args=[share.pk])).status_code == 404
    assert patient.display_name not in client.get(reverse("sharing:clinician-home")).content.decode()


def test_an_ended_share_shows_nothing(clinician_client, clinician, patient, time_machine):
    share = ShareFactory(patient=patient, clinician=clinician, expires_at=timezone.now() + timedelta(minutes=10))
    assert clinician_client.get(reverse("sharing:clinician-share", args=[share.pk])).status_code == 200
    time_machine.move_to(share.expires_at + timedelta(seconds=1))
    assert clinician_client.get(reverse("sharing:clinician-share", args=[share.pk])).status_code == 404


def test_a_clinician_sees_only_their_own_shares(clinician_client, patient):
    share = ShareFactory(patient=patient, clinician=ClinicianFactory())
    assert clinician_client.get(reverse("sharing:clinician-share", args=[share.pk])).status_code == 404
    assert clinician_client.post(reverse("sharing:share-accept", args=[share.pk])).status_code == 404


def test_a_clinician_leaves_a_note_the_patient_reads(client, clinician_client, clinician, patient):
    share = ShareFactory(patient=patient, clinician=clinician)
    response = clinician_client.post(reverse("sharing:share-note", args=[share.pk]), {"text": "Try stretching first."})
    assert response.status_code == 302
    assert Note.objects.get(share=share).author == clinician
    empty = clinician_client.post(reverse("sharing:share-note", args=[share.pk]), {"text": ""})
    assert empty.status_code == 200 and "This field is required." in empty.content.decode()
    patient_client = type(client)()
    patient_client.force_login(patient)
    assert "Try stretching first." in patient_client.get(reverse("sharing:share-list")).content.decode()


def test_the_list_puts_red_flags_first_with_the_last_30_days(clinician_client, clinician):
    calm = ShareFactory(clinician=clinician, patient=UserFactory(display_name="Aaron Calm"))
    flagged = ShareFactory(clinician=clinician, patient=UserFactory(display_name="Zed Flag"))
    now = timezone.now()
    for days in (1, 2, 3, 40):
        EpisodeFactory(patient=calm.patient, started_at=now - timedelta(days=days))
    EpisodeFactory(patient=flagged.patient, started_at=now - timedelta(days=2), fever=True)
    page = clinician_client.get(reverse("sharing:clinician-home")).content.decode()
    assert page.index("Zed Flag") < page.index("Aaron Calm")
    assert "Red flags: Spasms with fever" in page
    assert "Last 30 days: 3 episodes, up 200% on the 30 days before" in page


def make_link(patient_client, **data):
    response = patient_client.post(
        reverse("sharing:share-new"), share_data(**{"via": "link", "ends_on": str(timezone.localdate()), **data})
    )
    assert response["Location"] == reverse("sharing:share-link-made")
    page = patient_client.get(response["Location"]).content.decode()
    link = re.search(r'value="(http://testserver/s/[^"]+/)"', page).group(1)
    # Shown once only.
    assert patient_client.get(reverse("sharing:share-link-made"))["Location"] == reverse("sharing:share-list")
    return link.removeprefix("http://testserver")


SUMMARY_ONLY = "the two-page summary and its list of medicines only; no single episode, check-in or note"
EVERY_ENTRY = "the summary and every entry: each episode and check-in of the period, with notes"


@pytest.mark.parametrize("every_entry", [False, True])
def test_each_page_of_a_share_says_whether_it_holds_every_entry(patient_client, patient, clinician, every_entry):
    form = patient_client.get(reverse("sharing:share-new")).content.decode()
    assert "Include every entry: each episode and check-in of the period, with notes" in form
    assert "Without it, the clinician sees the two-page summary and its list of medicines, nothing more." in form
    choice = {"include_episodes": "on"} if every_entry else {}
    data = share_data(clinician=clinician.email, ends_on=str(timezone.localdate()), **choice)
    assert patient_client.post(reverse("sharing:share-new"), data).status_code == 302
    link = make_link(patient_client, **choice)
    says = EVERY_ENTRY if every_entry else SUMMARY_ONLY
    assert [share.include_episodes for share in Share.objects.filter(patient=patient)] == [every_entry] * 2
    assert patient_client.get(reverse("sharing:share-list")).content.decode().count(says.capitalize()) == 2

    share = Share.objects.get(patient=patient, via="clinician")
    share.accepted_at = timezone.now()
    share.save()
    clinician_client = sign_in_with_second_step(Client(), clinician)
    for page in (clinician_client.get(share.get_absolute_url()), Client().get(link)):
        text = page.content.decode()
        assert f"This share holds {says}." in text
        assert ("Show every episode" in text) == every_entry


def test_a_link_is_shown_once_and_only_its_hash_is_kept(patient_client, patient, client):
    link = make_link(patient_client)
    token = link.split("/")[2]
    share = Share.objects.get(patient=patient)
    assert share.token_hash != token and len(share.token_hash) == 64 and len(token) >= 43
    anonymous = type(client)()
    page = anonymous.get(link)
    assert page.status_code == 200 and patient.display_name in page.content.decode()
    assert AccessRecord.objects.get(share=share).viewer is None


def test_a_link_with_a_pin_refuses_until_the_pin_is_given(patient_client, patient, client):
    link = make_link(patient_client, protection="pin", pin="4711")
    anonymous = type(client)()
    page = anonymous.get(link)
    assert page.status_code == 200 and patient.display_name not in page.content.decode()
    assert anonymous.get(link + "pdf/")["Location"] == link
    wrong = anonymous.post(link, {"pin": "1234"})
    assert "That does not match." in wrong.content.decode() and patient.display_name not in wrong.content.decode()
    assert not AccessRecord.objects.exists()

    assert anonymous.post(link, {"pin": "4711"})["Location"] == link
    assert patient.display_name in anonymous.get(link).content.decode()
    assert anonymous.get(link + "pdf/")["Content-Type"] == "application/pdf"


def test_a_link_rests_after_five_wrong_pins(patient_client, client, time_machine):
    # Ending tomorrow, so that the half hour of rests below stays within the share at any hour.
    tomorrow = timezone.localdate() + timedelta(days=1)
    link = make_link(patient_client, protection="pin", pin="4711", ends_on=str(tomorrow))
    anonymous = type(client)()
    for _ in range(4):
        assert anonymous.post(link, {"pin": "0000"}).status_code == 200
    assert anonymous.post(link, {"pin": "0000"}).status_code == 429
    assert anonymous.post(link, {"pin": "4711"}).status_code == 429  # even the right one, for now
    time_machine.move_to(timezone.now() + timedelta(minutes=16))
    # After the rest, five more tries.
    for _ in range(4):
        assert anonymous.post(link, {"pin": "0000"}).status_code == 200
    assert anonymous.post(link, {"pin": "0000"}).status_code == 429
    time_machine.move_to(timezone.now() + timedelta(minutes=16))
    assert anonymous.post(link, {"pin": "4711"}).status_code == 302


def test_a_right_pin_starts_the_count_again(patient_client, client):
    link = make_link(patient_client, protection="pin", pin="4711")
    first, second = type(client)(), type(client)()
    for _ in range(4):
        assert first.post(link, {"pin": "0000"}).status_code == 200
    assert first.post(link, {"pin": "4711"})["Location"] == link
    for _ in range(4):
        assert second.post(link, {"pin": "0000"}).status_code == 200
    assert second.post(link, {"pin": "4711"})["Location"] == link


GUESSES = 12


@pytest.mark.django_db(transaction=True)
def test_wrong_pins_sent_at_once_are_checked_no_more_than_the_limit(monkeypatch):
    share = LinkShareFactory.build(patient=UserFactory(), protection="pin")
    token = share.new_token()
    share.set_secret("4711")
    share.save()
    link = reverse("sharing:link", args=[token])
    checked, counting = [], threading.Lock()

    def slow_check(secret, encoded):
        with counting:
            checked.append(secret)
        time.sleep(0.2)  # every guess is under way before the first is answered
        return check_password(secret, encoded)

    monkeypatch.setattr("sharing.models.check_password", slow_check)
    all_at_once = threading.Barrier(GUESSES)

    def guess(_):
        try:
            all_at_once.wait()
            return Client().post(link, {"pin": "0000"}).status_code
        except OperationalError as error:
            # SQLite's shared in-memory test database refuses a query while another thread holds the table.
            if "locked" not in str(error):
                raise
            return "locked"
        finally:
            connection.close()

    with ThreadPoolExecutor(GUESSES) as pool:
        answers = list(pool.map(guess, range(GUESSES)))
    assert len(checked) <= PIN_TRIES, answers
    # Where SQLite refused some, the rest are spent one after another.
    while not Share.objects.get(pk=share.pk).is_resting() and len(checked) < PIN_TRIES:
        Client().post(link, {"pin": "0000"})
    assert len(checked) == PIN_TRIES, answers
    assert Client().post(link, {"pin": "4711"}).status_code == 429  # even the right one, while it rests
    assert len(checked) == PIN_TRIES


def test_a_link_can_ask_for_the_date_of_birth(patient_client, patient, client):
    patient.profile.date_of_birth = "1980-02-29"
    patient.profile.save()
    link = make_link(patient_client, protection="birth_date")
    anonymous = type(client)()
    assert anonymous.post(link, {"pin": "1980-03-01"}).status_code == 200
    assert anonymous.post(link, {"pin": "1980-02-29"})["Location"] == link


def test_date_of_birth_protection_needs_a_date_of_birth(patient_client):
    response = patient_client.post(
        reverse("sharing:share-new"), share_data(via="link", protection="birth_date", ends_on="")
    )
    assert "Add your date of birth to your profile first" in response.content.decode()


def test_a_revoked_link_shows_nothing_even_to_an_open_session(patient_client, patient, client):
    link = make_link(patient_client)
    anonymous = type(client)()
    assert anonymous.get(link).status_code == 200
    Share.objects.filter(patient=patient).update(revoked_at=timezone.now())
    assert anonymous.get(link).status_code == 404
    assert anonymous.get(link + "fhir/").status_code == 404


def test_guessing_links_from_one_address_soon_has_to_wait(client):
    from django.core.cache import cache

    cache.clear()
    for i in range(20):
        assert client.get(reverse("sharing:link", args=[f"guess{i}"])).status_code == 404
    assert client.get(reverse("sharing:link", args=["guess-more"])).status_code == 429
    cache.clear()


def test_access_records_are_never_changed_or_deleted(patient, clinician):
    record = AccessRecord.objects.create(share=ShareFactory(patient=patient, clinician=clinician), what="PDF")
    with pytest.raises(ValueError):
        record.save()
    with pytest.raises(ValueError):
        record.delete()
    admin = site._registry[AccessRecord]
    assert not admin.has_change_permission(None, record)
    assert not admin.has_delete_permission(None, record)
    assert not admin.has_add_permission(None)


def test_the_database_keeps_shares_within_a_year_and_to_one_recipient(patient, clinician):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        ShareFactory(patient=patient, clinician=clinician, created_at=now, expires_at=now + timedelta(days=400))
    with pytest.raises(IntegrityError), transaction.atomic():
        ShareFactory(patient=patient, clinician=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        ShareFactory(patient=patient, clinician=clinician, token_hash="x" * 64)


def test_a_patient_signs_in_and_is_not_asked_for_a_second_step(client):
    patient = UserFactory()
    client.post(reverse("login"), {"username": patient.email, "password": PASSWORD})
    assert client.get(reverse("logs:quick-log")).status_code == 200


def test_the_clinicians_list_takes_a_fixed_number_of_queries_plus_one_per_patient(
    clinician_client, clinician, django_assert_num_queries
):
    for _ in range(2):
        EpisodeFactory(patient=ShareFactory(clinician=clinician).patient)
    ShareFactory(clinician=clinician, accepted_at=None)
    # Session, user, the second step's device, the clinician, the shares; then one aggregate per patient.
    with django_assert_num_queries(5 + 2):
        clinician_client.get(reverse("sharing:clinician-home"))
    ShareFactory(clinician=clinician)
    with django_assert_num_queries(5 + 3):
        clinician_client.get(reverse("sharing:clinician-home"))
