"""
Every URL of the project, walked with every role. A URL missing from the table
fails the test, so a new page cannot ship without saying who may open it.
The admin's own pages are left to Django (staff only; see test_access.py).
Then every share URL, in every format, with every option a share can have.
"""

import io
import json
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from pypdf import PdfReader

from sharing.models import AccessRecord, Share
from tests import factories
from tests.conftest import sign_in_with_second_step

OWNER_NAME = "Olive Ownerly"
OWNER_BIRTH_DATE = date(1980, 2, 29)
# Free text of single entries, which only a share of every entry may show.
EPISODE_NOTE = "Cramped after the long drive to Leeds"
CHECKIN_NOTE = "Forgot the evening stretches again"

# What each URL is, and so who may open it.
PUBLIC = "public"  # anyone: home, sign-in, sign-up, password reset
ACCOUNT = "account"  # anyone signed in
DIARY = "diary"  # a patient's own pages
RECORD = "record"  # one of a patient's records
CLINICIAN = "clinician"  # a clinician's own pages
TWO_STEP = "two-step"  # setting up and giving the second step: clinicians, and staff for the admin
SHARED = "shared"  # a patient's data through an accepted share
ACCEPT = "accept"  # accepting a waiting share
LINK = "link"  # a patient's data through a link
MOVED = "moved"  # an address from before a page moved: sent on, method and all, to where it is now
SCRIPT = "script"  # a patient's own JSON for the page's scripts: 401 signed out, 403 for a clinician

URLS = {
    "home": PUBLIC,
    "healthz": PUBLIC,
    "healthz-live": PUBLIC,
    "login": PUBLIC,
    "logout": PUBLIC,
    "signup": PUBLIC,
    "signup-sent": PUBLIC,
    "signup-confirm": PUBLIC,
    "clinician-confirm": PUBLIC,
    "password_reset": PUBLIC,
    "password_reset_done": PUBLIC,
    "password_reset_confirm": PUBLIC,
    "password_reset_complete": PUBLIC,
    "clinician-signup": PUBLIC,
    "password_change": ACCOUNT,
    "password_change_done": ACCOUNT,
    "logs:quick-log": DIARY,
    "logs:same-as-last": DIARY,
    "reports:dashboard": DIARY,
    "logs:profile": DIARY,
    "account-export": DIARY,
    "account-import": DIARY,
    "account-email": DIARY,
    "account-delete": DIARY,
    "logs:episode-list": DIARY,
    "logs:episode-new": DIARY,
    "logs:checkin-list": DIARY,
    "logs:checkin-new": DIARY,
    "logs:medicine-list": DIARY,
    "logs:medicine-new": DIARY,
    "reports:summary": DIARY,
    "reports:summary-pdf": DIARY,
    "reports:summary-csv": DIARY,
    "reports:summary-fhir": DIARY,
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
    "two-step-setup": TWO_STEP,
    "two-step-verify": TWO_STEP,
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
    "logs:episode-warning-dismiss": RECORD,
    "logs:quick-log-undo": RECORD,
    "logs:quick-log-sent": SCRIPT,
    "logs:service-worker": PUBLIC,
    "logs:manifest": PUBLIC,
    "logs:offline": PUBLIC,
    "logs:offline-quick-log": PUBLIC,
    "reminders:settings": DIARY,
    "reminders:push": SCRIPT,
    "reminders:push-remove": SCRIPT,
    "reminders:off": PUBLIC,
    **{
        f"moved-{name}": MOVED
        for name in [
            "account-export",
            "account-import",
            "account-email",
            "account-delete",
            "clinician-signup",
            "clinician-confirm",
            "two-step-setup",
            "two-step-verify",
        ]
    },
}
# The only way in is a POST: a GET is refused whoever asks.
POST_ONLY = {
    "logs:same-as-last",
    "logs:episode-warning-dismiss",
    "logs:quick-log-sent",
    "logs:quick-log-undo",
    "sharing:share-note",
    "sharing:share-accept",
    "logout",
    "reminders:push",
    "reminders:push-remove",
}
RECORD_FACTORIES = {
    "episode": factories.EpisodeFactory,
    "quick": factories.EpisodeFactory,  # the quick log's undo of an episode
    "checkin": factories.CheckInFactory,
    "medicine": factories.MedicineFactory,
}

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
LINK_ROLES = ["open link", "link without its answer", "link with a wrong answer", "revoked link", "ended link"]

