"""
Every page through axe-core (WCAG 2.2 A and AA), on a phone and a desktop:
no serious or critical violation. Each page is also checked for sideways
scrolling and photographed for a person to look at.
"""

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from sharing.models import Share
from tests import factories
from tests.browser.conftest import assert_no_sideways_scroll, screenshot
from tests.browser.test_journeys import sign_in

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Axe()
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def audit(page, name):
    """Fail on any serious or critical WCAG 2.2 A/AA violation on the page as it is now."""
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]})
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[node['target'] for node in v['nodes']][:3]}" for v in serious
    )
    assert not serious, f"{name}:\n{report}"
    assert_no_sideways_scroll(page)
    if page.viewport_name == "phone":
        assert small_tap_targets(page) == [], name
    assert faint_controls(page) == [], name
    screenshot(page, name)


def faint_controls(page):
    """
    Fields, menus, boxes and tap buttons whose edge is under 3:1 against what is behind them
    (WCAG 2.2, 1.4.11 non-text contrast, which axe does not test): the edge is the border, or
    the control's own fill where it has no border.
    """
    return page.evaluate(
        """() => {
            const rgb = (color) => (color.match(/[\\d.]+/g) || []).map(Number);
            const luminance = ([r, g, b]) => {
                const [R, G, B] = [r, g, b].map((v) => {
                    v /= 255;
                    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                });
                return 0.2126 * R + 0.7152 * G + 0.0722 * B;
            };
            const ratio = (a, b) => {
                const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
                return (x + 0.05) / (y + 0.05);
            };
            const opaque = (color) => { const c = rgb(color); return c.length === 3 || c[3] > 0; };
            const behind = (element) => {
                for (let e = element.parentElement; e; e = e.parentElement) {
                    const fill = getComputedStyle(e).backgroundColor;
                    if (opaque(fill)) return rgb(fill).slice(0, 3);
                }
                return [255, 255, 255];
            };
            const controls = [...document.querySelectorAll(
                "input:not([type=hidden]):not(.btn-check), select, textarea, .btn-check + label")];
            return controls
                .filter((e) => e.offsetParent !== null)
                .filter((e) => {
                    const style = getComputedStyle(e);
                    const edge = parseFloat(style.borderTopWidth) > 0 ? style.borderTopColor : style.backgroundColor;
                    return !opaque(edge) || ratio(rgb(edge).slice(0, 3), behind(e)) < 3;
                })
                .map((e) => e.outerHTML.slice(0, 80));
        }"""
    )


def small_tap_targets(page):
    """Buttons, fields and menus a finger must hit, under 44 pixels tall (links inside text excepted)."""
    return page.evaluate(
        """() => [...document.querySelectorAll(
            'button, .btn, select, textarea, input:not([type=checkbox]):not([type=radio]):not([type=hidden])')]
          .filter(e => e.offsetParent !== null && !e.closest('.d-print-none, .visually-hidden-focusable'))
          .filter(e => e.getBoundingClientRect().height < 44)
          .map(e => e.outerHTML.slice(0, 80))"""
    )


def diary(patient):
    now = timezone.now()
    medicine = factories.MedicineFactory(patient=patient, name="Baclofen")
    episodes = [
        factories.EpisodeFactory(patient=patient, started_at=now - timedelta(days=days, hours=2), intensity=days % 10)
        for days in range(0, 40, 3)
    ]
    checkin = factories.CheckInFactory(patient=patient)
    return episodes[0], checkin, medicine


