"""
Import: a file is read within fixed limits, every record is checked before any
is written, and the import either saves everything or nothing and says why,
next to the file field, never with a 500.
"""

import io
import json
import struct
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from enum import Enum

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts import portability
from audit.models import AuditEvent
from logs import models
from tests.factories import CheckInFactory, EpisodeFactory, LocationFactory, MedicineFactory, UserFactory

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def make_diary(patient, now):
    """A small diary with every kind of record, as the forms would have saved it."""
    profile = patient.profile
    profile.date_of_birth = "1978-05-14"
    profile.conditions = "Hypothyroidism"
    profile.save()
    baclofen = MedicineFactory(patient=patient, name="Baclofen", started="2026-01-01")
    MedicineFactory(patient=patient, name="Prednisolone", kind="corticosteroid", purpose="other")
    for hours in (3, 30, 300):
        episode = EpisodeFactory(patient=patient, started_at=now - timedelta(hours=hours), notes=f"note {hours}")
        LocationFactory(episode=episode, region="foot", side="both")
        models.EpisodeRelief.objects.create(episode=episode, measure="stretching", helped="a_lot")
        models.EpisodeMedicine.objects.create(episode=episode, medicine=baclofen, dose="10 mg")
    CheckInFactory(patient=patient, day=timezone.localdate(now) - timedelta(days=1), sleep_hours="6.5")
    CheckInFactory(
        patient=patient, day=timezone.localdate(now) - timedelta(days=2), penn_frequency=0, penn_severity=None
    )


def exported(patient, now):
    """What "Export everything" writes in spasmlog.json, as plain JSON values."""
    return json.loads(json.dumps(portability.export_data(patient, now)))


def diary_export():
    """What "Export everything" writes of another patient's small diary."""
    now = timezone.now()
    source = UserFactory()
    make_diary(source, now)
    return exported(source, now)


@pytest.fixture
def export():
    return diary_export()


def as_json(data, **raw):
    """data as JSON text; each keyword's value is written in as raw JSON where the string "@name" stands."""
    text = json.dumps(data)
    for name, value in raw.items():
        text = text.replace(json.dumps(f"@{name}"), value)
    return text.encode()


def zipped(content, *, name="spasmlog.json", others=()):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, content)
        for other in others:
            archive.writestr(other, "")
    return buffer.getvalue()


def patched_zip(content, **fields):
    """
    A ZIP of spasmlog.json with fields of its headers changed by hand, as no
    tool would write them: flags, method, compressed (the compressed size),
    each to what a function makes of the field.
    """
    archive = bytearray(zipped(content))
    offsets = {  # in the local header, and in the central directory's entry (APPNOTE 4.3.7, 4.3.12)
        "flags": (6, 8),
        "method": (8, 10),
        "compressed": (18, 20),
    }
    local, central = archive.find(b"PK\x03\x04"), archive.find(b"PK\x01\x02")
    for field, value in fields.items():
        size = "<L" if field == "compressed" else "<H"
        for start, offset in zip((local, central), offsets[field], strict=True):
            (old,) = struct.unpack_from(size, archive, start + offset)
            struct.pack_into(size, archive, start + offset, value(old))
    return bytes(archive)


def post(client, content, name="export.json"):
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(reverse("account-import"), {"file": upload})


def assert_refused(response, patient, message):
    """Refused next to the file field with the message, and nothing of the diary saved."""
    assert response.status_code == 200
    errors = response.context["form"].errors.get("file", [])
    assert any(message in error for error in errors), errors
    assert not patient.episodes.exists()
    assert not patient.checkins.exists()
    assert not patient.medicines.exists()


def test_a_whole_diary_imports_and_the_import_is_audited(patient_client, patient, export):
    response = post(patient_client, as_json(export))
    assert response["Location"] == reverse("reports:dashboard")
    assert (patient.episodes.count(), patient.checkins.count(), patient.medicines.count()) == (3, 2, 2)
    assert models.EpisodeMedicine.objects.filter(episode__patient=patient, medicine__patient=patient).count() == 3
    assert AuditEvent.objects.filter(action="imported a diary", patient_ref=f"account {patient.pk}").exists()


