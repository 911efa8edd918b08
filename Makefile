# Two entry points, both from a fresh machine: `make serve` (build the graph from data/ and serve it on the
# embedded store) and `make test` (install everything the tests need, then run them).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: serve build test lint setup setup-test browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install -q -e .

setup-test: $(BIN)/python
	$(BIN)/pip install -q -e ".[test]"

browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core >/dev/null; }

build: setup
	$(BIN)/kompetencje build

serve: build
	$(BIN)/kompetencje serve

lint: setup-test
	$(BIN)/ruff check .

test: setup-test browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider -n 2
