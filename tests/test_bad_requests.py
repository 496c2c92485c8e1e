"""
Oversized bodies, unknown choices, wrong methods, malformed or extreme dates, ids
and pages: a 4xx, a field error or a value ignored, never a 500.
"""

import io
from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from logs.models import CheckIn, Episode, Medicine
from sharing.models import Share
from spasmlog.dates import EARLIEST_DAY, LATEST_DAY
from tests.conftest import sign_in_with_second_step
from tests.factories import CheckInFactory, ClinicianFactory, EpisodeFactory, LinkShareFactory

pytestmark = pytest.mark.django_db


def test_an_oversized_body_is_refused(patient_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = patient_client.post(reverse("logs:episode-new"), {"notes": "x" * 20_000})
    assert response.status_code == 400


def test_too_many_fields_are_refused(patient_client):
    response = patient_client.post(reverse("logs:episode-new"), {f"field{i}": "1" for i in range(1200)})
    assert response.status_code == 400


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options", "trace"])
def test_other_methods_are_refused(patient_client, method):
    response = getattr(patient_client, method)(reverse("logs:quick-log"))
    assert response.status_code == 405 and "POST" in response["Allow"]


@pytest.mark.parametrize("name", ["logs:same-as-last", "sharing:share-accept", "sharing:share-note"])
def test_a_get_to_a_change_is_refused(patient_client, name):
    args = [] if name == "logs:same-as-last" else [1]
    assert patient_client.get(reverse(name, args=args)).status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "/episodes/abc/",
        "/episodes/-1/",
        "/episodes/99999999999999999999999/",
        "/checkins/1e9/",
        "/clinicians/shares/99999999999999999999/",
        "/summary/csv/passwords/",
        "/s/%00/",
    ],
)
def test_malformed_ids_in_addresses_are_not_found(patient_client, path):
    assert patient_client.get(path).status_code == 404


def test_the_largest_id_that_fits_is_simply_not_found(patient_client):
    assert patient_client.get("/episodes/999999999999999999/").status_code == 404


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("logs:checkin-new", {"day": "2026-02-30"}),
        ("logs:checkin-new", {"day": "yesterday"}),
        ("logs:episode-list", {"start": "31/31/2026", "region": "tail"}),
        ("logs:checkin-list", {"start": "0000-00-00"}),
        ("reports:summary", {"period": "since", "since": "9999-99-99"}),
        ("reports:summary", {"period": "fortnight"}),
        ("logs:quick-log", {"logged": "'; DROP TABLE logs_episode; --"}),
        ("logs:episode-list", {"page": "-5"}),
    ],
)
def test_malformed_dates_and_choices_in_queries_are_handled(patient_client, url, query):
    assert patient_client.get(reverse(url), query).status_code in (200, 302)


