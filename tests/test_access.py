"""
Every diary URL, walked with every method: a stranger's records are 404, signed-out people sign in.
The admin: staff only, and only after the second step.
"""

import pytest
from django.urls import get_resolver, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import sign_in_with_second_step
from tests.factories import PASSWORD, CheckInFactory, EpisodeFactory, MedicineFactory, ShareFactory, UserFactory

# Each URL of the diary, with the kind of record it opens (None: the patient's own pages).
DIARY_URLS = {
    "logs:quick-log": None,
    "logs:same-as-last": None,
    "reports:dashboard": None,
    "logs:profile": None,
    "account-export": None,
    "account-import": None,
    "account-email": None,
    "account-delete": None,
    "logs:episode-list": None,
    "logs:episode-new": None,
    "logs:episode-edit": EpisodeFactory,
    "logs:episode-delete": EpisodeFactory,
    "logs:episode-warning-dismiss": EpisodeFactory,
    "logs:quick-log-undo": EpisodeFactory,
    "logs:quick-log-sent": None,
    "logs:checkin-list": None,
    "logs:checkin-new": None,
    "logs:checkin-edit": CheckInFactory,
    "logs:checkin-delete": CheckInFactory,
    "logs:medicine-list": None,
    "logs:medicine-new": None,
    "logs:medicine-edit": MedicineFactory,
    "logs:medicine-delete": MedicineFactory,
    # The summary and its downloads show only the signed-in patient's own diary.
    "reports:summary": None,
    "reports:summary-pdf": None,
    "reports:summary-csv": None,
    "reports:summary-fhir": None,
}
# Arguments for URLs that take some but open no record.
URL_ARGS = {"reports:summary-csv": ["episodes"]}
# Changes with no page of their own: a GET is refused before anything else is asked.
POST_ONLY = {"logs:same-as-last", "logs:episode-warning-dismiss", "logs:quick-log-sent", "logs:quick-log-undo"}
# Read by the page's scripts, which follow no redirect: signed out, they are told so (401).
SCRIPTS = {"logs:quick-log-sent"}
# The app's frame for phones, the same for everyone and holding no one's data (tests/test_offline.py).
APP_SHELL = {"logs:service-worker", "logs:manifest", "logs:offline", "logs:offline-quick-log"}


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def diary_url_names():
    """Every route of the diary and its reports, and the account's pages that a patient uses."""
    resolver = get_resolver()
    names = [
        f"{app}:{pattern.name}"
        for app in ("logs", "reports")
        for pattern in resolver.namespace_dict[app][1].url_patterns
    ]
    return sorted(
        [name for name in names if name not in APP_SHELL]
        + [name for name in resolver.reverse_dict if isinstance(name, str) and name.startswith("account-")]
    )


def test_every_diary_url_is_in_the_table():
    assert diary_url_names() == sorted(DIARY_URLS)


@pytest.mark.parametrize("name", sorted(name for name, factory in DIARY_URLS.items() if factory))
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_patients_record_is_not_found(patient_client, other_patient, name, method):
    record = DIARY_URLS[name](patient=other_patient)
    response = getattr(patient_client, method)(reverse(name, args=[record.pk]))
    assert response.status_code == (405 if method == "get" and name in POST_ONLY else 404)
    assert type(record).objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("name", sorted(DIARY_URLS))
@pytest.mark.parametrize("method", ["get", "post"])
def test_signed_out_people_are_sent_to_sign_in(client, other_patient, name, method):
    factory = DIARY_URLS[name]
    args = [factory(patient=other_patient).pk] if factory else URL_ARGS.get(name, [])
    response = getattr(client, method)(reverse(name, args=args))
    if method == "get" and name in POST_ONLY:
        # Only a POST changes anything: a GET is refused before anyone is asked to sign in.
        assert response.status_code == 405
        return
    if name in SCRIPTS:
        assert response.status_code == 401
        return
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(name for name, factory in DIARY_URLS.items() if factory))
def test_the_owner_opens_their_own_record(patient_client, patient, name):
    record = DIARY_URLS[name](patient=patient)
    if name in POST_ONLY:
        assert patient_client.post(reverse(name, args=[record.pk])).status_code == 302
    else:
        assert patient_client.get(reverse(name, args=[record.pk])).status_code == 200


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
    sign_in_with_second_step(client, staff)
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


def test_the_admin_shows_staff_signed_in_with_a_password_alone_its_sign_in_form(client, patient):
    staff = UserFactory(is_staff=True, is_superuser=True)
    TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)
    EpisodeFactory(patient=patient)
    client.post(reverse("login"), {"username": staff.email, "password": PASSWORD})
    response = client.get("/admin/logs/user/", follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("admin:login"))
    page = response.content.decode()
    assert 'name="otp_token"' in page
    assert patient.email not in page and patient.display_name not in page


def test_the_admin_opens_after_the_second_step(client, patient):
    staff = UserFactory(is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)
    client.post(reverse("login"), {"username": staff.email, "password": PASSWORD})
    verify = f"{reverse('two-step-verify')}?next=/admin/logs/user/"
    assert client.post(verify, {"code": code_for(device)})["Location"] == "/admin/logs/user/"
    assert patient.email in client.get("/admin/logs/user/").content.decode()


def test_the_admins_own_sign_in_form_asks_for_the_code_too(client, patient):
    staff = UserFactory(is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)
    without_code = client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD})
    assert 'name="otp_device"' in without_code.content.decode()
    assert client.get("/admin/logs/user/").status_code == 302
    with_code = {
        "username": staff.email,
        "password": PASSWORD,
        "otp_device": device.persistent_id,
        "otp_token": code_for(device),
        "next": "/admin/logs/user/",
    }
    assert client.post(reverse("admin:login"), with_code)["Location"] == "/admin/logs/user/"
    assert client.get("/admin/logs/user/").status_code == 200


def test_staff_without_an_authenticator_are_offered_the_setup_page(client, db):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.post(reverse("login"), {"username": staff.email, "password": PASSWORD})
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("two-step-setup")
    assert "Turn on two-step sign-in" in response.content.decode()
    device = TOTPDevice.objects.get(user=staff)
    assert "recovery codes" in client.post(reverse("two-step-setup"), {"code": code_for(device)}).content.decode()
    assert client.get("/admin/logs/user/").status_code == 200


def test_staff_past_the_second_step_still_cannot_open_clinicians_pages(client, patient, clinician):
    staff = UserFactory(is_staff=True, is_superuser=True)
    share = ShareFactory(patient=patient, clinician=clinician)
    sign_in_with_second_step(client, staff)
    assert client.get(reverse("sharing:clinician-home")).status_code == 404
    assert client.get(reverse("sharing:clinician-share", args=[share.pk])).status_code == 404
