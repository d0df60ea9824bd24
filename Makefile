# make run  — set up (once) and reconcile inbox/ into outputs/
# make test — set up with the dev tools, then lint, types and every test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: run test lint types bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(PIP) install -c constraints.txt -e ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(BIN)/sverka run --inbox inbox --out outputs

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check checks flows tests scripts
	$(BIN)/ruff format --check checks flows tests scripts

types: $(VENV)/.dev-installed
	$(BIN)/mypy

test: lint types
	$(BIN)/python -m pytest

# make bench BENCH_SIZES=1000,10000,50000 adds the 50,000-file run (see the README).
BENCH_SIZES ?= 1000,10000

bench: $(VENV)/.installed
	$(BIN)/python scripts/bench.py --sizes $(BENCH_SIZES)

clean:
	rm -rf $(VENV)
	find outputs -mindepth 1 -maxdepth 1 ! -name .gitkeep -exec rm -rf {} +
