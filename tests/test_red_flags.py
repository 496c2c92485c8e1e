"""
Red flags warn at once: first on the page after an episode is saved, and at the
top of the dashboard until the patient dismisses the warning. The warning points
to care; the summary counts the same flags.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from logs import red_flags
from logs.models import Episode
from reports import summary
from spasmlog.dates import Period
from tests.factories import EpisodeFactory

URGENT = "Get medical help now"
SOON = "See a doctor soon"
SAVED = "The episode is saved."

# What the form ticks for each flag, and what the warning says was logged.
FLAGS = [
    pytest.param({"bladder_bowel": "on"}, URGENT, "loss of bladder or bowel control with a spasm", id="bladder-bowel"),
    pytest.param({"saddle_numbness": "on"}, URGENT, "numbness in the groin or saddle area", id="saddle-numbness"),
    pytest.param({"fever": "on"}, SOON, "spasms with fever", id="fever"),
    pytest.param({"confusion": "on"}, SOON, "spasms with confusion", id="confusion"),
    pytest.param({"spreading_weakness": "on"}, SOON, "new weakness that spreads", id="spreading-weakness"),
    pytest.param({"duration_seconds": "1h 5m"}, SOON, "an episode lasting more than an hour", id="long"),
    pytest.param({"dark_urine": "on", "weakness": "on"}, SOON, "dark urine with weakness", id="dark-urine"),
]


def episode_data(**ticked):
    return {
        "started_at": (timezone.localtime() - timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "duration_seconds": "2 min",
        "kind": "cramp",
        "intensity": "6",
        "loc_calf": "left",
    } | ticked


def first_alert(page):
    """The first element of the page with role="alert", to its end."""
    start = page.index('role="alert"')
    return page[start : page.index("</div>", start)]


def assert_warned_first(page, heading, logged):
    alert = first_alert(page)
    assert heading in alert
    assert f"You logged {logged}" in alert
    where = page.index('role="alert"')
    # Above the page's heading and every other message.
    assert where < page.index("<h1")
    assert where < page.index(SAVED)


def dashboard(client):
    return client.get(reverse("reports:dashboard")).content.decode()


def dismiss(client, episode):
    return client.post(reverse("logs:episode-warning-dismiss", args=[episode.pk]))


class TestThePageAfterASave:
    @pytest.mark.parametrize(("ticked", "heading", "logged"), FLAGS)
    def test_a_new_episode_with_a_red_flag_is_warned_of_first(self, patient_client, ticked, heading, logged):
        response = patient_client.post(reverse("logs:episode-new"), episode_data(**ticked), follow=True)
        assert response.redirect_chain[-1][0] == reverse("logs:episode-list")
        assert_warned_first(response.content.decode(), heading, logged)

    @pytest.mark.parametrize(("ticked", "heading", "logged"), FLAGS)
    def test_an_edited_episode_with_a_red_flag_is_warned_of_first(
        self, patient_client, patient, ticked, heading, logged
    ):
        episode = EpisodeFactory(patient=patient)
        url = reverse("logs:episode-edit", args=[episode.pk])
        response = patient_client.post(url, episode_data(**ticked), follow=True)
        assert_warned_first(response.content.decode(), heading, logged)

    def test_urgent_says_where_to_go_now_and_soon_within_a_day(self, patient_client):
        urgent = patient_client.post(reverse("logs:episode-new"), episode_data(bladder_bowel="on"), follow=True)
        assert "Call your local emergency number or go to an emergency department now." in first_alert(
            urgent.content.decode()
        )
        soon = patient_client.post(reverse("logs:episode-new"), episode_data(fever="on"), follow=True)
        assert "Contact your doctor or an urgent care service within a day." in first_alert(soon.content.decode())

    def test_an_urgent_flag_leads_and_every_flag_is_named(self, patient_client):
        data = episode_data(fever="on", saddle_numbness="on", duration_seconds="2h")
        page = patient_client.post(reverse("logs:episode-new"), data, follow=True).content.decode()
        alert = first_alert(page)
        assert URGENT in alert and SOON not in page
        assert (
            "You logged numbness in the groin or saddle area, spasms with fever "
            "and an episode lasting more than an hour." in alert
        )

    def test_the_warning_names_no_diagnosis(self, patient_client):
        page = patient_client.post(
            reverse("logs:episode-new"), episode_data(bladder_bowel="on", saddle_numbness="on"), follow=True
        ).content.decode()
        alert = first_alert(page).lower()
        for word in ("cauda equina", "syndrome", "infection", "stroke", "diagnos", "you have"):
            assert word not in alert

    def test_no_red_flag_no_warning(self, patient_client):
        page = patient_client.post(reverse("logs:episode-new"), episode_data(), follow=True).content.decode()
        assert SAVED in page
        assert 'role="alert"' not in page and URGENT not in page and SOON not in page

    def test_dark_urine_without_weakness_is_no_red_flag(self, patient_client):
        page = patient_client.post(
            reverse("logs:episode-new"), episode_data(dark_urine="on"), follow=True
        ).content.decode()
        assert 'role="alert"' not in page

    def test_an_hour_exactly_is_no_red_flag(self, patient_client):
        page = patient_client.post(
            reverse("logs:episode-new"), episode_data(duration_seconds="1h"), follow=True
        ).content.decode()
        assert 'role="alert"' not in page

    def test_the_warning_is_shown_once(self, patient_client):
        patient_client.post(reverse("logs:episode-new"), episode_data(fever="on"), follow=True)
        page = patient_client.get(reverse("logs:episode-list")).content.decode()
        assert 'role="alert"' not in page

    def test_a_form_refused_warns_of_nothing(self, patient_client, patient):
        response = patient_client.post(reverse("logs:episode-new"), episode_data(fever="on", started_at="soon"))
        assert response.status_code == 200
        assert SOON not in response.content.decode()
        assert not patient.episodes.exists()


class TestTheDashboard:
    def test_it_keeps_the_warning_at_the_top_until_dismissed(self, patient_client, patient):
        patient_client.post(reverse("logs:episode-new"), episode_data(fever="on"))
        episode = patient.episodes.get()
        page = dashboard(patient_client)
        line = page.index("you logged spasms with fever.")
        assert line < page.index("<h1")
        assert "Contact your doctor or an urgent care service within a day." in page
        assert reverse("logs:episode-warning-dismiss", args=[episode.pk]) in page
        # Still there on the next visit.
        assert "you logged spasms with fever." in dashboard(patient_client)

        response = dismiss(patient_client, episode)
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:dashboard")
        assert "you logged spasms with fever." not in dashboard(patient_client)
        episode.refresh_from_db()
        assert episode.warning_dismissed_at is not None

    def test_urgent_warnings_come_first(self, patient_client, patient):
        now = timezone.now()
        EpisodeFactory(patient=patient, started_at=now - timedelta(days=3), saddle_numbness=True)
        EpisodeFactory(patient=patient, started_at=now - timedelta(hours=2), fever=True)
        EpisodeFactory(patient=patient, started_at=now - timedelta(days=1), bladder_bowel=True)
        page = dashboard(patient_client)
        order = [
            page.index(text)
            for text in (
                "you logged loss of bladder or bowel control",
                "you logged numbness in the groin",
                "you logged spasms with fever",
            )
        ]
        assert order == sorted(order)

    def test_it_warns_of_the_last_14_days_only(self, patient_client, patient):
        now = timezone.now()
        EpisodeFactory(patient=patient, started_at=now - timedelta(days=13, hours=23), fever=True)
        EpisodeFactory(patient=patient, started_at=now - timedelta(days=14, minutes=1), confusion=True)
        page = dashboard(patient_client)
        assert "you logged spasms with fever." in page
        assert "you logged spasms with confusion." not in page

    def test_it_shows_no_warning_without_red_flags(self, patient_client, patient):
        EpisodeFactory(patient=patient, dark_urine=True)
        page = dashboard(patient_client)
        assert "you logged" not in page and "Dismiss" not in page

    def test_it_shows_no_one_elses_warnings(self, patient_client, other_patient):
        EpisodeFactory(patient=other_patient, bladder_bowel=True)
        assert "you logged" not in dashboard(patient_client)

    def test_the_dismissal_is_in_the_audit_trail(self, patient_client, patient):
        episode = EpisodeFactory(patient=patient, fever=True)
        dismiss(patient_client, episode)
        event = AuditEvent.objects.latest("pk")
        assert (event.action, event.target) == ("changed", f"episode {episode.pk}")

    def test_ticking_a_flag_after_a_dismissal_warns_again(self, patient_client, patient):
        patient_client.post(reverse("logs:episode-new"), episode_data(fever="on"))
        episode = patient.episodes.get()
        dismiss(patient_client, episode)
        assert "you logged" not in dashboard(patient_client)

        url = reverse("logs:episode-edit", args=[episode.pk])
        page = patient_client.post(url, episode_data(fever="on", confusion="on"), follow=True).content.decode()
        assert SOON in first_alert(page)
        episode.refresh_from_db()
        assert episode.warning_dismissed_at is None
        assert "you logged spasms with fever and spasms with confusion." in dashboard(patient_client)

    def test_a_dismissed_warning_stays_in_the_summary(self, patient, patient_client):
        episode = EpisodeFactory(patient=patient, fever=True)
        dismiss(patient_client, episode)
        today = timezone.localdate()
        built = summary.build_summary(patient, Period.last(30, today), timezone.now())
        assert [flag["label"] for flag in built["red_flags"]] == ["Spasms with fever"]

    def test_the_warnings_cost_one_query(self, patient_client, patient, django_assert_num_queries):
        for days in range(20):
            EpisodeFactory(patient=patient, started_at=timezone.now() - timedelta(days=days), fever=days % 2 == 0)
        # The dashboard's own 7 + 2 (tests/test_dashboard.py), and one for the warnings.
        with django_assert_num_queries(7 + 2 + 1):
            page = dashboard(patient_client)
        assert page.count("you logged spasms with fever.") == 7


class TestDismissing:
    def test_it_is_post_only(self, patient_client, patient):
        episode = EpisodeFactory(patient=patient, fever=True)
        response = patient_client.get(reverse("logs:episode-warning-dismiss", args=[episode.pk]))
        assert response.status_code == 405
        episode.refresh_from_db()
        assert episode.warning_dismissed_at is None

    def test_it_needs_a_csrf_token(self, patient):
        client = Client(enforce_csrf_checks=True)
        client.force_login(patient)
        episode = EpisodeFactory(patient=patient, fever=True)
        assert dismiss(client, episode).status_code == 403
        episode.refresh_from_db()
        assert episode.warning_dismissed_at is None

    def test_another_patients_episode_is_not_found(self, patient_client, other_patient):
        episode = EpisodeFactory(patient=other_patient, fever=True)
        assert dismiss(patient_client, episode).status_code == 404
        episode.refresh_from_db()
        assert episode.warning_dismissed_at is None

    def test_signed_out_people_are_sent_to_sign_in(self, client, patient):
        episode = EpisodeFactory(patient=patient, fever=True)
        response = dismiss(client, episode)
        assert response["Location"].startswith(reverse("login"))

    def test_it_changes_nothing_else_of_the_episode(self, patient_client, patient):
        episode = EpisodeFactory(patient=patient, fever=True)
        before = Episode.objects.values("updated_at", "fever", "notes").get(pk=episode.pk)
        dismiss(patient_client, episode)
        assert Episode.objects.values("updated_at", "fever", "notes").get(pk=episode.pk) == before


class TestTheFlags:
    def test_the_summary_counts_the_diarys_flags(self):
        assert summary.EPISODE_RED_FLAGS is red_flags.EPISODE_RED_FLAGS

    def test_urgent_flags_are_those_product_md_calls_urgent(self):
        urgent = {flag.name for flag in red_flags.EPISODE_RED_FLAGS if flag.urgent}
        assert urgent == {"bladder_bowel", "saddle_numbness"}

    def test_a_saved_episode_s_flags_are_read_in_one_query(self, patient, django_assert_num_queries):
        episode = EpisodeFactory(patient=patient, fever=True, duration_seconds=2 * 60 * 60)
        with django_assert_num_queries(1):
            flagged = red_flags.flags_of(episode)
        assert flagged is not None
        assert [flag.name for flag in flagged.flags] == ["fever", "long"]
        assert not flagged.urgent

    def test_an_episode_without_a_duration_is_not_long(self, patient):
        assert red_flags.flags_of(EpisodeFactory(patient=patient, duration_seconds=None)) is None
