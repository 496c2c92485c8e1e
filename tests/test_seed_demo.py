from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from logs.management.commands.seed_demo import DEMO_EMAIL, DEMO_PASSWORD
from logs.models import CheckIn, Episode, User


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", days=90, seed=3, stdout=StringIO())
    return User.objects.get(email=DEMO_EMAIL)


def test_it_makes_a_demo_patient_who_can_sign_in(seeded, client):
    response = client.post(reverse("login"), {"username": DEMO_EMAIL, "password": DEMO_PASSWORD})
    assert response["Location"] == reverse("logs:quick-log")
    assert seeded.profile.occupation
    assert seeded.medicines.filter(kind="corticosteroid").exists()


def test_it_fills_90_days_realistically(seeded):
    episodes = Episode.objects.filter(patient=seeded)
    assert 90 <= episodes.count() <= 400
    assert 60 <= CheckIn.objects.filter(patient=seeded).count() <= 90
    assert all(e.locations.exists() for e in episodes[:50])
    assert episodes.filter(kind="twitch").exists() and episodes.filter(kind="cramp").exists()


def test_short_nights_come_with_more_spasms(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", days=365, seed=5, stdout=StringIO())
    patient = User.objects.get()
    counts = {}
    for episode in patient.episodes.all():
        day = episode.started_at.astimezone(patient.zone).date()
        counts[day] = counts.get(day, 0) + 1
    short, normal = [], []
    for checkin in patient.checkins.all():
        (short if checkin.sleep_hours < 6 else normal).append(counts.get(checkin.day, 0))
    assert sum(short) / len(short) > 1.4 * sum(normal) / len(normal)


def test_it_can_make_a_heavy_year_for_benchmarks(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", days=365, episodes=3000, email="bench@example.com", stdout=StringIO())
    assert 2500 <= Episode.objects.count() <= 3500


def test_if_empty_leaves_an_existing_database_alone(db, settings, patient):
    settings.DEBUG = True
    call_command("seed_demo", if_empty=True)
    assert not User.objects.filter(email=DEMO_EMAIL).exists()


def test_it_will_not_overwrite_without_replace(seeded):
    with pytest.raises(CommandError):
        call_command("seed_demo")
    call_command("seed_demo", replace=True, stdout=StringIO())
    assert User.objects.filter(email=DEMO_EMAIL).count() == 1


@override_settings(DEBUG=False)
def test_it_refuses_to_run_in_production(db):
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.exists()