def test_the_import_keeps_the_files_own_timestamps(patient_client, patient, export):
    post(patient_client, as_json(export))
    episode = patient.episodes.order_by("started_at").first()
    first = min(export["episodes"], key=lambda row: row["started_at"])
    assert episode.created_at == datetime.fromisoformat(first["created_at"])
    assert episode.updated_at == datetime.fromisoformat(first["updated_at"])


def test_the_import_writes_in_batches_not_a_query_a_record(
    patient_client, patient, export, django_assert_max_num_queries
):
    template = export["episodes"][0]
    start = datetime.fromisoformat(template["started_at"])
    export["episodes"] = [
        {**template, "started_at": (start - timedelta(hours=hours)).isoformat()} for hours in range(200)
    ]
    with django_assert_max_num_queries(60):
        response = post(patient_client, as_json(export))
    assert response.status_code == 302
    assert patient.episodes.count() == 200


# The limits: each bounds what is read before it is read.


def test_it_refuses_a_zip_bomb_before_expanding_it(patient_client, patient, export):
    # A diary, then more blank space than any export holds: compressed to a few hundred KB.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("spasmlog.json", "w") as member:
        member.write(as_json(export))
        for _ in range(portability.MAX_EXPANDED_BYTES // MB + 1):
            member.write(b" " * MB)
    assert len(buffer.getvalue()) < MB
    response = post(patient_client, buffer.getvalue(), "export.zip")
    assert_refused(response, patient, f"The file expands to more than {portability.MAX_EXPANDED_BYTES // MB} MB")


def test_it_refuses_a_member_that_expands_far_more_than_an_export_does(patient_client, patient, export):
    content = as_json(export) + b" " * (5 * MB)
    response = post(patient_client, zipped(content), "export.zip")
    assert_refused(response, patient, f"expands more than {portability.MAX_COMPRESSION_RATIO} times")


def test_it_refuses_a_file_larger_than_the_upload_limit(patient_client, patient, export, monkeypatch):
    monkeypatch.setattr(portability, "MAX_UPLOAD_BYTES", MB, raising=False)
    response = post(patient_client, as_json(export) + b" " * MB)
    assert_refused(response, patient, "The file is larger than 1 MB.")


def test_it_refuses_a_zip_that_lists_more_files_than_an_export(patient_client, patient, export):
    others = [f"extra-{number}.txt" for number in range(portability.MAX_ZIP_MEMBERS)]
    response = post(patient_client, zipped(as_json(export), others=others), "export.zip")
    assert_refused(response, patient, f"holds more than {portability.MAX_ZIP_MEMBERS} files")


def count_nested(name):
    return lambda data: sum(len(episode[name]) for episode in data["episodes"])


@pytest.mark.parametrize(
    ("limit", "count", "what"),
    [
        ("MAX_MEDICINES", lambda data: len(data["medicines"]), "medicines"),
        ("MAX_EPISODES", lambda data: len(data["episodes"]), "episodes"),
        ("MAX_CHECKINS", lambda data: len(data["checkins"]), "check-ins"),
        ("MAX_PLACES", count_nested("locations"), "places of episodes"),
        ("MAX_RELIEFS", count_nested("reliefs"), "relief measures tried"),
        ("MAX_MEDICINES_TAKEN", count_nested("medicines_taken"), "medicines taken"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_it_refuses_more_records_than_it_imports(patient_client, patient, export, monkeypatch, limit, count, what):
    monkeypatch.setattr(portability, limit, count(export) - 1, raising=False)
    response = post(patient_client, as_json(export))
    assert_refused(response, patient, f"The file holds more than {count(export) - 1} {what}")


# What answered 500 before: each is now refused with what is wrong, and which record.


def test_it_refuses_json_nested_deeper_than_python_can_parse(patient_client, patient):
    content = b'{"format": "spasmlog-export", "version": 1, "shares": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    assert_refused(post(patient_client, content), patient, "it nests deeper than one")


def test_brackets_and_quotes_inside_text_are_not_nesting(patient_client, patient, export):
    export["episodes"][0]["notes"] = '[[[[[[{{{{ "quoted" \\" [[[[ \\\\'
    assert post(patient_client, as_json(export)).status_code == 302
    assert patient.episodes.filter(notes=export["episodes"][0]["notes"]).exists()


def in_days(days):
    return (timezone.now() + timedelta(days=days)).isoformat()


def on_day(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def second_place_in_calf(data):
    data["episodes"][0]["locations"].append({"region": "calf", "side": "right"})


def relief_twice(data):
    data["episodes"][0]["reliefs"].append({"measure": "stretching", "helped": "a_little"})


def medicine_twice(data):
    data["episodes"][0]["medicines_taken"].append(dict(data["episodes"][0]["medicines_taken"][0]))


def set_value(section, index, field, value):
    def change(data):
        record = data[section] if index is None else data[section][index]
        record[field] = value

    return change


def changed_before_start(data):
    episode = data["episodes"][1]
    episode["updated_at"] = (datetime.fromisoformat(episode["started_at"]) - timedelta(days=1)).isoformat()


def checked_in_before_the_day(data):
    checkin = data["checkins"][0]
    checkin["updated_at"] = (datetime.fromisoformat(checkin["day"] + "T00:00:00+00:00") - timedelta(days=3)).isoformat()


def same_day_twice(data):
    data["checkins"][1]["day"] = data["checkins"][0]["day"]


FOUND_500S = [
    (
        "a start in the future",
        set_value("episodes", 1, "started_at", in_days(1)),
        "Episode 2 could not be read: the start is in the future.",
    ),
    (
        "a check-in for a day to come",
        set_value("checkins", 0, "day", on_day(2)),
        "Check-in 1 could not be read: its day",
    ),
    (
        "a date of birth to come",
        set_value("profile", None, "date_of_birth", on_day(2)),
        "The profile could not be read: the date of birth is in the future.",
    ),
    (
        "year 1 with an offset east of UTC",
        set_value("episodes", 0, "started_at", "0001-01-01T00:00:00+14:00"),
        "Episode 1 could not be read: “start” is before 1900.",
    ),
    (
        "year 9999 with an offset west of UTC",
        set_value("episodes", 0, "started_at", "9999-12-31T23:00:00-12:00"),
        "Episode 1 could not be read: “start” is after 2999.",
    ),
    (
        "a timestamp of year 1 with an offset",
        set_value("episodes", 2, "created_at", "0001-01-01T00:00:00+14:00"),
        "Episode 3 could not be read: “created at” is before 1900.",
    ),
    (
        "an episode last changed before it started",
        changed_before_start,
        "Episode 2 could not be read: it starts after it was last changed",
    ),
    (
        "a check-in last changed before its day",
        checked_in_before_the_day,
        "Check-in 1 could not be read: its day comes after it was last changed",
    ),
    ("two check-ins for one day", same_day_twice, "Check-in 2 could not be read: another check-in is for the same day"),
    ("a region twice in one episode", second_place_in_calf, "Episode 1 could not be read: it names a region twice"),
    (
        "a relief measure twice in one episode",
        relief_twice,
        "Episode 1 could not be read: it names a relief measure twice",
    ),
    ("a medicine twice in one episode", medicine_twice, "Episode 1 could not be read: it names a medicine taken twice"),
    ("null for text", set_value("episodes", 0, "notes", None), "Episode 1 could not be read: “notes” must be text."),
    (
        "null for a profile's text",
        set_value("profile", None, "conditions", None),
        "The profile could not be read: “past medical conditions” must be text.",
    ),
    ("Infinity for a number", set_value("episodes", 0, "intensity", float("inf")), "The file holds Infinity"),
    (
        "half of a UTF-16 pair in text",
        set_value("episodes", 0, "notes", "\ud800"),
        "“notes” holds a character that is not text.",
    ),
    (
        "a null character in text",
        set_value("checkins", 0, "note", "a\x00b"),
        "“note” holds a character that is not text.",
    ),
]


@pytest.mark.parametrize(("change", "message"), [case[1:] for case in FOUND_500S], ids=[case[0] for case in FOUND_500S])
def test_a_record_that_answered_500_is_refused_with_which_and_why(patient_client, patient, export, change, message):
    change(export)
    assert_refused(post(patient_client, as_json(export)), patient, message)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1e400", "Episode 1 could not be read: “intensity” must be a whole number from 0 to 10."),
        ("1" * 5000, "The file holds a number longer than 30 digits"),
        ("NaN", "The file holds NaN"),
    ],
    ids=["1e400", "5000 digits", "NaN"],
)
def test_a_number_no_field_takes_is_refused(patient_client, patient, export, raw, message):
    export["episodes"][0]["intensity"] = "@number"
    assert_refused(post(patient_client, as_json(export, number=raw)), patient, message)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"flags": lambda flags: flags | 0x1}, "The ZIP file is encrypted"),
        ({"method": lambda method: 99}, "compressed in a way SpasmLog does not read"),
        ({"compressed": lambda size: size - 100}, "The ZIP file is damaged."),
    ],
    ids=["encrypted", "unknown method", "truncated"],
)
def test_a_zip_that_zipfile_cannot_read_is_refused(patient_client, patient, export, fields, message):
    response = post(patient_client, patched_zip(as_json(export), **fields), "export.zip")
    assert_refused(response, patient, message)


