# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DEV_ENV := DEBUG=true

.PHONY: install run test check lint migrate demo messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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

clean:
	rm -rf $(VENV) var
