"""The summary's PDF, CSV and FHIR downloads, its fixed number of queries, and its two pages."""

import csv
import io
import json
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from logs.models import (
    ACCOMPANYING_FIELDS,
    CheckIn,
    Episode,
    EpisodeLocation,
    EpisodeRelief,
    Medicine,
    Region,
    Relief,
    Side,
)
from tests.factories import CheckInFactory, EpisodeFactory, LinkShareFactory, MedicineFactory
from tests.test_summary import NOW, TODAY, diary  # noqa: F401 (a fixture)

PERIOD_30 = {"period": "30"}
DOWNLOADS = [
    ("reports:summary-pdf", [], "summary.pdf"),
    ("reports:summary-csv", ["episodes"], "episodes.csv"),
    ("reports:summary-csv", ["checkins"], "checkins.csv"),
    ("reports:summary-csv", ["medicines"], "medicines.csv"),
    ("reports:summary-fhir", [], "fhir.json"),
]


@pytest.fixture
def diary_client(client, diary):  # noqa: F811
    diary.display_name = "Zoë Example"
    diary.save()
    client.force_login(diary)
    return client


def pdf_of(response):
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def rows_of(response):
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.parametrize(("name", "args", "ending"), DOWNLOADS)
def test_every_download_is_never_cached_and_named_for_the_patient_and_period(diary_client, name, args, ending):
    response = diary_client.get(reverse(name, args=args), PERIOD_30)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"spasmlog-zo%C3%AB-example-2026-03-17-to-2026-04-15-{ending}" in disposition


