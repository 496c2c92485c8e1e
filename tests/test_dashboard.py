from datetime import UTC, date, datetime, timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from reports import summary
from tests.factories import CheckInFactory, EpisodeFactory, UserFactory


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def london(patient):
    patient.time_zone = "Europe/London"
    patient.save()
    return patient


def bar(glance, day):
    return next(b["n"] for b in glance["chart"]["bars"] if b["day"] == day)


@pytest.mark.parametrize(
    ("zone", "now", "starts", "bars"),
    [
        pytest.param(
            "Europe/London",
            "2024-04-05T12:00:00",
            # 23:30 UTC on 30 March is 23:30 GMT, still 30 March in London;
            # 23:30 UTC on 31 March is 00:30 BST, already 1 April.
            ["2024-03-30T23:30:00", "2024-03-31T23:30:00"],
            {date(2024, 3, 30): 1, date(2024, 3, 31): 0, date(2024, 4, 1): 1},
            id="across daylight saving",
        ),
        pytest.param(
            "America/New_York",
            "2024-11-10T12:00:00",
            # 02:00 UTC on 3 November is 22:00 EDT on 2 November; 06:30 UTC on 3 November
            # is 01:30 EST, after the clocks went back, on 3 November.
            ["2024-11-03T02:00:00", "2024-11-03T06:30:00"],
            {date(2024, 11, 2): 1, date(2024, 11, 3): 1},
            id="in a zone behind UTC",
        ),
    ],
)
def test_days_follow_the_patients_zone(patient, time_machine, zone, now, starts, bars):
    patient.time_zone = zone
    patient.save()
    time_machine.move_to(at(now))
    for start in starts:
        EpisodeFactory(patient=patient, started_at=at(start))
    glance = summary.glance(patient, at(now))
    assert {day: bar(glance, day) for day in bars} == bars


def test_the_windows_count_the_last_7_and_30_days(london, time_machine):
    now = at("2024-06-30T12:00:00")
    time_machine.move_to(now)
    EpisodeFactory(patient=london, started_at=now - timedelta(days=1), intensity=4)
    EpisodeFactory(patient=london, started_at=now - timedelta(days=1, hours=1), intensity=8)
    EpisodeFactory(patient=london, started_at=now - timedelta(days=10), intensity=None)
    EpisodeFactory(patient=london, started_at=now - timedelta(days=40), intensity=10)
    CheckInFactory(patient=london, day=date(2024, 6, 29), sleep_hours=5)
    CheckInFactory(patient=london, day=date(2024, 6, 15), sleep_hours=8)
    week, month = summary.glance(london, now)["windows"]
    assert (week["episodes"], week["spasm_days"], week["average_intensity"], week["highest_intensity"]) == (2, 1, 6, 8)
    assert (month["episodes"], month["spasm_days"], month["highest_intensity"]) == (3, 2, 8)
    assert (week["checkins"], week["average_sleep"], month["checkins"], month["average_sleep"]) == (1, 5, 2, 6.5)


def test_places_are_ranked(london):
    EpisodeFactory(patient=london)
    EpisodeFactory(patient=london)
    EpisodeFactory(patient=london, location__region="neck", location__side="midline")
    places = summary.glance(london, datetime.now(UTC))["places"]
    assert places == [("Left calf", 2), ("Neck", 1)]


def test_the_dashboard_shows_both_windows_and_the_latest(patient_client, patient):
    EpisodeFactory(patient=patient, kind="twitch")
    CheckInFactory(patient=patient, penn_frequency=3, penn_severity=2)
    page = patient_client.get(reverse("reports:dashboard")).content.decode()
    assert "Last 7 days" in page and "Last 30 days" in page
    assert "Twitch: left calf" in page
    assert "3 = Spasms occurring more than once per hour" in page
    assert "Edit today's check-in" in page


def test_an_empty_dashboard_says_so(patient_client):
    page = patient_client.get(reverse("reports:dashboard")).content.decode()
    assert "Nothing logged yet." in page


def test_the_dashboard_query_count_does_not_grow(patient_client, patient, django_assert_num_queries):
    for days in range(40):
        EpisodeFactory(patient=patient, started_at=datetime.now(UTC) - timedelta(days=days))
    # 7, with the episodes by day that the windows, the chart and what goes with the spasms share;
    # 2 more for what goes with them: the check-ins and the medicines; and 1 for the red flags' warnings.
    with django_assert_num_queries(7 + 2 + 1):
        patient_client.get(reverse("reports:dashboard"))


def test_the_patients_zone_ends_with_the_request(client, db):
    tokyo = UserFactory(time_zone="Asia/Tokyo")
    client.force_login(tokyo)
    assert client.get(reverse("reports:dashboard")).status_code == 200
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE
