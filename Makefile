# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_ENV := DEBUG=true
DEV_LOCK := requirements/dev.lock
PROD_LOCK := requirements/prod.lock
# pip-tools lives in a venv of its own: only `make lock` needs it.
LOCK_BIN := $(VENV)/lock-tools/bin
LOCK_FLAGS := --quiet --generate-hashes --allow-unsafe --strip-extras \
  --no-emit-index-url --no-emit-find-links $(if $(UPGRADE),--upgrade)

.PHONY: install run test check lint migrate demo messages bench clean lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installs the locked tree (every package pinned with its hashes), then the
# project itself without resolving anything again.
$(STAMP): pyproject.toml $(DEV_LOCK) | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

demo: migrate
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	# Today's reminders and escalations, so the demo's bells are not empty
	# before beat's first morning run (the sweep never sends twice).
	$(DEV_ENV) $(BIN)/python manage.py run_deadline_sweep

run: demo
	$(DEV_ENV) bin/dev-server

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(DEV_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

# The whole quality gate, the same on a laptop and in CI. pytest exits
# non-zero (5) when no test ran, so an empty run fails too.
test: lint
	bin/ensure-chromium
	$(DEV_ENV) $(BIN)/pytest -n 2 -p no:cacheprovider

check: test

messages: install
	$(DEV_ENV) $(BIN)/python manage.py makemessages -l vi -l en --no-obsolete \
	  --ignore='.venv/*' --ignore='var/*'
	$(DEV_ENV) $(BIN)/python manage.py compilemessages --ignore='.venv/*'

BENCH_SMOKE ?=
# The benchmark (bench/README.md): make bench, or make bench BENCH_SMOKE=1.
bench: install
	BENCH_SMOKE=$(BENCH_SMOKE) bash bench/run.sh

# Re-resolve both lock files after a change to pyproject.toml's dependencies;
# `make lock UPGRADE=1` also moves every pin to its newest allowed release.
# The production lock starts from the development pins, so both agree.
lock:
	test -x $(LOCK_BIN)/pip-compile || { $(PYTHON) -m venv $(VENV)/lock-tools && \
	  $(LOCK_BIN)/python -m pip install --quiet pip-tools; }
	$(LOCK_BIN)/pip-compile $(LOCK_FLAGS) --extra dev --build-deps-for editable \
	  --output-file $(DEV_LOCK) pyproject.toml
	cp $(DEV_LOCK) $(PROD_LOCK)
	$(LOCK_BIN)/pip-compile $(LOCK_FLAGS) --build-deps-for wheel \
	  --output-file $(PROD_LOCK) pyproject.toml

clean:
	rm -rf $(VENV) var
