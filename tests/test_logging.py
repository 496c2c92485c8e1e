"""No secret in any log line: the token of a link, a sign-up or a password reset, whatever logger writes it."""

import io
import json
import logging
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from spasmlog.logging import NoSecretsFilter, hide_secrets, secret_routes
from tests.factories import LinkShareFactory

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "kq3XrTPZ7mW0-token-never-logged_4vN8"
# Parameter names that look like a secret, wider than the project's own list on purpose.
SECRET_LOOKING = re.compile(r"token|uid|secret|key|code|pin|password")


@pytest.fixture
def log_output():
    """What the project's log handler writes from here on."""
    [handler] = [handler for handler in logging.getLogger().handlers if handler.name == "console"]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def lines(output, logger):
    return [line for line in map(json.loads, output.getvalue().splitlines()) if line["logger"] == logger]


def routes_with_secret_looking_parameters():
    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif any(SECRET_LOOKING.search(name) for name in pattern.pattern.regex.groupindex):
                yield (
                    f"{namespace}:{pattern.name}" if namespace else pattern.name,
                    list(pattern.pattern.regex.groupindex),
                )

    return dict(walk(get_resolver().url_patterns, None))


def test_every_route_with_a_secret_in_its_path_is_hidden_in_the_logs():
    routes = routes_with_secret_looking_parameters()
    assert {"sharing:link", "signup-confirm", "clinician-confirm", "password_reset_confirm"} <= set(routes)
    assert sorted(routes) == sorted(name for name, _ in secret_routes())
    for name, parameters in routes.items():
        values = {each: f"{each}-{TOKEN}" if SECRET_LOOKING.search(each) else "episodes" for each in parameters}
        line = hide_secrets(f'"GET {reverse(name, kwargs=values)} HTTP/1.1" 200')
        assert TOKEN not in line, name


def test_a_path_keeps_its_shape_with_the_secret_hidden():
    assert hide_secrets(f"GET /s/{TOKEN}/csv/episodes/ HTTP/1.1") == "GET /s/…/csv/episodes/ HTTP/1.1"
    assert hide_secrets(f"https://spasmlog.test/s/{TOKEN}?x=1") == "https://spasmlog.test/s/…?x=1"
    assert hide_secrets(f"/accounts/reset/MQ/{TOKEN}/") == "/accounts/reset/…/…/"
    assert hide_secrets("/episodes/12/ and /shares/3/") == "/episodes/12/ and /shares/3/"


def test_every_log_handler_hides_secrets():
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    handlers = {
        handler
        for logger in loggers
        for handler in getattr(logger, "handlers", [])
        # The test runner's own capture, and handlers that write nothing.
        if not type(handler).__module__.startswith("_pytest") and not isinstance(handler, logging.NullHandler)
    }
    assert handlers
    for handler in handlers:
        assert any(isinstance(part, NoSecretsFilter) for part in handler.filters), handler


def test_a_csrf_failure_on_a_link_names_the_route_not_the_token(db, log_output):
    response = Client(enforce_csrf_checks=True).post(reverse("sharing:link", args=[TOKEN]), {"pin": "1234"})
    assert response.status_code == 403
    [line] = lines(log_output, "django.security.csrf")
    assert line["message"] == "Forbidden (CSRF cookie not set.): sharing:link"
    assert TOKEN not in log_output.getvalue()


def test_a_failed_request_is_logged_by_route_without_the_links_token(db, log_output, monkeypatch):
    share = LinkShareFactory.build()
    share.patient.save()
    token = share.new_token()
    share.save()

    def broken(request, *args, **kwargs):
        raise RuntimeError(f"broken at {request.path}")

    monkeypatch.setattr("sharing.views._show_share", broken)
    response = Client(raise_request_exception=False).get(reverse("sharing:link", args=[token]))
    assert response.status_code == 500
    [line] = lines(log_output, "django.request")
    assert line["message"] == "Internal Server Error: sharing:link"
    assert "RuntimeError: broken at /s/…/" in line["exception"]
    assert token not in log_output.getvalue()


def test_the_development_servers_lines_hide_the_token(log_output):
    # One request's line, as runserver's request handler writes it.
    server = WSGIRequestHandler.__new__(WSGIRequestHandler)
    server.request = None
    server.log_message('"%s" %s %s', f"GET /s/{TOKEN}/pdf/ HTTP/1.1", "404", "179")
    [line] = lines(log_output, "django.server")
    assert line["message"] == '"GET /s/…/pdf/ HTTP/1.1" 404 179'
    assert TOKEN not in log_output.getvalue()


# gunicorn with the project's configuration, in a process of its own since it sets up logging
# for the whole process: a bad request's line, an error handling a request, and, were the
# access log turned on, a request's line.
GUNICORN_LOGS = f"""
import logging, sys
from datetime import timedelta
from types import SimpleNamespace

import django
from gunicorn.app.wsgiapp import WSGIApplication

sys.argv = ["gunicorn", "--config", "gunicorn.conf.py", "spasmlog.wsgi"]
app = WSGIApplication()
django.setup()
log = app.cfg.logger_class(app.cfg)
log.warning("Invalid request from ip=127.0.0.1: Invalid HTTP request line: 'GET /s/{TOKEN}/\\x01 HTTP/1.1'")
try:
    raise OSError("broken pipe")
except OSError:
    log.exception("Error handling request %s %s", "GET", "/s/{TOKEN}/pdf/")
logging.getLogger("gunicorn.access").setLevel(logging.INFO)
path = "/s/{TOKEN}/csv/episodes/"
environ = {{
    "REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path, "SERVER_PROTOCOL": "HTTP/1.1",
    "HTTP_REFERER": "https://spasmlog.test/s/{TOKEN}/",
}}
log.access(SimpleNamespace(status="200 OK", headers=[], sent=10), [], environ, timedelta(milliseconds=5))
"""


@pytest.mark.slow
def test_gunicorns_error_and_access_lines_hide_the_token():
    done = subprocess.run([sys.executable, "-c", GUNICORN_LOGS], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert TOKEN not in output
    written = [json.loads(line) for line in output.splitlines()]
    bad_request, error, access = [(line["logger"], line["message"]) for line in written]
    assert bad_request == (
        "gunicorn.error",
        "Invalid request from ip=127.0.0.1: Invalid HTTP request line: 'GET /s/…/\x01 HTTP/1.1'",
    )
    assert error == ("gunicorn.error", "Error handling request GET /s/…/pdf/")
    assert access[0] == "gunicorn.access"
    assert '"GET /s/…/csv/episodes/ HTTP/1.1" 200 10 "https://spasmlog.test/s/…/"' in access[1]
