"""What goes with more spasms: the statistics against data whose truth is known, the words, the pages."""

from datetime import date, datetime, time, timedelta
from io import StringIO
from types import SimpleNamespace

import numpy as np
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from logs.management.commands.seed_demo import DEMO_EMAIL
from logs.models import User
from reports import insights, summary
from reports.charts import forest_plot
from reports.insights import MIN_DAYS, compare
from spasmlog.dates import Period
from tests.factories import CheckInFactory, EpisodeFactory, MedicineFactory

FIRST_DAY = date(2026, 1, 1)
RUNS = 200


def day_of(offset, **factors):
    """A check-in as compare() reads it: every factor absent unless given."""
    fields = dict.fromkeys(insights.CHECKIN_FIELDS)
    fields.update(nicotine=False, exercise_new=False, **dict.fromkeys(insights.SUPPLEMENT_FIELDS, False))
    fields.update(factors, day=FIRST_DAY + timedelta(days=offset))
    return SimpleNamespace(**fields)


def diary(rng, *, days=120, doubling_share=0.3, dispersion=None, lag=0):
    """
    Days where short sleep doubles the rate of spasms (on the same day, or the
    next with lag=1) and caffeine does nothing. With a dispersion, the daily
    counts are negative binomial (spasms come in bursts) instead of Poisson.
    """
    short = rng.random(days) < doubling_share
    caffeine = rng.random(days) < 0.4
    rate = np.full(days, 1.5)
    if lag:
        rate[1:] *= np.where(short[:-1], 2.0, 1.0)
    else:
        rate *= np.where(short, 2.0, 1.0)
    if dispersion:
        rate = rng.gamma(dispersion, rate / dispersion)
    counts = rng.poisson(rate)
    checkins = [
        day_of(i, sleep_hours=5 if short[i] else 8, caffeine_drinks=4 if caffeine[i] else 0) for i in range(days)
    ]
    return checkins, {checkin.day: int(n) for checkin, n in zip(checkins, counts, strict=True) if n}


def row(found, key, lag=0):
    return next(r for r in found.associations if r.factor.key == key and r.lag == lag)


@pytest.mark.parametrize("dispersion", [None, 2.0], ids=["poisson", "bursts"])
def test_a_doubling_is_found_and_its_interval_covers_it_in_most_runs(dispersion):
    rng = np.random.default_rng(2026)
    estimates, covered, null_covered = [], 0, 0
    for _ in range(RUNS):
        found = compare(*diary(rng, dispersion=dispersion))
        sleep, caffeine = row(found, "short_sleep"), row(found, "caffeine")
        estimates.append(sleep.ratio)
        covered += sleep.low <= 2.0 <= sleep.high
        null_covered += caffeine.low <= 1.0 <= caffeine.high
    assert 1.85 <= float(np.median(estimates)) <= 2.15
    # 95% intervals: in 200 runs, fewer than 90% covering would be a real fault, not bad luck.
    assert covered / RUNS >= 0.9
    assert null_covered / RUNS >= 0.9


def test_bursty_days_widen_the_interval_rather_than_overclaim():
    rng = np.random.default_rng(7)
    checkins, counts = diary(rng, dispersion=1.0, days=200)
    bursty = row(compare(checkins, counts), "short_sleep")
    present = np.array([c.sleep_hours < 6 for c in checkins])
    y = np.array([counts.get(c.day, 0) for c in checkins], dtype=float)
    poisson = insights.exact_rate_ratio(
        int(y[present].sum()), int(present.sum()), int(y[~present].sum()), int((~present).sum())
    )
    assert (bursty.high - bursty.low) > (poisson[2] - poisson[1])


def test_a_factor_of_no_effect_is_rarely_called_clear():
    rng = np.random.default_rng(11)
    clear = sum(
        any(r.factor.key == "caffeine" for r in compare(*diary(rng, dispersion=2.0)).clear) for _ in range(RUNS)
    )
    assert clear / RUNS <= 0.08


def test_an_effect_the_next_day_is_found_at_a_lag_of_one():
    rng = np.random.default_rng(3)
    found = compare(*diary(rng, days=200, lag=1))
    assert row(found, "short_sleep", lag=1).direction == "more"
    assert 1.5 < row(found, "short_sleep", lag=1).ratio < 2.7
    assert row(found, "short_sleep", lag=0).direction == "unclear"
    assert row(found, "short_sleep", lag=1).headline == "More spasms the day after sleep under 6 hours"


def test_too_few_days_claims_nothing_and_says_how_many_more():
    checkins = [day_of(i, caffeine_drinks=4 if i < MIN_DAYS - 2 else 0, stress=8 if i < 3 else 2) for i in range(30)]
    counts = {c.day: 5 if c.caffeine_drinks else 1 for c in checkins}
    found = compare(checkins, counts)
    assert not any(r.factor.key in ("caffeine", "stress") for r in found.associations)
    waiting = {w.factor.key: w.needs for w in found.waiting}
    assert waiting == {"caffeine": "2 more check-ins with it", "stress": "4 more check-ins with it"}


