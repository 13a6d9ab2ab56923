# The one place where Samråd's commands live. README and .ci/run call these targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/postgres
PYTEST_ARGS ?=
# The browser journeys run in a pytest process of their own: Playwright's event
# loop would otherwise stay "running" for every test after them.
PYTEST_ALL = $(BIN)/pytest -m "not e2e" $(PYTEST_ARGS) && $(BIN)/pytest -m e2e $(PYTEST_ARGS)
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: help run test test-sqlite test-postgres e2e e2e-deps lint format check-migrations \
        messages install check-python check-node clean

help:
	@echo "make run    install, migrate, load the ØA26 demo and start web server, worker and mail catcher"
	@echo "make test   lint, migration check and every test on SQLite, then on PostgreSQL"
	@echo "make e2e    the browser journeys alone (Playwright + Debian's Chromium)"

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || \
	  { echo "Samråd needs Python 3.11 or newer as '$(PYTHON)': install python3.11 (or set PYTHON=...)."; exit 1; }

check-node:
	@command -v node >/dev/null && command -v npm >/dev/null || \
	  { echo "Samråd needs Node.js 20 or newer with npm: install nodejs and npm."; exit 1; }
	@node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' || \
	  { echo "Samråd needs Node.js 20 or newer (found $$(node --version)): install a newer nodejs."; exit 1; }

# The virtual environment is rebuilt only when the pinned requirements change.
$(BIN)/.installed: requirements.lock pyproject.toml | check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

node_modules/.installed: package.json package-lock.json | check-node
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(BIN)/.installed node_modules/.installed

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

run: install var/secret_key
	@export SECRET_KEY="$$(cat var/secret_key)" SAMRAAD_DEMO=1; \
	  $(BIN)/samraad migrate --no-input && \
	  $(BIN)/samraad demo --if-empty && \
	  $(BIN)/samraad run --port $(PORT)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: install
	DEBUG=1 $(BIN)/samraad makemigrations --check --dry-run

# Rebuild the Danish catalogue from the source, then compile it (needs GNU gettext).
messages: install
	cd src/samraad && DEBUG=1 ../../$(BIN)/samraad makemessages -l da --no-obsolete --add-location file -i "*/tests/*"
	cd src/samraad && DEBUG=1 ../../$(BIN)/samraad compilemessages

e2e-deps:
	@scripts/ensure-chromium

test: lint check-migrations e2e-deps test-sqlite test-postgres

test-sqlite: install
	@echo "== Tests on SQLite"
	unset DATABASE_URL; $(PYTEST_ALL)

# PostgreSQL is optional on a laptop (skipped with one line) and required in CI
# (REQUIRE_POSTGRES=1 turns the skip into a failure).
test-postgres: install
	@if $(BIN)/python scripts/postgres-reachable "$(TEST_POSTGRES_URL)"; then \
	  echo "== Tests on PostgreSQL ($(TEST_POSTGRES_URL))"; \
	  export DATABASE_URL="$(TEST_POSTGRES_URL)" && $(PYTEST_ALL); \
	elif [ "$(REQUIRE_POSTGRES)" = "1" ]; then \
	  echo "PostgreSQL at $(TEST_POSTGRES_URL) is not reachable, and REQUIRE_POSTGRES=1: failing."; exit 1; \
	else \
	  echo "== Skipping the PostgreSQL half: no server at $(TEST_POSTGRES_URL) (set TEST_POSTGRES_URL, or REQUIRE_POSTGRES=1 to fail)."; \
	fi

e2e: install e2e-deps
	unset DATABASE_URL; $(BIN)/pytest -m e2e $(PYTEST_ARGS)

# Django's deployment checklist against the production settings (DEBUG and demo mode off,
# a throwaway SECRET_KEY, ALLOWED_HOSTS set): any warning fails. See README, "Production security".
.PHONY: check-deploy
check-deploy: install
	SAMRAAD=$(BIN)/samraad scripts/check-deploy

clean:
	rm -rf $(VENV) node_modules staticfiles

# Mail delivery benchmark (issue 3): 10,000 messages through outbox and worker to a local
# sink, against a raw smtplib loop; `make bench-mail KILL=5` SIGKILLs the worker 5 times.
# DATABASE_URL=postgres://… runs it in a database of its own on that server. See bench/README.md.
KILL ?= 0
.PHONY: bench-mail
bench-mail: $(BIN)/.installed
	$(BIN)/python bench/mail.py --kill $(KILL)

# Theme analysis benchmark (issue 6): 1,000 generated Danish documents of about 400 words
# through the analysis (spaCy's Danish lookup lemmas, TF-IDF + NMF, the service-area lexicon).
# Last line: {"docs", "words", "seconds", "themes"}; the bar is seconds <= 30. See bench/README.md.
.PHONY: bench-analysis
bench-analysis: $(BIN)/.installed
	$(BIN)/python bench/analysis.py

# Registration benchmark (issue 4): 2,440 members open their page and register through
# gunicorn (two workers, production settings) on SQLite, then on PostgreSQL at
# TEST_POSTGRES_URL where one answers (in a database of its own). See bench/README.md.
.PHONY: bench-registration
bench-registration: install
	TEST_POSTGRES_URL="$(TEST_POSTGRES_URL)" $(BIN)/python bench/registration.py

# Coverage dashboard benchmark (issue 6): the dashboard at 100 and at 10,000 registrations
# and /healthz, 50 requests each in a row through gunicorn; query counts under
# CaptureQueriesContext. DATABASE_URL=postgres://… runs it in a database of its own there.
.PHONY: bench-dashboard
bench-dashboard: install
	$(BIN)/python bench/dashboard.py
