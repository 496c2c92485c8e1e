"""Figures drawn from a patient's diary, for the dashboard and the summary."""

import math
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db.models import Aggregate, Avg, Count, Func, IntegerField, Max, Min, Q, Sum
from django.utils.text import Truncator

from logs import models as diary
from logs.red_flags import EPISODE_RED_FLAGS
from reports import insights
from reports.charts import bar_chart, body_diagram, forest_plot
from sharing.models import Share
from spasmlog.dates import Period, local_midnight

GLANCE_WINDOWS = (7, 30)
# The dashboard's "what goes with your spasms" looks this far back, as the summary does by default.
INSIGHT_DAYS = 90
INSIGHTS_ON_DASHBOARD, WAITING_ON_DASHBOARD = 3, 6
INSIGHTS_IN_SUMMARY, WAITING_IN_SUMMARY = 3, 2
CHART_WIDTH, CHART_HEIGHT = 300, 60


def glance(patient: diary.User, now: datetime) -> dict[str, Any]:
    """The last 7 and 30 days at a glance, for the dashboard."""
    zone = patient.zone
    today = now.astimezone(zone).date()
    longest = max(GLANCE_WINDOWS)
    first_day = today - timedelta(days=longest - 1)
    # One count of the days serves the windows, the chart and the insights, which look further back.
    by_day = episodes_per_day(
        patient,
        Period.last(max(longest, INSIGHT_DAYS), today),
        intensity_sum=Sum("intensity"),
        intensity_count=Count("intensity"),
        intensity_max=Max("intensity"),
    )
    checkins = list(diary.CheckIn.objects.for_patient(patient).between(first_day, today))

    windows = []
    for days in GLANCE_WINDOWS:
        since = today - timedelta(days=days - 1)
        rows = [row for day, row in by_day.items() if day >= since]
        rated = sum(row["intensity_count"] for row in rows)
        window_checkins = [c for c in checkins if c.day >= since]
        slept = [c.sleep_hours for c in window_checkins if c.sleep_hours is not None]
        episodes = sum(row["n"] for row in rows)
        windows.append(
            {
                "days": days,
                "episodes": episodes,
                "spasm_days": len(rows),
                "per_day": episodes / days,
                "average_intensity": (sum(row["intensity_sum"] or 0 for row in rows) / rated) if rated else None,
                "highest_intensity": max(
                    (row["intensity_max"] for row in rows if row["intensity_max"] is not None), default=None
                ),
                "checkins": len(window_checkins),
                "average_sleep": (sum(slept) / len(slept)) if slept else None,
            }
        )

    places = (
        diary.EpisodeLocation.objects.filter(
            episode__patient=patient, episode__started_at__gte=local_midnight(first_day, zone)
        )
        .values_list("region", "side")
        .annotate(n=Count("id"))
        .order_by("-n", "region")[:5]
    )
    return {
        "today": today,
        "windows": windows,
        "places": [(diary.location_label(region, side), n) for region, side, n in places],
        "chart": daily_chart(by_day, first_day, today),
        "latest_checkin": checkins[0] if checkins else None,
        "today_checkin": next((c for c in checkins if c.day == today), None),
        "recent": diary.Episode.objects.for_patient(patient).prefetch_related("locations")[:5],
        "insight_days": INSIGHT_DAYS,
        "insights": what_goes_with(
            patient,
            Period.last(INSIGHT_DAYS, today),
            today,
            shown=INSIGHTS_ON_DASHBOARD,
            waiting_shown=WAITING_ON_DASHBOARD,
            counts={day: row["n"] for day, row in by_day.items()},
        ),
    }


def daily_chart(by_day: Mapping[date, Mapping[str, Any]], first_day: date, last_day: date) -> dict[str, Any]:
    """Bars for an SVG chart of episodes per day."""
    days = (last_day - first_day).days + 1
    items = []
    for i in range(days):
        day = first_day + timedelta(days=i)
        # Labels made here: the template's date filter costs more than the rest of the chart.
        items.append(
            {"day": day, "label": f"{day.day} {day:%b}", "weekday": f"{day:%a}", "n": by_day.get(day, {}).get("n", 0)}
        )
    return bar_chart(items, width=CHART_WIDTH, height=CHART_HEIGHT)


