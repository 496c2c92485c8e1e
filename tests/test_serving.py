"""Production serving: health checks, structured logs without patient data, gunicorn with WhiteNoise."""

import json
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.urls import reverse

from spasmlog.logging import JsonFormatter
from tests.factories import EpisodeFactory, LinkShareFactory

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_checks_the_database(client, django_assert_num_queries, db):
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_healthz_says_when_the_database_is_down(client, monkeypatch, db):
    def broken(*args, **kwargs):
        raise DatabaseError("down")

    with monkeypatch.context() as patch:
        patch.setattr("spasmlog.health.connection.cursor", broken)
        response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "unreachable"


def test_the_live_check_touches_nothing(client, django_assert_num_queries, db):
    with django_assert_num_queries(0):
        assert client.get("/healthz/live").json() == {"status": "ok"}


def test_each_request_is_logged_as_json_without_paths_or_tokens(patient_client, patient, caplog):
    episode = EpisodeFactory(patient=patient, notes="private words")
    caplog.set_level(logging.INFO, logger="spasmlog.requests")
    patient_client.get(reverse("logs:episode-edit", args=[episode.pk]))
    lines = [
        json.loads(JsonFormatter().format(record)) for record in caplog.records if record.name == "spasmlog.requests"
    ]
    assert lines[-1]["route"] == "logs:episode-edit"
    assert (lines[-1]["method"], lines[-1]["status"]) == ("GET", 200)
    assert isinstance(lines[-1]["duration_ms"], float)
    assert f"/episodes/{episode.pk}/" not in caplog.text and "private words" not in caplog.text


def test_a_links_token_never_reaches_the_log(client, caplog, db):
    share = LinkShareFactory.build()
    share.patient.save()
    token = share.new_token()
    share.save()
    caplog.set_level(logging.DEBUG)
    client.get(reverse("sharing:link", args=[token]))
    client.get(reverse("sharing:link", args=["a-wrong-token"]))
    assert token not in caplog.text and "a-wrong-token" not in caplog.text


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_serves_the_app_and_compressed_hashed_static_files(tmp_path):
    """What `make serve` runs: collectstatic, migrate, gunicorn with DEBUG off."""
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}},
        "DJANGO_SETTINGS_MODULE": "spasmlog.settings",
        "SECRET_KEY": "serve-test-" + "k3y!" * 15,
        "ALLOWED_HOSTS": "spasmlog.test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        "SECURE_SSL_REDIRECT": "0",
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
    }
    token = secrets.token_urlsafe(32)
    host = {"Host": "spasmlog.test"}
    python = sys.executable
    for command in (["collectstatic", "--no-input", "--verbosity", "0"], ["migrate", "--no-input", "--verbosity", "0"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
    gunicorn = Path(python).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "spasmlog.wsgi", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:

        def get(path, **headers):
            request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={**host, **headers})
            return urllib.request.urlopen(request, timeout=5)

        for _ in range(60):
            try:
                health = get("/healthz")
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail("gunicorn did not answer")
        assert json.loads(health.read()) == {"status": "ok", "database": "ok"}
        login = get("/accounts/login/").read().decode()
        css = next(part.split('"')[0] for part in login.split('href="') if part.startswith("/static/bootstrap/css/"))
        assert css != "/static/bootstrap/css/bootstrap.min.css"  # a hashed name
        static = get(css, **{"Accept-Encoding": "gzip"})
        assert static.headers["Content-Encoding"] == "gzip"
        assert "immutable" in static.headers["Cache-Control"]

        # A link's token in a request gunicorn refuses, and in one Django refuses (no CSRF token).
        with socket.create_connection(("127.0.0.1", port), timeout=5) as bad:
            bad.sendall(f"GET /s/{token}/\x01 HTTP/1.1\r\nHost: spasmlog.test\r\n\r\n".encode())
            assert bad.recv(100).startswith(b"HTTP/1.1 400")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(
                urllib.request.Request(f"http://127.0.0.1:{port}/s/{token}/", data=b"pin=1234", headers=host),
                timeout=5,
            )
        assert refused.value.code == 403
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()
    lines = [json.loads(line) for line in output.splitlines()]
    requests = [line for line in lines if line["logger"] == "spasmlog.requests"]
    assert (requests[0]["route"], requests[0]["status"]) == ("healthz", 200)
    assert any(line["route"] == "login" for line in requests)
    # Every line is JSON, gunicorn's too, and none holds the token.
    assert token not in output
    assert any(line["logger"] == "gunicorn.error" and "/s/…/" in line["message"] for line in lines)
    csrf = [line["message"] for line in lines if line["logger"] == "django.security.csrf"]
    assert csrf == ["Forbidden (CSRF cookie not set.): sharing:link"]
