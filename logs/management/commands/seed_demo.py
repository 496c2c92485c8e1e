"""
A demo patient with a realistic diary.

The diary has patterns built in, as a real one might: more spasms after a
night of short sleep, after new or unusual exercise the day before, and on
days with few fluids; night-time calf cramps; eyelid twitches on days of
much coffee. The same seed gives the same diary.
"""

import math
import random
from argparse import ArgumentParser
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from logs.models import (
    CheckIn,
    Episode,
    EpisodeLocation,
    EpisodeMedicine,
    EpisodeRelief,
    Helped,
    Medicine,
    MedicineKind,
    Profile,
    Purpose,
    User,
)

DEMO_EMAIL = "demo@spasmlog.example"
DEMO_PASSWORD = "demo-spasm-diary"
BATCH = 2000


class Command(BaseCommand):
    help = "Create a demo patient with a realistic diary (development and benchmarks only)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--email", default=DEMO_EMAIL)
        parser.add_argument("--password", default=DEMO_PASSWORD)
        parser.add_argument("--days", type=int, default=90, help="How many days of diary, up to today.")
        parser.add_argument("--episodes", type=int, help="About how many episodes in all (default: about 2 a day).")
        parser.add_argument("--every-day", action="store_true", help="A check-in every day, none missed.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--zone", default="Europe/London", help="The patient's IANA time zone.")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any account exists.")
        parser.add_argument("--replace", action="store_true", help="Delete an account with this e-mail first.")
        parser.add_argument("--allow-production", action="store_true", help="Run even with DEBUG off (benchmarks).")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_production"]:
            raise CommandError("seed_demo makes demo data for development; it will not run with DEBUG off.")
        if options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        if options["if_empty"] and User.objects.exists():
            return
        email = options["email"].lower()
        if User.objects.filter(email=email).exists():
            if not options["replace"]:
                raise CommandError(f"{email} exists already; pass --replace to make it anew.")
            User.objects.filter(email=email).delete()

        with transaction.atomic():
            patient = DemoDiary(
                email=email,
                password=options["password"],
                days=options["days"],
                episodes=options["episodes"],
                every_day=options["every_day"],
                seed=options["seed"],
                zone=options["zone"],
            ).build()

        counts = f"{patient.episodes.count()} episodes, {patient.checkins.count()} check-ins"
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo patient ready ({counts}). Sign in at /accounts/login/ "
                f"as {email} with the password {options['password']}"
            )
        )


