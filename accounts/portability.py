"""
Everything a patient has, out as a ZIP and back in: the right of access, and a
way to move a diary to another SpasmLog.

The JSON follows schema "spasmlog-export" version 1 (README, "Export format"):
every field of every record, dates and times in ISO 8601 with their offset.
Import restores the profile, medicines, episodes (with places, relief and the
medicines taken) and check-ins into an account whose diary is empty.

An import reads the file within fixed limits, each checked before the reading
it bounds; checks every record by the rules of the forms and the database
before it writes any; and then writes the diary in batches, all of it or
nothing.
"""

import collections
import contextlib
import functools
import gc
import io
import json
import struct
import zipfile
import zlib
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import DecimalValidator, MaxValueValidator, MinValueValidator
from django.db import connections, models, router, transaction
from django.utils import timezone

from logs import models as diary
from reports import exports
from spasmlog.dates import EARLIEST_DAY, LATEST_DAY, Period

FORMAT, VERSION = "spasmlog-export", 1
TIMESTAMPS = ["created_at", "updated_at"]

# What an import reads. A heavy decade of diary (20 episodes a day for ten years: 73,000
# episodes with their places and relief, and a check-in every day) exports as 64 MB of JSON,
# compressed 26 to 1 in the ZIP (43 to 1 when every episode is alike).
MB = 1024 * 1024
MAX_UPLOAD_BYTES = 100 * MB
MAX_EXPANDED_BYTES = 100 * MB
MAX_COMPRESSION_RATIO = 100
# An export's ZIP holds five files. zipfile reads the whole list of them when it opens the
# archive, so the list is bounded first, with room for each file's name and extra fields.
MAX_ZIP_MEMBERS = 16
MAX_ZIP_DIRECTORY_BYTES = MAX_ZIP_MEMBERS * 1024
# The longest number a field takes is an id, a 64-bit integer of 19 digits.
MAX_NUMBER_LENGTH = 30
MAX_ID = 2**63 - 1
# Records of each kind, in all and in one episode. The heavy decade has 79,000 places and
# 78,000 relief measures; at these limits the slowest file to write still takes well under
# gunicorn's 30 seconds.
MAX_MEDICINES = 1_000
MAX_EPISODES = 100_000
MAX_CHECKINS = 10_000
MAX_PLACES = 160_000
MAX_RELIEFS = 160_000
MAX_MEDICINES_TAKEN = 50_000
MAX_PLACES_PER_EPISODE = len(diary.Region)
MAX_RELIEFS_PER_EPISODE = len(diary.Relief)
MAX_MEDICINES_PER_EPISODE = 50
# Episodes are written this many at a time, each batch followed by its places, relief and medicines.
BATCH_SIZE = 1_000


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


