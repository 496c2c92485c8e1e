from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from logs.models import Episode
from spasmlog.dates import EARLIEST_DAY, LATEST_DAY
from tests.factories import EpisodeFactory, LocationFactory, MedicineFactory


def episode_data(**overrides):
    return {
        "started_at": (timezone.localtime() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "duration_seconds": "2 min",
        "kind": "cramp",
        "intensity": "6",
        "loc_calf": "left",
        "activity": "walking",
        "notes": "Woke me up.",
    } | overrides


@pytest.fixture
def move_patient(patient):
    """Moves the patient to another zone; the zone its requests leave active is dropped afterwards."""

    def move(zone):
        patient.time_zone = zone
        patient.save()

    yield move
    timezone.deactivate()


class TestQuickLog:
    def test_it_logs_a_spasm_with_a_place_and_intensity(self, patient_client, patient):
        response = patient_client.post(
            reverse("logs:quick-log"), {"locations": ["calf:left"], "intensity": "7", "kind": "cramp"}
        )
        episode = Episode.objects.get(patient=patient)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('logs:quick-log')}?logged={episode.pk}"
        assert (episode.kind, episode.intensity) == ("cramp", 7)
        assert [(loc.region, loc.side) for loc in episode.locations.all()] == [("calf", "left")]
        assert abs(episode.started_at - timezone.now()) < timedelta(seconds=5)

    def test_it_offers_to_add_details_after_logging(self, patient_client, patient):
        episode = EpisodeFactory(patient=patient)
        response = patient_client.get(reverse("logs:quick-log"), {"logged": episode.pk})
        assert reverse("logs:episode-edit", args=[episode.pk]) in response.content.decode()

    def test_it_does_not_show_another_patients_episode_as_logged(self, patient_client, other_patient):
        episode = EpisodeFactory(patient=other_patient)
        response = patient_client.get(reverse("logs:quick-log"), {"logged": episode.pk})
        assert response.context["logged"] is None

    def test_left_and_right_of_one_place_are_both_sides(self, patient_client, patient):
        patient_client.post(reverse("logs:quick-log"), {"locations": ["calf:left", "calf:right"], "kind": "spasm"})
        assert list(Episode.objects.get().locations.values_list("region", "side")) == [("calf", "both")]

    def test_it_takes_a_place_that_has_no_button(self, patient_client, patient):
        patient_client.post(reverse("logs:quick-log"), {"other_region": "jaw", "other_side": "right", "kind": "spasm"})
        assert list(Episode.objects.get().locations.values_list("region", "side")) == [("jaw", "right")]

    def test_it_asks_where_and_keeps_what_was_tapped(self, patient_client, patient):
        response = patient_client.post(reverse("logs:quick-log"), {"intensity": "8", "kind": "twitch"})
        assert response.status_code == 200
        assert "Tap where the spasm is." in response.content.decode()
        assert response.context["form"]["intensity"].value() == "8"
        assert response.context["form"]["kind"].value() == "twitch"
        assert not Episode.objects.exists()

    def test_it_refuses_a_place_without_a_side(self, patient_client):
        response = patient_client.post(reverse("logs:quick-log"), {"other_region": "jaw", "kind": "spasm"})
        assert "Choose the side for this place." in response.content.decode()
        assert not Episode.objects.exists()

    @pytest.mark.parametrize("bad", [{"locations": ["wing:left"]}, {"locations": ["calf:left"], "intensity": "11"}])
    def test_it_refuses_unknown_values(self, patient_client, bad):
        response = patient_client.post(reverse("logs:quick-log"), {"kind": "spasm", **bad})
        assert response.status_code == 200
        assert not Episode.objects.exists()

    def test_it_puts_the_patients_most_frequent_places_first(self, patient_client, patient):
        yesterday = timezone.now() - timedelta(days=1)
        for _ in range(3):
            EpisodeFactory(patient=patient, started_at=yesterday, location__region="jaw", location__side="right")
        EpisodeFactory(patient=patient, started_at=yesterday, location__region="neck", location__side="midline")
        assert self.shortcuts(patient_client)[:3] == ["jaw:right", "neck:midline", "calf:left"]
        assert len(self.shortcuts(patient_client)) == 12

    def test_the_order_holds_all_day_and_changes_the_next(self, patient_client, patient):
        """A tap never moves the buttons under the finger: today's logs count from tomorrow."""
        before = self.shortcuts(patient_client)
        for _ in range(3):
            patient_client.post(reverse("logs:quick-log"), {"locations": ["neck:midline"], "kind": "spasm"})
        assert self.shortcuts(patient_client) == before
        with time_machine.travel(timezone.now() + timedelta(days=1)):
            patient_client.force_login(patient)  # the session ended overnight
            assert self.shortcuts(patient_client)[0] == "neck:midline"

    @staticmethod
    def shortcuts(client):
        response = client.get(reverse("logs:quick-log"))
        return [value for value, _ in response.context["form"].fields["locations"].choices]

    def test_same_as_last_time_repeats_places_and_kind(self, patient_client, patient):
        last = EpisodeFactory(patient=patient, kind="twitch", intensity=3, location__region="eyelid")
        LocationFactory(episode=last, region="face", side="left")
        response = patient_client.post(reverse("logs:same-as-last"))
        repeat = Episode.objects.exclude(pk=last.pk).get()
        assert response.status_code == 302
        assert repeat.kind == "twitch"
        assert repeat.intensity is None
        assert sorted(repeat.locations.values_list("region", "side")) == [("eyelid", "left"), ("face", "left")]

    def test_same_as_last_time_says_when_there_is_nothing_to_repeat(self, patient_client):
        response = patient_client.post(reverse("logs:same-as-last"), follow=True)
        assert "no earlier spasm" in response.content.decode()
        assert not Episode.objects.exists()

    def test_same_as_last_time_rejects_get(self, patient_client, patient):
        EpisodeFactory(patient=patient)
        assert patient_client.get(reverse("logs:same-as-last")).status_code == 405

    def test_its_query_count_is_fixed(self, patient_client, patient, django_assert_num_queries):
        for _ in range(20):
            EpisodeFactory(patient=patient)
        with django_assert_num_queries(5):
            patient_client.get(reverse("logs:quick-log"))

    def test_logging_reads_only_the_session_and_the_account(self, patient_client, patient, django_assert_num_queries):
        """A post is checked without the quick log's shortcuts: 2 reads, then the episode, its place and the audit."""
        EpisodeFactory(patient=patient)
        data = {"locations": "calf:left", "intensity": "4", "kind": "cramp"}
        with django_assert_num_queries(7) as queries:
            response = patient_client.post(reverse("logs:quick-log"), data)
        assert response.status_code == 302
        sql = [query["sql"] for query in queries.captured_queries]
        assert not any("COUNT" in statement for statement in sql)
        assert sum(statement.startswith("INSERT") for statement in sql) == 3
        assert sum("SAVEPOINT" in statement for statement in sql) == 2  # the view's one transaction

    def test_a_place_off_the_shortcuts_is_logged(self, patient_client, patient):
        response = patient_client.post(reverse("logs:quick-log"), {"locations": "tongue:midline", "kind": "twitch"})
        assert response.status_code == 302
        assert patient.episodes.get().locations.get().region == "tongue"