def test_the_summary_page_is_never_cached(diary_client):
    assert "no-store" in diary_client.get(reverse("reports:summary"))["Cache-Control"]


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_pdf_is_two_pages_with_title_language_and_the_figures(diary_client, paper):
    reader = pdf_of(diary_client.get(reverse("reports:summary-pdf"), {**PERIOD_30, "paper": paper}))
    assert len(reader.pages) == 2
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == ((595, 842) if paper == "a4" else (612, 792))
    assert reader.metadata.title == "Spasm diary summary, 17 Mar 2026 to 15 Apr 2026"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    first = reader.pages[0].extract_text()
    assert "Zoë Example" in first
    assert "1.2 a week" in first
    assert "Median 1 min 30 s" in first
    assert "Loss of bladder or bowel control with a spasm: 10 Apr" in first
    second = reader.pages[1].extract_text()
    assert "Baclofen" in second and "Is it the new statin?" in second
    fonts = {str(font["/BaseFont"]) for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert all("DejaVu" in font for font in fonts)  # embedded, from the machine


def test_the_pdf_adds_the_appendix_when_asked(diary_client):
    reader = pdf_of(diary_client.get(reverse("reports:summary-pdf"), {**PERIOD_30, "appendix": "on"}))
    assert len(reader.pages) == 3
    assert "Appendix: episodes" in reader.pages[2].extract_text()


def heavy_year(patient, *, episodes, seed=7):
    """A year of heavy logging: every region, side and red flag, long texts, many medicines."""
    rng = random.Random(seed)
    first_day = TODAY - timedelta(days=364)
    made = Episode.objects.bulk_create(
        Episode(
            patient=patient,
            started_at=NOW - timedelta(minutes=rng.randint(60, 364 * 24 * 60)),
            duration_seconds=rng.randint(1, 5000),
            kind=rng.choice(["twitch", "cramp", "spasm"]),
            intensity=rng.choice([None, *range(11)]),
            activity=rng.choice(["", "resting", "sleeping", "walking", "exercising", "other"]),
            activity_other="Gardening",
            hot=rng.random() < 0.2,
            sun=rng.random() < 0.2,
            humid=rng.random() < 0.2,
            cold=rng.random() < 0.2,
            dehydrated=rng.random() < 0.2,
            notes='=HYPERLINK("http://example.com")' if i == 0 else "",
            **{name: rng.random() < 0.05 for name in ACCOMPANYING_FIELDS},
        )
        for i in range(episodes)
    )
    EpisodeLocation.objects.bulk_create(
        EpisodeLocation(episode=episode, region=region, side=rng.choice(Side.values))
        for episode in made
        for region in rng.sample(Region.values, 3)
    )
    EpisodeRelief.objects.bulk_create(
        EpisodeRelief(episode=episode, measure=measure, helped=rng.choice(["", "a_lot", "a_little", "not_at_all"]))
        for episode in made
        for measure in rng.sample(Relief.values, 2)
    )
    CheckIn.objects.bulk_create(
        CheckIn(
            patient=patient,
            day=first_day + timedelta(days=i),
            penn_frequency=4,
            penn_severity=3,
            # Every factor on some days and not others, a few on too few days to compare.
            sleep_hours=5 if i % 3 == 0 else 8,
            fluids_glasses=4 if i % 4 == 0 else 8,
            caffeine_drinks=6 if i % 5 == 0 else 1,
            alcohol_units=3,
            stress=8 if i % 2 else 3,
            exercise_minutes=45,
            exercise_new=i % 7 == 0,
            sun_heat_minutes=90 if i % 2 == 0 else 0,
            nicotine=i % 60 == 0,
            magnesium=i % 90 == 0,
            potassium=i % 100 == 0,
            calcium=i % 2 == 0,
            vitamin_d=i % 3 == 1,
            vitamin_b=i % 120 == 0,
        )
        for i in range(365)
        if not CheckIn.objects.filter(patient=patient, day=first_day + timedelta(days=i)).exists()
    )
    Medicine.objects.bulk_create(
        Medicine(
            patient=patient,
            name=f"A medicine with a very long name number {i} " * 4,
            dose="10 mg in the morning and 20 mg at night",
            frequency="three times a day, with food, unless the pharmacist says otherwise",
            purpose="spasms" if i % 2 else "other",
            kind="corticosteroid" if i % 3 else "",
            started=first_day + timedelta(days=10 * i) if i % 2 else None,
        )
        for i in range(25)
    )
    profile = patient.profile
    for field in ("conditions", "injuries", "surgeries", "usual_exercise"):
        setattr(profile, field, "A long story of many words that goes on. " * 60 + "\n" * 3 + "More lines\n" * 30)
    profile.questions = "".join(f"Question number {i}, a short one but not too short?\n" for i in range(30))
    profile.occupation = "Nurse " * 30
    profile.save()


YEAR = {"period": "range", "start": str(TODAY - timedelta(days=364)), "end": str(TODAY)}


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_year_of_heavy_logging_still_fits_on_two_pages(patient_client, patient, time_machine, paper):
    time_machine.move_to(NOW)
    heavy_year(patient, episodes=3000)
    reader = pdf_of(patient_client.get(reverse("reports:summary-pdf"), {**YEAR, "paper": paper}))
    assert len(reader.pages) == 2
    text = reader.pages[0].extract_text()
    assert "Red flags" in text and "Spasms with fever" in text and "and " in text


def test_the_summary_takes_the_same_queries_for_10_and_10000_episodes(
    patient_client, patient, time_machine, django_assert_num_queries
):
    time_machine.move_to(NOW)
    for days_ago in range(10):
        EpisodeFactory(patient=patient, started_at=NOW - timedelta(days=days_ago, hours=1))
    CheckInFactory(patient=patient, day=TODAY)
    MedicineFactory(patient=patient)
    with django_assert_num_queries(15 + 2):
        patient_client.get(reverse("reports:summary"), YEAR)

    heavy_year(patient, episodes=10_000)
    assert patient.episodes.count() == 10_010
    with django_assert_num_queries(15 + 2):
        response = patient_client.get(reverse("reports:summary"), YEAR)
    assert response.context["n"] == 10_010


def test_the_episodes_csv_has_a_readable_row_for_each_episode(diary_client):
    rows = rows_of(diary_client.get(reverse("reports:summary-csv", args=["episodes"]), PERIOD_30))
    header, body = rows[0], rows[1:]
    assert len(body) == 5
    row = dict(zip(header, body[1], strict=True))
    assert row["start"] == "2026-04-02T08:30:00+01:00"
    assert (row["date"], row["time"], row["time zone"]) == ("2026-04-02", "08:30", "Europe/London")
    assert (row["duration (seconds)"], row["duration"], row["intensity (0-10)"]) == ("60", "1 min", "4")
    assert row["locations"] == "Right calf; Right foot or toes"
    assert row["relief tried"] == "Stretching: helped not at all"
    assert row["environment: hot"] == "yes" and row["with: fever"] == "no"
    medicine_row = dict(zip(header, body[3], strict=True))
    assert medicine_row["medicines taken"] == "Baclofen 20 mg"


@pytest.mark.parametrize("text", ["=1+1", "+44 20", "-3", "@SUM(A1)", "\tTab"])
def test_a_field_a_spreadsheet_would_run_as_a_formula_is_neutralised(patient_client, patient, time_machine, text):
    time_machine.move_to(NOW)
    EpisodeFactory(patient=patient, started_at=NOW - timedelta(hours=2), notes=text)
    rows = rows_of(patient_client.get(reverse("reports:summary-csv", args=["episodes"])))
    notes = dict(zip(rows[0], rows[1], strict=True))["notes"]
    assert notes == "'" + text


def test_the_check_ins_and_medicines_csv(diary_client):
    checkins = rows_of(diary_client.get(reverse("reports:summary-csv", args=["checkins"]), PERIOD_30))
    assert [row[0] for row in checkins[1:]] == ["2026-04-14", "2026-04-15"]
    first = dict(zip(checkins[0], checkins[1], strict=True))
    assert first["Penn frequency"] == "2 = Infrequent full spasms occurring less than once per hour"
    assert first["sleep (hours)"] == "5.0"
    medicines = rows_of(diary_client.get(reverse("reports:summary-csv", args=["medicines"]), PERIOD_30))
    assert sorted(row[0] for row in medicines[1:]) == ["Baclofen", "Estradiol", "Levothyroxine"]
    estradiol = next(dict(zip(medicines[0], row, strict=True)) for row in medicines[1:] if row[0] == "Estradiol")
    assert (estradiol["kind"], estradiol["may cause spasms"]) == ("Estrogen pill", "yes")


def test_an_unknown_csv_is_not_found(patient_client):
    assert patient_client.get(reverse("reports:summary-csv", args=["passwords"])).status_code == 404


def fhir_of(response):
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    data = json.loads(response.content)
    Bundle.model_validate(data)  # raises on anything R4B does not allow
    return data


def codes(value):
    """Every (system, code) pair anywhere in a resource."""
    if isinstance(value, dict):
        found = [(value["system"], value["code"])] if "system" in value and "code" in value else []
        return found + [pair for item in value.values() for pair in codes(item)]
    if isinstance(value, list):
        return [pair for item in value for pair in codes(item)]
    return []


def test_the_fhir_bundle_is_valid_r4b_with_a_resource_per_entry(diary_client):
    bundle = fhir_of(diary_client.get(reverse("reports:summary-fhir"), PERIOD_30))
    assert (bundle["resourceType"], bundle["type"]) == ("Bundle", "collection")
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds.count("Patient") == 1
    assert kinds.count("Observation") == 5
    assert kinds.count("QuestionnaireResponse") == 2
    assert kinds.count("MedicationStatement") == 3
    urls = [entry["fullUrl"] for entry in bundle["entry"]]
    assert len(set(urls)) == len(urls) and all(url.startswith("urn:uuid:") for url in urls)


def test_fhir_uses_only_codes_that_are_certain(diary_client):
    bundle = fhir_of(diary_client.get(reverse("reports:summary-fhir"), PERIOD_30))
    assert set(codes(bundle)) == {
        ("http://terminology.hl7.org/CodeSystem/observation-category", "survey"),
        ("http://loinc.org", "72514-3"),
        ("http://unitsofmeasure.org", "s"),
    }


def test_an_episode_becomes_an_observation(diary_client):
    bundle = fhir_of(diary_client.get(reverse("reports:summary-fhir"), PERIOD_30))
    observations = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Observation"]
    second = observations[1]
    assert second["status"] == "final"
    assert second["category"][0]["coding"][0]["code"] == "survey"
    assert second["effectivePeriod"] == {"start": "2026-04-02T08:30:00+01:00", "end": "2026-04-02T08:31:00+01:00"}
    assert second["bodySite"] == {"text": "Right calf; Right foot or toes"}
    intensity = next(c for c in second["component"] if c["code"].get("coding"))
    assert (intensity["code"]["coding"][0]["code"], intensity["valueInteger"]) == ("72514-3", 4)
    assert second["subject"]["reference"] == bundle["entry"][0]["fullUrl"]


def test_check_ins_and_medicines_become_questionnaire_responses_and_statements(diary_client):
    bundle = fhir_of(diary_client.get(reverse("reports:summary-fhir"), PERIOD_30))
    resources = [entry["resource"] for entry in bundle["entry"]]
    response = next(r for r in resources if r["resourceType"] == "QuestionnaireResponse")
    answers = {item["linkId"]: item["answer"][0] for item in response["item"]}
    assert answers["day"] == {"valueDate": "2026-04-14"}
    assert answers["penn-frequency"] == {"valueInteger": 2}
    assert answers["sleep"] == {"valueDecimal": 5.0}
    statements = {
        r["medicationCodeableConcept"]["text"]: r for r in resources if r["resourceType"] == "MedicationStatement"
    }
    assert statements["Baclofen"]["reasonCode"] == [{"text": "Muscle spasms"}]
    assert statements["Baclofen"]["status"] == "active"
    assert statements["Estradiol"]["note"] == [{"text": "Estrogen pill: can itself cause spasms"}]


def test_a_summary_only_share_exports_valid_fhir_of_the_patient_and_medicines(diary_client, diary):  # noqa: F811
    share = LinkShareFactory.build(patient=diary, first_day=date(2026, 3, 17), last_day=TODAY)
    token = share.new_token()
    share.save()
    shared = fhir_of(Client().get(reverse("sharing:link-fhir", args=[token])))
    own = fhir_of(diary_client.get(reverse("reports:summary-fhir"), PERIOD_30))
    kinds = [entry["resource"]["resourceType"] for entry in shared["entry"]]
    assert kinds == ["Patient"] + ["MedicationStatement"] * 3
    assert shared["entry"] == [entry for entry in own["entry"] if entry["resource"]["resourceType"] in kinds]


def test_the_patients_own_summary_offers_every_download(diary_client):
    page = diary_client.get(reverse("reports:summary"), PERIOD_30).content.decode()
    for name, args, _ in DOWNLOADS:
        assert f'href="{reverse(name, args=args)}?period=30' in page


def test_an_empty_fhir_export_is_still_valid(patient_client, time_machine):
    time_machine.move_to(NOW)
    bundle = fhir_of(patient_client.get(reverse("reports:summary-fhir")))
    assert [entry["resource"]["resourceType"] for entry in bundle["entry"]] == ["Patient"]


def test_the_downloads_carry_only_the_patients_own_entries(diary_client, other_patient):
    EpisodeFactory(patient=other_patient, started_at=datetime(2026, 4, 14, 9, 0, tzinfo=UTC), notes="not yours")
    rows = rows_of(diary_client.get(reverse("reports:summary-csv", args=["episodes"]), PERIOD_30))
    assert len(rows) == 6 and "not yours" not in str(rows)
    bundle = fhir_of(diary_client.get(reverse("reports:summary-fhir"), PERIOD_30))
    assert "not yours" not in json.dumps(bundle)


def test_an_unknown_paper_size_falls_back_to_a4(diary_client):
    reader = pdf_of(diary_client.get(reverse("reports:summary-pdf"), {**PERIOD_30, "paper": "A0"}))
    assert round(float(reader.pages[0].mediabox.width)) == 595


def test_no_period_at_all_is_the_last_90_days(patient_client, time_machine):
    time_machine.move_to(NOW)
    response = patient_client.get(reverse("reports:summary-csv", args=["checkins"]))
    assert "2026-01-16-to-2026-04-15" in response["Content-Disposition"]
    assert date(2026, 1, 16) == TODAY - timedelta(days=89)
