"""
Everything a patient has, out as a ZIP and back in: the right of access, and a
way to move a diary to another SpasmLog.

The JSON follows schema "spasmlog-export" version 1 (README, "Export format"):
every field of every record, dates and times in ISO 8601 with their offset.
Import restores the profile, medicines, episodes (with places, relief and the
medicines taken) and check-ins into an account whose diary is empty.
"""

import io
import json
import zipfile
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from logs import exports
from logs.models import CheckIn, Episode, EpisodeLocation, EpisodeMedicine, EpisodeRelief, Medicine, Profile
from logs.summary import Period

FORMAT, VERSION = "spasmlog-export", 1
# Kept by the database itself, not restored from a file.
BOOKKEEPING = {"id", "patient"}
TIMESTAMPS = ["created_at", "updated_at"]


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _fields(instance, exclude=()):
    return {
        field.attname if field.is_relation else field.name: _value(getattr(instance, field.attname))
        for field in instance._meta.concrete_fields
        if field.name not in exclude
    }


def export_data(patient, now):
    """The whole account as a dict, ready for JSON."""
    profile = Profile.objects.filter(patient=patient).first()
    episodes = (
        Episode.objects.for_patient(patient)
        .order_by("started_at")
        .prefetch_related("locations", "reliefs", "medicines_taken")
    )
    shares = patient.shares.select_related("clinician").prefetch_related("notes", "accesses")
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": now.isoformat(),
        "account": {
            "email": patient.email,
            "display_name": patient.display_name,
            "time_zone": patient.time_zone,
            "date_joined": patient.date_joined.isoformat(),
        },
        "profile": _fields(profile, exclude={"id", "patient"}) if profile else None,
        "medicines": [_fields(m, exclude={"patient"}) for m in Medicine.objects.for_patient(patient)],
        "episodes": [
            {
                **_fields(episode, exclude={"patient"}),
                "locations": [_fields(place, exclude={"id", "episode"}) for place in episode.locations.all()],
                "reliefs": [_fields(relief, exclude={"id", "episode"}) for relief in episode.reliefs.all()],
                "medicines_taken": [
                    _fields(taken, exclude={"id", "episode"}) for taken in episode.medicines_taken.all()
                ],
            }
            for episode in episodes
        ],
        "checkins": [_fields(c, exclude={"patient"}) for c in CheckIn.objects.for_patient(patient).order_by("day")],
        "shares": [
            {
                **_fields(share, exclude={"id", "patient", "token_hash", "secret_hash", "clinician"}),
                "clinician": share.clinician.email if share.clinician else None,
                "notes": [{"text": note.text, "created_at": note.created_at.isoformat()} for note in share.notes.all()],
                "accesses": [
                    {"what": access.what, "at": access.at.isoformat(), "address": access.address}
                    for access in share.accesses.all()
                ],
            }
            for share in shares
        ],
    }


def export_zip(patient, now):
    """A ZIP with the JSON, the three CSV files of every entry, and a note on what is inside."""
    everything = Period(date(1900, 1, 1), now.astimezone(patient.zone).date() + timedelta(days=1))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("spasmlog.json", json.dumps(export_data(patient, now), ensure_ascii=False, indent=1))
        for what, write in exports.CSV_EXPORTS.items():
            stream = io.StringIO()
            write(stream, patient, everything)
            archive.writestr(f"{what}.csv", stream.getvalue())
        archive.writestr(
            "README.txt",
            f"Everything in your SpasmLog diary, exported {now:%Y-%m-%d %H:%M %Z}.\n\n"
            f"spasmlog.json: every record, schema {FORMAT} version {VERSION}; SpasmLog can import it.\n"
            "episodes.csv, checkins.csv, medicines.csv: the same entries for a spreadsheet.\n",
        )
    return buffer.getvalue()


class NotImportable(ValueError):
    """A file that cannot be imported, with a reason a person can read."""