class TestEpisodeForm:
    def test_it_saves_every_detail(self, patient_client, patient):
        baclofen = MedicineFactory(patient=patient)
        data = episode_data(
            loc_neck="midline",
            hot="on",
            pain="on",
            relief_stretching="a_lot",
            relief_ice="tried",
            **{f"med_{baclofen.pk}": "on", f"med_{baclofen.pk}_dose": "5 mg"},
        )
        response = patient_client.post(reverse("logs:episode-new"), data)
        assert response.status_code == 302
        episode = Episode.objects.get(patient=patient)
        assert episode.duration_seconds == 120
        assert episode.intensity == 6
        assert (episode.hot, episode.pain, episode.cold) == (True, True, False)
        assert sorted(episode.locations.values_list("region", "side")) == [("calf", "left"), ("neck", "midline")]
        assert sorted(episode.reliefs.values_list("measure", "helped")) == [("ice", ""), ("stretching", "a_lot")]
        assert list(episode.medicines_taken.values_list("medicine__name", "dose")) == [("Baclofen", "5 mg")]

    def test_it_reads_the_start_in_the_patients_zone(self, patient_client, patient):
        patient.time_zone = "America/New_York"
        patient.save()
        patient_client.post(reverse("logs:episode-new"), episode_data(started_at="2024-07-01T09:15"))
        assert Episode.objects.get().started_at.isoformat() == "2024-07-01T13:15:00+00:00"

    def test_it_edits_details_and_replaces_places(self, patient_client, patient):
        episode = EpisodeFactory(patient=patient)
        data = episode_data(loc_calf="", loc_foot="right", relief_rest="not_at_all")
        patient_client.post(reverse("logs:episode-edit", args=[episode.pk]), data)
        episode.refresh_from_db()
        assert list(episode.locations.values_list("region", "side")) == [("foot", "right")]
        assert list(episode.reliefs.values_list("measure", "helped")) == [("rest", "not_at_all")]

    def test_the_edit_form_shows_what_was_saved(self, patient_client, patient):
        episode = EpisodeFactory(patient=patient, duration_seconds=3900)
        form = patient_client.get(reverse("logs:episode-edit", args=[episode.pk])).context["form"]
        assert form["duration_seconds"].value() == "1 h 5 min"
        assert 'value="1 h 5 min"' in str(form["duration_seconds"])
        assert form["loc_calf"].value() == "left"

    @pytest.mark.parametrize(
        "field, value, message",
        [
            ("started_at", "2999-01-01T10:00", "The start cannot be in the future."),
            ("duration_seconds", "0", "A duration must be longer than zero."),
            ("duration_seconds", "25h", "An episode can last at most 24 hours"),
            ("duration_seconds", "a while", "Write a duration such as 45s"),
            ("intensity", "11", "Select a valid choice."),
            ("started_at", "yesterday-ish", "Enter a valid date/time."),
        ],
    )
    def test_it_refuses_impossible_input_next_to_the_field_and_keeps_the_rest(
        self, patient_client, field, value, message
    ):
        response = patient_client.post(reverse("logs:episode-new"), episode_data(**{field: value}))
        assert response.status_code == 200
        form = response.context["form"]
        assert any(message in error for error in form.errors[field])
        assert form["notes"].value() == "Woke me up."
        assert form["loc_calf"].value() == "left"
        assert form[field].value() == value
        assert not Episode.objects.exists()

    def test_it_refuses_a_start_in_year_one_in_tokyo_and_keeps_it(self, patient_client, move_patient):
        # Local midnight of 1 January of year 1 in Tokyo is still year 0 in UTC, which no date can hold.
        move_patient("Asia/Tokyo")
        response = patient_client.post(reverse("logs:episode-new"), episode_data(started_at="0001-01-01T00:00"))
        assert response.status_code == 200
        form = response.context["form"]
        assert form.errors["started_at"] == [f"Pick a day from {EARLIEST_DAY.year} on."]
        assert form["started_at"].value() == "0001-01-01T00:00"
        assert form["notes"].value() == "Woke me up."
        assert not Episode.objects.exists()

    def test_editing_refuses_a_start_in_year_one_in_tokyo(self, patient_client, patient, move_patient):
        move_patient("Asia/Tokyo")
        episode = EpisodeFactory(patient=patient)
        url = reverse("logs:episode-edit", args=[episode.pk])
        response = patient_client.post(url, episode_data(started_at="0001-01-01T00:00"))
        assert response.status_code == 200
        assert response.context["form"].errors["started_at"] == [f"Pick a day from {EARLIEST_DAY.year} on."]
        assert Episode.objects.get().started_at == episode.started_at

    @pytest.mark.parametrize(
        "started_at",
        [
            "0001-01-01T00:00+14:00",
            "0001-01-01T00:00-12:00",
            "1899-12-31T23:59",
            "3000-01-01T00:00",
            "9999-12-31T23:59",
        ],
    )
    @pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Etc/GMT+12"])
    def test_it_refuses_a_start_beyond_the_bounds_in_any_zone_or_offset(
        self, patient_client, move_patient, zone, started_at
    ):
        move_patient(zone)
        response = patient_client.post(reverse("logs:episode-new"), episode_data(started_at=started_at))
        assert response.status_code == 200
        assert [error.code for error in response.context["form"].errors.as_data()["started_at"]] in (
            ["too_early"],
            ["too_late"],
        )
        assert not Episode.objects.exists()

    @pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Asia/Tokyo", "Pacific/Pago_Pago", "Etc/GMT+12"])
    def test_it_takes_a_start_on_the_earliest_day_in_the_zones_furthest_from_utc(
        self, patient_client, patient, move_patient, zone
    ):
        move_patient(zone)
        response = patient_client.post(reverse("logs:episode-new"), episode_data(started_at="1900-01-01T00:00"))
        assert response.status_code == 302
        episode = Episode.objects.get()
        assert episode.started_at.astimezone(patient.zone).replace(tzinfo=None) == datetime(1900, 1, 1)
        page = patient_client.get(reverse("logs:episode-list"), {"start": "1900-01-01", "end": "1900-01-01"})
        assert list(page.context["page"]) == [episode]
        edit = patient_client.get(reverse("logs:episode-edit", args=[episode.pk]))
        assert f'value="{EARLIEST_DAY:%Y-%m-%d}T00:00"' in edit.content.decode()

    def test_the_start_offers_only_days_within_the_bounds(self, patient_client):
        field = str(patient_client.get(reverse("logs:episode-new")).context["form"]["started_at"])
        assert f'min="{EARLIEST_DAY}T00:00"' in field and f'max="{LATEST_DAY}T23:59"' in field

    def test_it_refuses_a_start_in_a_gap_of_daylight_saving(self, patient_client):
        response = patient_client.post(reverse("logs:episode-new"), episode_data(started_at="2024-03-31T01:30"))
        assert "started_at" in response.context["form"].errors

    def test_it_asks_for_a_place(self, patient_client):
        response = patient_client.post(reverse("logs:episode-new"), episode_data(loc_calf=""))
        assert "Choose at least one place" in response.content.decode()

    def test_other_activity_needs_words(self, patient_client):
        response = patient_client.post(reverse("logs:episode-new"), episode_data(activity="other"))
        assert "activity_other" in response.context["form"].errors

    def test_it_offers_only_current_medicines(self, patient_client, patient):
        MedicineFactory(patient=patient, name="Current")
        MedicineFactory(patient=patient, name="Old", stopped=timezone.localdate() - timedelta(days=30))
        form = patient_client.get(reverse("logs:episode-new")).context["form"]
        assert [m.name for m in form.medicines] == ["Current"]


