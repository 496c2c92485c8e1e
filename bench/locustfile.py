"""
The load driver for `make loadtest` (bench/load.py starts it; it runs in its own
virtual environment, .venv-load, from requirements-load.txt). LOAD_USER says
which kind of user runs: patient or ceiling.

A Patient signs in through the form once, then opens the quick log, logs spasms
(POST with the form's CSRF token), opens the dashboard and the episode list, and
now and then the summary. Ceiling asks for /healthz/live, a view that does no
work, to show what the same stack does at most.

Each request's time is kept from the moment every user is running until the
end, and written as JSON to the file named by LOAD_RESULT.
"""

import json
import os
import random
import re
import time

from locust import FastHttpUser, between, constant, events, tag, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "demo-spasm-diary")
PATIENTS = os.environ.get("LOAD_PATIENTS", "").split(",")
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LOCATION = re.compile(r'name="locations" value="([^"]+)"')

# Requests made while users are still arriving and signing in are left out: the
# window opens when every user has been started and has finished signing in.
window = {"start": None, "stop": None, "users": None, "ready": 0}
timings = {}
errors = {}

_next_patient = iter(range(10**9))


def _open_window_when_all_ready():
    if window["start"] is None and window["users"] is not None and window["ready"] >= window["users"]:
        window["start"] = time.perf_counter()


@events.spawning_complete.add_listener
def _all_spawned(user_count, **kwargs):
    window["users"] = user_count
    _open_window_when_all_ready()


@events.test_stop.add_listener
def _stopped(environment, **kwargs):
    window["stop"] = time.perf_counter()
    path = os.environ.get("LOAD_RESULT")
    if path:
        seconds = window["stop"] - (window["start"] or window["stop"])
        with open(path, "w") as out:
            json.dump({"seconds": seconds, "timings": timings, "errors": errors}, out)


@events.request.add_listener
def _record(name, response_time, exception, **kwargs):
    if window["start"] is None or window["stop"] is not None or name.startswith("setup"):
        return
    if time.perf_counter() - response_time / 1000 < window["start"]:
        return  # asked before the window opened, while others were still signing in
    timings.setdefault(name, []).append(response_time)
    if exception is not None:
        errors[name] = errors.get(name, 0) + 1


def page_task(tag_name, weight, path, name):
    """A patient's task, tagged to run on its own, that opens one page."""

    @tag(tag_name)
    @task(weight)
    def open_page(patient):
        patient.page(path, name)

    return open_page


class Patient(FastHttpUser):
    """One patient on a phone, signed in once."""

    abstract = os.environ.get("LOAD_USER") != "patient"
    # LOAD_WAIT "1,5": a pause of 1 to 5 seconds between taps, as a person makes; "0,0": none.
    wait_time = between(*(float(s) for s in os.environ.get("LOAD_WAIT", "0,0").split(",")))

    def on_start(self):
        email = PATIENTS[next(_next_patient) % len(PATIENTS)]
        page = self.client.get("/accounts/login/", name="setup: sign-in form")
        response = self.client.post(
            "/accounts/login/",
            data={"csrfmiddlewaretoken": CSRF.search(page.text).group(1), "username": email, "password": PASSWORD},
            name="setup: sign in",
            allow_redirects=False,
        )
        if response.status_code != 302:
            raise RuntimeError(f"{email} could not sign in: {response.status_code}")
        self.open_quick_log(name="setup: quick log")
        window["ready"] += 1
        _open_window_when_all_ready()

    def open_quick_log(self, name="quick log"):
        with self.client.get("/log/", name=name, catch_response=True) as response:
            if response.status_code != 200 or "csrfmiddlewaretoken" not in response.text:
                response.failure(f"quick log answered {response.status_code}")
                return
            self.csrf_token = CSRF.search(response.text).group(1)
            self.locations = LOCATION.findall(response.text)

    @tag("quick-log")
    @task(4)
    def quick_log(self):
        self.open_quick_log()

    @tag("log")
    @task(3)
    def log_spasm(self):
        data = {
            "csrfmiddlewaretoken": self.csrf_token,
            "locations": random.choice(self.locations),
            "intensity": str(random.randint(1, 9)),
            "kind": random.choice(["spasm", "cramp", "twitch"]),
        }
        with self.client.post(
            "/log/", data=data, name="log a spasm", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 302 or "?logged=" not in response.headers.get("Location", ""):
                response.failure(f"logging answered {response.status_code}")

    dashboard = page_task("dashboard", 2, "/dashboard/", "dashboard")
    episode_list = page_task("episodes", 2, "/episodes/", "episode list")
    summary = page_task("summary", 1, "/summary/", "summary")
    # The view that does no work, asked by a signed-in patient: the session and the account are read.
    signed_in_ceiling = page_task("signed-in-ceiling", 1, "/healthz/live", "ceiling, signed in")

    def page(self, path, name):
        with self.client.get(path, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code != 200:
                response.failure(f"{name} answered {response.status_code}")


class Ceiling(FastHttpUser):
    """The same stack with no work behind it: the most any page could do."""

    abstract = os.environ.get("LOAD_USER") != "ceiling"
    wait_time = constant(0)

    def on_start(self):
        window["ready"] += 1
        _open_window_when_all_ready()

    @task
    def live(self):
        with self.client.get("/healthz/live", name="ceiling", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"ceiling answered {response.status_code}")
