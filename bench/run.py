"""
make bench: a year of heavy logging (about 10,000 episodes and 365 check-ins),
then the median time of the summary page, its PDF (also with the appendix,
as full as it gets) and its CSV and FHIR exports over several runs, and of what goes with the spasms over that year
(reports.insights, as the summary computes it), with the queries each takes. Results go to
bench/results.json.
"""

import io
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import warnings  # noqa: E402

import django  # noqa: E402

# WhiteNoise notes that nothing has been collected; the benchmark serves no static files.
warnings.filterwarnings("ignore", message="No directory at")
django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from logs import summary  # noqa: E402
from logs.models import User  # noqa: E402
from spasmlog.dates import Period  # noqa: E402

EMAIL = "bench@spasmlog.example"
RUNS = int(os.environ.get("BENCH_RUNS", "7"))
RESULTS = ROOT / "bench" / "results.json"


def measure(client, url, params):
    client.get(url, params)  # warm up: templates, WeasyPrint's import, the database's cache
    timings = []
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(url, params)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, params)
    return statistics.median(timings), len(queries)


def appendix_pages(client, url, params):
    """
    The pages of the PDF with the appendix, checked to hold the appendix full: the latest
    summary.APPENDIX_EPISODES episodes and the line saying how many more the period has.
    A PDF without it would be measured as fast and pass for the bounded one.
    """
    reader = PdfReader(io.BytesIO(client.get(url, params).content))
    last = reader.pages[-1].extract_text()
    assert "full list is in the episodes CSV" in last, "the PDF has no full appendix to measure"
    return len(reader.pages)


def measure_insights(patient, today):
    """
    What goes with the spasms over the year, on its own: the queries and the
    models, with the cache of fitted comparisons emptied before each run, and
    then with it full (a dashboard opened again with nothing new logged).
    """
    period = Period(today.replace(year=today.year - 1), today)

    def run():
        return summary.what_goes_with(
            patient, period, today + timedelta(days=1), shown=summary.INSIGHTS_IN_SUMMARY, waiting_shown=2
        )

    run()  # warm up: statsmodels' first fit
    cold, warm = [], []
    for _ in range(RUNS):
        cache.clear()
        start = time.perf_counter()
        run()
        cold.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        run()
        warm.append((time.perf_counter() - start) * 1000)
    with CaptureQueriesContext(connection) as queries:
        compared = len(run()["found"].associations)
    print(f"insights: {compared} factor and lag pairs compared")
    return statistics.median(cold), statistics.median(warm), len(queries)


def main():
    call_command("migrate", verbosity=0)
    call_command(
        "seed_demo",
        email=EMAIL,
        days=365,
        episodes=10_000,
        every_day=True,
        replace=True,
        allow_production=True,
        stdout=io.StringIO(),
    )
    patient = User.objects.get(email=EMAIL)
    today = timezone.now().astimezone(patient.zone).date()
    year = {"period": "range", "start": str(today.replace(year=today.year - 1)), "end": str(today)}

    client = Client()
    client.force_login(patient)
    views = {
        "summary": reverse("reports:summary"),
        "pdf": reverse("reports:summary-pdf"),
        "csv": reverse("reports:summary-csv", args=["episodes"]),
        "fhir": reverse("reports:summary-fhir"),
    }
    results = {"queries": {}}
    for name, url in views.items():
        median, queries = measure(client, url, year)
        results[f"{name}_ms"] = round(median, 1)
        results["queries"][name] = queries
    # The PDF with the appendix as full as it gets: the year holds far more than it lists.
    with_appendix = {**year, "appendix": "on"}
    median, queries = measure(client, views["pdf"], with_appendix)
    results["pdf_appendix_ms"] = round(median, 1)
    results["queries"]["pdf_appendix"] = queries
    appendix_pdf_pages = appendix_pages(client, views["pdf"], with_appendix)
    cold, warm, queries = measure_insights(patient, today)
    results["insights_ms"] = round(cold, 1)
    results["insights_cached_ms"] = round(warm, 1)
    results["queries"]["insights"] = queries
    results["data"] = {
        "episodes": patient.episodes.count(),
        "checkins": patient.checkins.count(),
        "period_days": 366,
        "pdf_appendix_pages": appendix_pdf_pages,
        "runs": RUNS,
        "database": connection.vendor,
    }

    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{results['data']['episodes']} episodes, {results['data']['checkins']} check-ins, {connection.vendor}")
    print(f"{'view':<14}{'median ms':>12}{'queries':>10}")
    for name in [*views, "pdf_appendix", "insights"]:
        print(f"{name:<14}{results[f'{name}_ms']:>12}{results['queries'][name]:>10}")
    print(f"{'(cached)':<14}{results['insights_cached_ms']:>12}{results['queries']['insights']:>10}")
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
