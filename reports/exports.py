"""The summary's downloads: CSV files of the raw entries, and the PDF."""

import csv
import functools
from collections.abc import Iterable, Sequence
from typing import TextIO

from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.utils.text import slugify

from logs import models as diary
from spasmlog.dates import Period

# A spreadsheet treats a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAPER_SIZES = {"a4": "A4", "letter": "letter"}


def file_name(patient: diary.User, span: str, what: str, extension: str) -> str:
    """spasmlog-alex-demo-2026-08-24-to-2026-11-21-episodes.csv, span being the period's slug or a day."""
    name = slugify(patient.display_name, allow_unicode=True) or "patient"
    return f"spasmlog-{name}-{span}-{what}.{extension}"


def cell(value: object) -> object:
    """A value as a spreadsheet should show it, never as a formula it would run."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(stream: TextIO | HttpResponse, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    # The byte-order mark tells spreadsheets the file is UTF-8.
    stream.write("\ufeff")
    writer = csv.writer(stream)
    writer.writerow(header)
    for row in rows:
        writer.writerow([cell(value) for value in row])


def episodes_csv(stream: TextIO | HttpResponse, patient: diary.User, period: Period) -> None:
    start, end = period.bounds(patient.zone)
    episodes = diary.with_details(diary.Episode.objects.for_patient(patient).between(start, end).order_by("started_at"))
    zone = patient.zone
    header = [
        "start",
        "date",
        "time",
        "time zone",
        "duration (seconds)",
        "duration",
        "kind",
        "intensity (0-10)",
        "activity at onset",
        "other activity",
        "exercise new or unusual",
        *(f"environment: {diary.field_label(diary.Episode, name)}" for name in diary.ENVIRONMENT_FIELDS),
        *(f"with: {diary.field_label(diary.Episode, name)}" for name in diary.ACCOMPANYING_FIELDS),
        "locations",
        "relief tried",
        "medicines taken",
        "notes",
        "logged at",
        "last changed",
    ]
    rows = []
    for episode in episodes:
        local = episode.started_at.astimezone(zone)
        rows.append(
            [
                local.isoformat(),
                local.date().isoformat(),
                local.strftime("%H:%M"),
                patient.time_zone,
                episode.duration_seconds,
                episode.duration_display,
                diary.Kind(episode.kind).label,
                episode.intensity,
                diary.Activity(episode.activity).label if episode.activity else "",
                episode.activity_other,
                episode.new_exercise,
                *(getattr(episode, name) for name in diary.ENVIRONMENT_FIELDS),
                *(getattr(episode, name) for name in diary.ACCOMPANYING_FIELDS),
                "; ".join(episode.places),
                "; ".join(str(relief) for relief in episode.tried),
                "; ".join(episode.taken),
                episode.notes,
                episode.created_at.astimezone(zone).isoformat(),
                episode.updated_at.astimezone(zone).isoformat(),
            ]
        )
    write_csv(stream, header, rows)


def checkins_csv(stream: TextIO | HttpResponse, patient: diary.User, period: Period) -> None:
    checkins = diary.CheckIn.objects.for_patient(patient).between(period.first_day, period.last_day).order_by("day")
    zone = patient.zone
    header = [
        "day",
        "Penn frequency (0-4)",
        "Penn frequency",
        "Penn severity (1-3)",
        "Penn severity",
        "sleep (hours)",
        "fluids (glasses)",
        "caffeine drinks",
        "alcohol (units)",
        "nicotine",
        "how much nicotine",
        "stress (0-10)",
        "exercise (minutes)",
        "exercise new or unusual",
        "time in sun or heat (minutes)",
        *(diary.field_label(diary.CheckIn, name) for name in diary.SUPPLEMENT_FIELDS),
        "note",
        "logged at",
        "last changed",
    ]
    rows = [
        [
            checkin.day.isoformat(),
            checkin.penn_frequency,
            checkin.get_penn_frequency_display(),
            checkin.penn_severity,
            checkin.get_penn_severity_display() if checkin.penn_severity else "",
            str(checkin.sleep_hours) if checkin.sleep_hours is not None else None,
            checkin.fluids_glasses,
            checkin.caffeine_drinks,
            checkin.alcohol_units,
            checkin.nicotine,
            checkin.nicotine_amount,
            checkin.stress,
            checkin.exercise_minutes,
            checkin.exercise_new,
            checkin.sun_heat_minutes,
            *(getattr(checkin, name) for name in diary.SUPPLEMENT_FIELDS),
            checkin.note,
            checkin.created_at.astimezone(zone).isoformat(),
            checkin.updated_at.astimezone(zone).isoformat(),
        ]
        for checkin in checkins
    ]
    write_csv(stream, header, rows)


def medicines_csv(stream: TextIO | HttpResponse, patient: diary.User, period: Period) -> None:
    medicines = (
        diary.Medicine.objects.for_patient(patient).taken_between(period.first_day, period.last_day).order_by("name")
    )
    header = ["name", "dose", "how often", "started", "stopped", "what it is for", "kind", "may cause spasms", "added"]
    rows = [
        [
            medicine.name,
            medicine.dose,
            medicine.frequency,
            medicine.started.isoformat() if medicine.started else None,
            medicine.stopped.isoformat() if medicine.stopped else None,
            medicine.get_purpose_display(),
            medicine.get_kind_display() if medicine.kind else "",
            medicine.may_cause_spasms,
            medicine.created_at.astimezone(patient.zone).isoformat(),
        ]
        for medicine in medicines
    ]
    write_csv(stream, header, rows)


CSV_EXPORTS = {"episodes": episodes_csv, "checkins": checkins_csv, "medicines": medicines_csv}


@functools.cache
def _stylesheets(paper):
    from weasyprint import CSS

    return [
        CSS(filename=finders.find("reports/summary.css")),
        CSS(string=f"@page {{ size: {PAPER_SIZES[paper]}; }}"),
    ]


def pdf(html: str, paper: str = "a4") -> bytes:
    """The summary's HTML as PDF. Nothing is fetched from anywhere: only data: URLs are allowed."""
    # WeasyPrint takes most of a second to import; only a PDF pays for it.
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"]))
    return document.write_pdf(stylesheets=_stylesheets(paper))
