# `make run` starts the demo, `make test` runs every test. Both need only Python 3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := service
PY_SOURCES := service workers tests bench scripts

.PHONY: run test install install-dev migrate seed lint format bench bench-http clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask demo seed

run: seed
	$(BIN)/python scripts/run_all.py

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)

format: install-dev
	$(BIN)/ruff format $(PY_SOURCES)
	$(BIN)/ruff check --fix $(PY_SOURCES)

# Benchmarks print figures and ratios against a baseline from the same run (see docs/).
# bench_http.py runs first: Talkback against a Flask floor and Isso (docs/performance.md).
# bench_wake.py compares two checkouts (--baseline PATH): run it by hand.
BENCHES := bench_http bench_memory bench_faults bench_import bench_pipeline bench_queue bench_spam

bench: install-dev
	for script in $(BENCHES); do $(BIN)/python bench/$$script.py || exit 1; done

bench-http: install-dev
	$(BIN)/python bench/bench_http.py

clean:
	rm -rf $(VENV) instance .pytest_cache
