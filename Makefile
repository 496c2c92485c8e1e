# The README's commands. `make run` and `make test` set up everything they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV := DEBUG=1

.PHONY: run serve test test-fast bench loadtest lint format check migrations clean

$(BIN)/.installed: requirements.txt requirements-dev.txt build-constraints.txt
	$(PYTHON) -m venv $(VENV)
	PIP_CONSTRAINT=$(CURDIR)/build-constraints.txt $(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The web server and, beside it, the worker (e-mails, reminders); stopping one stops both.
run: $(BIN)/.installed
	$(DEV) $(BIN)/python manage.py migrate --no-input
	$(DEV) $(BIN)/python manage.py seed_demo --if-empty
	$(DEV) $(BIN)/python manage.py run_huey & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(DEV) $(BIN)/python manage.py runserver 127.0.0.1:8000

# Production serving: gunicorn (gunicorn.conf.py), DEBUG off, static files from WhiteNoise.
# Needs SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL in the environment (README, Configuration).
serve: $(BIN)/.installed
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/python manage.py migrate --no-input
	BIND=$${BIND:-127.0.0.1:8000} $(BIN)/gunicorn spasmlog.wsgi --config gunicorn.conf.py

test: $(BIN)/.installed
	$(BIN)/python -m pytest

# The edit-run loop: the suite without generated input, server starts and the browser.
test-fast: $(BIN)/.installed
	$(BIN)/python -m pytest -m "not slow and not browser"

# The summary's speed on a year of heavy logging; figures go to bench/results.json.
bench: $(BIN)/.installed
	$(BIN)/python bench/run.py

# gunicorn on PostgreSQL under 50 users from locust, beside the ceiling; figures go to bench/load.json.
# The load driver has a virtual environment of its own, so its dependencies never meet the app's.
LOAD_BIN := .venv-load/bin
$(LOAD_BIN)/.installed: requirements-load.txt
	$(PYTHON) -m venv .venv-load
	$(LOAD_BIN)/pip install --quiet --disable-pip-version-check -r requirements-load.txt
	touch $@

loadtest: $(BIN)/.installed $(LOAD_BIN)/.installed
	$(BIN)/python bench/load.py

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV) $(BIN)/mypy

format: $(BIN)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations: $(BIN)/.installed
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) .venv-load staticfiles
