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
        match = request.resolver_match
        route = f"{match.namespace}:{match.url_name}" if match and match.namespace else getattr(match, "url_name", None)
        self.logger.info(
            "request",
            extra={
                "method": request.method,
                "route": route or "unknown",
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
