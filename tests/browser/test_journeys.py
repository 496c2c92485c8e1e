import io
import re

import pytest
from django.core import mail
from playwright.sync_api import expect
from pypdf import PdfReader

from logs.models import CheckIn, Episode, User
from tests.browser.conftest import assert_no_sideways_scroll, screenshot
from tests.factories import PASSWORD, CheckInFactory, EpisodeFactory, MedicineFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def emailed_link(message):
    """The path of the link in an e-mail, to open on the live server."""
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Log a spasm")).to_be_visible()


def test_a_new_patient_signs_up_with_the_browsers_zone_and_lands_on_the_quick_log(page):
    page.goto("/accounts/signup/")
    expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")
    page.get_by_label("E-mail address").fill("new@example.com")
    page.locator("#id_display_name").fill("New Patient")
    screenshot(page, "signup")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    page.goto(emailed_link(mail.outbox[-1]))
    expect(page.get_by_role("heading", name="Open your account")).to_be_visible()
    # The page the e-mailed link opens is a public page of its own, audited like the others.
    from tests.browser.test_accessibility import audit

    audit(page, "signup-confirm")
    page.locator("#id_password1").fill("cramps-at-night-again")
    page.locator("#id_password2").fill("cramps-at-night-again")
    page.get_by_role("button", name="Open my account").click()
    expect(page.get_by_role("heading", name="Log a spasm")).to_be_visible()
    user = User.objects.get(email="new@example.com")
    assert user.time_zone == "America/Chicago" and user.check_password("cramps-at-night-again")


def test_a_patient_logs_in_three_taps_adds_details_checks_in_and_sees_both(page):
    patient = UserFactory(time_zone="America/Chicago")
    sign_in(page, patient)
    assert_no_sideways_scroll(page)
    screenshot(page, "quick-log")

    # Three taps: where, how strong, log it.
    page.get_by_text("Left calf", exact=True).click()
    page.locator("label[for=id_intensity_7]").click()
    page.get_by_role("button", name="Log it now").click()
    expect(page.get_by_text(re.compile(r"Logged: spasm at \d\d:\d\d, left calf"))).to_be_visible()
    episode = Episode.objects.get(patient=patient)
    assert episode.intensity == 7

    page.get_by_role("link", name="Add details").click()
    expect(page.get_by_label("Calf")).to_have_value("left")
    assert_no_sideways_scroll(page)
    page.get_by_label("How long it lasted").fill("1h 5m")
    page.get_by_label("Activity at onset").select_option("sleeping")
    page.get_by_label("Stretching").select_option("a_lot")
    page.get_by_label("Notes").fill("Woke me at night.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The episode is saved.")).to_be_visible()
    episode.refresh_from_db()
    assert (episode.duration_seconds, episode.activity, episode.notes) == (3900, "sleeping", "Woke me at night.")

    # Same as last time: one tap.
    page.goto("/log/")
    page.get_by_role("button", name=re.compile("Same as last time")).click()
    expect(page.get_by_text(re.compile("Logged: spasm at"))).to_be_visible()
    assert Episode.objects.filter(patient=patient).count() == 2

    page.goto("/checkins/new/")
    page.get_by_label("2 = Infrequent full spasms occurring less than once per hour").check()
    page.get_by_label("2 = Moderate").check()
    page.get_by_label("Sleep (hours)").fill("5.5")
    screenshot(page, "checkin")
    assert_no_sideways_scroll(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="At a glance")).to_be_visible()
    assert CheckIn.objects.get(patient=patient).sleep_hours == 5.5

    # Edit it from the dashboard; the dashboard shows the change.
    page.get_by_role("link", name="Edit today's check-in").click()
    page.get_by_label("Sleep (hours)").fill("4")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="At a glance")).to_be_visible()
    assert CheckIn.objects.get(patient=patient).sleep_hours == 4
    expect(page.locator("#window-7 + dl")).to_contain_text(re.compile(r"Average sleep\s*4\.0 h"))

    expect(page.locator("#window-7 + dl")).to_contain_text(re.compile(r"Episodes\s*2\s"))
    expect(page.get_by_text("Spasm: left calf").first).to_be_visible()
    expect(page.get_by_text("2 = Infrequent full spasms occurring less than once per hour")).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "dashboard")