def test_with_few_check_ins_it_says_how_many_are_needed():
    found = compare([day_of(i, sleep_hours=5) for i in range(9)], {})
    assert found.associations == [] and found.checkins_needed == 2 * MIN_DAYS - 9


def test_a_factor_the_same_every_day_is_left_out():
    found = compare([day_of(i, magnesium=True, sleep_hours=8) for i in range(40)], {FIRST_DAY: 3})
    assert found.associations == [] and found.waiting == []


def test_days_without_a_check_in_are_not_counted():
    """A day with no check-in may just not have been logged: its spasms count for neither side."""
    checkins = [day_of(i, sleep_hours=5 if i % 2 else 8) for i in range(0, 60, 2)] + [
        day_of(i, sleep_hours=5) for i in range(61, 80, 2)
    ]
    counts = {c.day: 2 for c in checkins} | {FIRST_DAY + timedelta(days=i): 50 for i in range(1, 60, 2)}
    sleep = row(compare(checkins, counts), "short_sleep")
    assert sleep.episodes_with + sleep.episodes_without == 2 * len(checkins)
    assert sleep.ratio == pytest.approx(1.0)
    with pytest.raises(StopIteration):
        row(compare(checkins, counts), "short_sleep", lag=1)  # no two check-ins on days in a row


def test_no_spasms_on_one_side_gets_an_exact_interval():
    checkins = [day_of(i, exercise_new=i % 3 == 0) for i in range(60)]
    counts = {c.day: 3 for c in checkins if not c.exercise_new}
    exercise = row(compare(checkins, counts), "new_exercise")
    assert exercise.ratio == 0 and exercise.low == 0 and 0 < exercise.high < 0.2
    assert exercise.direction == "fewer"
    assert exercise.ratio_text.startswith("0 (up to 0.")


def test_a_medicine_counts_on_the_days_it_was_taken():
    checkins = [day_of(i) for i in range(60)]
    started, stopped = FIRST_DAY + timedelta(days=20), FIRST_DAY + timedelta(days=39)
    counts = {c.day: 4 if started <= c.day <= stopped else 1 for c in checkins}
    medicine = {"id": 9, "name": "Prednisolone", "started": started, "stopped": stopped}
    found = compare(checkins, counts, [medicine])
    prednisolone = row(found, "medicine_9")
    assert (prednisolone.days_with, prednisolone.days_without) == (20, 40)
    assert prednisolone.ratio == pytest.approx(4.0)
    assert prednisolone.headline == "More spasms on days with Prednisolone"


def test_strongest_evidence_first_and_possibly_when_it_could_be_chance():
    rng = np.random.default_rng(5)
    found = compare(*diary(rng, days=300))
    p_values = [r.p_value for r in found.associations]
    assert p_values == sorted(p_values)
    assert found.associations[0].factor.key == "short_sleep"
    assert all(r.q_value >= r.p_value for r in found.associations)
    caffeine = insights.DAILY_FACTORS[2]
    nominal = insights.Association(caffeine, 0, 10, 10, 30, 10, 3.0, 1.1, 8.0, p_value=0.03, q_value=0.2)
    assert nominal.headline == "Possibly more spasms on days with 3 or more caffeine drinks"
    assert nominal not in insights.Insights([nominal], [], 20, 40).clear


def test_the_words_never_say_cause():
    rng = np.random.default_rng(1)
    found = compare(*diary(rng))
    for association in found.associations:
        assert "cause" not in association.headline.lower() and "cause" not in association.estimate


def test_the_forest_plot_puts_values_on_a_log_scale_and_arrows_off_it():
    rows = [SimpleNamespace(ratio=1.0, low=0.5, high=2.0), SimpleNamespace(ratio=6.0, low=0.1, high=9.0)]
    plot = forest_plot(rows, width=120)
    assert plot["one"] == 60.0
    first, second = plot["rows"]
    assert (first["x_low"], first["x"], first["x_high"]) == (30.0, 60.0, 90.0)
    assert not first["beyond_low"] and not first["beyond_high"]
    assert (second["x_low"], second["x"], second["x_high"]) == (0.0, 120.0, 120.0)
    assert second["beyond_low"] and second["beyond_high"]
    assert [label for _, label in plot["ticks"]] == ["¼", "½", "1", "2", "4"]


# From the database ----------------------------------------------------------


def patterned_diary(patient, today, days=60):
    """Short sleep every third day, with 4 spasms that day; 1 on the others. Up to yesterday."""
    for offset in range(1, days + 1):
        day = today - timedelta(days=offset)
        short = offset % 3 == 0
        CheckInFactory(patient=patient, day=day, sleep_hours=5 if short else 8, penn_frequency=2)
        for hour in range(4 if short else 1):
            EpisodeFactory(patient=patient, started_at=datetime.combine(day, time(9 + hour), patient.zone))


