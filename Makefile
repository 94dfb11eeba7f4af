# Two entry points for a fresh machine with Python 3.11+: `make serve`, `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUM    := $(shell cksum < pyproject.toml | cut -d' ' -f1)
STAMP  := $(VENV)/.installed-$(SUM)
RUNTIME := $(VENV)/.runtime-$(SUM)
ADDR   ?= 127.0.0.1:8000
export NO_MKDOCS_2_WARNING := 1

.PHONY: install serve build check test bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "tlnotes needs Python 3.11 or newer; set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $@

# `make serve` needs only what tlnotes runs with, not the test extras (Playwright, pytest, linters)
$(RUNTIME): pyproject.toml | $(BIN)/python
	@if [ ! -f $(STAMP) ]; then \
		$(BIN)/python -m pip install --quiet --upgrade pip && $(BIN)/python -m pip install --quiet -e .; \
	fi
	rm -f $(VENV)/.runtime-* && touch $@

install: $(STAMP)

check: install
	$(BIN)/tlnotes check .

serve: $(RUNTIME)
	@$(BIN)/tlnotes serve . --addr $(ADDR)

build: install
	$(BIN)/tlnotes build .

test: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) site