def test_a_zip_whose_compressed_data_is_garbage_is_refused(patient_client, patient, export):
    archive = bytearray(zipped(as_json(export)))
    start = archive.find(b"PK\x03\x04") + 30 + len("spasmlog.json")
    archive[start : start + 16] = b"\xff" * 16
    assert_refused(post(patient_client, bytes(archive), "export.zip"), patient, "The ZIP file is damaged.")


# The rules of the forms and the database, checked on every record before any is written.


def no_place(data):
    data["episodes"][2]["locations"] = []


def unknown_medicine(data):
    data["episodes"][0]["medicines_taken"][0]["medicine_id"] = 987654


def same_medicine_id(data):
    data["medicines"][1]["id"] = data["medicines"][0]["id"]


def checkins_not_a_list(data):
    data["checkins"] = {"day": "2026-01-01"}


RULES = [
    (
        "text for a yes or no",
        set_value("episodes", 0, "hot", "true"),
        "Episode 1 could not be read: “hot” must be true or false.",
    ),
    (
        "text for a number",
        set_value("episodes", 0, "intensity", "5"),
        "“intensity” must be a whole number from 0 to 10.",
    ),
    (
        "true for a number",
        set_value("episodes", 0, "duration_seconds", True),
        "“duration” must be a whole number from 1 to 86400.",
    ),
    (
        "a list for text",
        set_value("medicines", 1, "name", ["Baclofen"]),
        "Medicine 2 could not be read: “name” must be text.",
    ),
    ("an unknown kind", set_value("episodes", 0, "kind", "hiccup"), "“kind” must be one of twitch, cramp, spasm."),
    (
        "an intensity out of range",
        set_value("episodes", 0, "intensity", 11),
        "“intensity” must be a whole number from 0 to 10.",
    ),
    ("too long a name", set_value("medicines", 0, "name", "x" * 201), "“name” is longer than 200 characters."),
    ("an empty name", set_value("medicines", 0, "name", "  "), "Medicine 1 could not be read: “name” is empty."),
    (
        "a time without its offset",
        set_value("episodes", 0, "started_at", "2026-01-01T10:00:00"),
        "“start” must be a date and time with its offset",
    ),
    (
        "a day that does not exist",
        set_value("checkins", 0, "day", "2026-02-30"),
        "“day” must be a date such as 2026-03-01.",
    ),
    ("a day before 1900", set_value("checkins", 0, "day", "1899-12-31"), "“day” is before 1900."),
    ("too precise a sleep", set_value("checkins", 0, "sleep_hours", "6.25"), "with at most 1 decimal"),
    (
        "a severity without spasms",
        set_value("checkins", 0, "penn_severity", 2),
        "Check-in 1 could not be read: it rates the severity",
    ),
    (
        "a medicine stopped before it started",
        set_value("medicines", 0, "stopped", "2025-01-01"),
        "Medicine 1 could not be read: it stops before it started.",
    ),
    ("an unknown field", set_value("episodes", 0, "mood", "fine"), "it has fields that SpasmLog does not know: “mood”"),
    (
        "a record that is not one",
        set_value("episodes", 1, "locations", [["calf", "left"]]),
        "Episode 2 could not be read: its place 1: it is not a record.",
    ),
    ("an episode without a place", no_place, "Episode 3 could not be read: it has no place where the spasm was."),
    ("a medicine taken that the file does not list", unknown_medicine, "it names a medicine that is not in the file"),
    (
        "two medicines with one id",
        same_medicine_id,
        "Medicine 2 could not be read: its “id” is another medicine's too.",
    ),
    ("a list of records that is not a list", checkins_not_a_list, "“checkins” is not a list"),
]


