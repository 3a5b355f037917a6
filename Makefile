# The two commands a newcomer needs: `make run` and `make test`. `make bench` runs benchmarks.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench lint migrate demo clean messages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

## Create the environment, migrate, load the demo district and serve at http://127.0.0.1:8000
run: $(VENV)/.installed-run
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py load_demo_cases
	$(PY) manage.py load_supervision_demo
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

## Install what the tests need and run the whole suite (lint, migrations check, pytest)
test: $(VENV)/.installed-dev
	$(PY) -m ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest

## Run every benchmark under bench/ (never part of `make test`); prints `BENCH <name> <value> <unit>` lines
bench: $(VENV)/.installed-dev
	$(PY) bench/run.py

## Compile the platform's own translations (platform/locale/*/LC_MESSAGES/django.po -> .mo; commit both)
messages:
	for po in platform/locale/*/LC_MESSAGES/django.po; do msgfmt --check -o "$${po%.po}.mo" "$$po"; done

clean:
	rm -rf $(VENV) var test-artifacts .pytest_cache .hypothesis .ruff_cache
