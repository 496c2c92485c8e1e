from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from logs.models import CheckIn
from spasmlog.dates import EARLIEST_DAY
from tests.conftest import DAYS_BEYOND_THE_BOUNDS
from tests.factories import CheckInFactory


def checkin_data(**overrides):
    return {
        "day": timezone.localdate().isoformat(),
        "penn_frequency": "2",
        "penn_severity": "1",
        "sleep_hours": "6.5",
        "fluids_glasses": "8",
        "caffeine_drinks": "2",
        "alcohol_units": "0",
        "stress": "4",
        "exercise_minutes": "30",
        "sun_heat_minutes": "15",
        "magnesium": "on",
        "note": "Long shift.",
    } | overrides


def test_it_saves_a_checkin(patient_client, patient):
    response = patient_client.post(reverse("logs:checkin-new"), checkin_data())
    assert response.status_code == 302
    checkin = CheckIn.objects.get(patient=patient)
    assert (checkin.penn_frequency, checkin.penn_severity, checkin.magnesium) == (2, 1, True)
    assert str(checkin.sleep_hours) == "6.5"


def test_it_shows_the_penn_scale_in_its_own_words(patient_client):
    page = patient_client.get(reverse("logs:checkin-new")).content.decode()
    assert "2 = Infrequent full spasms occurring less than once per hour" in page
    assert "4 = Spasms occurring more than 10 times per hour" in page
    assert "3 = Severe" in page


def test_a_second_checkin_for_the_same_day_edits_the_first(patient_client, patient):
    first = CheckInFactory(patient=patient, stress=2)
    response = patient_client.post(reverse("logs:checkin-new"), checkin_data(stress="9"))
    assert response.status_code == 302
    assert CheckIn.objects.get(patient=patient).pk == first.pk
    first.refresh_from_db()
    assert first.stress == 9


def test_opening_a_new_checkin_for_a_day_that_has_one_opens_that_one(patient_client, patient):
    checkin = CheckInFactory(patient=patient)
    response = patient_client.get(reverse("logs:checkin-new"))
    assert response["Location"] == reverse("logs:checkin-edit", args=[checkin.pk])


def test_another_patients_checkin_of_the_day_is_not_touched(patient_client, patient, other_patient):
    theirs = CheckInFactory(patient=other_patient, stress=1)
    patient_client.post(reverse("logs:checkin-new"), checkin_data(stress="9"))
    theirs.refresh_from_db()
    assert theirs.stress == 1
    assert CheckIn.objects.filter(patient=patient).count() == 1


def test_editing_keeps_the_day(patient_client, patient):
    checkin = CheckInFactory(patient=patient, day=timezone.localdate() - timedelta(days=3))
    patient_client.post(
        reverse("logs:checkin-edit", args=[checkin.pk]), checkin_data(day=timezone.localdate().isoformat(), stress="7")
    )
    checkin.refresh_from_db()
    assert checkin.day == timezone.localdate() - timedelta(days=3)
    assert checkin.stress == 7


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("day", "2999-01-01", "A check-in is for today or a day that has passed."),
        ("sleep_hours", "25", "A day has 24 hours"),
        ("stress", "11", "less than or equal to 10"),
        ("penn_frequency", "5", "Select a valid choice"),
        ("penn_severity", "", "Rate how severe the spasms were."),
        ("day", "31/02/2024", "Enter a valid date."),
    ],
)
def test_it_refuses_impossible_input_and_keeps_the_rest(patient_client, field, value, message):
    response = patient_client.post(reverse("logs:checkin-new"), checkin_data(**{field: value}))
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field])
    assert form["note"].value() == "Long shift."
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(("day", "message"), DAYS_BEYOND_THE_BOUNDS)
def test_it_refuses_a_day_beyond_the_bounds_next_to_the_field_and_keeps_it(patient_client, day, message):
    response = patient_client.post(reverse("logs:checkin-new"), checkin_data(day=day))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["day"] == [message]
    assert form["day"].value() == day and form["note"].value() == "Long shift."
    assert not CheckIn.objects.exists()


def test_it_takes_the_earliest_day(patient_client, patient):
    assert patient_client.post(reverse("logs:checkin-new"), checkin_data(day="1900-01-01")).status_code == 302
    assert CheckIn.objects.get().day == EARLIEST_DAY
    assert patient_client.get(reverse("logs:checkin-list"), {"start": "1900-01-01"}).status_code == 200
    assert patient_client.get(reverse("reports:dashboard")).status_code == 200


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "²", "٢٠٢٦-٠١-٠١"])
def test_a_day_in_the_address_that_is_not_one_within_bounds_starts_a_new_checkin_showing_it(
    patient_client, patient, day
):
    CheckInFactory(patient=patient)
    response = patient_client.get(reverse("logs:checkin-new"), {"day": day})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.instance.pk is None and form["day"].value() == day


def test_severity_is_dropped_when_there_were_no_spasms(patient_client, patient):
    patient_client.post(reverse("logs:checkin-new"), checkin_data(penn_frequency="0", penn_severity="3"))
    assert CheckIn.objects.get().penn_severity is None


def test_today_follows_the_patients_zone(patient_client, patient, time_machine):
    # 23:00 UTC on 1 March is already 2 March in Auckland.
    time_machine.move_to("2024-03-01T23:00:00Z")
    patient.time_zone = "Pacific/Auckland"
    patient.save()
    response = patient_client.post(reverse("logs:checkin-new"), checkin_data(day="2024-03-02"))
    assert response.status_code == 302
    assert CheckIn.objects.get().day.isoformat() == "2024-03-02"


def test_the_list_is_the_patients_own_and_filters_by_day(patient_client, patient, other_patient):
    today = timezone.localdate()
    recent = CheckInFactory(patient=patient)
    CheckInFactory(patient=patient, day=today - timedelta(days=10))
    CheckInFactory(patient=other_patient)
    response = patient_client.get(reverse("logs:checkin-list"), {"start": (today - timedelta(days=2)).isoformat()})
    assert list(response.context["page"]) == [recent]


def test_delete_confirms_then_deletes(patient_client, patient):
    checkin = CheckInFactory(patient=patient)
    assert patient_client.get(reverse("logs:checkin-delete", args=[checkin.pk])).status_code == 200
    assert CheckIn.objects.exists()
    patient_client.post(reverse("logs:checkin-delete", args=[checkin.pk]))
    assert not CheckIn.objects.exists()


def test_the_list_query_count_is_fixed(patient_client, patient, django_assert_num_queries):
    for days in range(30):
        CheckInFactory(patient=patient, day=timezone.localdate() - timedelta(days=days))
    with django_assert_num_queries(5):
        patient_client.get(reverse("logs:checkin-list"))
