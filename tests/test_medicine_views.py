from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from logs.forms import guess_medicine_kind
from logs.models import Medicine
from spasmlog.dates import EARLIEST_DAY, LATEST_DAY
from tests.conftest import DAYS_BEYOND_THE_BOUNDS
from tests.factories import MedicineFactory
from tests.test_episode_views import episode_data


def medicine_data(**overrides):
    data = {"name": "Baclofen", "dose": "10 mg", "frequency": "twice a day", "purpose": "spasms", "kind": ""}
    return data | overrides


def test_it_adds_a_medicine(patient_client, patient):
    response = patient_client.post(reverse("logs:medicine-new"), medicine_data())
    assert response.status_code == 302
    medicine = Medicine.objects.get(patient=patient)
    assert (medicine.name, medicine.dose, medicine.purpose, medicine.may_cause_spasms) == (
        "Baclofen",
        "10 mg",
        "spasms",
        False,
    )


@pytest.mark.parametrize(
    "name, kind",
    [
        ("Prednisolone", "corticosteroid"),
        ("prednisone 5mg", "corticosteroid"),
        ("Estradiol patch", "estrogen"),
        ("Magnesium", ""),
    ],
)
def test_it_recognises_kinds_that_can_cause_spasms(name, kind):
    assert guess_medicine_kind(name) == kind


def test_it_flags_a_corticosteroid_on_the_list(patient_client, patient):
    patient_client.post(reverse("logs:medicine-new"), medicine_data(name="Prednisone", purpose="other"))
    page = patient_client.get(reverse("logs:medicine-list")).content.decode()
    assert Medicine.objects.get().kind == "corticosteroid"
    assert "can cause spasms" in page


def test_a_chosen_kind_is_kept(patient_client, patient):
    patient_client.post(reverse("logs:medicine-new"), medicine_data(name="My pill", kind="estrogen"))
    assert Medicine.objects.get().kind == "estrogen"


def test_it_refuses_a_stop_before_the_start(patient_client):
    today = timezone.localdate()
    response = patient_client.post(
        reverse("logs:medicine-new"),
        medicine_data(started=today.isoformat(), stopped=(today - timedelta(days=1)).isoformat()),
    )
    assert "It cannot stop before it started." in response.content.decode()
    assert response.context["form"]["name"].value() == "Baclofen"
    assert not Medicine.objects.exists()


@pytest.mark.parametrize("field", ["started", "stopped"])
@pytest.mark.parametrize(("day", "message"), DAYS_BEYOND_THE_BOUNDS)
def test_it_refuses_a_day_beyond_the_bounds_next_to_the_field_and_keeps_it(patient_client, field, day, message):
    response = patient_client.post(reverse("logs:medicine-new"), medicine_data(**{field: day}))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field] == [message]
    assert form[field].value() == day and form["name"].value() == "Baclofen"
    assert not Medicine.objects.exists()


def test_it_takes_the_bounds_themselves(patient_client, patient):
    data = medicine_data(started="1900-01-01", stopped="2999-12-31")
    assert patient_client.post(reverse("logs:medicine-new"), data).status_code == 302
    medicine = Medicine.objects.get()
    assert (medicine.started, medicine.stopped) == (EARLIEST_DAY, LATEST_DAY)
    assert patient_client.get(reverse("logs:medicine-list")).context["current"] == [medicine]
    assert patient_client.get(reverse("reports:summary"), {"period": "30"}).status_code == 200


def test_the_list_separates_current_from_stopped(patient_client, patient, other_patient):
    MedicineFactory(patient=patient, name="Current")
    MedicineFactory(patient=patient, name="Old", stopped=timezone.localdate() - timedelta(days=1))
    MedicineFactory(patient=other_patient, name="Theirs")
    response = patient_client.get(reverse("logs:medicine-list"))
    assert [m.name for m in response.context["current"]] == ["Current"]
    assert [m.name for m in response.context["past"]] == ["Old"]


def test_it_edits_and_deletes(patient_client, patient):
    medicine = MedicineFactory(patient=patient)
    patient_client.post(reverse("logs:medicine-edit", args=[medicine.pk]), medicine_data(dose="20 mg"))
    medicine.refresh_from_db()
    assert medicine.dose == "20 mg"
    assert (
        "give the day you stopped"
        in patient_client.get(reverse("logs:medicine-delete", args=[medicine.pk])).content.decode()
    )
    patient_client.post(reverse("logs:medicine-delete", args=[medicine.pk]))
    assert not Medicine.objects.exists()


def test_an_episode_cannot_name_another_patients_medicine(patient_client, patient, other_patient):
    theirs = MedicineFactory(patient=other_patient)
    patient_client.post(reverse("logs:episode-new"), episode_data(**{f"med_{theirs.pk}": "on"}))
    episode = patient.episodes.get()
    assert not episode.medicines_taken.exists()
