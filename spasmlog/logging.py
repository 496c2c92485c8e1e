"""Logs as one JSON object a line, on standard output, with nothing of a patient's and no secret in them."""

import functools
import json
import logging
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.apps import apps
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import URLResolver, get_resolver

# URL parameters that hold a secret: the token of a shared link or of a sign-up link, and
# the account and token of a password reset.
SECRET_PARAMETERS = {"token", "uidb64"}
HIDDEN = "…"
ROUTE_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
# One segment of a path inside a line of text: it ends at a slash, a space, a query, a fragment or a quote.
PATH_SEGMENT = r"[^/\s?#\"']+"
_traceback_formatter = logging.Formatter()


class JsonFormatter(logging.Formatter):
    FIELDS = ("method", "route", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            # Not Django's clock: gunicorn writes lines before Django's settings are loaded.
            "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in self.FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def route_name(request: HttpRequest) -> str:
    """The name of the route a request was sent to ("logs:episode-edit"), never its path."""
    match = request.resolver_match
    if match is None or not match.url_name:
        return "unknown"
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def secret_routes() -> list[tuple[str, str]]:
    """
    Every route whose path holds a secret, with the route from the site's root:
    ("sharing:link", "s/<str:token>/"). Read from the URL patterns, so a new one is covered.
    """

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route, pattern.namespace or namespace)
            elif SECRET_PARAMETERS.intersection(ROUTE_PARAMETER.findall(route)):
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), route

    return list(walk(get_resolver().url_patterns, "", None))


def _path_to_last_secret(route: str) -> str:
    """A route as a pattern that finds its paths in any text, up to its last secret; each secret is a group."""
    parts, end, last_secret = [], 0, 0
    for parameter in ROUTE_PARAMETER.finditer(route):
        parts.append(re.escape(route[end : parameter.start()]))
        if parameter[1] in SECRET_PARAMETERS:
            parts.append(f"({PATH_SEGMENT})")
            last_secret = len(parts)
        else:
            parts.append(PATH_SEGMENT)
        end = parameter.end()
    # What follows the last secret may be missing or cut off ("/s/<token>" without its slash).
    return "/" + "".join(parts[:last_secret])


@functools.cache
def _secret_paths(resolver: URLResolver) -> re.Pattern[str]:
    paths = dict.fromkeys(_path_to_last_secret(route) for _, route in secret_routes())
    return re.compile("|".join(f"(?:{path})" for path in paths) or "(?!)")


def _hide_groups(match: re.Match[str]) -> str:
    text, end = [], match.start()
    for group in range(1, len(match.groups()) + 1):
        start, stop = match.span(group)
        if start != -1:
            text += [match.string[end:start], HIDDEN]
            end = stop
    return "".join(text) + match.string[end : match.end()]


def hide_secrets(text: str) -> str:
    """text with the secret of every path of a secret-bearing route replaced: "GET /s/…/pdf/"."""
    if not apps.ready:
        # Only gunicorn's start-up lines come before the URL patterns can be read, and they name no path.
        return text
    return _secret_paths(get_resolver()).sub(_hide_groups, text)


class NoSecretsFilter(logging.Filter):
    """
    On the log handler, so that every line passes through it whatever wrote it (Django,
    gunicorn, the development server). Django's report of a request names the route
    instead of the path, which can hold a record's number or a link's token; any other
    path of a route that holds a secret keeps its shape with the secret replaced
    ("/s/…/"), in the message, its arguments and a traceback alike.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if isinstance(request, HttpRequest) and isinstance(record.args, tuple):
            record.args = tuple(route_name(request) if arg == request.path else arg for arg in record.args)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # Arguments that do not fit the message: logging would print both as they are.
            message = f"{record.msg} {record.args}"
        record.msg, record.args = hide_secrets(message), ()
        if record.exc_info:
            record.exc_text = hide_secrets(record.exc_text or _traceback_formatter.formatException(record.exc_info))
        return True


class RequestLogMiddleware:
    """
    One line per request: method, the route's name (never the path, which can
    hold a link's token or a record's number), status and time taken.
    """

    logger = logging.getLogger("spasmlog.requests")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        response = self.get_response(request)
        self.logger.info(
            "request",
            extra={
                "method": request.method,
                "route": route_name(request),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