@pytest.mark.parametrize(("change", "message"), [case[1:] for case in RULES], ids=[case[0] for case in RULES])
def test_every_record_is_checked_before_anything_is_written(patient_client, patient, export, change, message):
    change(export)
    assert_refused(post(patient_client, as_json(export)), patient, message)


def test_a_field_the_file_leaves_out_takes_the_forms_default(patient_client, patient, export):
    for episode in export["episodes"]:
        del episode["hot"], episode["notes"]
    assert post(patient_client, as_json(export)).status_code == 302
    assert patient.episodes.filter(hot=False, notes="").count() == 3


def test_a_start_the_file_leaves_out_is_missing_not_now(patient_client, patient, export):
    del export["episodes"][1]["started_at"]
    assert_refused(post(patient_client, as_json(export)), patient, "Episode 2 could not be read: “start” is missing.")


def test_a_refusal_keeps_the_profile_as_it_was(patient_client, patient, export):
    export["checkins"][1]["day"] = on_day(3)
    assert_refused(post(patient_client, as_json(export)), patient, "Check-in 2 could not be read")
    patient.profile.refresh_from_db()
    assert patient.profile.conditions == ""


def test_the_ids_in_the_file_stay_in_the_file(patient_client, patient, other_patient, export):
    MedicineFactory(patient=other_patient)
    post(patient_client, as_json(export))
    assert set(
        models.EpisodeMedicine.objects.filter(episode__patient=patient).values_list("medicine__patient", flat=True)
    ) == {patient.pk}
    assert not other_patient.episodes.exists()