def export_data(patient: diary.User, now: datetime) -> dict[str, Any]:
    """The whole account as a dict, ready for JSON."""
    profile = diary.Profile.objects.filter(patient=patient).first()
    episodes = (
        diary.Episode.objects.for_patient(patient)
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
        "medicines": [_fields(m, exclude={"patient"}) for m in diary.Medicine.objects.for_patient(patient)],
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
        "checkins": [
            _fields(c, exclude={"patient"}) for c in diary.CheckIn.objects.for_patient(patient).order_by("day")
        ],
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


def export_zip(patient: diary.User, now: datetime) -> bytes:
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


# Reading the file.

ZIP_SIGNATURE = b"PK\x03\x04"
MEMBER = "spasmlog.json"
READ_CHUNK_BYTES = MB
# The record that ends a ZIP (APPNOTE 4.3.16): signature, two disk numbers, entries on this
# disk, entries in all, the size of the list of entries, its offset, the comment's length.
END_OF_ZIP = struct.Struct("<4s4H2LH")
END_OF_ZIP_SIGNATURE = b"PK\x05\x06"
ZIP64_LOCATOR_SIGNATURE, ZIP64_LOCATOR_SIZE = b"PK\x06\x07", 20
MAX_ZIP_COMMENT = 0xFFFF


def read_upload(upload: UploadedFile) -> object:
    """The export's data from an uploaded JSON file, or from the ZIP that holds it."""
    upload.seek(0)
    if upload.read(len(ZIP_SIGNATURE)) == ZIP_SIGNATURE:
        content = _read_member(upload)
    else:
        upload.seek(0)
        content = upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            raise NotImportable(f"The file is larger than {MAX_UPLOAD_BYTES // MB} MB.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise NotImportable("The file is not JSON.") from None
    # The bytes are let go before parsing: the text and what it parses to are enough to hold at once.
    del content
    return parse_json(text)


def _check_zip_directory(upload):
    """
    Refuses a ZIP whose list of files is longer than an export's could be, from
    the record at its end, before zipfile reads the list: it reads all of it,
    and a list of a million empty files takes seconds and hundreds of MB.
    """
    size = upload.seek(0, io.SEEK_END)
    # The end record is found where zipfile looks for it: the last one, behind at most a comment.
    upload.seek(max(size - END_OF_ZIP.size - MAX_ZIP_COMMENT - ZIP64_LOCATOR_SIZE, 0))
    tail = upload.read()
    at = tail.rfind(END_OF_ZIP_SIGNATURE)
    if at < 0 or len(tail) - at < END_OF_ZIP.size:
        raise NotImportable("The ZIP file is damaged.")
    *_, entries, directory_bytes, _, _ = END_OF_ZIP.unpack_from(tail, at)
    # A ZIP64 locator just before it gives the list's real size, which zipfile then believes.
    zip64 = tail[max(at - ZIP64_LOCATOR_SIZE, 0) : at].startswith(ZIP64_LOCATOR_SIGNATURE)
    if zip64 or entries > MAX_ZIP_MEMBERS or directory_bytes > MAX_ZIP_DIRECTORY_BYTES:
        raise NotImportable(f"The ZIP file holds more than {MAX_ZIP_MEMBERS} files; an export holds five.")


def _read_member(upload):
    """spasmlog.json from the ZIP."""
    _check_zip_directory(upload)
    try:
        with zipfile.ZipFile(upload) as archive:
            return _read_json_member(archive)
    except NotImportable:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
        # How a damaged archive fails as zipfile reads it, decompresses it or seeks in it.
        raise NotImportable("The ZIP file is damaged.") from None


def _read_json_member(archive):
    """The member's bytes, read a chunk at a time up to the limits, whatever its header says."""
    if len(archive.infolist()) > MAX_ZIP_MEMBERS:
        raise NotImportable(f"The ZIP file holds more than {MAX_ZIP_MEMBERS} files; an export holds five.")
    try:
        info = archive.getinfo(MEMBER)
    except KeyError:
        raise NotImportable("The ZIP file holds no spasmlog.json.") from None
    if info.flag_bits & 0x1:
        raise NotImportable("The ZIP file is encrypted: upload the ZIP from “Export everything” as it is.")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise NotImportable("spasmlog.json is compressed in a way SpasmLog does not read: upload it alone.")
    # What is read is counted as it comes, as the sizes in the header can lie.
    limit = min(MAX_EXPANDED_BYTES, MAX_COMPRESSION_RATIO * info.compress_size)
    _check_expansion(info.file_size, limit)
    content = bytearray()
    with archive.open(info) as member:
        while chunk := member.read(READ_CHUNK_BYTES):
            content += chunk
            _check_expansion(len(content), limit)
    return content


def _check_expansion(size, limit):
    if size > MAX_EXPANDED_BYTES:
        raise NotImportable(f"The file expands to more than {MAX_EXPANDED_BYTES // MB} MB; no export is that large.")
    if size > limit:
        raise NotImportable(
            f"The file expands more than {MAX_COMPRESSION_RATIO} times its size in the ZIP; no export does."
        )


def _refuse_constant(name):
    raise NotImportable(f"The file holds {name}, which is not a number any field takes.")


def _integer(text):
    if len(text) > MAX_NUMBER_LENGTH:
        raise NotImportable(f"The file holds a number longer than {MAX_NUMBER_LENGTH} digits; no field takes one.")
    return int(text)


def _fraction(text):
    # Kept exact, and never infinite as 1e400 would be as a float.
    if len(text) > MAX_NUMBER_LENGTH:
        raise NotImportable(f"The file holds a number longer than {MAX_NUMBER_LENGTH} digits; no field takes one.")
    return Decimal(text)


def parse_json(text: str) -> object:
    """The JSON text's data, with the numbers that fields can take and no others."""
    try:
        with _not_collecting():
            return json.loads(text, parse_constant=_refuse_constant, parse_int=_integer, parse_float=_fraction)
    except NotImportable:
        raise
    except RecursionError:
        # The parser goes one call deeper a level; an export nests five levels.
        raise NotImportable("The file is not a SpasmLog export: it nests deeper than one.") from None
    except ValueError:
        raise NotImportable("The file is not JSON.") from None


@contextlib.contextmanager
def _not_collecting():
    """
    Python's cycle collector scans every object it tracks each time enough new
    ones are made. Reading and writing a big diary makes millions, none in a
    cycle, and the scans took 40% of the time; they start again after.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


# Checking the records.


class Invalid(ValueError):
    """A value or a record that breaks a rule; the message says which, and the caller says where."""


def _quoted(text, length=40):
    """Text from the file, short enough to quote in a message and safe to show."""
    text = text if len(text) <= length else text[:length] + "…"
    return "“" + text.encode("utf-8", "replace").decode() + "”"


def _boolean(label, value):
    if type(value) is not bool:
        raise Invalid(f"{label} must be true or false")
    return value


def _whole(label, low, high, value):
    if type(value) is not int or not low <= value <= high:
        raise Invalid(f"{label} must be a whole number from {low} to {high}")
    return value


def _decimal(label, low, high, digits, value):
    number = None
    if type(value) in (str, int, Decimal):
        try:
            number = Decimal(value)
            digits(number)
        except (ArithmeticError, ValidationError):
            number = None
    if number is None or not number.is_finite() or not low <= number <= high:
        raise Invalid(f"{label} must be a number from {low} to {high} with at most {digits.decimal_places} decimal")
    return number


def _text(label, max_length, blank, value):
    if type(value) is not str:
        raise Invalid(f"{label} must be text")
    if max_length is not None and len(value) > max_length:
        raise Invalid(f"{label} is longer than {max_length} characters")
    if not blank and not value.strip():
        raise Invalid(f"{label} is empty")
    # What no database keeps as text: a null character, and half of a UTF-16 pair.
    if "\x00" in value or not value.isascii() and _unencodable(value):
        raise Invalid(f"{label} holds a character that is not text")
    return value


def _unencodable(text):
    try:
        text.encode()
    except UnicodeEncodeError:
        return True
    return False


def _choice(check, label, choices, value):
    value = check(value)
    if value not in choices:
        listed = ", ".join(str(choice) for choice in choices if choice != "")
        raise Invalid(f"{label} must be one of {listed}{', or empty' if '' in choices else ''}")
    return value


def _within(label, day):
    if day < EARLIEST_DAY:
        raise Invalid(f"{label} is before {EARLIEST_DAY.year}")
    if day > LATEST_DAY:
        raise Invalid(f"{label} is after {LATEST_DAY.year}")


def _day(label, value):
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise Invalid(f"{label} must be a date such as 2026-03-01") from None
    _within(label, day)
    return day


def _moment(label, value):
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise Invalid(f"{label} must be a date and time with its offset, such as 2026-03-01T07:30:00+00:00")
    # The day as written bounds it, as in the forms; within the bounds no offset can overflow.
    _within(label, moment.date())
    return moment.astimezone(UTC)


def _nullable(check, value):
    return None if value is None else check(value)


def _rule(field):
    """
    How a value of this field is read from the file: the field's own type,
    length, choices and validators, without a form's leniency ("5" for 5,
    null for text).
    """
    label = f"“{field.verbose_name}”"
    lows = [validator.limit_value for validator in field.validators if isinstance(validator, MinValueValidator)]
    highs = [validator.limit_value for validator in field.validators if isinstance(validator, MaxValueValidator)]
    if isinstance(field, models.BooleanField):
        check = functools.partial(_boolean, label)
    elif isinstance(field, models.DateTimeField):
        check = functools.partial(_moment, label)
    elif isinstance(field, models.DateField):
        check = functools.partial(_day, label)
    elif isinstance(field, models.DecimalField):
        digits = next(validator for validator in field.validators if isinstance(validator, DecimalValidator))
        check = functools.partial(_decimal, label, max(lows), min(highs), digits)
    elif isinstance(field, models.IntegerField):
        check = functools.partial(_whole, label, max(lows), min(highs))
    else:
        check = functools.partial(_text, label, field.max_length, field.blank)
    if field.choices:
        choices = [value for value, _ in field.flatchoices] + ([""] if field.blank and not field.null else [])
        check = functools.partial(_choice, check, label, dict.fromkeys(choices))
    if field.null:
        check = functools.partial(_nullable, check)
    return check


class Records:
    """How the records of one model are read from the file: a rule for each of its own fields."""

    def __init__(self, model, *, nested=(), ignored=(), more=None):
        fields = [
            field
            for field in model._meta.concrete_fields
            if not field.primary_key and not field.is_relation and field.attname not in ignored
        ]
        self.rules = {field.attname: _rule(field) for field in fields} | (more or {})
        # A field left out takes its default, unless it has none, or one made up at the moment (a start of now).
        self.required = {
            field.attname
            for field in fields
            if (callable(field.default) if field.has_default() else not (field.null or field.blank))
        } | set(more or ())
        self.defaults = {field.attname: field.get_default() for field in fields if field.attname not in self.required}
        self.labels = {field.attname: f"“{field.verbose_name}”" for field in fields} | {
            name: f"“{name}”" for name in more or ()
        }
        self.known = {*self.rules, "id", *nested, *ignored}

    def read(self, row) -> dict:
        """The record's values, each checked and read."""
        if not isinstance(row, dict):
            raise Invalid("it is not a record")
        unknown = row.keys() - self.known
        if unknown:
            names = ", ".join(_quoted(name) for name in sorted(unknown)[:3])
            raise Invalid(f"it has fields that SpasmLog does not know: {names}")
        values = {}
        for name, rule in self.rules.items():
            if name in row:
                values[name] = rule(row[name])
            elif name in self.required:
                raise Invalid(f"{self.labels[name]} is missing")
            else:
                values[name] = self.defaults[name]
        return values


@functools.cache
def _records():
    """The readers of each model, made once the database backend can say its integers' range."""
    medicine_id = functools.partial(_whole, "“medicine_id”", 1, MAX_ID)
    return {
        "profile": Records(diary.Profile, ignored=["updated_at"]),
        "medicine": Records(diary.Medicine),
        "episode": Records(diary.Episode, nested=["locations", "reliefs", "medicines_taken"]),
        "place": Records(diary.EpisodeLocation),
        "relief": Records(diary.EpisodeRelief),
        "use": Records(diary.EpisodeMedicine, more={"medicine_id": medicine_id}),
        "checkin": Records(diary.CheckIn),
    }


def _section(data, name, limit, what):
    rows = data.get(name)
    if rows is None:
        return []
    if not isinstance(rows, list):
        raise NotImportable(f"The file is not a complete SpasmLog export: “{name}” is not a list.")
    if len(rows) > limit:
        raise NotImportable(f"The file holds more than {limit:,} {what}; SpasmLog imports at most that many.")
    return rows


def _saved_times(values, now):
    """The record's created_at and updated_at as the file has them, or now when it has none."""
    for name in TIMESTAMPS:
        if name in values:
            if values[name] is None:
                values[name] = now
            elif values[name] > now + diary.FUTURE_TOLERANCE:
                raise Invalid(f"“{name.replace('_', ' ')}” is in the future")


def _nested(row, name, reader, limit, what, unique, twice):
    """An episode's places, relief or medicines: each read, none twice."""
    rows = row.get(name, [])
    if not isinstance(rows, list):
        raise Invalid(f"its “{name}” is not a list")
    if len(rows) > limit:
        raise Invalid(f"it has more than {limit} {name.replace('_', ' ')}")
    records, seen = [], set()
    for number, nested in enumerate(rows, 1):
        try:
            values = reader.read(nested)
        except Invalid as problem:
            raise Invalid(f"its {what} {number}: {problem}") from None
        if values[unique] in seen:
            raise Invalid(twice)
        seen.add(values[unique])
        records.append(values)
    return records


class Diary:
    """The records of an export, every one checked, ready to be written into a patient's empty diary."""

    def __init__(self, patient, data, now):
        self.patient = patient
        self.now = now
        self.today = now.astimezone(patient.zone).date()
        self.records = _records()
        # The file's own ids of its medicines, which its episodes name, and the days checked in.
        self.medicine_ids, self.days = set(), set()
        self.totals: collections.Counter[str] = collections.Counter()
        self.profile = self._profile(data.get("profile"))
        self.medicines = self._read(_section(data, "medicines", MAX_MEDICINES, "medicines"), "Medicine", self._medicine)
        self.episodes = self._read(_section(data, "episodes", MAX_EPISODES, "episodes"), "Episode", self._episode)
        self.checkins = self._read(_section(data, "checkins", MAX_CHECKINS, "check-ins"), "Check-in", self._checkin)

    @staticmethod
    def _read(rows, what, read):
        records = []
        for number, row in enumerate(rows, 1):
            try:
                records.append(read(row))
            except Invalid as problem:
                raise NotImportable(f"{what} {number} could not be read: {problem}.") from None
            # Each record of the file is let go once read, so that a big diary is held once, not twice.
            rows[number - 1] = None
        return records

    def _profile(self, row):
        if row is None:
            return None
        try:
            values = self.records["profile"].read(row)
            # The forms' rule, and the database's: its updated_at is the moment of the import.
            latest = min(self.today, self.now.date())
            born, noticed = values["date_of_birth"], values["first_noticed"]
            if born and born > latest:
                raise Invalid("the date of birth is in the future")
            if noticed and noticed > latest:
                raise Invalid("the month spasms were first noticed has not come yet")
            if born and noticed and noticed < born.replace(day=1):
                raise Invalid("spasms were first noticed before the date of birth")
        except Invalid as problem:
            raise NotImportable(f"The profile could not be read: {problem}.") from None
        return values

    def _medicine(self, row):
        values = self.records["medicine"].read(row)
        _saved_times(values, self.now)
        if values["started"] and values["stopped"] and values["stopped"] < values["started"]:
            raise Invalid("it stops before it started")
        file_id = row.get("id")
        if file_id is not None:
            _whole("its “id”", 1, MAX_ID, file_id)
            if file_id in self.medicine_ids:
                raise Invalid("its “id” is another medicine's too")
            self.medicine_ids.add(file_id)
        return values, file_id

    def _episode(self, row):
        values = self.records["episode"].read(row)
        _saved_times(values, self.now)
        if values["started_at"] > self.now + diary.FUTURE_TOLERANCE:
            raise Invalid("the start is in the future")
        # The database's rule: no start after the episode was last saved.
        if values["started_at"] > values["updated_at"] + diary.FUTURE_TOLERANCE:
            raise Invalid("it starts after it was last changed (“updated at”)")
        if values["activity"] == diary.Activity.OTHER and not values["activity_other"].strip():
            raise Invalid("its activity is “other” without saying what it was")
        places = _nested(
            row,
            "locations",
            self.records["place"],
            MAX_PLACES_PER_EPISODE,
            "place",
            "region",
            "it names a region twice; one side per region, or both sides",
        )
        if not places:
            raise Invalid("it has no place where the spasm was")
        reliefs = _nested(
            row,
            "reliefs",
            self.records["relief"],
            MAX_RELIEFS_PER_EPISODE,
            "relief",
            "measure",
            "it names a relief measure twice",
        )
        uses = _nested(
            row,
            "medicines_taken",
            self.records["use"],
            MAX_MEDICINES_PER_EPISODE,
            "medicine taken",
            "medicine_id",
            "it names a medicine taken twice",
        )
        if any(use["medicine_id"] not in self.medicine_ids for use in uses):
            raise Invalid("it names a medicine that is not in the file")
        self._count("places of episodes", len(places), MAX_PLACES)
        self._count("relief measures tried", len(reliefs), MAX_RELIEFS)
        self._count("medicines taken", len(uses), MAX_MEDICINES_TAKEN)
        return values, places, reliefs, uses

    def _count(self, what, number, limit):
        self.totals[what] += number
        if self.totals[what] > limit:
            raise NotImportable(f"The file holds more than {limit:,} {what}; SpasmLog imports at most that many.")

    def _checkin(self, row):
        values = self.records["checkin"].read(row)
        _saved_times(values, self.now)
        day = values["day"]
        if day > self.today:
            raise Invalid(f"its day, {day}, has not come yet")
        # The database's rule: a patient's today runs at most a day ahead of UTC when saved.
        if datetime.combine(day, time.min, UTC) > values["updated_at"] + timedelta(days=1):
            raise Invalid("its day comes after it was last changed (“updated at”)")
        if values["penn_frequency"] == 0 and values["penn_severity"] is not None:
            raise Invalid("it rates the severity of spasms on a day without them")
        if values["penn_frequency"] != 0 and values["penn_severity"] is None:
            raise Invalid("it rates no severity for the day's spasms")
        if day in self.days:
            raise Invalid(f"another check-in is for the same day, {day}")
        self.days.add(day)
        return values

    def save(self):
        """Writes every record, a batch at a time; the caller's transaction makes it all or nothing."""
        patient = self.patient
        if self.profile is not None:
            profile = diary.Profile.objects.filter(patient=patient).first() or diary.Profile(patient=patient)
            for name, value in self.profile.items():
                setattr(profile, name, value)
            profile.save()

        medicines = [_new(diary.Medicine, values, patient_id=patient.pk) for values, _ in self.medicines]
        _insert(diary.Medicine, medicines)
        medicine_pks = {
            file_id: medicine.pk
            for (_, file_id), medicine in zip(self.medicines, medicines, strict=True)
            if file_id is not None
        }

        for start in range(0, len(self.episodes), BATCH_SIZE):
            batch = self.episodes[start : start + BATCH_SIZE]
            episodes = [_new(diary.Episode, values, patient_id=patient.pk) for values, *_ in batch]
            _insert(diary.Episode, episodes)
            places, reliefs, uses = [], [], []
            for episode, (_, its_places, its_reliefs, its_uses) in zip(episodes, batch, strict=True):
                places += [_new(diary.EpisodeLocation, values, episode_id=episode.pk) for values in its_places]
                reliefs += [_new(diary.EpisodeRelief, values, episode_id=episode.pk) for values in its_reliefs]
                uses += [
                    _new(
                        diary.EpisodeMedicine, use, episode_id=episode.pk, medicine_id=medicine_pks[use["medicine_id"]]
                    )
                    for use in its_uses
                ]
            diary.EpisodeLocation.objects.bulk_create(places)
            diary.EpisodeRelief.objects.bulk_create(reliefs)
            diary.EpisodeMedicine.objects.bulk_create(uses)

        _insert(diary.CheckIn, [_new(diary.CheckIn, values, patient_id=patient.pk) for values in self.checkins])
        return {"episodes": len(self.episodes), "checkins": len(self.checkins), "medicines": len(self.medicines)}


@functools.cache
def _columns(model):
    return [field.attname for field in model._meta.concrete_fields]


def _new(model, values, **owners):
    """
    An instance of checked values, with the ids of what it belongs to. Built
    from its fields in order: Django's keyword arguments cost five times as
    much, which tells over 100,000 records.
    """
    return model(*[owners[name] if name in owners else values.get(name) for name in _columns(model)])


def _insert(model, instances):
    """
    Writes new records with the values they hold and gives each its id, many to
    a statement. bulk_create() would write the moment of the import over the
    file's created_at and updated_at (auto_now_add, auto_now); this writes them
    as loading a fixture does (a raw save), without a statement per record.
    """
    using = router.db_for_write(model)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    size = max(connections[using].ops.bulk_batch_size(fields, instances), 1)
    for start in range(0, len(instances), size):
        batch = instances[start : start + size]
        rows = model._base_manager._insert(
            batch, fields=fields, returning_fields=[model._meta.pk], raw=True, using=using
        )
        for instance, (pk,) in zip(batch, rows, strict=True):
            instance.pk = pk


def import_data(patient: diary.User, data: object) -> dict[str, int]:
    """
    Restore an export into a patient whose diary is empty: every record checked
    first, then all of it or nothing. The records are taken out of data as they
    are read.
    """
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise NotImportable("This is not a SpasmLog export.")
    version = data.get("version")
    if version != VERSION or type(version) is not int:
        shown = f"version {version}" if type(version) is int else "no version SpasmLog knows"
        raise NotImportable(f"This export has {shown}; this SpasmLog reads version {VERSION}.")
    with transaction.atomic():
        # Two imports into one account wait for each other here, and the second finds the diary full.
        diary.User.objects.select_for_update().get(pk=patient.pk)
        if patient.episodes.exists() or patient.checkins.exists() or patient.medicines.exists():
            raise NotImportable("Your diary already has entries: import into a new, empty account.")
        with _not_collecting():
            return Diary(patient, data, timezone.now()).save()
