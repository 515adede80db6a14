# Aurora Studio: `make run` starts the dashboard, `make test` runs the whole suite.
# Both set themselves up on a fresh machine (a .venv, and Debian's chromium for the browser tests).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed

.PHONY: run test lint bench chromium clean

run: $(RUNTIME_STAMP)
	$(BIN)/python main.py

test: $(DEV_STAMP) chromium lint
	$(BIN)/python -m pytest

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .

bench: $(DEV_STAMP) chromium
	$(BIN)/python -m bench.render
	$(BIN)/python -m bench.event_to_dom
	$(BIN)/python -m bench.many_tabs
	$(BIN)/python -m bench.jobs_filter

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(RUNTIME_STAMP) $@

# Browser tests drive Debian's Chromium; install it when missing and we may.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
		else \
			echo "Browser tests need Debian's chromium: sudo apt-get install chromium"; exit 1; \
		fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