# Outcomes: "ok" (allowed), "login" (sent to sign in), "404", "elsewhere" (a clinician
# sent to their own pages), "refused" (nothing of the patient shown).
EXPECTED = {
    PUBLIC: dict.fromkeys(ROLES, "any"),
    MOVED: dict.fromkeys(ROLES, "moved"),
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
    TWO_STEP: {
        role: "login" if role == "anonymous" else "ok" if role.startswith("clinician") or role == "staff" else "404"
        for role in ROLES
    },
    SHARED: {
        role: "login" if role == "anonymous" else "ok" if role == "clinician with an accepted share" else "404"
        for role in ROLES
    },
    ACCEPT: {
        role: "login" if role == "anonymous" else "ok" if role == "clinician with a waiting share" else "404"
        for role in ROLES
    },
    # The empty body a walk posts is refused (400) to a patient, whoever's the page.
    SCRIPT: {
        role: "401" if role == "anonymous" else "403" if role.startswith("clinician") else "400" for role in ROLES
    },
    LINK: {
        **dict.fromkeys(ROLES, "ok"),
        "open link": "ok",
        "link without its answer": "refused",
        "link with a wrong answer": "refused",
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


def answer(protection):
    """What a link asks for: a PIN, the owner's date of birth, or nothing."""
    return {"pin": "4711", "birth_date": OWNER_BIRTH_DATE.isoformat(), "": ""}[protection]


class World:
    """
    An owner with a diary and every kind of share, and everyone else who might knock.
    Every share has the same options: every entry or not, and what the open link asks for
    (the links kept locked ask for a PIN when the open one asks for nothing).
    """

    def __init__(self, include_episodes=True, protection=""):
        now = timezone.now()
        self.protection = protection
        self.owner = factories.UserFactory(display_name=OWNER_NAME)
        self.owner.profile.date_of_birth = OWNER_BIRTH_DATE
        self.owner.profile.save()
        factories.EpisodeFactory(patient=self.owner, notes=EPISODE_NOTE)
        factories.CheckInFactory(patient=self.owner, day=timezone.localdate() - timedelta(days=1), note=CHECKIN_NOTE)
        factories.MedicineFactory(patient=self.owner)
        self.other = factories.UserFactory(display_name="Otto Other")
        self.staff = factories.UserFactory(display_name="Stella Staff", is_staff=True, is_superuser=True)
        self.clinicians = {role: factories.ClinicianFactory() for role in ROLES if role.startswith("clinician")}
        share = {
            "clinician with a waiting share": {"accepted_at": None},
            "clinician with an accepted share": {},
            "clinician with a revoked share": {"revoked_at": now},
            "clinician with an ended share": {"created_at": now - timedelta(days=20), "expires_at": now},
        }
        self.shares = {
            role: factories.ShareFactory(
                patient=self.owner, clinician=self.clinicians[role], include_episodes=include_episodes, **fields
            )
            for role, fields in share.items()
        }
        self.records = {}
        self.tokens = {}
        locked = protection or "pin"
        for role, fields in {
            "open link": {"protection": protection},
            "link without its answer": {"protection": locked},
            "link with a wrong answer": {"protection": locked},
            "revoked link": {"protection": protection, "revoked_at": now},
            "ended link": {"protection": protection, "created_at": now - timedelta(days=20), "expires_at": now},
        }.items():
            self.tokens[role] = self.link(include_episodes=include_episodes, **fields)

    def link(self, protection, **fields):
        share = factories.LinkShareFactory.build(patient=self.owner, **fields)
        token = share.new_token()
        share.protection = protection
        share.set_secret(answer(protection))
        share.save()
        return token

    def client(self, role):
        client = Client()
        if role in ("owner", "other patient", "staff"):
            client.force_login({"owner": self.owner, "other patient": self.other, "staff": self.staff}[role])
        elif role in self.clinicians:
            sign_in_with_second_step(client, self.clinicians[role])
        elif role == "link with a wrong answer":
            wrong = "1980-03-01" if self.protection == "birth_date" else "0000"
            client.post(reverse("sharing:link", args=[self.tokens[role]]), {"pin": wrong})
        elif role == "open link" and self.protection:
            opened = client.post(reverse("sharing:link", args=[self.tokens[role]]), {"pin": answer(self.protection)})
            assert opened.status_code == 302
        return client

    def args(self, name, role):
        kind = name.split(":")[-1].split("-")[0]
        what = ["episodes"] if name.endswith("-csv") else []
        category = URLS[name]
        if name == "password_reset_confirm":
            return ["MQ", "set-password"]
        if name.endswith("confirm") or name == "reminders:off":
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
    if response.status_code == 308:
        return "moved"
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
        if category in (CLINICIAN, TWO_STEP) and got == "elsewhere":
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
        if category == MOVED:
            args = world.args(name, role)
            assert response["Location"] == reverse(name.removeprefix("moved-"), args=args), (name, role)
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


# Every share URL, in every format, for every option a share has. Without every
# entry a share shows the two-page summary (page and PDF, never the appendix) and
# the medicines it lists; each episode and check-in only with every entry.
SHARE_OPTIONS = [
    pytest.param(via, include, protection, id=f"{via}-{'every-entry' if include else 'summary-only'}-{label}")
    for via, protections in [("clinician", {"": "account"}), ("link", {"": "open", "birth_date": "dob", "pin": "pin"})]
    for include in (False, True)
    for protection, label in protections.items()
]
# (what, the CSV's kind, shown by a share of the summary only)
SHARE_URLS = [
    ("page", [], True),
    ("pdf", [], True),
    ("csv", ["episodes"], False),
    ("csv", ["checkins"], False),
    ("csv", ["medicines"], True),
    ("fhir", [], True),
]


def share_url(via, what, key, kind=()):
    prefix = "sharing:clinician-share" if via == "clinician" else "sharing:link"
    return reverse(prefix if what == "page" else f"{prefix}-{what}", args=[key, *kind])


def text_of(response):
    if response["Content-Type"] == "application/pdf":
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    return response.content.decode()


def expected_record(what, kind, appendix):
    if what in ("page", "pdf"):
        return {"page": "summary", "pdf": "PDF"}[what] + (" with the episodes" if appendix else "")
    return f"{kind[0]} CSV" if kind else "FHIR export"


def check_content(response, via, key, what, kind, appendix, every_entry):
    """What an allowed look shows: entries and their notes with every entry, nothing of them without."""
    text = text_of(response)
    if not every_entry:
        assert EPISODE_NOTE not in text and CHECKIN_NOTE not in text
        assert "Appendix" not in text
    if what in ("page", "pdf"):
        assert ("Appendix: episodes" in text) == appendix
    if what == "csv":
        assert {"episodes": EPISODE_NOTE, "checkins": CHECKIN_NOTE, "medicines": "Baclofen"}[kind[0]] in text
    if what == "fhir":
        kinds = {entry["resource"]["resourceType"] for entry in json.loads(text)["entry"]}
        entries = {"Observation", "QuestionnaireResponse"}
        assert kinds == {"Patient", "MedicationStatement", *(entries if every_entry else ())}
        assert (EPISODE_NOTE in text and CHECKIN_NOTE in text) == every_entry
    if what == "page":
        # Only what the share covers is offered.
        for download, download_kind, shown_without in SHARE_URLS[1:]:
            address = share_url(via, download, key, download_kind)
            assert (f'href="{address}' in text) == (every_entry or shown_without), address
        assert ("Show every episode" in text) == every_entry


@pytest.mark.parametrize(("via", "include_episodes", "protection"), SHARE_OPTIONS)
def test_each_share_url_shows_only_what_the_share_covers(db, via, include_episodes, protection):
    world = World(include_episodes=include_episodes, protection=protection)
    if via == "clinician":
        category, roles = SHARED, ROLES
    else:
        category = LINK
        roles = ["open link", "revoked link", "ended link"]
        roles += ["link without its answer", "link with a wrong answer"] if protection else []
    for role in roles:
        cache.clear()  # the walk asks for ended links more often than one address may miss
        client = world.client(role)
        key = world.args("sharing:clinician-share" if via == "clinician" else "sharing:link", role)[0]
        for what, kind, shown_without in SHARE_URLS:
            for query in ("", "appendix=on"):
                where = (role, what, kind, query)
                records = AccessRecord.objects.count()
                response = client.get(f"{share_url(via, what, key, kind)}?{query}")
                expected = EXPECTED[category][role]
                if expected == "ok" and not (include_episodes or shown_without):
                    expected = "404"
                if expected == "refused":
                    assert response.status_code in (200, 302, 429), where
                else:
                    assert outcome(response) == expected, (*where, response.status_code)
                if expected != "ok":
                    assert OWNER_NAME.encode() not in response.content, where
                    assert EPISODE_NOTE.encode() not in response.content, where
                    assert not response.has_header("Content-Disposition"), where
                    assert AccessRecord.objects.count() == records, where  # nothing shown, nothing written
                    continue
                appendix = include_episodes and query == "appendix=on"
                check_content(response, via, key, what, kind, appendix, include_episodes)
                assert AccessRecord.objects.count() == records + 1, where
                assert AccessRecord.objects.latest("at", "pk").what == expected_record(what, kind, appendix), where
