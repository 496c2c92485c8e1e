"""
SpasmLog on a phone's home screen: the web app manifest, the service worker, and
the two pages it keeps for when there is no signal (a copy of the quick log with
no one's data in it, and a page that says what works offline).

The service worker keeps only these pages and the static files they use. No page
with diary content is ever kept: such pages come from the network or not at all,
and they stay no-store.
"""

import functools
import hashlib
import json

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.crypto import salted_hmac

from logs.forms import DEFAULT_QUICK_LOCATIONS, QuickLogForm

# The colours of the site's bar and of its pages.
THEME_COLOR = "#0a4aa8"
BACKGROUND_COLOR = "#ffffff"

# What the service worker keeps: everything the two offline pages load.
STATIC_FILES = [
    "bootstrap/css/bootstrap.min.css",
    "bootstrap/js/bootstrap.bundle.min.js",
    "spasmlog/app.css",
    "spasmlog/app.js",
    "spasmlog/icon.svg",
    "logs/queue.js",
    "logs/offline.js",
    "logs/icons/icon-192.png",
    "logs/icons/icon-512.png",
]


def offline_key(user) -> str:
    """
    Who a phone's waiting logs belong to, without naming anyone: the same for a patient on
    every page, different for everyone else, and nothing to anyone without the site's key.
    """
    return salted_hmac("logs.pwa.offline_key", str(user.pk)).hexdigest()[:24]


def offline_owner(request: HttpRequest) -> dict[str, str]:
    """A template context processor: the signed-in patient's offline_key, which base.html gives the page's script."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_clinician:
        return {}
    return {"offline_owner": offline_key(user)}


def _page(template: str, **context) -> str:
    """An offline page, the same for everyone: rendered as if no one were signed in, with no messages."""
    return render_to_string(template, {"user": AnonymousUser(), "messages": [], "offline_copy": True, **context})


def _offline_quick_log() -> str:
    return _page("logs/quick_log.html", form=QuickLogForm(shortcuts=DEFAULT_QUICK_LOCATIONS))


def _offline_page() -> str:
    return _page("logs/offline.html")


def offline_quick_log(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_offline_quick_log())


def offline_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_offline_page())


def _precache() -> list[str]:
    return [reverse("logs:offline-quick-log"), reverse("logs:offline"), reverse("logs:manifest")] + [
        static(name) for name in STATIC_FILES
    ]


def _version() -> str:
    """
    Changes whenever anything the worker keeps changes (the static files' names carry their
    hashes in production), so a new release installs a new cache and the old one goes.
    """
    kept = "\n".join([*_precache(), _offline_quick_log(), _offline_page(), _manifest_json()])
    return hashlib.sha256(kept.encode()).hexdigest()[:16]


# Rendered once per process in production; in development a template may change under it.
if not settings.DEBUG:
    _version = functools.cache(_version)


def service_worker(request: HttpRequest) -> HttpResponse:
    body = render_to_string(
        "logs/sw.js",
        {
            "version": _version(),
            "precache": json.dumps(_precache()),
            "quick_log": reverse("logs:quick-log"),
            "offline_quick_log": reverse("logs:offline-quick-log"),
            "offline": reverse("logs:offline"),
            "sent_log": reverse("logs:quick-log-sent"),
            "queue_js": static("logs/queue.js"),
            "network_first": settings.DEBUG,
        },
    )
    response = HttpResponse(body, content_type="text/javascript")
    # The browser asks for the worker again on every visit, so a new release reaches it at once.
    response["Cache-Control"] = "no-cache"
    return response


def _manifest_json() -> str:
    def icon(**fields: str) -> dict[str, str]:
        return {"type": "image/png", **fields}

    return json.dumps(
        {
            "id": "/",
            "name": "SpasmLog",
            "short_name": "SpasmLog",
            "description": "A diary of muscle spasms, and a summary for the doctor.",
            "lang": "en",
            "start_url": reverse("logs:quick-log"),
            "scope": "/",
            "display": "standalone",
            "theme_color": THEME_COLOR,
            "background_color": BACKGROUND_COLOR,
            "icons": [
                icon(src=static("logs/icons/icon-192.png"), sizes="192x192", purpose="any"),
                icon(src=static("logs/icons/icon-512.png"), sizes="512x512", purpose="any"),
                icon(src=static("logs/icons/maskable-512.png"), sizes="512x512", purpose="maskable"),
            ],
            "shortcuts": [
                {
                    "name": "Log a spasm",
                    "url": reverse("logs:quick-log"),
                    "icons": [icon(src=static("logs/icons/icon-192.png"), sizes="192x192")],
                },
                {
                    "name": "Daily check-in",
                    "url": reverse("logs:checkin-new"),
                    "icons": [icon(src=static("logs/icons/icon-192.png"), sizes="192x192")],
                },
            ],
        }
    )


def manifest(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_manifest_json(), content_type="application/manifest+json")
    response["Cache-Control"] = "no-cache"
    return response
