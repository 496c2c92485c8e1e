"""The pre-appointment summary: every figure checked against a diary built by hand."""

import io
import statistics
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db.models import Avg, Count, Max, Min, Sum
from django.urls import reverse
from pypdf import PdfReader

from logs.models import Episode, EpisodeLocation, EpisodeMedicine, EpisodeRelief, Medicine, Region, Relief
from reports import summary
from reports.summary import APPENDIX_CELL_CHARS, APPENDIX_EPISODES
from spasmlog.dates import Period
from tests.factories import CheckInFactory, EpisodeFactory, LocationFactory, MedicineFactory

NOW = datetime(2026, 4, 15, 11, 0, tzinfo=UTC)  # 12:00 in London, summer time
TODAY = date(2026, 4, 15)
LAST_30 = Period(date(2026, 3, 17), TODAY)


def at(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def episode(patient, start, *, where=(("calf", "left"),), **fields):
    made = EpisodeFactory(patient=patient, started_at=at(start), location=None, **fields)
    for region, side in where:
        LocationFactory(episode=made, region=region, side=side)
    return made


@pytest.fixture
def diary(patient, time_machine):
    """
    A London diary around the change to summer time on 29 March 2026. Five
    episodes in the 30 days to 15 April, two in the 30 days before.
    """
    time_machine.move_to(NOW)
    patient.time_zone = "Europe/London"
    patient.save()
    profile = patient.profile
    profile.first_noticed = date(2025, 3, 1)
    profile.date_of_birth = date(1980, 2, 29)
    profile.conditions = "Hypothyroidism"
    profile.questions = "Is it the new statin?"
    profile.save()

    baclofen = MedicineFactory(patient=patient, name="Baclofen", purpose="spasms", started=date(2026, 3, 1))
    MedicineFactory(patient=patient, name="Levothyroxine", purpose="other")
    MedicineFactory(
        patient=patient, name="Prednisolone", kind="corticosteroid", started=date(2026, 1, 1), stopped=date(2026, 2, 1)
    )
    MedicineFactory(patient=patient, name="Estradiol", kind="estrogen", purpose="other", started=date(2026, 3, 20))

    # Before the period: 1 March, and 23:30 GMT on 16 March.
    episode(patient, "2026-03-01T10:00:00")
    episode(patient, "2026-03-16T23:30:00")
    # In it. 08:30 GMT and 08:30 BST are both 8 in the morning in London.
    first = episode(patient, "2026-03-20T08:30:00", duration_seconds=30, intensity=2, activity="sleeping", hot=True)
    second = episode(
        patient,
        "2026-04-02T07:30:00",
        where=(("calf", "right"), ("foot", "right")),
        duration_seconds=60,
        intensity=4,
        activity="walking",
        hot=True,
    )
    third = episode(
        patient,
        "2026-04-05T22:30:00",
        where=(("lower_back", "midline"),),
        kind="spasm",
        duration_seconds=90,
        intensity=6,
        activity="sitting",
    )
    fourth = episode(
        patient,
        "2026-04-10T01:15:00",
        where=(("calf", "both"),),
        duration_seconds=120,
        intensity=8,
        activity="sleeping",
        bladder_bowel=True,
    )
    episode(
        patient,
        "2026-04-12T13:00:00",
        where=(("eyelid", "left"),),
        kind="twitch",
        duration_seconds=4000,
        intensity=None,
        activity="sitting",
        dark_urine=True,
    )
    for made, measure, helped in [
        (first, "stretching", "a_lot"),
        (second, "stretching", "not_at_all"),
        (fourth, "stretching", "a_little"),
        (third, "medicine", ""),
        (fourth, "medicine", "a_lot"),
    ]:
        EpisodeRelief.objects.create(episode=made, measure=measure, helped=helped)
    EpisodeMedicine.objects.create(episode=third, medicine=baclofen, dose="10 mg")
    EpisodeMedicine.objects.create(episode=fourth, medicine=baclofen, dose="20 mg")

    CheckInFactory(patient=patient, day=date(2026, 3, 10), penn_frequency=4, penn_severity=3, sleep_hours=3)
    CheckInFactory(patient=patient, day=date(2026, 4, 14), penn_frequency=2, penn_severity=1, sleep_hours=5)
    CheckInFactory(patient=patient, day=TODAY, penn_frequency=1, penn_severity=1, sleep_hours=7, magnesium=True)
    return patient


@pytest.fixture
def built(diary):
    return summary.build_summary(diary, LAST_30, NOW)


def test_the_period_defaults_to_the_last_90_days():
    assert Period.last(90, TODAY) == Period(date(2026, 1, 16), TODAY)
    assert Period.last(90, TODAY).previous() == Period(date(2025, 10, 18), date(2026, 1, 15))


def test_it_counts_the_period_and_the_one_before(built):
    assert built["n"] == 5
    assert built["how_often"]["previous"] == 2
    assert built["how_often"]["per_week"] == pytest.approx(7 * 5 / 30)
    assert built["how_often"]["change"] == 150
    assert built["how_often"]["spasm_days"] == 5


def test_durations_give_median_quartiles_and_longest(built):
    how_long = built["how_long"]
    assert (how_long["median"], how_long["low"], how_long["high"], how_long["highest"]) == (90, 60, 120, 4000)
    assert how_long["counted"] == 5


def test_intensity_gives_median_and_highest_of_those_rated(built):
    how_strong = built["how_strong"]
    assert (how_strong["median"], how_strong["highest"], how_strong["counted"]) == (5, 8, 4)


def test_time_of_day_is_read_in_the_patients_zone_across_daylight_saving(built):
    hours = {bar["hour"]: bar["n"] for bar in built["when"]["chart"]["bars"]}
    assert hours[8] == 2  # 08:30 GMT in March and 08:30 BST in April
    assert hours[7] == 0
    assert (hours[23], hours[2], hours[14]) == (1, 1, 1)
    assert [(block["label"], block["n"], block["share"]) for block in built["when"]["blocks"]] == [
        ("Night", 1, 20),
        ("Morning", 2, 40),
        ("Afternoon", 1, 20),
        ("Evening", 1, 20),
    ]


def test_time_of_day_in_a_zone_that_falls_back(patient, time_machine):
    time_machine.move_to(at("2024-11-10T12:00:00"))
    patient.time_zone = "America/New_York"
    patient.save()
    # 05:30 UTC on 3 November is 01:30 EDT; 06:30 UTC is 01:30 EST, after the clocks went back.
    episode(patient, "2024-11-03T05:30:00")
    episode(patient, "2024-11-03T06:30:00")
    episode(patient, "2024-11-04T06:30:00")  # 01:30 EST
    built = summary.build_summary(patient, Period.last(30, date(2024, 11, 10)), at("2024-11-10T12:00:00"))
    hours = {bar["hour"]: bar["n"] for bar in built["when"]["chart"]["bars"]}
    assert hours[1] == 3
    assert sum(hours.values()) == 3


@pytest.mark.parametrize(
    ("zone", "started", "day", "hour"),
    [
        # London's clocks go forward at 01:00 UTC on 29 March 2026.
        ("Europe/London", "2026-03-29T00:59:59", date(2026, 3, 29), 0),
        ("Europe/London", "2026-03-29T01:00:00", date(2026, 3, 29), 2),
        # Half and three quarters of an hour from UTC.
        ("Asia/Kolkata", "2026-04-10T08:29:59", date(2026, 4, 10), 13),
        ("Asia/Kolkata", "2026-04-10T08:30:00", date(2026, 4, 10), 14),
        ("Asia/Kathmandu", "2026-04-10T18:14:59", date(2026, 4, 10), 23),
        ("Asia/Kathmandu", "2026-04-10T18:15:00", date(2026, 4, 11), 0),
        ("Pacific/Auckland", "2026-04-10T12:00:00", date(2026, 4, 11), 0),
    ],
)
def test_each_episode_lands_on_its_local_day_and_hour(patient, time_machine, zone, started, day, hour):
    time_machine.move_to(NOW)
    patient.time_zone = zone
    patient.save()
    episode(patient, started, fever=True)
    built = summary.build_summary(patient, Period(date(2026, 3, 20), TODAY), NOW)
    hours = {bar["hour"]: bar["n"] for bar in built["when"]["chart"]["bars"]}
    assert hours[hour] == 1 and sum(hours.values()) == 1
    assert built["red_flags"][0]["dates"] == [day]


def test_places_are_ranked_with_counts_share_and_sides(built):
    regions = built["where"]["regions"]
    assert [(r["label"], r["n"], r["share"]) for r in regions] == [
        ("Calf", 3, 60),
        ("Eyelid", 1, 20),
        ("Lower back", 1, 20),
        ("Foot or toes", 1, 20),
    ]
    assert regions[0]["sides"] == [("left", 1), ("right", 1), ("both sides", 1)]


def test_the_body_diagram_shades_each_side_by_its_episodes(built):
    shapes = {shape["label"]: shape for shape in built["where"]["diagram"]["shapes"]}
    # Both calves had 2: their own side and the episode on both sides.
    assert shapes["Left calf"]["n"] == 2
    assert shapes["Right calf"]["n"] == 2
    assert shapes["Lower back"]["n"] == 1
    assert shapes["Left shin"]["n"] == 0
    assert shapes["Left calf"]["fill"] != shapes["Left shin"]["fill"]
    assert built["where"]["diagram"]["top"] == 2


def test_activities_surroundings_kinds_and_what_came_with_them(built):
    assert [(a["label"], a["n"], a["share"]) for a in built["doing_what"]["activities"]] == [
        ("Sitting", 2, 40),
        ("Sleeping", 2, 40),
        ("Walking", 1, 20),
    ]
    assert [(e["label"], e["n"], e["share"]) for e in built["environment"]] == [("hot", 2, 40)]
    assert built["kinds"] == [("Twitch", 1), ("Cramp", 3), ("Spasm", 1)]
    assert {item["label"] for item in built["came_with"]} == {"loss of bladder or bowel control", "dark urine"}


def test_red_flags_come_with_their_dates(built):
    flags = {flag["label"]: flag for flag in built["red_flags"]}
    assert flags["Loss of bladder or bowel control with a spasm"]["dates"] == [date(2026, 4, 10)]
    assert flags["Loss of bladder or bowel control with a spasm"]["urgent"]
    assert flags["An episode lasting more than an hour"]["dates"] == [date(2026, 4, 12)]
    assert "Spasms more than doubled: 5 against 2 in the 30 days before" in flags
    # Dark urine without weakness is not the red flag.
    assert "Dark urine with weakness" not in flags
    assert built["urgent"]


def test_spasms_on_most_days_for_weeks_is_a_red_flag(patient, time_machine):
    time_machine.move_to(NOW)
    for days_ago in range(21):
        if days_ago % 7 not in (0, 3):  # 5 days of every 7
            EpisodeFactory(patient=patient, started_at=NOW - timedelta(days=days_ago, hours=1))
    built = summary.build_summary(patient, LAST_30, NOW)
    flag = next(flag for flag in built["red_flags"] if "most days" in flag["label"])
    assert flag["label"] == "Spasms on most days for 3 weeks in a row"
    assert flag["span"] == (date(2026, 3, 26), TODAY)


def test_a_quiet_diary_has_no_red_flags(patient, time_machine):
    time_machine.move_to(NOW)
    EpisodeFactory(patient=patient, started_at=NOW - timedelta(days=3))
    built = summary.build_summary(patient, LAST_30, NOW)
    assert built["red_flags"] == []


def test_penn_scores_and_daily_factors_come_from_the_periods_check_ins(built):
    assert [c.day for c in built["latest_penn"]] == [TODAY, date(2026, 4, 14)]
    factors = built["factors"]
    assert (factors["n"], factors["sleep"], factors["short_sleep"]) == (2, 6, 1)
    assert (factors["penn_low"], factors["penn_high"]) == (1, 2)
    assert built["supplements"] == [("magnesium", 1)]


def test_medicines_of_the_period_and_how_those_for_spasms_helped(built):
    medicines = {medicine.name: medicine for medicine in built["medicines"]}
    assert set(medicines) == {"Baclofen", "Levothyroxine", "Estradiol"}  # prednisolone stopped before
    use = medicines["Baclofen"].use
    assert (use["taken"], use["a_lot"], use["a_little"], use["not_at_all"]) == (2, 1, 0, 0)
    assert medicines["Estradiol"].may_cause_spasms
    assert [m.name for m in built["medicines"]][0] == "Baclofen"  # for spasms first


def test_relief_measures_and_how_often_they_helped(built):
    assert [(r["label"], r["n"], r["levels"], r["unsure"]) for r in built["reliefs"]] == [
        ("Stretching", 3, [1, 1, 1], 0),
        ("Medicine", 2, [1, 0, 0], 1),
    ]


def test_the_history_comes_from_the_profile(built):
    assert built["history"]["first_noticed"] == {"date": date(2025, 3, 1), "months": 13}
    assert built["history"]["items"][0][0] == "Conditions"
    assert built["history"]["questions"]["text"] == "Is it the new statin?"
    assert built["diary_start"] == date(2026, 3, 1)


def test_another_patients_diary_stays_out(diary, other_patient):
    EpisodeFactory(patient=other_patient, started_at=NOW - timedelta(days=1))
    CheckInFactory(patient=other_patient, day=TODAY)
    MedicineFactory(patient=other_patient, name="Quinine")
    built = summary.build_summary(diary, LAST_30, NOW)
    assert built["n"] == 5
    assert built["factors"]["n"] == 2
    assert "Quinine" not in [m.name for m in built["medicines"]]


def test_the_page_shows_the_answers(client, diary):
    client.force_login(diary)
    page = client.get(reverse("reports:summary"), {"period": "30"}).content.decode()
    assert "15 Apr 2026" in page and "17 Mar 2026" in page
    assert "born 29 February 1980" in page
    assert "Since March 2025 (13 months)" in page
    assert "Median 1 min 30 s; typically 1 min to 2 min; longest 1 h 6 min 40 s" in page
    assert "1.2 a week" in page and "up 150%" in page
    assert "Median 5, highest 8" in page
    assert "Calf 3 (60%: left 1, right 1, both sides 1)" in page
    assert "Morning (06–12) 40%" in page
    assert "Loss of bladder or bowel control with a spasm: 10 Apr" in page
    assert "urgent care now" in page
    assert "Estrogen pill: can itself cause spasms" in page
    assert "Is it the new statin?" in page


def test_an_empty_period_says_so(patient_client, patient, time_machine):
    time_machine.move_to(NOW)
    response = patient_client.get(
        reverse("reports:summary"), {"period": "range", "start": "2026-01-01", "end": "2026-01-31"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "No episodes logged between 1 January 2026 and 31 January 2026." in page
    assert "<svg" not in page.split('class="summary"')[1].split("</section>")[0]


def test_the_appendix_lists_the_periods_episodes_when_asked(client, diary):
    client.force_login(diary)
    page = client.get(reverse("reports:summary"), {"period": "30", "appendix": "on"}).content.decode()
    assert "Appendix: episodes" in page
    assert page.count("<td>Fri 20 Mar 2026, 08:30</td>") == 1
    assert "Thu 2 Apr 2026, 08:30" in page  # summer time
    without = client.get(reverse("reports:summary"), {"period": "30"}).content.decode()
    assert "Appendix: episodes" not in without


def hourly_episodes(patient, count):
    """count episodes in the left calf, one an hour back from an hour before NOW, made in bulk."""
    made = Episode.objects.bulk_create(
        Episode(patient=patient, started_at=NOW - timedelta(hours=hours), duration_seconds=90, kind="cramp")
        for hours in range(1, count + 1)
    )
    EpisodeLocation.objects.bulk_create(
        EpisodeLocation(episode=episode, region="calf", side="left") for episode in made
    )
    return made


WITH_APPENDIX = {"period": "30", "appendix": "on"}


def test_the_appendix_lists_only_the_latest_episodes_and_says_how_many_more(patient_client, patient, time_machine):
    time_machine.move_to(NOW)
    hourly_episodes(patient, APPENDIX_EPISODES + 25)
    response = patient_client.get(reverse("reports:summary"), WITH_APPENDIX)
    assert response.context["n"] == APPENDIX_EPISODES + 25
    assert len(response.context["appendix"]) == APPENDIX_EPISODES
    appendix = response.content.decode().split('<section class="appendix"')[1]
    assert appendix.count("<tr>") == 1 + APPENDIX_EPISODES  # the head, then a row each
    assert f"Newest first: the latest {APPENDIX_EPISODES} of {APPENDIX_EPISODES + 25}." in appendix
    assert "And 25 more; the full list is in the episodes CSV." in appendix
    # An hour before NOW (12:00 in London) comes first, 300 hours before it last; the 25 earlier are left out.
    rows = appendix.split("<tr>")[2:]
    assert "<td>Wed 15 Apr 2026, 11:00</td>" in rows[0]
    assert "<td>Fri 3 Apr 2026, 00:00</td>" in rows[-1]


def test_an_appendix_that_holds_every_episode_says_no_more(client, diary):
    client.force_login(diary)
    page = client.get(reverse("reports:summary"), WITH_APPENDIX).content.decode()
    assert "Newest first." in page
    assert "more; the full list is in the episodes CSV" not in page
    assert page.index("Sun 12 Apr 2026") < page.index("Fri 20 Mar 2026")


def test_the_appendix_is_read_with_a_limit_however_long_the_period(
    patient_client, patient, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(NOW)
    hourly_episodes(patient, APPENDIX_EPISODES + 1)
    with django_assert_max_num_queries(17 + 4) as captured:
        patient_client.get(reverse("reports:summary"), WITH_APPENDIX)
    listed = [query["sql"] for query in captured.captured_queries if '"started_at" DESC' in query["sql"]]
    assert listed and all(f"LIMIT {APPENDIX_EPISODES}" in sql for sql in listed)


def test_the_summary_and_its_pdf_with_the_appendix_take_the_same_queries_for_10_and_many_episodes(
    patient_client, patient, time_machine, django_assert_max_num_queries
):
    time_machine.move_to(NOW)
    hourly_episodes(patient, 10)
    for name in ("reports:summary", "reports:summary-pdf"):
        with django_assert_max_num_queries(17 + 4):
            patient_client.get(reverse(name), WITH_APPENDIX)

    hourly_episodes(patient, APPENDIX_EPISODES + 30)  # the same hours again: a heavy fortnight
    with django_assert_max_num_queries(17 + 4):
        patient_client.get(reverse("reports:summary"), WITH_APPENDIX)
    with django_assert_max_num_queries(17 + 4):
        response = patient_client.get(reverse("reports:summary-pdf"), WITH_APPENDIX)
    reader = PdfReader(io.BytesIO(response.content))
    assert "And 40 more; the full list is in the episodes CSV." in reader.pages[-1].extract_text()


def test_the_appendix_leaves_the_rest_of_the_summary_as_it_was(patient_client, patient, time_machine):
    time_machine.move_to(NOW)
    hourly_episodes(patient, APPENDIX_EPISODES + 25)

    def summary_part(params):
        page = patient_client.get(reverse("reports:summary"), params).content.decode()
        article = page.split('<article class="summary"')[1].split("</article>")[0]
        return article.split('<section class="appendix"')[0].rstrip()

    without = summary_part({"period": "30"})
    assert f"{APPENDIX_EPISODES + 25} episodes on" in without
    assert summary_part(WITH_APPENDIX) == without


def test_long_places_and_medicines_are_cut_in_the_appendix(patient_client, patient, time_machine):
    time_machine.move_to(NOW)
    (made,) = hourly_episodes(patient, 1)
    EpisodeLocation.objects.bulk_create(
        EpisodeLocation(episode=made, region=region, side="both") for region in Region.values if region != "calf"
    )
    EpisodeRelief.objects.bulk_create(EpisodeRelief(episode=made, measure=measure) for measure in Relief.values)
    for i in range(10):
        medicine = Medicine.objects.create(patient=patient, name=f"Medicine {i} " + "x" * 180)
        EpisodeMedicine.objects.create(episode=made, medicine=medicine, dose="d" * 100)
    response = patient_client.get(reverse("reports:summary"), WITH_APPENDIX)
    (shown,) = response.context["appendix"]
    for text in (shown.where_text, shown.tried_text):
        assert len(text) <= APPENDIX_CELL_CHARS and text.endswith("…")
        assert f"<td>{text}</td>" in response.content.decode()
    assert shown.where_text.startswith("Left calf; Head or scalp, both sides; ")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"period": "since"}, "since", "Pick the first day of the summary."),
        ({"period": "since", "since": "2026-05-01"}, "since", "Pick a day no later than today, 15 April 2026."),
        ({"period": "since", "since": "1 Feb"}, "since", "Enter a valid date."),
        ({"period": "since", "since": "1013-01-01"}, "since", "Pick a day from 1900 on."),
        ({"period": "range", "start": "2026-04-10", "end": "2026-04-01"}, "end", "The end comes before the start."),
        ({"period": "range", "start": "2026-04-10"}, "end", "Pick a day."),
        ({"period": "weekly"}, "period", "Select a valid choice."),
    ],
)
def test_a_period_that_is_not_valid_is_explained_next_to_the_field(patient_client, time_machine, data, field, message):
    time_machine.move_to(NOW)
    response = patient_client.get(reverse("reports:summary"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    page = response.content.decode()
    assert message.replace("'", "&#x27;") in page
    for name, value in data.items():
        if name != "period":
            assert f'value="{value}"' in page  # what was typed is kept
    assert 'class="summary"' not in page


def test_a_download_with_a_period_that_is_not_valid_goes_back_to_the_page(patient_client, time_machine):
    time_machine.move_to(NOW)
    response = patient_client.get(reverse("reports:summary-fhir"), {"period": "since"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:summary") + "?period=since"


def test_quantiles_agree_with_pythons_inclusive_method():
    values = [3, 3, 7, 8, 8, 8, 15, 20, 21, 60]
    distribution = sorted({v: values.count(v) for v in values}.items())
    expected = statistics.quantiles(values, n=4, method="inclusive")
    assert [summary.quantile(distribution, q) for q in (0.25, 0.5, 0.75)] == pytest.approx(expected)
    assert summary.quantile([(5, 1)], 0.5) == 5
    assert summary.quantile([], 0.5) is None


def test_long_profile_text_is_clipped_to_fit_the_page():
    clipped = summary.clip("word " * 500, 100, 4)
    assert clipped["clipped"] and len(clipped["text"]) <= 101 and clipped["text"].endswith("…")
    lines = summary.clip("\n".join(f"line {i}" for i in range(20)), 1000, 3)
    assert lines["text"] == "line 0\nline 1\nline 2…"
    assert summary.clip("short", 100, 4) == {"text": "short", "clipped": False}


def test_the_period_before_is_told_apart_from_a_diary_not_yet_kept(client, patient, time_machine):
    time_machine.move_to(NOW)
    client.force_login(patient)
    episode(patient, "2026-04-10T10:00:00")
    page = client.get(reverse("reports:summary"), {"period": "30"}).content.decode()
    assert "No diary for the 30 days before." in page
    episode(patient, "2026-01-10T10:00:00")  # before the 30 days before: the diary was kept, with none then
    page = client.get(reverse("reports:summary"), {"period": "30"}).content.decode()
    assert "None in the 30 days before." in page


def test_a_day_is_counted_by_its_local_midnights_in_zones_off_the_hour_and_across_daylight_saving(patient):
    """Chatham is 45 minutes off the hour and its clocks went back on 5 April 2026: that day has 25 hours."""
    patient.time_zone = "Pacific/Chatham"
    patient.save()
    zone = patient.zone
    for moment in (
        datetime(2026, 4, 4, 23, 59, tzinfo=zone),
        datetime(2026, 4, 5, 0, 0, tzinfo=zone),
        datetime(2026, 4, 5, 2, 50, tzinfo=zone),  # the first 02:50, before the clocks went back
        datetime(2026, 4, 5, 2, 50, fold=1, tzinfo=zone),  # and the second
        datetime(2026, 4, 5, 23, 59, tzinfo=zone),
        datetime(2026, 4, 6, 0, 0, tzinfo=zone),
    ):
        EpisodeFactory(patient=patient, started_at=moment)
    days = summary.episodes_per_day(patient, Period(date(2026, 4, 5), date(2026, 4, 5)))
    assert list(days) == [date(2026, 4, 5)]
    assert days[date(2026, 4, 5)]["n"] == 4
    assert days[date(2026, 4, 5)]["hours"] == {0: 1, 2: 2, 23: 1}


def test_the_days_figures_are_combined_from_their_quarter_hours(patient):
    zone = patient.zone
    for minute, intensity in ((0, 3), (5, 7), (20, None), (40, 2)):
        EpisodeFactory(patient=patient, started_at=datetime(2026, 4, 2, 9, minute, tzinfo=zone), intensity=intensity)
    EpisodeFactory(patient=patient, started_at=datetime(2026, 4, 3, 9, 0, tzinfo=zone), intensity=None)
    days = summary.episodes_per_day(
        patient,
        Period(date(2026, 4, 1), date(2026, 4, 3)),
        rated=Count("intensity"),
        total=Sum("intensity"),
        highest=Max("intensity"),
        lowest=Min("intensity"),
    )
    assert days[date(2026, 4, 2)] == {
        "day": date(2026, 4, 2),
        "n": 4,
        "hours": {9: 4},
        "rated": 3,
        "total": 12,
        "highest": 7,
        "lowest": 2,
    }
    # As SQL's own by day: nothing rated counts 0, and sums, highest and lowest are None.
    assert days[date(2026, 4, 3)] == {
        "day": date(2026, 4, 3),
        "n": 1,
        "hours": {9: 1},
        "rated": 0,
        "total": None,
        "highest": None,
        "lowest": None,
    }
    with pytest.raises(TypeError):
        summary.episodes_per_day(patient, Period(date(2026, 4, 1), date(2026, 4, 3)), mean=Avg("intensity"))


def test_the_period_form_puts_no_csrf_token_in_the_address(patient_client):
    page = patient_client.get(reverse("reports:summary")).content.decode()
    form = page[page.index('class="summary-form') : page.index("</form>", page.index('class="summary-form'))]
    assert "csrfmiddlewaretoken" not in form


@pytest.mark.parametrize(
    "query, field",
    [
        ({"period": "90", "since": "2026-01-05"}, "since"),
        ({"since": "2026-01-05"}, "since"),
        ({"period": "since", "since": "2026-01-05", "start": "2026-01-01"}, "start"),
        ({"period": "30", "end": "2026-01-05"}, "end"),
    ],
)
def test_a_day_the_chosen_option_does_not_use_is_refused_beside_it(patient_client, query, field):
    response = patient_client.get(reverse("reports:summary"), query)
    form = response.context["form"]
    assert form.errors[field] == [
        f"This day counts only with “{'Since a date' if field == 'since' else 'From a date to a date'}”: "
        "choose that above, or clear the day."
    ]
    assert 'value="2026-01-0' in response.content.decode()  # what was typed stays in its box
