"""Figures drawn from a patient's diary, for the dashboard and the summary."""

from datetime import datetime, time, timedelta

from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncDate

from logs.models import CheckIn, Episode, EpisodeLocation, location_label

GLANCE_WINDOWS = (7, 30)
CHART_HEIGHT = 60
CHART_BAR_WIDTH = 8
CHART_BAR_GAP = 2


def local_midnight(day, zone):
    """The aware start of a calendar day in a zone (daylight saving included)."""
    return datetime.combine(day, time.min, zone)


def episodes_per_day(patient, first_day, last_day):
    """
    Rows of (day, episodes, intensity sum, intensity count, highest intensity)
    for each day in the patient's zone that has episodes.
    """
    zone = patient.zone
    return (
        Episode.objects.for_patient(patient)
        .between(local_midnight(first_day, zone), local_midnight(last_day + timedelta(days=1), zone))
        .annotate(day=TruncDate("started_at", tzinfo=zone))
        .values("day")
        .annotate(
            n=Count("id"),
            intensity_sum=Sum("intensity"),
            intensity_count=Count("intensity"),
            intensity_max=Max("intensity"),
        )
        .order_by("day")
    )


def glance(patient, now):
    """The last 7 and 30 days at a glance, for the dashboard."""
    zone = patient.zone
    today = now.astimezone(zone).date()
    longest = max(GLANCE_WINDOWS)
    first_day = today - timedelta(days=longest - 1)
    by_day = {row["day"]: row for row in episodes_per_day(patient, first_day, today)}
    checkins = list(CheckIn.objects.for_patient(patient).between(first_day, today))

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
        EpisodeLocation.objects.filter(
            episode__patient=patient, episode__started_at__gte=local_midnight(first_day, zone)
        )
        .values_list("region", "side")
        .annotate(n=Count("id"))
        .order_by("-n", "region")[:5]
    )
    return {
        "today": today,
        "windows": windows,
        "places": [(location_label(region, side), n) for region, side, n in places],
        "chart": daily_chart(by_day, first_day, today),
        "latest_checkin": checkins[0] if checkins else None,
        "today_checkin": next((c for c in checkins if c.day == today), None),
        "recent": Episode.objects.for_patient(patient).prefetch_related("locations")[:5],
    }


def daily_chart(by_day, first_day, last_day):
    """Bars for an SVG chart of episodes per day, drawn with attributes only."""
    days = (last_day - first_day).days + 1
    counts = [
        (first_day + timedelta(days=i), by_day.get(first_day + timedelta(days=i), {}).get("n", 0)) for i in range(days)
    ]
    top = max((n for _, n in counts), default=0) or 1
    bars = []
    for i, (day, n) in enumerate(counts):
        height = round(CHART_HEIGHT * n / top, 1)
        bars.append(
            {
                "day": day,
                "n": n,
                "x": i * (CHART_BAR_WIDTH + CHART_BAR_GAP),
                "y": CHART_HEIGHT - height,
                "height": height,
            }
        )
    return {
        "bars": bars,
        "width": days * (CHART_BAR_WIDTH + CHART_BAR_GAP),
        "height": CHART_HEIGHT,
        "bar_width": CHART_BAR_WIDTH,
        "top": top,
    }
