# Rodtrad developer tasks. `make help` lists them. Every target bootstraps .venv first.
#
#   make demo        run the demo on http://127.0.0.1:8000 (SQLite under var/)
#   make test        the whole suite; DATABASE_URL selects the database (default SQLite)
#   make lint        ruff format --check, ruff check, and lint-imports (the layers)
#   make typecheck   mypy
#   make check       migrations up to date, and Django's deploy checks with production settings
#   make bench       every bench/*.py (prints figures; see bench/README.md)
#   make messages    compile the translations (needs gettext)
#   make demo-snapshot  the migrated empty schema new SQLite databases start from
#
# PYTHON=python3.12 make ... picks the interpreter that creates .venv (3.11 or newer).
# PYTEST_ARGS="-x rodtrad/people" make test passes arguments to pytest;
# PYTEST_WORKERS=0 make test runs it in this one process (default: a worker per core, pytest-xdist).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# pip install runs again only when pyproject.toml is newer than this stamp.
STAMP := $(VENV)/.rodtrad-installed
PYTEST_ARGS ?=
PYTEST_WORKERS ?= auto

# mypy gets the packages and top-level files that exist (bench/ may have no .py yet).
TYPECHECK_PATHS := config rodtrad $(wildcard bench/*.py scripts/*.py) manage.py

# Production settings for `check --deploy`: a fresh random key each time, never stored, and a
# checkpoint key path outside var/ (the check only looks at where it is; nothing is created).
PRODUCTION_ENV = RODTRAD_ENV=production \
	RODTRAD_SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))')" \
	RODTRAD_ALLOWED_HOSTS=rodtrad.example \
	RODTRAD_CHECKPOINT_KEY_FILE="$$(mktemp -u)"

.PHONY: help install demo demo-snapshot test lint typecheck check bench messages translations-check

help:
	@sed -n '3,10p' Makefile | sed 's/^# *//'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null \
	  || { echo "Rodtrad needs Python 3.11 or newer; '$(PYTHON)' is:" \
	       "$$($(PYTHON) --version 2>&1 || echo 'not found')." \
	       "Try: make PYTHON=python3.11 $(MAKECMDGOALS)" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	@$(BIN)/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
	  || { echo "$(VENV) has Python $$($(BIN)/python --version 2>&1); Rodtrad needs 3.11" \
	       "or newer: remove $(VENV) and run make again" >&2; exit 1; }
	$(BIN)/python -m pip install --disable-pip-version-check --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/rodtrad demo

# The migrated, empty SQLite schema the demo starts from (rodtrad/lib/snapshot.py). Run it
# after adding a migration or changing a code-list file; test_snapshot.py says when.
demo-snapshot: $(STAMP)
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	env -u DATABASE_URL RODTRAD_VAR_DIR="$$tmp" DATABASE_URL="sqlite:///$$tmp/empty.sqlite3" \
	  $(BIN)/python manage.py migrate --noinput -v 0 && \
	$(BIN)/python -m rodtrad.lib.snapshot "$$tmp/empty.sqlite3" > rodtrad/lib/empty-database.sql; \
	echo "rodtrad/lib/empty-database.sql written"

test: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy $(TYPECHECK_PATHS)

check: $(STAMP)
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(PRODUCTION_ENV) $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: $(STAMP)
	@found=0; \
	for script in bench/*.py; do \
	  [ -e "$$script" ] || continue; \
	  found=1; \
	  echo "== $$script"; \
	  DJANGO_SETTINGS_MODULE=config.settings PYTHONPATH=. $(BIN)/python "$$script"; \
	done; \
	[ "$$found" = 1 ] || echo "No benchmarks in bench/ yet (see bench/README.md)."

messages: $(STAMP)
	@if ! command -v msgfmt >/dev/null 2>&1; then \
	  echo "gettext is not installed (apt-get install gettext): translations not compiled."; \
	elif [ -z "$$(find rodtrad -name '*.po' -path '*/locale/*' -print -quit)" ]; then \
	  echo "No .po files under rodtrad/: nothing to compile."; \
	else \
	  $(BIN)/python manage.py compilemessages --ignore '$(VENV)' --ignore 'var' --ignore 'node_modules'; \
	fi

# Every Swedish text has an English translation: extract the texts again and fail when the
# catalogue changes (a text was added or changed) or has untranslated or fuzzy entries.
PO := rodtrad/locale/en/LC_MESSAGES/django.po
translations-check: $(STAMP)
	$(BIN)/python manage.py makemessages -l en --no-location --no-obsolete --ignore=.venv \
	  --ignore=e2e --ignore=bench --ignore='*/tests/*' --ignore=var
	@git diff --quiet -I '^"POT-Creation-Date' -- $(PO) || { \
	  echo "The English catalogue is out of date: translate the new texts in $(PO)," \
	       "run make messages and commit both files (rodtrad/locale/README.md)." >&2; \
	  git diff --stat -- $(PO) >&2; exit 1; }
	@test -z "$$(msgattrib --untranslated --no-obsolete $(PO) | grep '^msgid' | grep -v '^msgid ""$$')" \
	  || { echo "Untranslated texts in $(PO)" >&2; exit 1; }
	@test -z "$$(msgattrib --only-fuzzy $(PO) | grep '^msgid')" \
	  || { echo "Fuzzy (unchecked) translations in $(PO)" >&2; exit 1; }