class TestEpisodeList:
    def test_it_lists_the_patients_episodes_newest_first(self, patient_client, patient, other_patient):
        old = EpisodeFactory(patient=patient, started_at=timezone.now() - timedelta(days=2))
        new = EpisodeFactory(patient=patient)
        EpisodeFactory(patient=other_patient)
        response = patient_client.get(reverse("logs:episode-list"))
        assert list(response.context["page"]) == [new, old]

    def test_it_filters_by_dates_in_the_patients_zone(self, patient_client, patient):
        patient.time_zone = "Australia/Sydney"
        patient.save()
        # 2024-05-01 23:30 in Sydney is 13:30 UTC the same day; 2024-05-02 00:30 is 14:30 UTC.
        late = EpisodeFactory(patient=patient, started_at=datetime(2024, 5, 1, 13, 30, tzinfo=UTC))
        EpisodeFactory(patient=patient, started_at=datetime(2024, 5, 1, 14, 30, tzinfo=UTC))
        response = patient_client.get(reverse("logs:episode-list"), {"start": "2024-05-01", "end": "2024-05-01"})
        assert list(response.context["page"]) == [late]

    def test_it_filters_by_region(self, patient_client, patient):
        calf = EpisodeFactory(patient=patient)
        EpisodeFactory(patient=patient, location__region="neck", location__side="midline")
        response = patient_client.get(reverse("logs:episode-list"), {"region": "calf"})
        assert list(response.context["page"]) == [calf]

    def test_it_shows_a_message_for_a_bad_filter_and_lists_all(self, patient_client, patient):
        EpisodeFactory(patient=patient)
        response = patient_client.get(reverse("logs:episode-list"), {"start": "2024-05-09", "end": "2024-05-01"})
        assert response.status_code == 200
        assert "The end comes before the start." in response.content.decode()
        response = patient_client.get(reverse("logs:episode-list"), {"start": "not a date"})
        assert response.status_code == 200

    def test_it_pages_by_25(self, patient_client, patient):
        for _ in range(30):
            EpisodeFactory(patient=patient)
        first = patient_client.get(reverse("logs:episode-list"))
        second = patient_client.get(reverse("logs:episode-list"), {"page": "2"})
        assert len(first.context["page"]) == 25
        assert len(second.context["page"]) == 5
        assert patient_client.get(reverse("logs:episode-list"), {"page": "x"}).status_code == 200

    def test_its_query_count_does_not_grow_with_the_page(self, patient_client, patient, django_assert_num_queries):
        for _ in range(30):
            EpisodeFactory(patient=patient)
        with django_assert_num_queries(5):
            patient_client.get(reverse("logs:episode-list"), {"region": "calf"})