# The pre-appointment summary ------------------------------------------------

# What the first page has room for, whatever the period holds.
TOP_REGIONS = 6
TOP_ACTIVITIES = 5
FLAG_DATES_SHOWN = 5
LATEST_PENN_SHOWN = 3
# What the second page has room for.
MEDICINES_SHOWN = 4
HISTORY_CHARS, HISTORY_LINES = 180, 2
QUESTIONS_CHARS, QUESTIONS_LINES = 450, 6
# The appendix lists the latest episodes only, so that its page and its PDF stay the same size
# however many the period holds: 300 rows fill about 7 A4 pages, drawn in some 2 s of processor
# time, and 21 pages in 3.5 s when every row is as long as the cut allows. Places and what was
# tried are cut to a length, as a patient may add any number of medicines. The episodes CSV has
# everything.
APPENDIX_EPISODES = 300
APPENDIX_CELL_CHARS = 120
# "Spasms that keep coming": on most days of a week, for at least this many weeks in a row,
# or at least double the previous period (with enough episodes for the doubling to mean something).
MOST_DAYS_OF_A_WEEK = 4
WEEKS_IN_A_ROW = 2
DOUBLING_MINIMUM = 4

TIMES_OF_DAY = [("Night", 0, 6), ("Morning", 6, 12), ("Afternoon", 12, 18), ("Evening", 18, 24)]


class QuarterHour(Func):
    """
    The UTC quarter hour a moment falls in, as a whole number, computed by the
    database itself. Every zone is a whole number of quarter hours from UTC, and
    changes its offset on a quarter hour, so each of these maps to one local day
    and hour; grouping by them needs no time zone function called for each row.
    """

    output_field = IntegerField()
    # strftime's %s, escaped once for the template and once for the driver's placeholders.
    template = "CAST(strftime('%%%%s', %(expressions)s) AS INTEGER) / 900"

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(
            compiler, connection, template="FLOOR(EXTRACT(EPOCH FROM %(expressions)s) / 900)::integer", **extra_context
        )


# How the figures of a day's quarter hours make the day's: counts and sums add up.
COMBINE: dict[type[Aggregate], Callable[[Any, Any], Any]] = {Count: operator.add, Sum: operator.add, Max: max, Min: min}


def episodes_per_day(patient: diary.User, period: Period, **aggregates: Aggregate) -> dict[date, dict]:
    """
    The patient's episodes on each day of the period that has any, in the
    patient's zone (daylight saving included), in order of day:
    {day: {"day": day, "n": episodes, "hours": {local hour: episodes}, **aggregates}}.

    The database groups by UTC quarter hour (QuarterHour), which needs no time
    zone function called for each row; each quarter is then placed in its
    local day and hour here. `aggregates` are Count, Sum, Max or Min: each is
    computed for each quarter hour and combined into the day's, and is None
    where the day has nothing for it to count, as SQL's would be.
    """
    for name, aggregate in aggregates.items():
        if type(aggregate) not in COMBINE:
            raise TypeError(f"{name}: only Count, Sum, Max and Min add up from quarter hours to days.")
    zone = patient.zone
    start, end = period.bounds(zone)
    days: dict[date, dict[str, Any]] = {}
    # Plain dicts: the type checker knows "quarter" and "n" of these rows, not the aggregates' names.
    rows = cast(
        "Iterable[dict[str, Any]]",
        diary.Episode.objects.for_patient(patient)
        .between(start, end)
        .annotate(quarter=QuarterHour("started_at"))
        .values("quarter")
        .annotate(n=Count("id"), **aggregates)
        .order_by("quarter"),
    )
    for row in rows:
        moment = datetime.fromtimestamp(row.pop("quarter") * 900, zone)
        day = days.setdefault(moment.date(), {"day": moment.date(), "n": 0, "hours": {}, **dict.fromkeys(aggregates)})
        day["n"] += row["n"]
        day["hours"][moment.hour] = day["hours"].get(moment.hour, 0) + row["n"]
        for name, aggregate in aggregates.items():
            if row[name] is not None:
                so_far = day[name]
                day[name] = row[name] if so_far is None else COMBINE[type(aggregate)](so_far, row[name])
    return days


