# Conference Companion: `make run` serves the demo, `make test` passes every check.
# Both install what they need first (a virtualenv in .venv; Chromium and PostgreSQL when root).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
LIVE_PORT ?= $(shell echo $$(($(PORT) + 1)))
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test check lint system-deps bench screenshots clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Python 3.11 or newer is needed: make PYTHON=python3.11 ..."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

## run: install, migrate, load the demo (shifted to today), then serve on http://$(HOST):$(PORT)/
##      with the notification worker and the live events stream (port $(LIVE_PORT)) beside it
run: $(STAMP)
	$(BIN)/flask --app app init-db
	$(BIN)/flask --app app load-demo --today
	@echo "Conference Companion is at http://$(HOST):$(PORT)/  (Ctrl-C stops it)"
	@export HOST=$(HOST) PORT=$(PORT) LIVE_PORT=$(LIVE_PORT); \
	$(BIN)/flask --app app worker & worker=$$!; \
	$(BIN)/flask --app app stream & stream=$$!; \
	trap 'kill $$worker $$stream 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - \
	  --logger-class companion.logs.GunicornLogger 'app:create_app()'

## system-deps: Debian's chromium and postgresql, when missing (needs root; skipped otherwise)
system-deps:
	@.ci/system-deps.sh

## lint: ruff (lint + format), mypy, and ESLint for the JavaScript
lint: $(STAMP) node_modules/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	@if [ -x node_modules/.bin/eslint ]; then node_modules/.bin/eslint .; \
	elif [ -n "$$CI" ]; then echo "npm not found: ESLint cannot run, and in CI that fails."; exit 1; \
	else echo "npm not found: ESLint skipped (install Node.js to lint the JavaScript)."; fi

# ESLint and its rule sets (package.json at the root; no build step).
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: ESLint will be skipped (or fail in CI)."; fi

# The second, independent iCalendar parser (ical.js) for the feed tests.
tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/js --silent --no-audit --no-fund && touch $@; \
	else echo "npm not found: the ical.js tests will be skipped (or fail in CI)."; fi

## test: lint, then the whole suite on SQLite and PostgreSQL, and in Chromium
test: $(STAMP) system-deps lint tests/js/node_modules/.installed
	TEST_DATABASE_URL="$$(.ci/postgres.sh || true)" $(BIN)/pytest

## check: the edit–test loop (under a minute): lint, then the suite on SQLite without the browser
check: $(STAMP) lint
	$(BIN)/pytest --sqlite-only -m 'not browser' -q -n 2

## bench: throughput and latency with gunicorn (2 workers) and wrk; see docs/benchmarks.md
bench: $(STAMP) system-deps
	$(BIN)/python bench/run.py
	$(BIN)/python bench/stars.py
	$(BIN)/python bench/pwa.py
	$(BIN)/python bench/push.py
	$(BIN)/python bench/edit.py
	$(BIN)/python bench/exchange.py
	$(BIN)/python bench/revalidate.py
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/live.py
	$(BIN)/python bench/questions.py
	$(BIN)/python bench/search.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache bench/results node_modules