class DemoDiary:
    def __init__(
        self,
        *,
        email: str,
        password: str,
        days: int,
        episodes: int | None,
        seed: int,
        zone: str,
        every_day: bool = False,
    ) -> None:
        self.email = email
        self.password = password
        self.days = days
        self.episodes = episodes
        self.every_day = every_day
        self.random = random.Random(seed)
        self.zone_name = zone
        # Episodes a day before the patterns multiply it: about 2 a day in all.
        self.base_rate = 1.3

    def build(self) -> User:
        patient = User.objects.create_user(
            self.email, self.password, display_name="Alex Demo", time_zone=self.zone_name
        )
        self.zone = patient.zone
        self.now = timezone.now()
        self.today = self.now.astimezone(self.zone).date()
        self.first_day = self.today - timedelta(days=self.days - 1)

        Profile.objects.create(
            patient=patient,
            date_of_birth=date(1978, 5, 14),
            first_noticed=date(self.today.year - 1, 3, 1),
            occupation="Nurse on a hospital ward, with night shifts",
            usual_exercise="Walks about 30 minutes most days; swims on Saturdays.",
            conditions="Underactive thyroid (hypothyroidism), treated since 2015.",
            injuries="Sprained left ankle in 2019.",
            surgeries="Appendix removed in 2005.",
            questions="Could the prednisolone course have made the night cramps worse?\n"
            "Should my magnesium and potassium be checked?\n"
            "Is it safe to keep swimming when my calves cramp?",
        )
        self.medicines = self._medicines(patient)
        checkins = self._checkins(patient)
        self._episodes(patient, {c.day: c for c in checkins})
        return patient

    def _medicines(self, patient):
        """The patient's medicines, by their names in lower case."""
        # Baclofen for the spasms from a third of the way in; a short course of prednisolone at
        # the start, a kind that can itself cause spasms; a thyroid pill taken for years.
        first_day = self.first_day
        a_third_in = first_day + timedelta(days=self.days // 3)
        course_end = first_day + timedelta(days=min(20, self.days - 1))
        listed = [
            # name, dose, how often, what it is for, kind, started, stopped
            ("Baclofen", "10 mg", "up to three times a day when needed", Purpose.SPASMS, "", a_third_in, None),
            ("Prednisolone", "5 mg", "once a day", Purpose.OTHER, MedicineKind.CORTICOSTEROID, first_day, course_end),
            ("Levothyroxine", "75 micrograms", "every morning", Purpose.OTHER, "", date(2015, 6, 1), None),
        ]
        fields = ["name", "dose", "frequency", "purpose", "kind", "started", "stopped"]
        return {
            row[0].lower(): Medicine.objects.create(patient=patient, **dict(zip(fields, row, strict=True)))
            for row in listed
        }

    def _checkins(self, patient):
        rng = self.random
        checkins = []
        for offset in range(self.days):
            day = self.first_day + timedelta(days=offset)
            if rng.random() > 0.85 and day != self.today and not self.every_day:
                continue
            short_night = rng.random() < 0.22
            sleep = rng.uniform(4.0, 5.5) if short_night else rng.gauss(7.3, 0.7)
            exercise = rng.choice([0, 0, 20, 30, 30, 45, 60])
            checkins.append(
                CheckIn(
                    patient=patient,
                    day=day,
                    penn_frequency=0,
                    sleep_hours=Decimal(str(round(min(max(sleep, 3.0), 10.0) * 2) / 2)),
                    fluids_glasses=max(2, round(rng.gauss(7, 2))),
                    caffeine_drinks=rng.choice([0, 1, 1, 2, 2, 3, 4]),
                    alcohol_units=rng.choice([0, 0, 0, 1, 2, 4]),
                    nicotine=False,
                    stress=min(10, max(0, round(rng.gauss(4, 2)))),
                    exercise_minutes=exercise,
                    exercise_new=exercise > 0 and rng.random() < 0.3,
                    sun_heat_minutes=rng.choice([0, 0, 15, 30, 60, 120]),
                    magnesium=rng.random() < 0.6,
                    vitamin_d=rng.random() < 0.8,
                    potassium=False,
                    calcium=False,
                    vitamin_b=rng.random() < 0.2,
                )
            )
        return checkins

    def _rate(self, checkin, yesterday):
        rate = self.base_rate
        if checkin and checkin.sleep_hours is not None and checkin.sleep_hours < 6:
            rate *= 2.5
        if checkin and checkin.fluids_glasses is not None and checkin.fluids_glasses < 6:
            rate *= 1.6
        if yesterday and yesterday.exercise_new:
            rate *= 2.5
        return rate

    def _episodes(self, patient, checkins_by_day):
        rng = self.random
        if self.episodes is not None:
            # The base rate that makes the expected total, given the days' patterns.
            self.base_rate = 1.0
            expected = sum(
                self._rate(checkins_by_day.get(day), checkins_by_day.get(day - timedelta(days=1)))
                for day in (self.first_day + timedelta(days=offset) for offset in range(self.days))
            )
            self.base_rate = self.episodes / expected
        episodes, places, reliefs, uses = [], [], [], []
        for offset in range(self.days):
            day = self.first_day + timedelta(days=offset)
            checkin = checkins_by_day.get(day)
            count = _poisson(rng, self._rate(checkin, checkins_by_day.get(day - timedelta(days=1))))
            for _ in range(count):
                started_at = self._start(rng, day)
                if started_at > self.now:
                    continue
                episode, where, tried, taken = self._episode(rng, patient, started_at, checkin)
                episodes.append(episode)
                places += [EpisodeLocation(episode=episode, region=region, side=side) for region, side in where]
                reliefs += [EpisodeRelief(episode=episode, measure=measure, helped=helped) for measure, helped in tried]
                uses += [EpisodeMedicine(episode=episode, medicine=medicine, dose=medicine.dose) for medicine in taken]
            if checkin:
                checkin.penn_frequency, checkin.penn_severity = _penn(count)

        if self.days >= 30 and episodes:
            # One cramp that lasted more than an hour, as a red flag to show.
            episodes[-len(episodes) // 3].duration_seconds = 75 * 60

        CheckIn.objects.bulk_create(checkins_by_day.values(), batch_size=BATCH)
        # The episodes first: their places, relief and medicines then take the ids they are given.
        Episode.objects.bulk_create(episodes, batch_size=BATCH)
        EpisodeLocation.objects.bulk_create(places, batch_size=BATCH)
        EpisodeRelief.objects.bulk_create(reliefs, batch_size=BATCH)
        EpisodeMedicine.objects.bulk_create(uses, batch_size=BATCH)

    def _start(self, rng, day):
        # Night cramps cluster between 1 and 5; the rest spread over the waking day.
        minute = rng.randint(60, 5 * 60) if rng.random() < 0.45 else rng.randint(7 * 60, 23 * 60)
        return datetime.combine(day, time(minute // 60, minute % 60), self.zone)

    def _episode(self, rng, patient, started_at, checkin):
        hour = started_at.astimezone(self.zone).hour
        at_night = hour < 6
        caffeine = checkin.caffeine_drinks if checkin else 1
        if not at_night and rng.random() < 0.15 + 0.08 * caffeine:
            kind, where = "twitch", [("eyelid", rng.choice(["left", "right"]))]
            duration = rng.randint(3, 40)
            intensity = rng.randint(1, 3)
            activity = rng.choice(["sitting", "working", "resting"])
        else:
            kind = "cramp" if rng.random() < 0.7 else "spasm"
            region = rng.choices(["calf", "foot", "thigh_back", "lower_back", "neck"], [55, 18, 12, 9, 6])[0]
            side = (
                "midline"
                if region in ("lower_back", "neck")
                else rng.choices(["left", "right", "both"], [55, 35, 10])[0]
            )
            where = [(region, side)]
            if region == "calf" and rng.random() < 0.2:
                where.append(("foot", side))
            duration = min(int(math.exp(rng.gauss(math.log(90), 0.8))), 40 * 60)
            intensity = min(10, max(1, round(rng.gauss(6 if at_night else 4.5, 1.8))))
            activity = (
                "sleeping" if at_night else rng.choice(["walking", "standing", "working", "exercising", "sitting"])
            )

        tried = []
        if kind != "twitch":
            if rng.random() < 0.7:
                tried.append(
                    ("stretching", rng.choices([Helped.A_LOT, Helped.A_LITTLE, Helped.NOT_AT_ALL], [6, 3, 1])[0])
                )
            if rng.random() < 0.3:
                tried.append(("massage", rng.choice([Helped.A_LITTLE, Helped.A_LOT])))
            if rng.random() < 0.2:
                tried.append(("moist_heat", rng.choice([Helped.A_LITTLE, Helped.A_LOT, ""])))
        taken = []
        baclofen = self.medicines["baclofen"]
        if (
            kind != "twitch"
            and intensity >= 7
            and started_at.astimezone(self.zone).date() >= baclofen.started
            and rng.random() < 0.5
        ):
            taken.append(baclofen)
            tried.append(("medicine", rng.choice([Helped.A_LITTLE, Helped.A_LOT])))

        dehydrated = bool(
            checkin and checkin.fluids_glasses is not None and checkin.fluids_glasses < 5 and rng.random() < 0.5
        )
        episode = Episode(
            patient=patient,
            started_at=started_at,
            duration_seconds=max(1, duration),
            kind=kind,
            intensity=intensity,
            activity=activity,
            new_exercise=activity == "exercising" and rng.random() < 0.3,
            hot=rng.random() < 0.08,
            sun=rng.random() < 0.05,
            dehydrated=dehydrated,
            pain=kind != "twitch" and rng.random() < 0.8,
            weakness=kind != "twitch" and rng.random() < 0.05,
            numbness=rng.random() < 0.03,
        )
        return episode, where, tried, taken


def _poisson(rng, rate):
    """A Poisson draw by Knuth's method; rates here are small."""
    limit, k, product = math.exp(-rate), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _penn(count):
    """A Penn Spasm Frequency Scale rating that fits the day's count."""
    if count == 0:
        return 0, None
    if count <= 2:
        return 1, 1
    if count <= 5:
        return 2, 2
    return 3, 2