def quantile(distribution: Sequence[tuple[float, int]], q: float) -> float | None:
    """
    The q-quantile of values given as (value, count) pairs in ascending order,
    interpolated between neighbours as numpy's and Python's "inclusive" method do.
    """
    total = sum(n for _, n in distribution)
    if not total:
        return None
    position = (total - 1) * q
    below, above = math.floor(position), math.ceil(position)

    def nth(index: int) -> float:
        seen = 0
        for value, n in distribution:
            seen += n
            if index < seen:
                return value
        raise IndexError(index)

    low, high = nth(below), nth(above)
    return low + (high - low) * (position - below)


def clip(text: str, chars: int, lines: int) -> dict[str, Any]:
    """Text cut to fit the printed page, and whether it was cut."""
    all_lines = text.strip().splitlines()
    clipped = len(all_lines) > lines
    kept = "\n".join(all_lines[:lines])
    if len(kept) > chars:
        kept, clipped = kept[:chars].rsplit(" ", 1)[0], True
    return {"text": kept + ("…" if clipped else ""), "clipped": clipped}


def share(n: float, total: float) -> int:
    return round(100 * n / total) if total else 0


def months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def build_summary(patient: diary.User, period: Period, now: datetime, *, appendix: bool = False) -> dict[str, Any]:
    """Everything the pre-appointment summary shows, in a fixed number of queries."""
    zone = patient.zone
    start, end = period.bounds(zone)
    previous_start, _ = period.previous().bounds(zone)
    made = now.astimezone(zone)
    in_period = Q(started_at__gte=start)

    profile = diary.Profile.objects.filter(patient=patient).first()
    diary_start = (
        diary.Episode.objects.for_patient(patient).order_by("started_at").values_list("started_at", flat=True).first()
    )

    episodes = diary.Episode.objects.for_patient(patient).between(start, end)
    totals = (
        diary.Episode.objects.for_patient(patient)
        .between(previous_start, end)
        .aggregate(
            n=Count("id", filter=in_period),
            previous=Count("id", filter=~in_period),
            timed=Count("duration_seconds", filter=in_period),
            rated=Count("intensity", filter=in_period),
            longest=Max("duration_seconds", filter=in_period),
            highest=Max("intensity", filter=in_period),
            new_exercise=Count("id", filter=in_period & Q(new_exercise=True)),
            **{f"kind_{kind}": Count("id", filter=in_period & Q(kind=kind)) for kind in diary.Kind.values},
            **{f"env_{name}": Count("id", filter=in_period & Q(**{name: True})) for name in diary.ENVIRONMENT_FIELDS},
            **{f"with_{name}": Count("id", filter=in_period & Q(**{name: True})) for name in diary.ACCOMPANYING_FIELDS},
        )
    )
    n = totals["n"]
    context: dict[str, Any] = {
        "patient": patient,
        "profile": profile,
        "period": period,
        "made": made,
        "n": n,
        "appendix": None,
        "history": _history(profile, made.date()),
        "diary_start": diary_start.astimezone(zone).date() if diary_start else None,
    }
    context.update(_daily_factors(patient, period))
    context.update(_medicines(patient, period, start, end))
    context["reliefs"] = _reliefs(patient, start, end)

    def insights_of(counts):
        return what_goes_with(
            patient,
            period,
            made.date(),
            shown=INSIGHTS_IN_SUMMARY,
            waiting_shown=WAITING_IN_SUMMARY,
            counts=counts,
        )

    if not n:
        context["insights"] = insights_of({})
        context["red_flags"], context["urgent"] = [], False
        return context

    # One pass over the period, by day and hour in the patient's zone, gives the
    # days, the weeks, the red flags' dates and the time of day.
    flags = {f"flag_{flag.name}": Count("id", filter=flag.condition) for flag in EPISODE_RED_FLAGS}
    days = episodes_per_day(patient, period, **flags)
    by_day = list(days.values())
    weeks = _weeks(by_day, period)
    # The days' episodes are counted already: the insights take them rather than count again.
    context["insights"] = insights_of({day: row["n"] for day, row in days.items()})
    context.update(
        {
            "totals": totals,
            "red_flags": (red_flags := _red_flags(totals, by_day, weeks, n, period)),
            "urgent": any(flag["urgent"] for flag in red_flags),
            "how_often": _how_often(totals, by_day, period, diary_start, start),
            "how_long": _spread(episodes, "duration_seconds", totals["timed"], totals["longest"]),
            "how_strong": _spread(episodes, "intensity", totals["rated"], totals["highest"]),
            "where": _where(patient, start, end, n),
            "when": _when(by_day, n),
            "doing_what": _doing_what(episodes, n),
            "environment": _present(totals, "env", diary.ENVIRONMENT_FIELDS, n),
            "came_with": _present(totals, "with", diary.ACCOMPANYING_FIELDS, n),
            "kinds": [
                (diary.Kind(kind).label, totals[f"kind_{kind}"]) for kind in diary.Kind.values if totals[f"kind_{kind}"]
            ],
            "week_chart": bar_chart(weeks, width=CHART_WIDTH, height=CHART_HEIGHT),
        }
    )
    if appendix:
        context.update(_appendix(episodes, n))
    return context


