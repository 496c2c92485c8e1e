import os
import subprocess
import sys

import pytest
from django.urls import reverse

PRODUCTION = {"DEBUG": "0", "SECRET_KEY": "p" * 60, "ALLOWED_HOSTS": "spasmlog.example"}


def check(*options, **env):
    inherited = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in inherited}
    environment.update(env, DJANGO_SETTINGS_MODULE="spasmlog.settings")
    return subprocess.run(
        [sys.executable, "manage.py", "check", *options],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def printed_by_django(code, environment):
    """What code prints in a process where Django has set itself up in the environment."""
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env={**environment, "DJANGO_SETTINGS_MODULE": "spasmlog.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_what_it_needs(missing):
    result = check(**{k: v for k, v in PRODUCTION.items() if k != missing})
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_starts_with_a_key_and_hosts():
    assert check(**PRODUCTION).returncode == 0


def test_production_passes_the_deployment_checklist_without_a_warning():
    key = "".join(chr(33 + (i * 7919) % 90) for i in range(64)).replace("$", "x")
    # Without a shared cache, a warning that the limits count per process.
    environment = {**PRODUCTION, "SECRET_KEY": key, "REDIS_URL": "redis://127.0.0.1:6379/0"}
    result = check("--deploy", "--fail-level", "WARNING", **environment)
    assert result.returncode == 0, result.stderr


def test_development_needs_only_debug():
    assert check(DEBUG="1").returncode == 0


def test_every_page_has_a_strict_content_security_policy(client, db):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_load_nothing_from_elsewhere(patient_client):
    pages = [
        "logs:quick-log",
        "reports:dashboard",
        "logs:episode-new",
        "logs:checkin-new",
        "logs:profile",
        "reports:summary",
    ]
    for name in pages:
        page = patient_client.get(reverse(name)).content.decode()
        assert "http://" not in page and "https://" not in page and "//cdn" not in page
        assert "<style" not in page and " style=" not in page
        assert "<script>" not in page and "<script src" in page


def test_postgresql_prices_random_reads_for_ssd():
    """At PostgreSQL's default (4) a patient's places were joined by scanning every patient's."""
    code = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS']['options'])"
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    environment.update(PRODUCTION, DATABASE_URL="postgres://spasmlog@db:5432/spasmlog")
    assert printed_by_django(code, environment).strip() == "-c random_page_cost=1.1"


def test_the_database_connection_uses_it(db):
    from django.db import connection

    if connection.vendor != "postgresql":
        return  # SQLite has no planner costs to set
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"


def test_starting_django_loads_none_of_the_heavy_libraries():
    """The statistics, and the PDF renderer, load with the pages that use them, not with every process."""
    code = (
        "import sys; print(' '.join(m for m in ('statsmodels', 'scipy', 'weasyprint', 'pandas') if m in sys.modules))"
    )
    assert printed_by_django(code, {**os.environ, "DEBUG": "1"}).strip() == ""
