"""
The diary of a period as an HL7 FHIR R4 Bundle (type collection).

An Observation per episode, a QuestionnaireResponse per check-in and a
MedicationStatement per medicine, all about one Patient; without the entries
(a share that does not include them), the Patient and the MedicationStatements
alone. A concept goes with a LOINC or UCUM code only where the code is certain;
everything else is sent as text, never with an invented code.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from logs import models as diary
from spasmlog.dates import Period

UCUM = "http://unitsofmeasure.org"
INTENSITY_CODE = {
    "coding": [
        {
            "system": "http://loinc.org",
            "code": "72514-3",
            "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported",
        }
    ],
    "text": "Intensity (0 = none, 10 = worst imaginable)",
}
SURVEY = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "survey",
            "display": "Survey",
        }
    ]
}
FLAG_LABELS = {
    **{name: f"Environment: {diary.field_label(diary.Episode, name)}" for name in diary.ENVIRONMENT_FIELDS},
    **{name: f"Came with: {diary.field_label(diary.Episode, name)}" for name in diary.ACCOMPANYING_FIELDS},
}
# Stable identifiers, so the same record has the same fullUrl in every export.
NAMESPACE = uuid.UUID("5f0b7f8e-2f7c-4c55-9a51-2d1c1e0a6b3e")


def _urn(kind, pk):
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'{kind}:{pk}')}"


def _text(text):
    return {"text": str(text)}


def _minutes(value):
    return {"value": value, "unit": "min", "system": UCUM, "code": "min"}


def bundle(patient: diary.User, period: Period, now: datetime, *, entries: bool = True) -> dict[str, Any]:
    """The FHIR Bundle of the patient's period, as a dict ready for JSON; episodes and check-ins only with entries."""
    zone = patient.zone
    start, end = period.bounds(zone)
    patient_urn = _urn("patient", patient.pk)
    subject = {"reference": patient_urn}

    person: dict[str, Any] = {"resourceType": "Patient", "name": [_text(patient.display_name)]}
    profile = getattr(patient, "profile", None)
    if profile and profile.date_of_birth:
        person["birthDate"] = profile.date_of_birth.isoformat()
    resources = [(patient_urn, person)]

    if entries:
        episodes = diary.with_details(
            diary.Episode.objects.for_patient(patient).between(start, end).order_by("started_at").defer("updated_at")
        )
        resources += [(_urn("episode", episode.pk), _observation(episode, subject, zone)) for episode in episodes]
        checkins = diary.CheckIn.objects.for_patient(patient).between(period.first_day, period.last_day).order_by("day")
        resources += [
            (_urn("checkin", checkin.pk), _questionnaire_response(checkin, subject, zone)) for checkin in checkins
        ]

    medicines = diary.Medicine.objects.for_patient(patient).taken_between(period.first_day, period.last_day)
    today = now.astimezone(zone).date()
    resources += [
        (_urn("medicine", medicine.pk), _medication_statement(medicine, subject, zone, today))
        for medicine in medicines.order_by("name")
    ]

    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": now.astimezone(zone).isoformat(),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in resources],
    }


def _observation(episode, subject, zone):
    started = episode.started_at.astimezone(zone)
    effective = {"start": started.isoformat()}
    kind = diary.Kind(episode.kind).label
    components = []
    if episode.duration_seconds:
        effective["end"] = (started + timedelta(seconds=episode.duration_seconds)).isoformat()
        components.append(
            {
                "code": _text("Duration"),
                "valueQuantity": {"value": episode.duration_seconds, "unit": "s", "system": UCUM, "code": "s"},
            }
        )
    if episode.intensity is not None:
        components.append({"code": INTENSITY_CODE, "valueInteger": episode.intensity})
    if episode.activity:
        activity = episode.activity_other or diary.Activity(episode.activity).label
        components.append({"code": _text("Activity at onset"), "valueString": activity})
    if episode.new_exercise:
        components.append({"code": _text("The exercise was new or unusual"), "valueBoolean": True})
    for name, label in FLAG_LABELS.items():
        if getattr(episode, name):
            components.append({"code": _text(label), "valueBoolean": True})
    for relief in episode.tried:
        components.append({"code": _text(f"Relief tried: {relief.measure}"), "valueString": relief.helped})
    for taken in episode.taken:
        components.append({"code": _text("Medicine taken"), "valueString": taken})

    observation = {
        "resourceType": "Observation",
        "status": "final",
        "category": [SURVEY],
        "code": _text(f"Muscle {kind.lower()} (patient-reported episode)"),
        "subject": subject,
        "effectivePeriod": effective,
        "issued": episode.created_at.astimezone(zone).isoformat(),
        "component": components,
    }
    locations = episode.places
    if locations:
        # Observation.bodySite holds one concept: several places go in its text.
        observation["bodySite"] = _text("; ".join(locations))
    if episode.notes:
        observation["note"] = [_text(episode.notes)]
    return observation


