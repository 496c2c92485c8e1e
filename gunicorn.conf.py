"""Gunicorn, as `make serve` and the Docker image run it."""

import logging
import multiprocessing
import os

from gunicorn.glogging import Logger

from spasmlog.settings import LOGGING

bind = os.environ.get("BIND", "0.0.0.0:8000")
# Two processes per core and one more: the usual start for a Django app that waits on its database.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# The application logs each request itself, as JSON without paths.
accesslog = None
errorlog = "-"
# gunicorn's own lines (a bad request's names its path) go through the application's handler
# and its filter, as JSON without secrets. Its access log stays off; at INFO it would print
# each path, through the same filter.
logconfig_dict = {
    **LOGGING,
    "loggers": {
        **LOGGING["loggers"],
        "gunicorn.error": {"handlers": ["console"], "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}


class QuietAccessLogger(Logger):
    @property
    def access_log_enabled(self):
        # With logconfig_dict set, gunicorn would build every request's access line only to drop it.
        return self.access_log.isEnabledFor(logging.INFO)


logger_class = QuietAccessLogger

timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# The app is imported once, before the workers are forked: a worker that is replaced
# (after max_requests, against slow leaks) starts at once instead of importing Django
# again, and the workers share the imported code's memory. Connections open in workers.
preload_app = True
max_requests = 10000
max_requests_jitter = 1000
