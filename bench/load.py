"""
make loadtest: the app under gunicorn on PostgreSQL, driven by locust from a
second process over the loopback, beside the ceiling of the same stack.

1. A database of its own (LOAD_DATABASE_URL), migrated, with LOAD_PATIENTS demo
   patients of a year each (LOAD_EPISODES episodes apiece; 50 × 2,000 makes
   100,000 episodes in the table). They are made once and kept for later runs.
2. gunicorn as `make serve` runs it (gunicorn.conf.py), DEBUG off.
3. One locust run per phase, LOAD_USERS users each, every user signing in
   through the form once: the ceiling (/healthz/live), each page alone at full
   speed, then the mix of a patient's day. LOAD_SECONDS of measuring each, after
   every user has signed in.
4. Per page: requests a second, p50/p95/p99 in ms, errors, and the throughput
   as a share of the ceiling's and of the signed-in ceiling's, printed and
   written to bench/load.json. Then the
   plans PostgreSQL chooses for the dashboard's and the summary's queries, to
   bench/explain.txt. The episodes the run logged are deleted at the end.
"""

import io
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

USERS = int(os.environ.get("LOAD_USERS", "50"))
SECONDS = int(os.environ.get("LOAD_SECONDS", "20"))
# The mix runs longer: at a person's pace it makes few requests a second.
MIX_SECONDS = int(os.environ.get("LOAD_MIX_SECONDS", "60"))
PATIENTS = int(os.environ.get("LOAD_PATIENTS", "50"))
EPISODES = int(os.environ.get("LOAD_EPISODES", "2000"))
PORT = int(os.environ.get("LOAD_PORT", "8765"))
DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/spasmlog_load")
LOCUST = ROOT / ".venv-load" / "bin" / "locust"
RESULTS = ROOT / "bench" / "load.json"
EXPLAIN = ROOT / "bench" / "explain.txt"
HOST = f"http://127.0.0.1:{PORT}"
PASSWORD = "demo-spasm-diary"

# (name in the results, locust user kind, locust tag or None for all of its tasks, pause between
# requests in s). Alone, each page is asked for without a pause: the most the server gives it.
# The mix is 50 people at a person's pace, heavier than real use (a diary is opened a few times a day).
PHASES = [
    ("ceiling", "ceiling", None, "0,0"),
    ("ceiling, signed in", "patient", "signed-in-ceiling", "0,0"),
    ("quick log", "patient", "quick-log", "0,0"),
    ("log a spasm", "patient", "log", "0,0"),
    ("dashboard", "patient", "dashboard", "0,0"),
    ("episode list", "patient", "episodes", "0,0"),
    ("summary", "patient", "summary", "0,0"),
    ("mix", "patient", None, os.environ.get("LOAD_PACE", "1,5")),
]

os.environ.update(
    DJANGO_SETTINGS_MODULE="bench.load_settings",
    DATABASE_URL=DATABASE_URL,
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS="127.0.0.1",
    # gunicorn's own errors still show; the app's line per request would drown the figures.
    REQUEST_LOG_LEVEL="WARNING",
)

import django  # noqa: E402

django.setup()

import psycopg2  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from logs.models import Episode, User  # noqa: E402


def patient_emails():
    return [f"load{number:03d}@spasmlog.example" for number in range(PATIENTS)]


def create_database():
    settings = connection.settings_dict
    server = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"],
        password=settings["PASSWORD"],
        host=settings["HOST"],
        port=settings["PORT"],
    )
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{settings["NAME"]}"')
    server.close()


def prepare():
    create_database()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", verbosity=0, interactive=False)
    existing = set(User.objects.filter(email__in=patient_emails()).values_list("email", flat=True))
    for number, email in enumerate(patient_emails()):
        if email in existing:
            continue
        print(f"Seeding {email} ({number + 1} of {PATIENTS})", flush=True)
        call_command(
            "seed_demo",
            email=email,
            days=365,
            episodes=EPISODES,
            seed=number,
            allow_production=True,
            stdout=io.StringIO(),
        )
    with connection.cursor() as cursor:
        # As autovacuum would have by now, so that the planner knows the tables' sizes.
        cursor.execute("ANALYZE")
    connection.close()


def start_server():
    env = {**os.environ, "BIND": f"127.0.0.1:{PORT}"}
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "spasmlog.wsgi", "--config", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"{HOST}/healthz", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.2)
    stop_server(server)
    raise SystemExit("gunicorn did not answer /healthz within 20 seconds")