def test_every_patient_page(page):
    patient = factories.UserFactory(display_name="Olive Ownerly")
    episode, checkin, medicine = diary(patient)
    share = factories.ShareFactory(patient=patient)
    sign_in(page, patient)
    for name, path in [
        ("quick-log", "/log/"),
        ("dashboard", "/dashboard/"),
        ("episodes", "/episodes/"),
        ("episode-new", "/episodes/new/"),
        ("episode-edit", f"/episodes/{episode.pk}/"),
        ("episode-delete", f"/episodes/{episode.pk}/delete/"),
        ("checkins", "/checkins/"),
        ("checkin-edit", f"/checkins/{checkin.pk}/"),
        ("medicines", "/medicines/"),
        ("medicine-edit", f"/medicines/{medicine.pk}/"),
        ("profile", "/profile/"),
        ("reminders", "/reminders/"),
        ("summary", "/summary/"),
        ("summary-appendix", "/summary/?period=30&appendix=on"),
        ("summary-errors", "/summary/?period=since&since=2999-01-01"),
        ("shares", "/shares/"),
        ("share-new", "/shares/new/"),
        ("share-revoke", f"/shares/{share.pk}/revoke/"),
        ("account-import", "/accounts/import/"),
        ("account-email", "/accounts/email/"),
        ("account-delete", "/accounts/delete/"),
        ("password-change", "/accounts/password_change/"),
        ("not-found", "/episodes/999999/"),
    ]:
        page.goto(path)
        page.console_errors.clear()  # the 404 page's own status is expected
        audit(page, name)


def test_pages_with_errors_on_them(page):
    sign_in(page, factories.UserFactory())
    page.goto("/episodes/new/")
    page.get_by_label("How long it lasted").fill("0")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_be_visible()
    field = page.get_by_label("How long it lasted")
    described = field.get_attribute("aria-describedby")
    assert field.get_attribute("aria-invalid") == "true" and "id_duration_seconds_error" in described
    expect(page.locator("#id_duration_seconds_error")).to_contain_text("A duration must be longer than zero.")
    audit(page, "episode-errors-audit")


def test_every_public_page(page):
    for name, path in [
        ("home", "/"),
        ("login", "/accounts/login/"),
        ("signup", "/accounts/signup/"),
        ("signup-sent", "/accounts/signup/sent/"),
        ("offline", "/offline/"),
        ("offline-quick-log", "/offline/log/"),
        ("password-reset", "/accounts/password_reset/"),
        ("clinician-signup", "/accounts/clinicians/signup/"),
    ]:
        page.goto(path)
        audit(page, name)


def test_every_clinician_page(page):
    clinician = factories.ClinicianFactory()
    patient = factories.UserFactory(display_name="Olive Ownerly")
    diary(patient)
    share = factories.ShareFactory(patient=patient, clinician=clinician)
    factories.ShareFactory(clinician=clinician, accepted_at=None)
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(clinician.email)
    page.locator("#id_password").fill("a-long-test-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Turn on two-step sign-in")).to_be_visible()
    audit(page, "two-step-setup-audit")
    device = TOTPDevice.objects.get(user=clinician)
    page.get_by_label("Code").fill(f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    audit(page, "recovery-codes")
    for name, path in [
        ("clinician-home", "/clinicians/"),
        ("clinician-share-audit", f"/clinicians/shares/{share.pk}/"),
    ]:
        page.goto(path)
        audit(page, name)


def test_a_link_and_its_pin(page, live_server):
    patient = factories.UserFactory(display_name="Olive Ownerly")
    diary(patient)
    share = factories.LinkShareFactory.build(patient=patient, protection="pin")
    token = share.new_token()
    share.set_secret("4711")
    share.save()
    page.goto(f"/s/{token}/")
    audit(page, "link-pin")
    page.get_by_label("PIN").fill("4711")
    page.get_by_role("button", name="Open").click()
    expect(page.get_by_role("heading", name="Shared by Olive Ownerly")).to_be_visible()
    audit(page, "link-summary")
    assert Share.objects.get(pk=share.pk).accesses.count() == 1


def test_the_keyboard_alone_reaches_the_content(page):
    sign_in(page, factories.UserFactory())
    page.goto("/dashboard/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
    expect(page.locator("main")).to_be_focused()
    # Every control shows where the focus is.
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth, s.boxShadow]; })()"
    )
    assert outline[0] != "none" or outline[2] != "none", outline
