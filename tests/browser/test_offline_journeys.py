"""
SpasmLog in the pocket, in Chromium: installable (a manifest and a service worker that
controls the page), and logging with no signal: kept on the phone, sent once when the
signal returns, at the tap's time, whether the page stayed open, was closed, or the
session ended meanwhile. The service worker keeps no diary page.
"""

import json
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import expect

from logs.models import Episode
from tests.browser.conftest import VIEWPORTS, screenshot
from tests.browser.test_journeys import sign_in
from tests.factories import EpisodeFactory, LocationFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def phone(browser, live_server):
    """A phone-sized context whose page may go offline: only its own network failures may reach the console."""
    context = browser.new_context(
        viewport=VIEWPORTS["narrow"], timezone_id="Europe/Berlin", base_url=live_server.url, is_mobile=True
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.viewport_name = "phone"
    page.console_errors = []

    def console(message):
        # Chromium reports each failed load, and each 4xx answer the page handles (signed out, refused).
        expected = ("ERR_INTERNET_DISCONNECTED", "net::ERR_FAILED", "the server responded with a status of 40")
        if message.type == "error" and not any(text in message.text for text in expected):
            page.console_errors.append(message.text)

    page.on("console", console)
    yield page
    context.close()
    assert page.console_errors == []


def controlled(page):
    """
    Waits until the service worker controls the page. It claims the pages open when it starts;
    a page whose loading began just before that is controlled from its next load, as on a phone.
    """
    for _ in range(2):
        controlling = page.evaluate(
            """() => Promise.race([
                navigator.serviceWorker.ready.then(() => navigator.serviceWorker.controller || new Promise(
                    (resolve) => navigator.serviceWorker.addEventListener("controllerchange", resolve)
                )).then(() => true),
                new Promise((resolve) => setTimeout(() => resolve(false), 5000)),
            ])"""
        )
        if controlling:
            return settled(page)
        page.reload()
    pytest.fail("the service worker did not take control of the page")


def settled(page):
    """
    Waits until the page has noted on the phone who is signed in, and what "Same as last time"
    repeats: a page left at once (as a test does, never a hand) would cut that short.
    """
    noted = page.evaluate(
        """async () => {
            for (let i = 0; i < 100; i++) {
                const owner = await SpasmQueue.get("owner");
                const repeats = document.querySelector("form[data-same-as-last][data-places]");
                if (owner === document.body.dataset.patient && (!repeats || await SpasmQueue.get("last"))) {
                    return true;
                }
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            return false;
        }"""
    )
    assert noted, "the page did not note who is signed in"


def cached_paths(page):
    return page.evaluate(
        """async () => {
            const paths = [];
            for (const name of await caches.keys()) {
                for (const request of await (await caches.open(name)).keys()) {
                    paths.push(new URL(request.url).pathname);
                }
            }
            return paths;
        }"""
    )


def waiting_count(page):
    return page.evaluate(
        """() => new Promise((resolve) => {
            const open = indexedDB.open("spasmlog");
            open.onsuccess = () => {
                const request = open.result.transaction("waiting").objectStore("waiting").count();
                request.onsuccess = () => resolve(request.result);
            };
        })"""
    )


def log_three_taps_offline(page):
    """Offline, the quick log opens from the cache; three taps keep a spasm on the phone. The tap's time."""
    page.context.set_offline(True)
    page.goto("/log/")
    expect(page.get_by_text("No signal: what you log here is saved on this phone")).to_be_visible()
    page.get_by_text("Left calf", exact=True).click()
    page.locator("label[for=id_intensity_7]").click()
    tapped = timezone.now()
    page.get_by_role("button", name="Log it now").click()
    expect(page.get_by_text("1 spasm log is saved on this phone, waiting to be sent.")).to_be_visible()
    expect(page.get_by_text("Saved on this phone at")).to_be_visible()
    return tapped


def assert_logged_once_at(patient, tapped):
    episode = Episode.objects.get(patient=patient)
    assert abs(episode.started_at - tapped) < timedelta(seconds=5)
    assert [(p.region, p.side) for p in episode.locations.all()] == [("calf", "left")]
    assert episode.intensity == 7


def sent_once_the_signal_returns(page, patient, count=1):
    """
    Back online, the kept log is sent, by the page (its "online" event) or by the service worker
    (Background Sync), whichever comes first: either way it is stored once and waits no more.
    The test waits on the phone's side: the live server shares the test's database connection,
    so the test reads the database only once the browser is done with it.
    """
    page.context.set_offline(False)
    for _ in range(100):
        if waiting_count(page) == 0:
            break
        page.wait_for_timeout(100)
    assert waiting_count(page) == 0
    assert Episode.objects.filter(patient=patient).count() == count


def test_it_is_installable(phone, live_server):
    sign_in(phone, UserFactory())
    controlled(phone)
    manifest_url = phone.locator("link[rel=manifest]").get_attribute("href")
    manifest = phone.evaluate(f"fetch({json.dumps(manifest_url)}).then((r) => r.json())")
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/log/"
    assert any(icon["purpose"] == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert phone.request.get(icon["src"]).status == 200
    scope = phone.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.scope)")
    assert scope == f"{live_server.url}/"


def test_a_spasm_logged_offline_is_sent_once_when_the_signal_returns(phone):
    patient = UserFactory()
    sign_in(phone, patient)
    controlled(phone)
    tapped = log_three_taps_offline(phone)
    screenshot(phone, "offline-waiting")
    assert not Episode.objects.filter(patient=patient).exists()

    sent_once_the_signal_returns(phone, patient)
    # Sent again (another visit, another "online"): still one.
    phone.goto("/episodes/")
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.get_by_role("heading", name="Episodes")).to_be_visible()
    assert_logged_once_at(patient, tapped)
    assert waiting_count(phone) == 0

    diary_pages = {"/log/", "/episodes/", "/dashboard/", "/summary/", "/checkins/"}
    assert not diary_pages & set(cached_paths(phone))
    assert "/offline/log/" in cached_paths(phone)


