"""
Browser tests: Debian's Chromium driven by Playwright against the live server.

They skip, saying so, where /usr/bin/chromium is missing, unless REQUIRE_BROWSER
is set (as in CI), where a missing browser fails them.
"""

import os
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
    "narrow": {"width": 375, "height": 667},
}

# Playwright's sync API runs an event loop in the test thread; the ORM calls
# the tests make there are still plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    browser_tests = [item for item in items if "tests/browser/" in item.nodeid]
    for item in browser_tests:
        item.add_marker(pytest.mark.browser)
    if CHROMIUM.exists():
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"Browser tests are required but {CHROMIUM} is missing.")
    skip = pytest.mark.skip(reason=f"browser tests skipped: {CHROMIUM} is missing (apt-get install chromium)")
    for item in browser_tests:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


@pytest.fixture(params=["desktop", "phone"])
def viewport(request):
    return request.param


@contextmanager
def watched_page(browser, live_server, viewport):
    """A fresh page that fails the test on any request off this machine or any console error."""
    context = browser.new_context(viewport=VIEWPORTS[viewport], timezone_id="America/Chicago", base_url=live_server.url)
    context.set_default_timeout(5000)
    page = context.new_page()
    page.viewport_name = viewport
    page.outside_requests = []
    page.console_errors = []

    def check_request(request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("http://", "https://")) and host not in {"127.0.0.1", "localhost"}:
            page.outside_requests.append(request.url)

    page.on("request", check_request)
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()
    assert page.outside_requests == []
    assert page.console_errors == []


@pytest.fixture
def page(browser, live_server, viewport):
    with watched_page(browser, live_server, viewport) as page:
        yield page


@pytest.fixture
def narrow_page(browser, live_server):
    """The narrowest phone the diary promises to fit: 375 pixels wide."""
    with watched_page(browser, live_server, "narrow") as page:
        yield page


def screenshot(page, name):
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{page.viewport_name}.png", full_page=True)


def assert_no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


SKIPPED_BROWSER_TESTS = []


def pytest_runtest_logreport(report):
    if report.skipped and "browser" in report.nodeid:
        SKIPPED_BROWSER_TESTS.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    """Where browser tests are required (CI), a skipped one fails the run, whatever skipped it."""
    if os.environ.get("REQUIRE_BROWSER") and SKIPPED_BROWSER_TESTS:
        print(f"\n{len(SKIPPED_BROWSER_TESTS)} browser tests were skipped, but REQUIRE_BROWSER is set.")
        session.exitstatus = 1
