"""The diary's rules hold in the database too, whatever writes to it."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from logs.models import CheckIn, Episode, EpisodeLocation, Medicine, Profile
from sharing.models import Share
from tests.factories import CheckInFactory, EpisodeFactory


def refused(create):
    with pytest.raises(IntegrityError), transaction.atomic():
        create()


@pytest.fixture
def now():
    return timezone.now()


def test_it_refuses_a_start_more_than_five_minutes_ahead(patient, now):
    refused(lambda: Episode.objects.create(patient=patient, started_at=now + timedelta(minutes=10)))
    Episode.objects.create(patient=patient, started_at=now + timedelta(minutes=4))


@pytest.mark.parametrize("seconds", [0, 86401])
def test_it_refuses_a_duration_of_zero_or_over_a_day(patient, seconds):
    refused(lambda: Episode.objects.create(patient=patient, duration_seconds=seconds))


def test_it_takes_a_duration_of_a_whole_day_or_none(patient):
    Episode.objects.create(patient=patient, duration_seconds=86400)
    Episode.objects.create(patient=patient, duration_seconds=None)


@pytest.mark.parametrize("intensity", [11, 100])
def test_it_refuses_intensity_above_ten(patient, intensity):
    refused(lambda: Episode.objects.create(patient=patient, intensity=intensity))


@pytest.mark.parametrize("field, value", [("kind", "sneeze"), ("activity", "flying")])
def test_it_refuses_unknown_choices(patient, field, value):
    refused(lambda: Episode.objects.create(patient=patient, **{field: value}))


def test_it_refuses_unknown_regions_and_sides(patient):
    episode = EpisodeFactory(patient=patient, location=None)
    refused(lambda: EpisodeLocation.objects.create(episode=episode, region="wing", side="left"))
    refused(lambda: EpisodeLocation.objects.create(episode=episode, region="calf", side="up"))


def test_it_keeps_one_side_per_region(patient):
    episode = EpisodeFactory(patient=patient)
    refused(lambda: EpisodeLocation.objects.create(episode=episode, region="calf", side="right"))


def test_it_refuses_a_checkin_for_a_future_day(patient):
    refused(lambda: CheckInFactory(patient=patient, day=timezone.localdate() + timedelta(days=3)))


def test_it_refuses_more_than_24_hours_of_sleep(patient):
    refused(lambda: CheckInFactory(patient=patient, sleep_hours=25))


def test_it_keeps_one_checkin_a_day(patient):
    CheckInFactory(patient=patient)
    refused(lambda: CheckInFactory(patient=patient))


def test_severity_goes_only_with_spasms(patient):
    refused(lambda: CheckInFactory(patient=patient, penn_frequency=0, penn_severity=2))
    refused(lambda: CheckInFactory(patient=patient, penn_frequency=3, penn_severity=None))
    refused(lambda: CheckInFactory(patient=patient, penn_frequency=5, penn_severity=1))
    CheckInFactory(patient=patient, penn_frequency=0, penn_severity=None)


def test_stress_runs_from_zero_to_ten(patient):
    refused(lambda: CheckInFactory(patient=patient, stress=11))


def test_a_medicine_cannot_stop_before_it_started(patient):
    today = timezone.localdate()
    refused(
        lambda: Medicine.objects.create(patient=patient, name="X", started=today, stopped=today - timedelta(days=1))
    )


def test_a_checkin_of_today_is_fine_in_a_zone_ahead_of_utc(patient):
    # At 23:30 UTC it is already tomorrow in Auckland.
    CheckIn.objects.create(patient=patient, day=timezone.now().date() + timedelta(days=1), penn_frequency=0)


def test_it_refuses_dates_a_person_could_not_have_typed(patient, now):
    """The forms' bounds hold for whatever else writes: the admin, an import, a script."""
    refused(lambda: Episode.objects.create(patient=patient, started_at=datetime(1, 1, 1, tzinfo=UTC)))
    refused(lambda: CheckInFactory(patient=patient, day=date(1899, 12, 31)))
    refused(lambda: Medicine.objects.create(patient=patient, name="Baclofen", started=date(1, 1, 1)))
    refused(lambda: Medicine.objects.create(patient=patient, name="Baclofen", stopped=date(9999, 12, 31)))
    refused(lambda: Profile.objects.create(patient=patient, date_of_birth=date(1066, 10, 14)))
    refused(
        lambda: Share.objects.create(
            patient=patient,
            via="link",
            token_hash="0" * 64,
            first_day=date(1, 1, 1),
            last_day=date(2026, 1, 1),
            expires_at=now + timedelta(days=1),
        )
    )
    Episode.objects.create(patient=patient, started_at=datetime(1900, 1, 1, tzinfo=UTC))
    Medicine.objects.create(patient=patient, name="Baclofen", started=date(1900, 1, 1), stopped=date(2999, 12, 31))