def test_what_goes_with_reads_the_diary_in_three_queries(patient, django_assert_num_queries):
    today = timezone.now().astimezone(patient.zone).date()
    patterned_diary(patient, today)
    MedicineFactory(patient=patient, started=today - timedelta(days=30))
    with django_assert_num_queries(3):
        found = summary.what_goes_with(patient, Period.last(90, today), today, shown=3, waiting_shown=2)["found"]
    sleep = row(found, "short_sleep")
    assert (sleep.days_with, sleep.days_without, sleep.episodes_with, sleep.episodes_without) == (20, 40, 80, 40)
    assert sleep.ratio == pytest.approx(4.0)


def test_today_is_left_out_until_it_is_over(patient):
    today = timezone.now().astimezone(patient.zone).date()
    patterned_diary(patient, today)
    period = Period.last(90, today)
    before = summary.what_goes_with(patient, period, today, shown=3, waiting_shown=2)["found"]
    CheckInFactory(patient=patient, day=today, sleep_hours=5, penn_frequency=2)
    # Now, not the factory's hour ago, which is yesterday in the first hour of a day.
    EpisodeFactory(patient=patient, started_at=timezone.now())
    assert summary.what_goes_with(patient, period, today, shown=3, waiting_shown=2)["found"] == before
    tomorrow = summary.what_goes_with(patient, period, today + timedelta(days=1), shown=3, waiting_shown=2)["found"]
    assert row(tomorrow, "short_sleep").days_with == row(before, "short_sleep").days_with + 1


def test_episodes_are_counted_on_the_patients_own_day(patient):
    """A spasm at 00:30 in Auckland is on that local day, though it is the day before in UTC."""
    patient.time_zone = "Pacific/Auckland"
    patient.save()
    zone = patient.zone
    EpisodeFactory(patient=patient, started_at=datetime(2026, 3, 10, 0, 30, tzinfo=zone))
    EpisodeFactory(patient=patient, started_at=datetime(2026, 3, 10, 23, 59, tzinfo=zone))
    days = summary.episodes_per_day(patient, Period(date(2026, 3, 9), date(2026, 3, 11)))
    assert {day: row["n"] for day, row in days.items()} == {date(2026, 3, 10): 2}


def test_the_dashboard_card_and_the_summary_show_them(patient_client, patient):
    today = timezone.now().astimezone(patient.zone).date()
    patterned_diary(patient, today)
    for name in ("reports:dashboard", "reports:summary"):
        page = patient_client.get(reverse(name)).content.decode()
        assert "More spasms on days with sleep under 6 hours" in page
        assert "not a diagnosis" in page and "Associations" in page
        assert 'class="forest"' in page


def test_the_summary_counts_the_days_once_and_finds_the_same(patient_client, patient):
    """It hands its own count of each day's episodes to the insights instead of counting again."""
    today = timezone.now().astimezone(patient.zone).date()
    patterned_diary(patient, today)
    EpisodeFactory(patient=patient)  # today's, which neither counts until the day is over
    period = Period.last(90, today)
    alone = summary.what_goes_with(patient, period, today, shown=3, waiting_shown=2)["found"]
    response = patient_client.get(reverse("reports:summary"))
    assert response.context["insights"]["found"] == alone
    assert row(alone, "short_sleep").episodes_with == 80


def test_with_too_few_check_ins_the_card_says_how_many_more(patient_client, patient):
    today = timezone.now().astimezone(patient.zone).date()
    for offset in range(1, 6):
        CheckInFactory(
            patient=patient, day=today - timedelta(days=offset), sleep_hours=8, penn_frequency=0, penn_severity=None
        )
    EpisodeFactory(patient=patient)
    page = patient_client.get(reverse("reports:dashboard")).content.decode()
    assert "there are 5 so far. 9 more will do for the first" in " ".join(page.split())


def test_the_demo_diary_shows_its_built_in_patterns(db, settings, client):
    settings.DEBUG = True
    call_command("seed_demo", stdout=StringIO())
    client.force_login(User.objects.get(email=DEMO_EMAIL))
    card = client.get(reverse("reports:dashboard")).context["insights"]
    clear = [r.headline for r in card["found"].clear]
    assert "More spasms on days with sleep under 6 hours" in clear
    assert "More spasms the day after new or unusual exercise" in clear
    assert {item["row"].factor.key for item in card["plot"]["rows"][:2]} == {"short_sleep", "new_exercise"}


def test_the_same_days_are_not_fitted_twice(monkeypatch):
    rng = np.random.default_rng(9)
    checkins, counts = diary(rng, days=90)
    fits = []
    fit = insights.rate_ratio
    monkeypatch.setattr(insights, "rate_ratio", lambda *args: fits.append(1) or fit(*args))
    first = compare(checkins, counts)
    fitted = len(fits)
    assert fitted == len(first.associations)
    assert compare(checkins, counts) == first and len(fits) == fitted
    # One more spasm on the first day changes the same-day comparisons; that day is no "day after".
    counts[checkins[0].day] = counts.get(checkins[0].day, 0) + 1
    compare(checkins, counts)
    assert len(fits) == fitted + sum(row.lag == 0 for row in first.associations)