def _build(model, data, **fixed):
    allowed = {field.attname for field in model._meta.concrete_fields} - BOOKKEEPING - {"episode_id", "patient_id"}
    unknown = set(data) - allowed - {"id"}
    if unknown:
        raise NotImportable(f"Unknown fields in {model._meta.verbose_name_plural}: {', '.join(sorted(unknown))}.")
    instance = model(**{key: value for key, value in data.items() if key in allowed}, **fixed)
    try:
        instance.full_clean(exclude=["patient", "episode", "medicine", *TIMESTAMPS], validate_unique=False)
    except ValidationError as error:
        raise NotImportable(f"A {model._meta.verbose_name} could not be read: {error.messages[0]}") from None
    return instance


def _restore_timestamps(model, instances, data):
    """bulk_create sets created_at and updated_at to now; put back the ones in the file."""
    names = [name for name in TIMESTAMPS if hasattr(model, name)]
    for instance, row in zip(instances, data, strict=True):
        for name in names:
            if row.get(name):
                setattr(instance, name, datetime.fromisoformat(row[name]))
    if names:
        model.objects.bulk_update(instances, names, batch_size=1000)


@transaction.atomic
def import_data(patient, data):
    """Restore an export into a patient whose diary is empty; all of it or nothing."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NotImportable("This is not a SpasmLog export.")
    if data.get("version") != VERSION:
        raise NotImportable(f"This export has version {data.get('version')}; this SpasmLog reads version {VERSION}.")
    if patient.episodes.exists() or patient.checkins.exists() or patient.medicines.exists():
        raise NotImportable("Your diary already has entries: import into a new, empty account.")
    try:
        if data.get("profile"):
            restored = _build(Profile, data["profile"], patient=patient)
            profile = Profile.objects.filter(patient=patient).first() or Profile(patient=patient)
            for field in Profile._meta.concrete_fields:
                if field.name not in BOOKKEEPING | set(TIMESTAMPS):
                    setattr(profile, field.attname, getattr(restored, field.attname))
            profile.save()

        medicine_rows = data.get("medicines", [])
        medicines = Medicine.objects.bulk_create([_build(Medicine, row, patient=patient) for row in medicine_rows])
        _restore_timestamps(Medicine, medicines, medicine_rows)
        medicine_ids = {row["id"]: medicine.pk for row, medicine in zip(medicine_rows, medicines, strict=True)}

        episode_rows = data.get("episodes", [])
        episodes = Episode.objects.bulk_create(
            [
                _build(Episode, {k: v for k, v in row.items() if not isinstance(v, list)}, patient=patient)
                for row in episode_rows
            ],
            batch_size=1000,
        )
        _restore_timestamps(Episode, episodes, episode_rows)
        places, reliefs, taken = [], [], []
        for row, episode in zip(episode_rows, episodes, strict=True):
            places += [_build(EpisodeLocation, place, episode=episode) for place in row.get("locations", [])]
            reliefs += [_build(EpisodeRelief, relief, episode=episode) for relief in row.get("reliefs", [])]
            for use in row.get("medicines_taken", []):
                if use.get("medicine_id") not in medicine_ids:
                    raise NotImportable("An episode names a medicine that is not in the file.")
                taken.append(
                    _build(
                        EpisodeMedicine,
                        {**use, "medicine_id": medicine_ids[use["medicine_id"]]},
                        episode=episode,
                    )
                )
        EpisodeLocation.objects.bulk_create(places, batch_size=1000)
        EpisodeRelief.objects.bulk_create(reliefs, batch_size=1000)
        EpisodeMedicine.objects.bulk_create(taken, batch_size=1000)

        checkin_rows = data.get("checkins", [])
        checkins = CheckIn.objects.bulk_create(
            [_build(CheckIn, row, patient=patient) for row in checkin_rows], batch_size=1000
        )
        _restore_timestamps(CheckIn, checkins, checkin_rows)
    except NotImportable:
        raise
    except (KeyError, TypeError, AttributeError, ValueError):
        raise NotImportable("The file is not a complete SpasmLog export.") from None
    return {"episodes": len(episodes), "checkins": len(checkins), "medicines": len(medicines)}


def read_upload(upload):
    """The export's data from an uploaded JSON file, or from the ZIP that holds it."""
    content = upload.read()
    if content[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                content = archive.read("spasmlog.json")
        except (zipfile.BadZipFile, KeyError):
            raise NotImportable("The ZIP file holds no spasmlog.json.") from None
    try:
        return json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise NotImportable("The file is not JSON.") from None
