"""Settings for the benchmarks: the project's own, with DEBUG off, on a database of their own."""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "benchmark-only-" + "x" * 50)
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("DEBUG", "0")
# Its own database, so a benchmark never touches the development diary.
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{Path(__file__).resolve().parent / 'bench.sqlite3'}"
)

from spasmlog.settings import *  # noqa: E402, F403

STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