def test_same_as_last_time_works_offline(phone):
    patient = UserFactory()
    last = EpisodeFactory(patient=patient, kind="cramp")
    LocationFactory(episode=last, region="neck", side="both")
    places = [(p.region, p.side) for p in last.locations.all()]
    sign_in(phone, patient)
    controlled(phone)
    phone.context.set_offline(True)
    phone.goto("/log/")
    phone.get_by_role("button", name="Same as last time").click()
    expect(phone.get_by_text("1 spasm log is saved on this phone")).to_be_visible()
    sent_once_the_signal_returns(phone, patient, count=2)
    latest = Episode.objects.filter(patient=patient).first()
    assert latest.kind == "cramp" and [(p.region, p.side) for p in latest.locations.all()] == places


def test_the_page_closed_and_opened_again_sends_it_on_the_next_visit(phone, browser, live_server):
    patient = UserFactory()
    sign_in(phone, patient)
    controlled(phone)
    tapped = log_three_taps_offline(phone)
    phone.close()
    assert not Episode.objects.filter(patient=patient).exists()

    again = phone.context.new_page()
    again.goto("/offline/")
    sent_once_the_signal_returns(again, patient)
    again.goto("/dashboard/")
    expect(again.get_by_role("heading", name="At a glance")).to_be_visible()
    assert_logged_once_at(patient, tapped)


def test_a_session_that_ended_meanwhile_keeps_the_log_until_the_patient_signs_in(phone):
    patient = UserFactory()
    sign_in(phone, patient)
    controlled(phone)
    tapped = log_three_taps_offline(phone)
    Session.objects.all().delete()

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.get_by_text("Sign in to send the logs saved on this phone.")).to_be_visible()
    assert not Episode.objects.filter(patient=patient).exists()
    assert waiting_count(phone) == 1

    # A page anyone holding the phone can open says how many wait, not what they are.
    phone.goto("/accounts/login/")
    expect(phone.get_by_text("1 spasm log is saved on this phone, waiting to be sent.")).to_be_visible()
    expect(phone.locator(".waiting-list")).to_have_count(0)

    sign_in(phone, patient)
    expect(phone.get_by_text("1 spasm log saved on this phone is now in your diary.")).to_be_visible()
    assert Episode.objects.filter(patient=patient).count() == 1
    assert_logged_once_at(patient, tapped)


def test_another_person_signing_in_clears_the_previous_ones_logs_saying_so(phone):
    first, second = UserFactory(), UserFactory()
    sign_in(phone, first)
    controlled(phone)
    log_three_taps_offline(phone)
    Session.objects.all().delete()
    phone.context.set_offline(False)

    sign_in(phone, second)
    expect(phone.get_by_text("1 spasm log saved on this phone by the person signed in before you")).to_be_visible()
    assert waiting_count(phone) == 0
    assert not Episode.objects.exists()