def _appendix(episodes, n):
    """The period's latest episodes, newest first, with their details, and how many more there are."""
    shown = diary.with_details(episodes.order_by("-started_at")[:APPENDIX_EPISODES])
    for episode in shown:
        episode.where_text = Truncator("; ".join(episode.places)).chars(APPENDIX_CELL_CHARS)
        tried = "; ".join([*map(str, episode.tried), *episode.taken])
        episode.tried_text = Truncator(tried).chars(APPENDIX_CELL_CHARS)
    return {"appendix": shown, "more_episodes": n - len(shown)}


def _history(profile, today):
    if profile is None:
        return {"first_noticed": None, "items": [], "questions": None}
    first_noticed = None
    if profile.first_noticed:
        first_noticed = {"date": profile.first_noticed, "months": months_between(profile.first_noticed, today)}
    items = [
        (label, clip(text, HISTORY_CHARS, HISTORY_LINES))
        for label, text in [
            ("Conditions", profile.conditions),
            ("Injuries", profile.injuries),
            ("Surgeries", profile.surgeries),
            ("Work", profile.occupation),
            ("Usual exercise", profile.usual_exercise),
        ]
        if text.strip()
    ]
    questions = clip(profile.questions, QUESTIONS_CHARS, QUESTIONS_LINES) if profile.questions.strip() else None
    return {"first_noticed": first_noticed, "items": items, "questions": questions}


def _weeks(by_day, period):
    """
    Episodes and days with spasms per 7-day week, counted back from the period's
    last day so the latest week is whole; the first may be shorter.
    """
    counts = {row["day"]: row["n"] for row in by_day}
    weeks = []
    week_end = period.last_day
    while week_end >= period.first_day:
        week_start = max(period.first_day, week_end - timedelta(days=6))
        days = [week_start + timedelta(days=i) for i in range((week_end - week_start).days + 1)]
        weeks.append(
            {
                "first_day": week_start,
                "last_day": week_end,
                "days": len(days),
                "n": sum(counts.get(day, 0) for day in days),
                "spasm_days": sum(1 for day in days if counts.get(day)),
            }
        )
        week_end = week_start - timedelta(days=1)
    return weeks[::-1]


