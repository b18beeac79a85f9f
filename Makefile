# Backstop: the README's two commands are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := FLASK_APP=marketplace:create_app $(BIN)/flask
GOVUK_DIST := node_modules/govuk-frontend/dist/govuk
STATIC_GOVUK := marketplace/static/govuk
AUTOCOMPLETE_DIST := node_modules/accessible-autocomplete/dist
STATIC_AUTOCOMPLETE := marketplace/static/autocomplete
PYTEST_ARGS ?=
PORT ?= 5000
JOBS_EVERY ?= 60
DEMO_DB := instance/backstop.sqlite

.PHONY: run reset-demo test test-sqlite test-postgres assets lint clean bench

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.stamp-runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.stamp-dev: requirements-dev.txt requirements.txt $(VENV)/.stamp-runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.stamp: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(STATIC_GOVUK)/.stamp: node_modules/.stamp
	rm -rf $(STATIC_GOVUK)
	mkdir -p $(STATIC_GOVUK)
	cp $(GOVUK_DIST)/govuk-frontend.min.css $(GOVUK_DIST)/govuk-frontend.min.js $(STATIC_GOVUK)/
	cp -r $(GOVUK_DIST)/assets $(STATIC_GOVUK)/assets
	touch $@

# GOV.UK's accessible-autocomplete (long lists such as the 212 council areas; see marketplace/core/long_lists.py).
$(STATIC_AUTOCOMPLETE)/.stamp: node_modules/.stamp
	rm -rf $(STATIC_AUTOCOMPLETE)
	mkdir -p $(STATIC_AUTOCOMPLETE)
	cp $(AUTOCOMPLETE_DIST)/accessible-autocomplete.min.js $(AUTOCOMPLETE_DIST)/accessible-autocomplete.min.css $(STATIC_AUTOCOMPLETE)/
	touch $@

assets: $(STATIC_GOVUK)/.stamp $(STATIC_AUTOCOMPLETE)/.stamp

/usr/bin/chromium:
	@if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium

# Serves on PORT (default 5000). Beside the server run the periodic jobs (`flask jobs run-due` every JOBS_EVERY
# seconds, output in instance/jobs.log) and, with REDIS_URL (or QUEUE_REDIS_URL) set, a queue worker; all of them
# stop with the server (Ctrl-C, or make being stopped). Each background job ignores Ctrl-C, so the traps stop them.
run: $(VENV)/.stamp-runtime assets
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	@mkdir -p instance; export PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://127.0.0.1:$(PORT)}"; pids=""; \
	trap 'kill $$pids 2>/dev/null; wait' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM HUP; \
	if [ -n "$$REDIS_URL$$QUEUE_REDIS_URL" ]; then $(FLASK) queue worker & pids="$$pids $$!"; fi; \
	( trap 'kill $$child 2>/dev/null; exit 0' TERM; \
	  while true; do $(FLASK) jobs run-due & child=$$!; wait $$child; sleep $(JOBS_EVERY) & child=$$!; wait $$child; \
	  done ) >>instance/jobs.log 2>&1 & pids="$$pids $$!"; \
	echo "Periodic jobs run every $(JOBS_EVERY) seconds (output in instance/jobs.log)."; \
	$(FLASK) run --host 127.0.0.1 --port $(PORT) & pids="$$pids $$!"; wait $$!

# Throws away the SQLite demo database and loads fresh demo data (then `make run`).
reset-demo: $(VENV)/.stamp-runtime
	@if [ -n "$$DATABASE_URL" ]; then echo "DATABASE_URL is set: reset-demo only resets the SQLite demo database." >&2; exit 1; fi
	rm -f $(DEMO_DB)
	$(FLASK) db upgrade
	$(FLASK) seed-demo

test: $(VENV)/.stamp-dev assets /usr/bin/chromium
	$(MAKE) test-sqlite
	@if [ -n "$$TEST_DATABASE_URL" ]; then $(MAKE) test-postgres; else echo "TEST_DATABASE_URL not set: skipped the PostgreSQL run"; fi

test-sqlite:
	env -u TEST_DATABASE_URL $(BIN)/pytest $(PYTEST_ARGS)

test-postgres:
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check marketplace tests bench config.py
	$(BIN)/bandit -q -r marketplace

# Not part of `make test`: a large synthetic data set in a throwaway database, key pages under load (bench/README.md).
/usr/bin/wrk:
	@if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk

bench: $(VENV)/.stamp-runtime assets /usr/bin/wrk
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules $(STATIC_GOVUK) instance .pytest_cache
