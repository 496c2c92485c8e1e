from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class PatientTimeZoneMiddleware:
    """Show and read every date and time in the signed-in person's own zone."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.get_response(request)
        # The zone is the thread's until it is given back, so the next request
        # (or anything else the thread runs) never inherits this person's zone.
        with timezone.override(request.user.zone):
            return self.get_response(request)


class SessionLimitsMiddleware:
    """
    Sign a person out after SESSION_IDLE without a request, and SESSION_MAX after
    signing in, whichever comes first. The last-seen time is written at most once
    a minute, so a busy session does not write on every request.
    """

    STARTED, SEEN = "limits-started", "limits-seen"

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    @classmethod
    def start(cls, sender: type, request: HttpRequest, user: AbstractBaseUser, **kwargs: Any) -> None:
        now = timezone.now().timestamp()
        request.session[cls.STARTED] = request.session[cls.SEEN] = now

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            started = request.session.setdefault(self.STARTED, now)
            seen = request.session.get(self.SEEN, now)
            if (
                now - seen > settings.SESSION_IDLE.total_seconds()
                or now - started > settings.SESSION_MAX.total_seconds()
            ):
                logout(request)
                return redirect_to_login(request.get_full_path())
            if now - seen >= 60:
                request.session[self.SEEN] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """
    What Django does not set itself: the Permissions-Policy, Clear-Site-Data on
    signing out, and no-store on every page it renders (static files are served
    before this, by WhiteNoise), so no page of a diary stays in a browser's or a
    proxy's cache.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        if request.resolver_match and request.resolver_match.url_name == "logout" and request.method == "POST":
            response["Clear-Site-Data"] = '"cache", "cookies", "storage"'
        return response


class AllowedMethodsMiddleware:
    """Pages are read with GET and changed with POST; any other method is refused before a view sees it."""

    ALLOWED = ("GET", "HEAD", "POST")

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method not in self.ALLOWED:
            return HttpResponseNotAllowed(self.ALLOWED)
        return self.get_response(request)
