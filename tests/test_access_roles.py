"""
Every URL of the project, walked with every role. A URL missing from the table
fails the test, so a new page cannot ship without saying who may open it.
The admin's own pages are left to Django (staff only; see test_access.py).
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from sharing.models import AccessRecord, Share
from tests.conftest import sign_in_with_second_step
from tests.factories import (
    CheckInFactory,
    ClinicianFactory,
    EpisodeFactory,
    MedicineFactory,
    ShareFactory,
    UserFactory,
)

OWNER_NAME = "Olive Ownerly"

# What each URL is, and so who may open it.
PUBLIC = "public"  # anyone: home, sign-in, sign-up, password reset
ACCOUNT = "account"  # anyone signed in
DIARY = "diary"  # a patient's own pages
RECORD = "record"  # one of a patient's records
CLINICIAN = "clinician"  # a clinician's own pages
SHARED = "shared"  # a patient's data through an accepted share
ACCEPT = "accept"  # accepting a waiting share
LINK = "link"  # a patient's data through a link

URLS = {
    "home": PUBLIC,
    "healthz": PUBLIC,
    "healthz-live": PUBLIC,
    "login": PUBLIC,
    "logout": PUBLIC,
    "signup": PUBLIC,
    "signup-sent": PUBLIC,
    "signup-confirm": PUBLIC,
    "sharing:clinician-confirm": PUBLIC,
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,
    "password_reset_complete": PUBLIC,
    "sharing:clinician-signup": PUBLIC,
    "password_change": ACCOUNT,
    "password_change_done": ACCOUNT,
    "logs:quick-log": DIARY,
    "logs:same-as-last": DIARY,
    "logs:dashboard": DIARY,
    "logs:profile": DIARY,
    "logs:account-export": DIARY,
    "logs:account-import": DIARY,
    "logs:account-email": DIARY,
    "logs:account-delete": DIARY,
    "logs:episode-list": DIARY,
    "logs:episode-new": DIARY,
    "logs:checkin-list": DIARY,
    "logs:checkin-new": DIARY,
    "logs:medicine-list": DIARY,
    "logs:medicine-new": DIARY,
    "logs:summary": DIARY,
    "logs:summary-pdf": DIARY,
    "logs:summary-csv": DIARY,
    "logs:summary-fhir": DIARY,
    "sharing:share-list": DIARY,
    "sharing:share-new": DIARY,
    "sharing:share-link-made": DIARY,
    "logs:episode-edit": RECORD,
    "logs:episode-delete": RECORD,
    "logs:checkin-edit": RECORD,
    "logs:checkin-delete": RECORD,
    "logs:medicine-edit": RECORD,
    "logs:medicine-delete": RECORD,
    "sharing:share-revoke": RECORD,
    "sharing:clinician-home": CLINICIAN,
    "sharing:two-step-setup": CLINICIAN,
    "sharing:two-step-verify": CLINICIAN,
    "sharing:clinician-share": SHARED,
    "sharing:clinician-share-pdf": SHARED,
    "sharing:clinician-share-csv": SHARED,
    "sharing:clinician-share-fhir": SHARED,
    "sharing:share-note": SHARED,
    "sharing:share-accept": ACCEPT,
    "sharing:link": LINK,
    "sharing:link-pdf": LINK,
    "sharing:link-csv": LINK,
    "sharing:link-fhir": LINK,
}
# The only way in is a POST: a GET is refused whoever asks.
POST_ONLY = {"logs:same-as-last", "sharing:share-note", "sharing:share-accept", "logout"}
RECORD_FACTORIES = {"episode": EpisodeFactory, "checkin": CheckInFactory, "medicine": MedicineFactory}

ROLES = [
    "anonymous",
    "owner",
    "other patient",
    "staff",
    "clinician without a share",
    "clinician with a waiting share",
    "clinician with an accepted share",
    "clinician with a revoked share",
    "clinician with an ended share",
]
LINK_ROLES = ["open link", "link without its PIN", "link with a wrong PIN", "revoked link", "ended link"]

# Outcomes: "ok" (allowed), "login" (sent to sign in), "404", "elsewhere" (a clinician
# sent to their own pages), "refused" (nothing of the patient shown).
EXPECTED = {
    PUBLIC: dict.fromkeys(ROLES, "any"),
    ACCOUNT: {role: "login" if role == "anonymous" else "ok" for role in ROLES},
    DIARY: {
        role: "login" if role == "anonymous" else "elsewhere" if role.startswith("clinician") else "ok"
        for role in ROLES
    },
    RECORD: {
        "anonymous": "login",
        "owner": "ok",
        "other patient": "404",
        "staff": "404",
        **{role: "elsewhere" for role in ROLES if role.startswith("clinician")},
    },
    CLINICIAN: {
        role: "login" if role == "anonymous" else "ok" if role.startswith("clinician") else "404" for role in ROLES
    },
    SHARED: {
        role: "login" if role == "anonymous" else "ok" if role == "clinician with an accepted share" else "404"
        for role in ROLES
    },
    ACCEPT: {
        role: "login" if role == "anonymous" else "ok" if role == "clinician with a waiting share" else "404"
        for role in ROLES
    },
    LINK: {
        **dict.fromkeys(ROLES, "ok"),
        "open link": "ok",
        "link without its PIN": "refused",
        "link with a wrong PIN": "refused",
        "revoked link": "404",
        "ended link": "404",
    },
}


def project_url_names():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return sorted(set(walk(get_resolver().url_patterns)))


def test_every_url_of_the_project_is_in_the_table():
    assert project_url_names() == sorted(URLS)


class World:
    """An owner with a diary and every kind of share, and everyone else who might knock."""

    def __init__(self):
        now = timezone.now()
        self.owner = UserFactory(display_name=OWNER_NAME)
        EpisodeFactory(patient=self.owner)
        self.other = UserFactory(display_name="Otto Other")
        self.staff = UserFactory(display_name="Stella Staff", is_staff=True, is_superuser=True)
        self.clinicians = {role: ClinicianFactory() for role in ROLES if role.startswith("clinician")}
        share = {
            "clinician with a waiting share": {"accepted_at": None},
            "clinician with an accepted share": {},
            "clinician with a revoked share": {"revoked_at": now},
            "clinician with an ended share": {"created_at": now - timedelta(days=20), "expires_at": now},
        }
        self.shares = {
            role: ShareFactory(patient=self.owner, clinician=self.clinicians[role], **fields)
            for role, fields in share.items()
        }
        self.records = {}
        self.tokens = {}
        for role, fields in {
            "open link": {},
            "link without its PIN": {"pin": "4711"},
            "link with a wrong PIN": {"pin": "4711"},
            "revoked link": {"revoked_at": now},
            "ended link": {"created_at": now - timedelta(days=20), "expires_at": now},
        }.items():
            self.tokens[role] = self.link(**fields)

    def link(self, pin=None, **fields):
        share = ShareFactory.build(patient=self.owner, via="link", clinician=None, accepted_at=None, **fields)
        token = share.new_token()
        if pin:
            share.protection = "pin"
            share.set_secret(pin)
        share.save()
        return token

    def client(self, role):
        client = Client()
        if role in ("owner", "other patient", "staff"):
            client.force_login({"owner": self.owner, "other patient": self.other, "staff": self.staff}[role])
        elif role in self.clinicians:
            sign_in_with_second_step(client, self.clinicians[role])
        elif role == "link with a wrong PIN":
            client.post(reverse("sharing:link", args=[self.tokens[role]]), {"pin": "0000"})
        return client

    def args(self, name, role):
        kind = name.split(":")[-1].split("-")[0]
        what = ["episodes"] if name.endswith("-csv") else []
        category = URLS[name]
        if name == "password_reset_confirm":
            return ["MQ", "set-password"]
        if name.endswith("confirm"):
            return ["a-link-that-was-never-sent"]
        if category == RECORD:
            if name == "sharing:share-revoke":
                return [self.shares["clinician with an accepted share"].pk]
            if kind not in self.records:
                self.records[kind] = RECORD_FACTORIES[kind](patient=self.owner)
            return [self.records[kind].pk]
        if category in (SHARED, ACCEPT):
            share = self.shares.get(role) or self.shares["clinician with an accepted share"]
            return [share.pk, *what]
        if category == LINK:
            return [self.tokens.get(role, self.tokens["open link"]), *what]
        return what


def outcome(response):
    location = response.get("Location", "")
    if response.status_code == 302 and location.startswith(reverse("login")):
        return "login"
    if response.status_code == 302 and location == reverse("sharing:clinician-home"):
        return "elsewhere"
    if response.status_code == 404:
        return "404"
    return "ok" if response.status_code in (200, 302) else str(response.status_code)


@pytest.mark.parametrize("name", sorted(URLS))
def test_each_role_gets_what_the_table_says(db, name):
    world = World()
    category = URLS[name]
    roles = ROLES + LINK_ROLES if category == LINK else ROLES
    method = "post" if name in POST_ONLY else "get"
    for role in roles:
        client = world.client(role)
        records = AccessRecord.objects.count()
        response = getattr(client, method)(reverse(name, args=world.args(name, role)))
        expected = EXPECTED[category][role]
        got = outcome(response)
        if category == CLINICIAN and got == "elsewhere":
            got = "ok"  # a clinician already set up is sent on to their list
        if expected == "any":
            assert response.status_code in (200, 302, 404, 405), (name, role, response.status_code)
            continue
        if expected == "refused":
            assert response.status_code in (200, 302, 429), (name, role, response.status_code)
            assert OWNER_NAME.encode() not in response.content, (name, role)
            assert not response.has_header("Content-Disposition"), (name, role)
            continue
        assert got == expected, (name, role, response.status_code, response.get("Location"))
        if expected != "ok":
            assert OWNER_NAME.encode() not in response.content, (name, role)
        if category in (SHARED, LINK) and expected == "ok" and method == "get":
            assert AccessRecord.objects.count() == records + 1, (name, role)  # every look is written down


@pytest.mark.parametrize("name", sorted(name for name, category in URLS.items() if category in (SHARED, ACCEPT)))
def test_a_clinician_cannot_change_a_shared_diary(db, name):
    """The share pages answer GET only, but for the note and accepting; nothing writes to the diary."""
    world = World()
    client = world.client("clinician with an accepted share")
    share = world.shares["clinician with an accepted share"]
    before = (world.owner.episodes.count(), world.owner.checkins.count(), Share.objects.get(pk=share.pk).revoked_at)
    for method in ("post", "put", "delete"):
        getattr(client, method)(reverse(name, args=world.args(name, "clinician with an accepted share")))
    after = (world.owner.episodes.count(), world.owner.checkins.count(), Share.objects.get(pk=share.pk).revoked_at)
    assert before == after
