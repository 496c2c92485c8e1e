import re

import pytest
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from pypdf import PdfReader

from sharing.models import AccessRecord, Share
from tests.browser.conftest import assert_no_sideways_scroll, screenshot, watched_page
from tests.browser.test_journeys import emailed_link, sign_in
from tests.factories import EpisodeFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def expected_404(page):
    """The browser reports the 404 it was meant to get; nothing else may be in the console."""
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 404 (Not Found)"]
    page.console_errors.clear()


def signed_up_clinician(page):
    page.goto("/accounts/clinicians/signup/")
    page.get_by_label("E-mail address").fill("dr.rivers@example.org")
    page.locator("#id_display_name").fill("Dr Ana Rivers")
    page.get_by_label("Practice or clinic").fill("Riverside Clinic")
    page.get_by_role("button", name="Create clinician account").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    page.goto(emailed_link(mail.outbox[-1]))
    page.locator("#id_password1").fill("cramps-are-common-at-night")
    page.locator("#id_password2").fill("cramps-are-common-at-night")
    page.get_by_role("button", name="Open my account").click()
    expect(page.get_by_role("heading", name="Turn on two-step sign-in")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    screenshot(page, "two-step-setup")
    device = TOTPDevice.objects.get(user__email="dr.rivers@example.org")
    page.get_by_label("Code").fill(code_for(device))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    expect(page.get_by_role("heading", name="Two-step sign-in is on")).to_be_visible()
    page.get_by_role("link", name=re.compile("go to my patients")).click()
    expect(page.get_by_role("heading", name="Patients who shared with you")).to_be_visible()


def test_a_patient_shares_with_a_clinician_who_reviews_until_it_is_revoked(page, browser, live_server, viewport):
    patient = UserFactory(display_name="Olive Ownerly")
    EpisodeFactory(patient=patient)
    with watched_page(browser, live_server, viewport) as clinician_page:
        signed_up_clinician(clinician_page)

        sign_in(page, patient)
        page.goto("/shares/new/")
        page.get_by_label("Clinician's e-mail address or code").fill("dr.rivers@example.org")
        assert_no_sideways_scroll(page)
        screenshot(page, "share-new")
        page.get_by_role("button", name="Share").click()
        expect(page.get_by_text("Waiting for the clinician to accept")).to_be_visible()

        clinician_page.reload()
        clinician_page.get_by_role("button", name="Accept").click()
        expect(clinician_page.get_by_role("heading", name="Shared by Olive Ownerly")).to_be_visible()
        expect(clinician_page.get_by_role("heading", name="Spasm diary summary")).to_be_visible()
        assert_no_sideways_scroll(clinician_page)
        screenshot(clinician_page, "clinician-share")
        with clinician_page.expect_download() as download:
            clinician_page.get_by_role("link", name="PDF (A4)").click()
        assert len(PdfReader(download.value.path()).pages) == 2
        clinician_page.goto("/clinicians/")
        expect(clinician_page.get_by_role("link", name=re.compile("Olive Ownerly"))).to_be_visible()

        page.goto("/shares/")
        expect(page.get_by_role("cell", name="Dr Ana Rivers").first).to_be_visible()
        expect(page.get_by_role("cell", name=re.compile("^PDF"))).to_be_visible()
        expect(page.get_by_role("cell", name=re.compile("^Summary"))).to_be_visible()
        screenshot(page, "share-list")
        page.get_by_role("link", name="Revoke").click()
        page.get_by_role("button", name="Revoke").click()
        expect(page.get_by_text("The share is revoked")).to_be_visible()

        share = Share.objects.get(patient=patient)
        response = clinician_page.goto(f"/clinicians/shares/{share.pk}/")
        assert response.status == 404 and "Olive Ownerly" not in clinician_page.content()
        expected_404(clinician_page)
        clinician_page.goto("/clinicians/")
        expect(clinician_page.get_by_text("No patient has shared a summary with you yet")).to_be_visible()
    assert [record.what for record in AccessRecord.objects.order_by("at")] == ["summary", "PDF"]


def test_a_link_with_a_pin_opens_in_a_browser_without_an_account(page, browser, live_server, viewport):
    patient = UserFactory(display_name="Olive Ownerly")
    EpisodeFactory(patient=patient)
    sign_in(page, patient)
    page.goto("/shares/new/")
    page.get_by_label("A link").check()
    page.get_by_label("A PIN I choose").check()
    page.get_by_label("PIN", exact=True).fill("4711")
    page.get_by_role("button", name="Share").click()
    link = page.get_by_label("Link").input_value()
    assert link.startswith(live_server.url + "/s/")

    with watched_page(browser, live_server, viewport) as stranger:
        stranger.goto(link)
        expect(stranger.get_by_role("heading", name="Open a shared summary")).to_be_visible()
        assert "Olive Ownerly" not in stranger.content()
        stranger.get_by_label("PIN").fill("1234")
        stranger.get_by_role("button", name="Open").click()
        expect(stranger.get_by_text("That does not match.")).to_be_visible()
        stranger.get_by_label("PIN").fill("4711")
        stranger.get_by_role("button", name="Open").click()
        expect(stranger.get_by_role("heading", name="Shared by Olive Ownerly")).to_be_visible()
        assert_no_sideways_scroll(stranger)

        page.goto("/shares/")
        expect(page.get_by_role("cell", name="Someone with the link")).to_be_visible()
        page.get_by_role("link", name="Revoke").click()
        page.get_by_role("button", name="Revoke").click()

        response = stranger.reload()
        assert response.status == 404 and "Olive Ownerly" not in stranger.content()
        expected_404(stranger)