def test_an_export_within_every_limit_is_imported_from_its_zip(patient_client, patient, export):
    response = post(patient_client, zipped(as_json(export), others=["episodes.csv", "README.txt"]), "export.zip")
    assert response.status_code == 302
    assert patient.episodes.count() == 3


def test_a_second_import_into_the_same_account_finds_the_diary_full(patient_client, patient, export):
    post(patient_client, as_json(export))
    response = post(patient_client, as_json(export))
    assert "import into a new, empty account" in response.content.decode()
    assert patient.episodes.count() == 3


# Any export, changed in any way: the import never answers 500, and the diary is
# afterwards either exactly what the file holds or as empty as before.

MISSING = object()
NASTY = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
    st.sampled_from(
        [
            "",
            " ",
            "x" * 5000,
            "\x00",
            "\ud800",
            "2026-02-30",
            "1899-12-31",
            "2999-12-31",
            "0001-01-01T00:00:00+14:00",
            "9999-12-31T23:59:59-14:00",
            "2020-01-01T10:00:00",
            "2020-01-01T10:00:00+05:30",
            "2020-01-01",
            "6.5",
            "1e400",
            "NaN",
            "calf",
            "both",
            "stretching",
            "a_lot",
            "other",
            "cramp",
        ]
    ),
)