def _questionnaire_response(checkin, subject, zone):
    answers = [
        ("day", "Day", {"valueDate": checkin.day.isoformat()}),
        (
            "penn-frequency",
            "Penn Spasm Frequency Scale, frequency in the last 24 hours: " + checkin.get_penn_frequency_display(),
            {"valueInteger": checkin.penn_frequency},
        ),
    ]
    if checkin.penn_severity:
        answers.append(
            (
                "penn-severity",
                "Penn Spasm Frequency Scale, severity: " + checkin.get_penn_severity_display(),
                {"valueInteger": checkin.penn_severity},
            )
        )
    if checkin.sleep_hours is not None:
        answers.append(("sleep", "Sleep (hours)", {"valueDecimal": float(checkin.sleep_hours)}))
    for link, label, value in (
        ("fluids", "Fluids (glasses)", checkin.fluids_glasses),
        ("caffeine", "Caffeine drinks", checkin.caffeine_drinks),
        ("alcohol", "Alcohol (units)", checkin.alcohol_units),
        ("stress", "Stress (0-10)", checkin.stress),
    ):
        if value is not None:
            answers.append((link, label, {"valueInteger": value}))
    answers.append(("nicotine", "Nicotine", {"valueBoolean": checkin.nicotine}))
    if checkin.nicotine_amount:
        answers.append(("nicotine-amount", "How much nicotine", {"valueString": checkin.nicotine_amount}))
    if checkin.exercise_minutes is not None:
        answers.append(("exercise", "Exercise", {"valueQuantity": _minutes(checkin.exercise_minutes)}))
    answers.append(("exercise-new", "The exercise was new or unusual", {"valueBoolean": checkin.exercise_new}))
    if checkin.sun_heat_minutes is not None:
        answers.append(("sun-heat", "Time in sun or heat", {"valueQuantity": _minutes(checkin.sun_heat_minutes)}))
    for name in diary.SUPPLEMENT_FIELDS:
        label = diary.field_label(diary.CheckIn, name)
        answers.append((name.replace("_", "-"), f"Supplement: {label}", {"valueBoolean": getattr(checkin, name)}))
    if checkin.note:
        answers.append(("note", "Note", {"valueString": checkin.note}))

    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "subject": subject,
        "authored": checkin.updated_at.astimezone(zone).isoformat(),
        "item": [{"linkId": link, "text": text, "answer": [answer]} for link, text, answer in answers],
    }


def _medication_statement(medicine, subject, zone, today):
    statement = {
        "resourceType": "MedicationStatement",
        "status": "active" if medicine.is_current(today) else "completed",
        "medicationCodeableConcept": _text(medicine.name),
        "subject": subject,
        "dateAsserted": medicine.created_at.astimezone(zone).isoformat(),
    }
    effective = {}
    if medicine.started:
        effective["start"] = medicine.started.isoformat()
    if medicine.stopped:
        effective["end"] = medicine.stopped.isoformat()
    if effective:
        statement["effectivePeriod"] = effective
    dosage = ", ".join(part for part in (medicine.dose, medicine.frequency) if part)
    if dosage:
        statement["dosage"] = [_text(dosage)]
    if medicine.purpose == diary.Purpose.SPASMS:
        statement["reasonCode"] = [_text("Muscle spasms")]
    if medicine.kind:
        statement["note"] = [_text(f"{medicine.get_kind_display()}: can itself cause spasms")]
    return statement