def _red_flags(totals, by_day, weeks, n, period):
    flags = []
    for flag in EPISODE_RED_FLAGS:
        days = [row["day"] for row in by_day if row[f"flag_{flag.name}"]]
        if days:
            flags.append(
                {
                    "label": flag.label,
                    "urgent": flag.urgent,
                    "dates": days[-FLAG_DATES_SHOWN:],
                    "more_days": max(0, len(days) - FLAG_DATES_SHOWN),
                }
            )

    if totals["previous"] and n >= DOUBLING_MINIMUM and n >= 2 * totals["previous"]:
        flags.append(
            {
                "label": f"Spasms more than doubled: {n} against {totals['previous']} in the {period.days} days before",
                "urgent": False,
                "dates": [],
                "more_days": 0,
            }
        )

    run: list[dict[str, Any]] = []
    longest: list[dict[str, Any]] = []
    for week in weeks:
        if week["days"] == 7 and week["spasm_days"] >= MOST_DAYS_OF_A_WEEK:
            run.append(week)
            if len(run) > len(longest):
                longest = list(run)
        else:
            run = []
    if len(longest) >= WEEKS_IN_A_ROW:
        flags.append(
            {
                "label": f"Spasms on most days for {len(longest)} weeks in a row",
                "urgent": False,
                "span": (longest[0]["first_day"], longest[-1]["last_day"]),
                "dates": [],
                "more_days": 0,
            }
        )
    return flags


def _how_often(totals, by_day, period, diary_start, start):
    n, before = totals["n"], totals["previous"]
    change = round(100 * (n - before) / before) if before else None
    return {
        "per_week": 7 * n / period.days,
        "spasm_days": len(by_day),
        "previous": before,
        "previous_per_week": 7 * before / period.days,
        # Whether the diary was kept before this period, so "none" there means none.
        "previous_kept": diary_start is not None and diary_start < start,
        "change": change,
        "change_size": abs(change) if change is not None else None,
    }


def _spread(episodes, field, counted, highest):
    """Median, quartiles and highest of a field, from its values grouped and counted in SQL."""
    distribution = list(
        episodes.filter(**{f"{field}__isnull": False}).values_list(field).annotate(n=Count("id")).order_by(field)
    )
    if not distribution:
        return None
    return {
        "median": quantile(distribution, 0.5),
        "low": quantile(distribution, 0.25),
        "high": quantile(distribution, 0.75),
        "highest": highest,
        "counted": counted,
    }


def _where(patient, start, end, n):
    counts = {
        (region, side): count
        for region, side, count in diary.EpisodeLocation.objects.filter(
            episode__patient=patient, episode__started_at__gte=start, episode__started_at__lt=end
        )
        .values_list("region", "side")
        .annotate(count=Count("id"))
        .order_by()
    }
    by_region: dict[str, dict[str, int]] = {}
    for (region, side), count in counts.items():
        by_region.setdefault(region, {})[side] = count
    ranked = sorted(by_region.items(), key=lambda item: (-sum(item[1].values()), diary.Region.values.index(item[0])))
    regions = [
        {
            "label": diary.Region(region).label,
            "n": sum(sides.values()),
            "share": share(sum(sides.values()), n),
            "sides": [(diary.Side(side).label.lower(), sides[side]) for side in diary.Side.values if side in sides],
        }
        for region, sides in ranked
    ]
    return {
        "regions": regions[:TOP_REGIONS],
        "other_regions": len(regions[TOP_REGIONS:]),
        "diagram": body_diagram(counts),
    }


def _when(by_day, n):
    """Episodes by hour of the day in the patient's zone, daylight saving included."""
    by_hour: dict[int, int] = {}
    for row in by_day:
        for hour, count in row["hours"].items():
            by_hour[hour] = by_hour.get(hour, 0) + count
    hours = [{"hour": hour, "n": by_hour.get(hour, 0)} for hour in range(24)]
    blocks = []
    for label, first, last in TIMES_OF_DAY:
        count = sum(by_hour.get(hour, 0) for hour in range(first, last))
        blocks.append({"label": label, "first": first, "last": last, "n": count, "share": share(count, n)})
    return {"blocks": blocks, "chart": bar_chart(hours, width=CHART_WIDTH, height=CHART_HEIGHT)}