def places_in(value, path=()):
    """Every place in an export's records, as a path of keys and indexes."""
    if path:
        yield path
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from places_in(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from places_in(inner, (*path, index))


def parent_of(data, path):
    for step in path[:-1]:
        data = data[step]
    return data


@st.composite
def changed(draw, export):
    """The export with one to three changes: a key dropped, a value replaced, a record repeated or nested."""
    data = json.loads(json.dumps(export))
    for _ in range(draw(st.integers(1, 3))):
        paths = [path for path in places_in(data) if path[0] in ("profile", "medicines", "episodes", "checkins")]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = parent_of(data, path), path[-1]
        how = draw(st.sampled_from(["drop", "replace", "replace", "repeat", "nest"]))
        if how == "drop":
            del parent[last]
        elif how == "replace":
            parent[last] = draw(NASTY)
        elif how == "repeat" and isinstance(parent, list):
            parent.append(json.loads(json.dumps(parent[last])))
        elif how == "nest":
            for _ in range(draw(st.integers(1, 3))):
                parent[last] = [parent[last]]
    return data


def comparable_value(field, value):
    value = field.to_python(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, Decimal):
        return value.normalize()
    return value


def comparable_record(model, record, ignored=()):
    """A record's values as the model reads them; a field it leaves out has its default, bar timestamps."""
    values = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.is_relation or field.attname in ignored:
            continue
        value = record.get(field.attname, MISSING)
        if value is MISSING:
            if field.attname not in portability.TIMESTAMPS:
                values[field.attname] = comparable_value(field, field.get_default())
        else:
            values[field.attname] = comparable_value(field, value)
    return values


def comparable_diary(data, *, leave_out=()):
    """A diary as sorted lists of records' values, medicines taken named by their medicine's values."""
    listed = [
        (row.get("id"), comparable_record(models.Medicine, row, leave_out)) for row in data.get("medicines") or []
    ]
    medicines = dict(listed)

    def episode(row):
        return comparable_record(models.Episode, row, leave_out) | {
            "places": sorted(
                repr(comparable_record(models.EpisodeLocation, place)) for place in row.get("locations", [])
            ),
            "reliefs": sorted(
                repr(comparable_record(models.EpisodeRelief, relief)) for relief in row.get("reliefs", [])
            ),
            "taken": sorted(
                repr((medicines[use["medicine_id"]], use.get("dose", ""))) for use in row.get("medicines_taken", [])
            ),
        }

    return {
        "medicines": sorted(repr(values) for _, values in listed),
        "episodes": sorted(repr(episode(row)) for row in data.get("episodes") or []),
        "checkins": sorted(
            repr(comparable_record(models.CheckIn, row, leave_out)) for row in data.get("checkins") or []
        ),
    }


@pytest.mark.slow
class ImportNeverBreaks(TestCase):
    """A valid export, changed by hypothesis; the database is rolled back between examples."""

    @classmethod
    def setUpTestData(cls):
        cls.export = diary_export()

    def setUp(self):
        self.patient = UserFactory()
        self.client = Client()
        self.client.force_login(self.patient)

    @settings(
        max_examples=150,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def test_a_changed_export_is_imported_whole_or_not_at_all(self, data):
        content = data.draw(changed(self.export))
        profile_before = comparable_record(models.Profile, model_to_dict(self.patient.profile), ["updated_at"])
        response = post(self.client, json.dumps(content).encode())
        assert response.status_code in (200, 302), response.status_code
        again = exported(self.patient, timezone.now())
        if response.status_code == 200:
            assert response.context["form"].errors["file"]
            assert not (again["episodes"] or again["checkins"] or again["medicines"])
            assert comparable_record(models.Profile, again["profile"], ["updated_at"]) == profile_before
            return
        # What the file leaves out of a record is the field's default; the timestamps it leaves out are now.
        missing = self.missing_timestamps(content)
        assert comparable_diary(again, leave_out=missing) == comparable_diary(content, leave_out=missing)
        if isinstance(content.get("profile"), dict):
            assert comparable_record(models.Profile, again["profile"], ["updated_at"]) == comparable_record(
                models.Profile, content["profile"], ["updated_at"]
            )

    @staticmethod
    def missing_timestamps(content):
        """Timestamps the file leaves out of any record, which the import sets to the moment it runs."""
        rows = [*(content.get("medicines") or []), *(content.get("episodes") or []), *(content.get("checkins") or [])]
        return [name for name in portability.TIMESTAMPS if any(name not in row for row in rows)]