def stop_server(server):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def run_phase(name, user_kind, tag, wait):
    seconds = MIX_SECONDS if tag is None and user_kind == "patient" else SECONDS
    result_file = ROOT / "bench" / ".load-phase.json"
    result_file.unlink(missing_ok=True)
    command = [
        str(LOCUST),
        "--locustfile",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        HOST,
        "--users",
        str(USERS),
        "--spawn-rate",
        str(USERS),
        "--run-time",
        # Signing in takes a few seconds for 50 users; the measuring starts after it.
        f"{seconds + 10}s",
        "--stop-timeout",
        "10",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    # The mix is a patient's day, without the signed-in ceiling.
    command += ["--tags", tag] if tag else ["--exclude-tags", "signed-in-ceiling"]
    env = {
        **os.environ,
        "LOAD_RESULT": str(result_file),
        "LOAD_PATIENTS": ",".join(patient_emails()),
        "LOAD_PASSWORD": PASSWORD,
        "LOAD_WAIT": wait,
        "LOAD_USER": user_kind,
    }
    print(f"Running {name}: {USERS} users", flush=True)
    subprocess.run(command, cwd=ROOT, env=env, check=False, stdout=subprocess.DEVNULL, timeout=seconds + 120)
    return json.loads(result_file.read_text())


def percentile(sorted_times, share):
    """The nearest-rank percentile of an ascending list."""
    index = max(0, min(len(sorted_times) - 1, round(share * len(sorted_times)) - 1))
    return sorted_times[index]


def figures(raw, name):
    times = sorted(raw["timings"].get(name, []))
    if not times:
        return {"requests": 0, "rps": 0.0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "errors": 0}
    return {
        "requests": len(times),
        "rps": round(len(times) / raw["seconds"], 1),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "p99_ms": round(percentile(times, 0.99), 1),
        "errors": raw["errors"].get(name, 0),
    }


def explain_pages():
    """EXPLAIN ANALYZE of every query the dashboard and the summary make, for one patient."""
    patient = User.objects.get(email=patient_emails()[0])
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(patient)
    report = [f"{Episode.objects.count()} episodes in the table; plans for {patient.email}.\n"]
    for page in ("reports:dashboard", "reports:summary"):
        client.get(reverse(page))  # warm the cache, as a page opened again would be
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(page)).status_code == 200
        for number, query in enumerate(queries.captured_queries, 1):
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            report.append(f"--- {page} query {number}\n{sql}\n{plan}\n")
    EXPLAIN.write_text("\n".join(report))
    seq_scans = [line.strip() for line in EXPLAIN.read_text().splitlines() if "Seq Scan on logs_episode" in line]
    return seq_scans


def main():
    if not LOCUST.exists():
        raise SystemExit("The load driver is missing: run `make loadtest`, which installs it in .venv-load.")
    prepare()
    started = timezone.now()
    server = start_server()
    try:
        raw = {name: run_phase(name, user_kind, tag, wait) for name, user_kind, tag, wait in PHASES}
    finally:
        stop_server(server)

    ceiling = figures(raw["ceiling"], "ceiling")
    pages = {name: figures(raw[name], name) for name, _, tag, _ in PHASES[1:] if tag}
    mix = {name: figures(raw["mix"], name) for name in pages if name != "ceiling, signed in"}
    # Every diary page is signed in, so each is also set beside the empty view asked by a signed-in
    # patient: what is left once the session and the account have been read.
    signed_in = pages["ceiling, signed in"]["rps"]
    for row in pages.values():
        row["ratio_to_ceiling"] = round(row["rps"] / ceiling["rps"], 3) if ceiling["rps"] else None
        row["ratio_to_signed_in_ceiling"] = round(row["rps"] / signed_in, 3) if signed_in else None
    for row in mix.values():
        # At a person's pace the throughput is set by the pauses, not the server.
        row["ratio_to_ceiling"] = row["ratio_to_signed_in_ceiling"] = None

    logged = Episode.objects.filter(patient__email__in=patient_emails(), created_at__gte=started)
    logged_count = logged.count()
    logged.delete()
    seq_scans = explain_pages()

    results = {
        "ceiling": ceiling,
        "pages": pages,
        "mix": mix,
        "setup": {
            "users": USERS,
            "seconds_measured_each": SECONDS,
            "seconds_measured_mix": MIX_SECONDS,
            "mix_pause_seconds": PHASES[-1][3],
            "gunicorn_workers": int(os.environ.get("WEB_CONCURRENCY", os.cpu_count() * 2 + 1)),
            "cores": os.cpu_count(),
            "patients": PATIENTS,
            "episodes_in_table": Episode.objects.count(),
            "episodes_logged_and_removed": logged_count,
            "database": connection.vendor,
        },
        "episode_table_seq_scans": seq_scans,
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")

    print(
        f"\n{USERS} users; each page alone for {SECONDS} s with no pause, the mix for {MIX_SECONDS} s"
        f" with a pause of {PHASES[-1][3].replace(',', ' to ')} s; {results['setup']['episodes_in_table']:,} episodes"
    )
    print(f"{'':<28}{'rps':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}", end="")
    print(f"{'× ceiling':>11}{'× signed in':>13}")
    rows = [("ceiling (alone)", {**ceiling, "ratio_to_ceiling": 1.0, "ratio_to_signed_in_ceiling": None})]
    rows += [(f"{name} (alone)", row) for name, row in pages.items()]
    rows += [(f"{name} (mix)", row) for name, row in mix.items()]
    for label, row in rows:
        print(
            f"{label:<28}{row['rps']:>8}{row['p50_ms']!s:>9}{row['p95_ms']!s:>9}{row['p99_ms']!s:>9}"
            f"{row['errors']:>8}{row['ratio_to_ceiling']!s:>11}{row['ratio_to_signed_in_ceiling']!s:>13}"
        )
    print(f"Sequential scans of an episode table in the pages' plans: {len(seq_scans)} (bench/explain.txt)")
    print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