def _doing_what(episodes, n):
    rows = episodes.values_list("activity").annotate(count=Count("id")).order_by("-count", "activity")
    ranked = [
        {"label": diary.Activity(activity).label if activity else "Not recorded", "n": count, "share": share(count, n)}
        for activity, count in rows
    ]
    return {"activities": ranked[:TOP_ACTIVITIES], "more": len(ranked[TOP_ACTIVITIES:]), "n": n}


def _present(totals, prefix, fields, n):
    present = [
        {"label": diary.field_label(diary.Episode, name), "n": count, "share": share(count, n)}
        for name in fields
        if (count := totals[f"{prefix}_{name}"])
    ]
    return sorted(present, key=lambda row: -row["n"])


def _daily_factors(patient, period):
    checkins = diary.CheckIn.objects.for_patient(patient).between(period.first_day, period.last_day)
    factors = checkins.aggregate(
        n=Count("id"),
        sleep=Avg("sleep_hours"),
        short_sleep=Count("id", filter=Q(sleep_hours__lt=6)),
        fluids=Avg("fluids_glasses"),
        caffeine=Avg("caffeine_drinks"),
        alcohol=Avg("alcohol_units"),
        stress=Avg("stress"),
        exercise=Avg("exercise_minutes"),
        exercise_new=Count("id", filter=Q(exercise_new=True)),
        sun_heat=Avg("sun_heat_minutes"),
        nicotine=Count("id", filter=Q(nicotine=True)),
        penn_low=Min("penn_frequency"),
        penn_high=Max("penn_frequency"),
        **{f"supplement_{name}": Count("id", filter=Q(**{name: True})) for name in diary.SUPPLEMENT_FIELDS},
    )
    labels = {name: diary.field_label(diary.CheckIn, name) for name in diary.SUPPLEMENT_FIELDS}
    supplements = [
        (labels[name], factors[f"supplement_{name}"])
        for name in diary.SUPPLEMENT_FIELDS
        if factors[f"supplement_{name}"]
    ]
    latest = list(checkins.order_by("-day")[:LATEST_PENN_SHOWN]) if factors["n"] else []
    return {"factors": factors, "supplements": supplements, "latest_penn": latest}


def what_goes_with(
    patient: diary.User,
    period: Period,
    today: date,
    *,
    shown: int,
    waiting_shown: int,
    counts: Mapping[date, int] | None = None,
) -> dict[str, Any]:
    """
    The factors that go with more or fewer spasms in a period (reports.insights),
    from three queries: the check-ins, the episodes of each local day (or
    `counts`, {day: episodes}, when the caller has them already), and the
    medicines taken. Only whole days count: today's spasms are not all in yet.
    The first `shown` rows come with a forest plot, and the first
    `waiting_shown` factors still short of days are named.
    """
    period = Period(period.first_day, min(period.last_day, today - timedelta(days=1)))
    if period.days < 1:
        found = insights.compare([], {})
    else:
        if counts is None:
            counts = {day: row["n"] for day, row in episodes_per_day(patient, period).items()}
        checkins = diary.CheckIn.objects.for_patient(patient).between(period.first_day, period.last_day)
        medicines = diary.Medicine.objects.for_patient(patient).taken_between(period.first_day, period.last_day)
        found = insights.compare(
            list(checkins.only(*insights.CHECKIN_FIELDS)),
            {day: n for day, n in counts.items() if period.first_day <= day <= period.last_day},
            medicines.values("id", "name", "started", "stopped"),
        )
    rows = found.associations[:shown]
    return {
        "found": found,
        "plot": forest_plot(rows),
        "more": len(found.associations) - len(rows),
        "waiting": found.waiting[:waiting_shown],
        "waiting_more": len(found.waiting[waiting_shown:]),
    }