def test_bad_input_is_shown_next_to_the_field_and_the_rest_is_kept(page):
    patient = UserFactory()
    sign_in(page, patient)
    page.goto("/episodes/new/")
    page.get_by_label("Start").fill("2999-01-01T10:00")
    page.get_by_label("How long it lasted").fill("0")
    page.get_by_label("Calf").select_option("right")
    page.get_by_label("Notes").fill("Keep me.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("Please check what is marked below")
    expect(page.get_by_text("The start cannot be in the future.")).to_be_visible()
    expect(page.get_by_text("A duration must be longer than zero.")).to_be_visible()
    expect(page.get_by_label("Notes")).to_have_value("Keep me.")
    expect(page.get_by_label("Calf")).to_have_value("right")
    expect(page.get_by_label("How long it lasted")).to_have_value("0")
    assert not Episode.objects.exists()
    assert_no_sideways_scroll(page)
    screenshot(page, "episode-errors")


@pytest.mark.parametrize(
    "path", ["/", "/accounts/login/", "/episodes/", "/medicines/", "/medicines/new/", "/profile/", "/checkins/"]
)
def test_pages_fit_the_screen(page, path):
    sign_in(page, UserFactory())
    page.goto(path)
    assert_no_sideways_scroll(page)
    screenshot(page, path.strip("/").replace("/", "-") or "home")


def test_every_diary_page_fits_a_375_pixel_screen(narrow_page):
    page = narrow_page
    patient = UserFactory()
    episode = EpisodeFactory(patient=patient)
    checkin = CheckInFactory(patient=patient)
    medicine = MedicineFactory(patient=patient)
    sign_in(page, patient)
    for path in [
        "/log/",
        "/dashboard/",
        "/episodes/",
        "/episodes/new/",
        f"/episodes/{episode.pk}/",
        f"/episodes/{episode.pk}/delete/",
        "/checkins/",
        f"/checkins/{checkin.pk}/",
        "/medicines/",
        f"/medicines/{medicine.pk}/",
        "/profile/",
        "/accounts/password_change/",
    ]:
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path


def test_the_summary_prints_on_two_pages_and_downloads(page):
    from django.core.management import call_command

    call_command("seed_demo", days=120, email="summary@example.com", password=PASSWORD, allow_production=True)
    patient = User.objects.get(email="summary@example.com")
    sign_in(page, patient)
    page.goto("/summary/")
    expect(page.get_by_role("heading", name="Spasm diary summary")).to_be_visible()
    expect(page.get_by_role("heading", name="Red flags")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Body diagram"))).to_be_visible()
    assert_no_sideways_scroll(page)
    screenshot(page, "summary")

    for paper in ("A4", "Letter"):
        reader = PdfReader(io.BytesIO(page.pdf(format=paper)))
        assert len(reader.pages) == 2, paper
        first = reader.pages[0].extract_text()
        assert "What the doctor asks" in first and "a week" in first and "Alex Demo" in first
        assert "Log a spasm" not in first  # navigation hidden
        assert "Show the summary" not in first  # the form and buttons too

    for name, ending in [
        ("PDF (A4)", "-summary.pdf"),
        ("Episodes (CSV)", "-episodes.csv"),
        ("FHIR (JSON)", "-fhir.json"),
    ]:
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        assert download.value.suggested_filename.startswith("spasmlog-alex-demo-")
        assert download.value.suggested_filename.endswith(ending)

    page.get_by_label("Last 30 days").check()
    page.get_by_role("button", name="Show the summary").click()
    expect(page.get_by_text(re.compile(r"\(30 days\)"))).to_be_visible()


def test_the_period_form_shows_only_the_days_its_option_uses(page):
    sign_in(page, UserFactory())
    page.goto("/summary/")
    since = page.locator("#id_since")
    expect(since).to_be_hidden()
    page.get_by_label("Since a date").check()
    expect(since).to_be_visible()
    since.fill("2026-01-05")
    # Changed minds: the day typed no longer applies, and is not sent to be quietly ignored.
    page.get_by_label("Last 30 days").check()
    expect(since).to_be_hidden()
    page.get_by_role("button", name="Show the summary").click()
    expect(page).to_have_url(re.compile(r"period=30"))
    assert "since=2026" not in page.url and "csrfmiddlewaretoken" not in page.url
    expect(page.locator(".invalid-feedback")).to_have_count(0)