class TestEpisodeDelete:
    def test_get_asks_for_confirmation_and_deletes_nothing(self, patient_client, patient):
        episode = EpisodeFactory(patient=patient)
        response = patient_client.get(reverse("logs:episode-delete", args=[episode.pk]))
        assert response.status_code == 200
        assert "cannot be undone" in response.content.decode()
        assert Episode.objects.filter(pk=episode.pk).exists()

    def test_post_deletes(self, patient_client, patient):
        episode = EpisodeFactory(patient=patient)
        response = patient_client.post(reverse("logs:episode-delete", args=[episode.pk]))
        assert response.status_code == 302
        assert not Episode.objects.filter(pk=episode.pk).exists()


def test_the_delete_page_names_the_episode_in_the_patients_zone(patient_client, patient):
    patient.time_zone = "Asia/Tokyo"
    patient.save()
    episode = EpisodeFactory(patient=patient, started_at=datetime(2024, 5, 1, 22, 0, tzinfo=UTC))
    page = patient_client.get(reverse("logs:episode-delete", args=[episode.pk])).content.decode()
    assert "Delete Cramp of 2 May 2024, 07:00?" in page


class TestUndoAQuickLog:
    def test_a_mis_tap_is_undone_at_once_and_audited(self, patient_client, patient):
        from audit.models import AuditEvent

        patient_client.post(reverse("logs:quick-log"), {"locations": ["calf:left"], "kind": "spasm"})
        episode = Episode.objects.get(patient=patient)
        page = patient_client.get(reverse("logs:quick-log"), {"logged": episode.pk}).content.decode()
        assert reverse("logs:quick-log-undo", args=[episode.pk]) in page
        response = patient_client.post(reverse("logs:quick-log-undo", args=[episode.pk]), follow=True)
        assert "Undone: the log of" in response.content.decode()
        assert not Episode.objects.exists()
        assert AuditEvent.objects.filter(action="deleted").count() == 1

    def test_after_a_minute_it_is_deleted_from_its_page_instead(self, patient_client, patient):
        episode = EpisodeFactory(patient=patient)
        with time_machine.travel(timezone.now() + timedelta(seconds=61)):
            response = patient_client.post(reverse("logs:quick-log-undo", args=[episode.pk]), follow=True)
        assert "too late to undo" in response.content.decode()
        assert Episode.objects.filter(pk=episode.pk).exists()

    def test_only_the_owners_own_log_and_only_by_post(self, patient_client, other_patient, patient):
        others = EpisodeFactory(patient=other_patient)
        assert patient_client.post(reverse("logs:quick-log-undo", args=[others.pk])).status_code == 404
        mine = EpisodeFactory(patient=patient)
        assert patient_client.get(reverse("logs:quick-log-undo", args=[mine.pk])).status_code == 405
        assert Episode.objects.count() == 2