def _medicines(patient, period, start, end):
    """The medicines taken at any time in the period, and how those taken for spasms went."""
    medicines = list(diary.Medicine.objects.for_patient(patient).taken_between(period.first_day, period.last_day))
    helped = {
        row["medicine"]: row
        for row in diary.EpisodeMedicine.objects.filter(
            medicine__patient=patient, episode__started_at__gte=start, episode__started_at__lt=end
        )
        .values("medicine")
        .annotate(
            taken=Count("episode", distinct=True),
            **{
                level: Count(
                    "episode",
                    distinct=True,
                    filter=Q(episode__reliefs__measure=diary.Relief.MEDICINE, episode__reliefs__helped=level),
                )
                for level in diary.Helped.values
            },
        )
        .order_by()
    }
    for medicine in medicines:
        medicine.use = helped.get(medicine.pk)
    medicines.sort(key=lambda m: (m.stopped is not None, m.purpose != diary.Purpose.SPASMS, m.name.lower()))
    return {"medicines": medicines[:MEDICINES_SHOWN], "more_medicines": len(medicines[MEDICINES_SHOWN:])}


def _reliefs(patient, start, end):
    """Each relief measure tried in the period: how often, and how often it helped."""
    tried: dict[str, dict[str, Any]] = {}
    for measure, helped, count in (
        diary.EpisodeRelief.objects.filter(
            episode__patient=patient, episode__started_at__gte=start, episode__started_at__lt=end
        )
        .values_list("measure", "helped")
        .annotate(count=Count("id"))
        .order_by()
    ):
        row = tried.setdefault(measure, {"label": diary.Relief(measure).label, "n": 0, "unsure": 0})
        row["n"] += count
        row[helped or "unsure"] = row.get(helped or "unsure", 0) + count
    rows = sorted(tried.values(), key=lambda row: (-row["n"], row["label"]))
    for row in rows:
        row["levels"] = [
            row.get(level, 0) for level in (diary.Helped.A_LOT, diary.Helped.A_LITTLE, diary.Helped.NOT_AT_ALL)
        ]
        row["helped"] = share(row.get(diary.Helped.A_LOT, 0) + row.get(diary.Helped.A_LITTLE, 0), row["n"])
    return rows


def clinician_glance(share: Share, today: date) -> dict[str, Any]:
    """A shared patient on the clinician's list: last entry, the last 30 days against the 30 before, red flags."""
    # Two windows bounded by local midnights need no count by day: one row per patient
    # here, where summary.episodes_per_day would read a row for every quarter hour with
    # an episode in the share's whole period (its red flags and last entry look that far).
    zone = share.patient.zone
    window_end = min(today, share.last_day)
    last30 = max(share.first_day, window_end - timedelta(days=29))
    prev30 = max(share.first_day, window_end - timedelta(days=59))
    start, end = share.period.bounds(zone)
    in_last30 = Q(started_at__gte=local_midnight(last30, zone))
    in_prev30 = Q(started_at__gte=local_midnight(prev30, zone)) & ~in_last30
    figures = (
        diary.Episode.objects.for_patient(share.patient)
        .between(start, end)
        .aggregate(
            last_entry=Max("started_at"),
            last30=Count("id", filter=in_last30),
            prev30=Count("id", filter=in_prev30),
            **{f"flag_{flag.name}": Count("id", filter=flag.condition) for flag in EPISODE_RED_FLAGS},
        )
    )
    figures["flags"] = [flag for flag in EPISODE_RED_FLAGS if figures[f"flag_{flag.name}"]]
    figures["prev30_days"] = (last30 - prev30).days
    figures["change"] = figures["change_size"] = None
    if figures["prev30"]:
        figures["change"] = round(100 * (figures["last30"] - figures["prev30"]) / figures["prev30"])
        figures["change_size"] = abs(figures["change"])
    return figures