def test_signing_out_with_logs_waiting_asks_first(phone):
    patient = UserFactory()
    sign_in(phone, patient)
    controlled(phone)
    # The server stays out of reach for these logs (a signal too weak to carry them).
    phone.context.route("**/log/sent/", lambda route: route.abort())
    log_three_taps_offline(phone)
    phone.context.set_offline(False)
    phone.goto("/episodes/")
    expect(phone.get_by_text("1 spasm log is saved on this phone, waiting to be sent.")).to_be_visible()
    questions = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.dismiss() if len(questions) == 1 else dialog.accept()

    phone.on("dialog", answer)
    sign_out = phone.locator("form[data-sign-out]")
    sign_out.evaluate("(form) => form.requestSubmit()")
    phone.wait_for_timeout(300)
    assert "1 spasm log saved on this phone has not been sent yet" in questions[0]
    assert waiting_count(phone) == 1
    sign_out.evaluate("(form) => form.requestSubmit()")
    phone.wait_for_url("**/accounts/login/")
    assert len(questions) == 2
    assert not Episode.objects.exists()
    assert phone.evaluate("indexedDB.databases().then((all) => all.length)") == 0 or waiting_count(phone) == 0


def refused_for_the_clock(phone):
    """Offline, a log tapped on a phone whose clock runs an hour fast: the server refuses it once sent."""
    sign_in(phone, UserFactory())
    controlled(phone)
    phone.context.set_offline(True)
    phone.goto("/log/")
    phone.evaluate("window.trueNow = Date.now; Date.now = () => window.trueNow() + 3600 * 1000")
    phone.get_by_text("Left calf", exact=True).click()
    phone.get_by_role("button", name="Log it now").click()
    expect(phone.get_by_text("1 spasm log is saved on this phone")).to_be_visible()
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.get_by_text("later than now: check the clock of this phone")).to_be_visible()


def test_a_refused_log_shows_why_and_can_be_discarded(phone):
    refused_for_the_clock(phone)
    assert not Episode.objects.exists()
    phone.get_by_role("button", name="Discard").click()
    expect(phone.get_by_text("saved on this phone, waiting")).to_be_hidden()
    assert waiting_count(phone) == 0


def test_online_the_quick_log_still_logs_at_once_says_what_and_offers_undo(phone):
    patient = UserFactory()
    sign_in(phone, patient)
    phone.get_by_text("Left calf", exact=True).click()
    phone.get_by_role("button", name="Log it now").click()
    expect(phone.get_by_text("Logged: spasm at")).to_be_visible()
    assert Episode.objects.get(patient=patient).client_id is not None
    # A mis-tap: undone from the confirmation, which offers it for ten seconds.
    phone.get_by_role("button", name="Undo").click()
    expect(phone.get_by_text("Undone: the log of")).to_be_visible()
    assert not Episode.objects.exists()
    phone.get_by_text("Left calf", exact=True).click()
    phone.get_by_role("button", name="Log it now").click()
    expect(phone.get_by_role("button", name="Undo")).to_be_visible()
    phone.wait_for_timeout(10_500)
    expect(phone.get_by_role("button", name="Undo")).to_have_count(0)
    # Nothing tapped: the page says so beside the field, as without scripts.
    phone.get_by_role("button", name="Log it now").click()
    expect(phone.get_by_text("Tap where the spasm is.")).to_be_visible()
    assert Episode.objects.count() == 1


def test_a_refused_log_fixed_takes_its_place_once_logged_again(phone):
    refused_for_the_clock(phone)
    phone.get_by_role("button", name="Fix").click()
    expect(phone.get_by_label("Left calf", exact=True)).to_be_checked()
    # Until the changed log is kept, the refused one stays.
    assert waiting_count(phone) == 1
    phone.evaluate("Date.now = window.trueNow")
    phone.get_by_role("button", name="Log it now").click()
    expect(phone.get_by_text("Logged: spasm at")).to_be_visible()
    assert waiting_count(phone) == 0
    assert Episode.objects.count() == 1


def test_a_second_tap_while_the_first_is_on_its_way_logs_once(phone):
    patient = UserFactory()
    sign_in(phone, patient)
    settled(phone)
    phone.get_by_text("Left calf", exact=True).click()
    phone.locator("form[data-quick-log]").evaluate("(form) => { form.requestSubmit(); form.requestSubmit(); }")
    expect(phone.get_by_text("Logged: spasm at")).to_be_visible()
    assert Episode.objects.filter(patient=patient).count() == 1
