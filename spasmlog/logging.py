"""Logs as one JSON object a line, on standard output, with nothing of a patient's in them."""

import json
import logging
import time

from django.utils import timezone


class JsonFormatter(logging.Formatter):
    FIELDS = ("method", "route", "status", "duration_ms")

    def format(self, record):
        entry = {
            "time": timezone.now().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in self.FIELDS if hasattr(record, name)})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def route_name(request):
    """The name of the route a request was sent to ("logs:episode-edit"), never its path."""
    match = request.resolver_match
    if match is None or not match.url_name:
        return "unknown"
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


class NoPathFilter(logging.Filter):
    """
    Django's own report of a failed request ("Internal Server Error: /s/…/")
    names the path, which can hold a shared link's token: name the route instead.
    """

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is not None and isinstance(record.args, tuple):
            record.args = tuple(route_name(request) if arg == request.path else arg for arg in record.args)
        return True


class RequestLogMiddleware:
    """
    One line per request: method, the route's name (never the path, which can
    hold a link's token or a record's number), status and time taken.
    """

    logger = logging.getLogger("spasmlog.requests")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
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