def test_unknown_choices_in_a_form_are_refused_next_to_the_field(patient_client, patient):
    response = patient_client.post(
        reverse("logs:episode-new"),
        {"started_at": "2026-01-01T10:00", "kind": "seizure", "loc_calf": "upside", "relief_ice": "maybe"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert {"kind", "loc_calf", "relief_ice"} <= set(errors)
    assert not patient.episodes.exists()


def test_a_stale_form_without_its_csrf_token_gets_the_friendly_403(patient):
    client = Client(enforce_csrf_checks=True)
    client.force_login(patient)
    episode = EpisodeFactory(patient=patient)
    response = client.post(reverse("logs:episode-delete", args=[episode.pk]))
    assert response.status_code == 403 and "Please try again" in response.content.decode()


# Query strings: ids, pages and days parsed strictly, never a 500.

ZONES = ["Pacific/Kiritimati", "Asia/Tokyo", "America/New_York", "Pacific/Pago_Pago", "Etc/GMT+12"]
ONE_DAY = timedelta(days=1)
# The first and last days Python knows and the days just beyond the bounds; then the bounds themselves.
REFUSED_DAYS = [date.min, EARLIEST_DAY - ONE_DAY, LATEST_DAY + ONE_DAY, date.max]
BOUNDS = [EARLIEST_DAY, LATEST_DAY]
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.fixture(autouse=True)
def no_zone_left_active():
    """The middleware leaves the patient's zone active in the test's own thread; the next test starts in UTC."""
    yield
    timezone.deactivate()


def in_zone(patient, zone):
    patient.time_zone = zone
    patient.save()


def test_a_superscript_digit_as_the_logged_episode_is_ignored(patient_client, patient):
    EpisodeFactory(patient=patient)
    response = patient_client.get(reverse("logs:quick-log"), {"logged": "²"})
    assert response.status_code == 200
    assert response.context["logged"] is None


@pytest.mark.parametrize("logged", ["arabic-indic", "9" * 30, str(2**63), "-1", "1.0", " 1", "1\n", "0x1", "", "０"])
def test_only_ascii_digits_name_the_logged_episode(patient_client, patient, logged):
    episode = EpisodeFactory(patient=patient)
    if logged == "arabic-indic":
        logged = str(episode.pk).translate(ARABIC_INDIC)
    response = patient_client.get(reverse("logs:quick-log"), {"logged": logged})
    assert response.status_code == 200
    assert response.context["logged"] is None
    assert patient_client.get(reverse("logs:quick-log"), {"logged": str(episode.pk)}).context["logged"] == episode


@pytest.mark.parametrize(
    ("page", "number"),
    [("2", 2), ("99", 2), ("²", 1), ("٢", 1), ("9" * 5000, 1), (str(2**64), 1), ("-1", 1), ("1e3", 1), ("", 1)],
)
@pytest.mark.parametrize("name", ["logs:episode-list", "logs:checkin-list"])
def test_a_page_that_is_not_plain_digits_shows_the_first(patient_client, patient, name, page, number):
    for days in range(30):
        EpisodeFactory(patient=patient, started_at=timezone.now() - timedelta(days=days, hours=1))
        CheckInFactory(patient=patient, day=timezone.localdate() - timedelta(days=days))
    response = patient_client.get(reverse(name), {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number == number


@pytest.mark.parametrize(
    ("zone", "which", "day", "message"),
    [
        ("Europe/London", "end", "9999-12-31", f"Pick a day in {LATEST_DAY.year} or before."),
        ("Asia/Tokyo", "start", "0001-01-01", f"Pick a day from {EARLIEST_DAY.year} on."),
    ],
    ids=["the last day python knows as an end", "year one as a start in tokyo"],
)
def test_a_filter_day_python_barely_knows_is_refused_next_to_the_field(
    patient_client, patient, zone, which, day, message
):
    in_zone(patient, zone)
    EpisodeFactory(patient=patient)
    response = patient_client.get(reverse("logs:episode-list"), {which: day})
    assert response.status_code == 200
    assert response.context["filters"].errors[which] == [message]
    assert f'value="{day}"' in response.content.decode()
    assert len(response.context["page"].object_list) == 1  # unfiltered


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("name", ["logs:episode-list", "logs:checkin-list"])
def test_list_filters_out_of_bounds_are_refused_and_the_bounds_themselves_are_not(patient_client, patient, zone, name):
    in_zone(patient, zone)
    EpisodeFactory(patient=patient)
    CheckInFactory(patient=patient, day=timezone.localdate(timezone=patient.zone))
    for which in ("start", "end"):
        for day in REFUSED_DAYS:
            response = patient_client.get(reverse(name), {which: day.isoformat(), "region": "calf"})
            assert response.status_code == 200
            assert [error.code for error in response.context["filters"].errors.as_data()[which]] in (
                ["too_early"],
                ["too_late"],
            )
            assert f'value="{day.isoformat()}"' in response.content.decode()
            assert len(response.context["page"].object_list) == 1
    for start in BOUNDS:
        for end in BOUNDS:
            response = patient_client.get(reverse(name), {"start": start.isoformat(), "end": end.isoformat()})
            assert response.status_code == 200
            assert set(response.context["filters"].errors) <= {"end"}  # the end may come before the start


@pytest.mark.parametrize("day", ["²", "٢٠٢٦-٠١-٠١", "2026-W01-1", "20260101", "0001-01-01", "9999-12-31", "9" * 5000])
def test_a_check_in_day_in_the_address_that_is_not_a_day_within_bounds_opens_no_check_in(patient_client, patient, day):
    CheckInFactory(patient=patient, day=date(2026, 1, 1))
    response = patient_client.get(reverse("logs:checkin-new"), {"day": day})
    assert response.status_code == 200
    assert response.context["form"].instance.pk is None


def test_a_check_in_day_in_the_address_opens_the_check_in_of_that_day(patient_client, patient):
    checkin = CheckInFactory(patient=patient, day=date(2026, 1, 1))
    response = patient_client.get(reverse("logs:checkin-new"), {"day": "2026-01-01"})
    assert response["Location"] == reverse("logs:checkin-edit", args=[checkin.pk])


@pytest.mark.parametrize("query", [{"paper": "²"}, {"paper": "A4\x00"}, {"paper": "9" * 5000, "appendix": "٥"}])
def test_an_unknown_paper_prints_on_a4(patient_client, query):
    response = patient_client.get(reverse("reports:summary-pdf"), {"period": "30", **query})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


# Every date field of every form, at and beyond the bounds, in zones on both sides of UTC.


@dataclass
class DateInput:
    """A date field as a person reaches it: the view, the field, and the rest of a valid request."""

    view: str
    name: str
    kind: str = "date"  # date, month or datetime
    method: str = "post"
    form: str = "form"
    prefix: str = ""
    data: dict = field(default_factory=dict)

    def request(self, day, zone):
        """The request's data with the day typed as the browser's picker writes it."""
        if self.kind == "month":
            typed = day.isoformat()[:7]
        elif self.kind == "datetime":
            typed = f"{day.isoformat()}T{'23:59' if day >= LATEST_DAY else '00:00'}"
        else:
            typed = day.isoformat()
        data = {**self.data, self.prefix + self.name: typed}
        if self.prefix == "profile-":
            data.update({"account-display_name": "Sam", "account-time_zone": zone})
        if self.view == "sharing:share-new" and self.name != "ends_on":
            data["ends_on"] = (timezone.now() + timedelta(days=7)).date().isoformat()
        return typed, data


CHECK_IN = {"penn_frequency": "0", "note": "Slept badly."}
EPISODE = {"kind": "cramp", "loc_calf": "left", "notes": "Woke me up."}
MEDICINE = {"name": "Baclofen", "purpose": "spasms"}
SHARE = {"via": "clinician", "clinician": "dr@example.org", "include_episodes": "on"}
FORM_DATES = [
    DateInput("logs:profile", "date_of_birth", form="profile_form", prefix="profile-"),
    DateInput("logs:profile", "first_noticed", kind="month", form="profile_form", prefix="profile-"),
    DateInput("logs:episode-new", "started_at", kind="datetime", data=EPISODE),
    DateInput("logs:checkin-new", "day", data=CHECK_IN),
    DateInput("logs:medicine-new", "started", data=MEDICINE),
    DateInput("logs:medicine-new", "stopped", data=MEDICINE),
    DateInput("sharing:share-new", "since", data={"period": "since", **SHARE}),
    DateInput("sharing:share-new", "start", data={"period": "range", "end": "1900-01-31", **SHARE}),
    DateInput("sharing:share-new", "end", data={"period": "range", "start": "1900-01-01", **SHARE}),
    DateInput("sharing:share-new", "ends_on", data={"period": "90", **SHARE}),
]
# Since the earliest day, the summary covers more than a century: its own test below.
SUMMARY_SINCE = DateInput("reports:summary", "since", method="get", data={"period": "since"})
FILTER_DATES = [
    SUMMARY_SINCE,
    DateInput("logs:episode-list", "start", method="get", form="filters"),
    DateInput("logs:episode-list", "end", method="get", form="filters"),
    DateInput("logs:checkin-list", "start", method="get", form="filters"),
    DateInput("logs:checkin-list", "end", method="get", form="filters"),
    DateInput("reports:summary", "start", method="get", data={"period": "range", "end": "1900-01-31"}),
    DateInput("reports:summary", "end", method="get", data={"period": "range", "start": "1900-01-01"}),
]
SAVED = [Episode, CheckIn, Medicine, Share]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize(
    "date_input", FORM_DATES + FILTER_DATES, ids=lambda date_input: f"{date_input.view}-{date_input.name}"
)
def test_every_date_field_refuses_a_day_out_of_bounds_next_to_the_field_and_keeps_it(
    patient_client, patient, zone, date_input
):
    in_zone(patient, zone)
    ClinicianFactory(email="dr@example.org")
    send = getattr(patient_client, date_input.method)
    for day in REFUSED_DAYS:
        typed, data = date_input.request(day, zone)
        response = send(reverse(date_input.view), data)
        assert response.status_code == 200
        form = response.context[date_input.form]
        assert [error.code for error in form.errors.as_data()[date_input.name]] in (["too_early"], ["too_late"])
        assert form[date_input.name].value() == typed
        assert f'value="{typed}"' in response.content.decode()
        assert not any(model.objects.exists() for model in SAVED)


@pytest.mark.parametrize("zone", ZONES)
def test_every_date_field_takes_the_bounds_themselves_without_a_500(patient_client, patient, zone):
    in_zone(patient, zone)
    ClinicianFactory(email="dr@example.org")
    for date_input in FORM_DATES + FILTER_DATES:
        send = getattr(patient_client, date_input.method)
        for day in BOUNDS if date_input is not SUMMARY_SINCE else [LATEST_DAY]:
            response = send(reverse(date_input.view), date_input.request(day, zone)[1])
            assert response.status_code in (200, 302), (date_input, day)
            if response.status_code == 200:
                errors = response.context[date_input.form].errors.as_data().get(date_input.name, [])
                assert not {error.code for error in errors} & {"too_early", "too_late", "invalid"}
    # What could be saved was: the earliest day is a day like any other.
    assert Episode.objects.exists() and CheckIn.objects.exists() and Medicine.objects.exists()
    assert Share.objects.count() == 3


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
def test_a_summary_since_the_earliest_day_shows_in_the_zones_furthest_from_utc(patient_client, patient, zone):
    """The longest period the bounds allow, and the period before it, in the zones a day apart."""
    in_zone(patient, zone)
    EpisodeFactory(patient=patient)
    response = patient_client.get(reverse("reports:summary"), {"period": "since", "since": EARLIEST_DAY.isoformat()})
    assert response.status_code == 200 and not response.context["form"].errors
    assert response.context["period"].first_day == EARLIEST_DAY


@pytest.mark.parametrize("zone", ZONES)
def test_a_diary_from_the_earliest_day_shows_everywhere_in_every_zone(client, patient, zone):
    """What the forms take at the bounds survives every page that counts with it."""
    in_zone(patient, zone)
    clinician = ClinicianFactory()
    client.force_login(patient)
    profile = {"profile-date_of_birth": "1900-01-01", "profile-first_noticed": "1900-01"}
    client.post(reverse("logs:profile"), {"account-display_name": "Sam", "account-time_zone": zone, **profile})
    client.post(reverse("logs:episode-new"), {**EPISODE, "started_at": "1900-01-01T00:00"})
    client.post(reverse("logs:checkin-new"), {**CHECK_IN, "day": "1900-01-01"})
    client.post(reverse("logs:medicine-new"), {**MEDICINE, "started": "1900-01-01", "stopped": "2999-12-31"})
    ends_on = (timezone.now() + timedelta(days=7)).date().isoformat()
    share = {**SHARE, "clinician": clinician.email, "period": "since", "since": "1900-01-01", "ends_on": ends_on}
    client.post(reverse("sharing:share-new"), share)
    patient.profile.refresh_from_db()
    assert patient.profile.date_of_birth == EARLIEST_DAY
    assert patient.episodes.get().started_at.astimezone(patient.zone).date() == EARLIEST_DAY
    assert patient.checkins.get().day == EARLIEST_DAY
    assert patient.medicines.get().stopped == LATEST_DAY
    shared = Share.objects.get(patient=patient)
    assert shared.first_day == EARLIEST_DAY

    since = {"period": "since", "since": "1900-01-01"}
    everything = {"start": "1900-01-01", "end": "2999-12-31"}
    for name, query in [
        ("reports:dashboard", {}),
        ("logs:quick-log", {}),
        ("logs:episode-list", everything),
        ("logs:checkin-list", everything),
        ("logs:medicine-list", {}),
        ("reports:summary", {"period": "range", "start": "1900-01-01", "end": "1900-01-01", "appendix": "on"}),
        ("reports:summary-fhir", since),
        ("sharing:share-list", {}),
    ]:
        assert client.get(reverse(name), query).status_code == 200, name
    for what in ("episodes", "checkins", "medicines"):
        assert client.get(reverse("reports:summary-csv", args=[what]), since).status_code == 200
    sign_in_with_second_step(client, clinician)
    client.post(reverse("sharing:share-accept", args=[shared.pk]))
    assert client.get(reverse("sharing:clinician-home")).status_code == 200
    assert client.get(reverse("sharing:clinician-share-fhir", args=[shared.pk])).status_code == 200


@pytest.mark.parametrize("zone", ZONES)
def test_a_link_asking_for_the_date_of_birth_refuses_a_day_out_of_bounds_next_to_the_field(client, patient, zone):
    in_zone(patient, zone)
    patient.profile.date_of_birth = EARLIEST_DAY
    patient.profile.save()
    share = LinkShareFactory.build(patient=patient, protection="birth_date")
    token = share.new_token()
    share.set_secret(EARLIEST_DAY.isoformat())
    share.save()
    link = reverse("sharing:link", args=[token])
    for day in REFUSED_DAYS:
        response = client.post(link, {"pin": day.isoformat()})
        assert response.status_code == 200
        assert [error.code for error in response.context["form"].errors.as_data()["pin"]] in (
            ["too_early"],
            ["too_late"],
        )
        assert f'value="{day.isoformat()}"' in response.content.decode()
    assert client.post(link, {"pin": EARLIEST_DAY.isoformat()})["Location"] == link
