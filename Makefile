# Aurora Studio: `make run` starts the dashboard, `make test` runs the whole suite.
# Both set themselves up on a fresh machine: a .venv, and for the tests Debian's chromium,
# redis-server and postgresql (the real servers the browser and cluster tests start) and tmux.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
# axe-core, the accessibility checker the browser tests inject (npm's package, not committed)
AXE_VERSION := 4.14.1
AXE := .tools/node_modules/axe-core/axe.min.js
# Two test processes, each test module whole in one of them (its servers start once): a test
# spends most of its time waiting on servers, renders and a browser, so two share 2 cores well.
# Tests marked `alone` check one time measured here against another: they run afterwards, alone.
PYTEST := $(BIN)/python -m pytest --numprocesses=2 --dist=loadscope

.PHONY: run test test-fast lint bench cluster debian-packages clean

run: $(RUNTIME_STAMP)
	$(BIN)/python main.py

test: $(DEV_STAMP) debian-packages $(AXE) lint
	$(PYTEST) -m "not alone"
	$(BIN)/python -m pytest -m alone

# the quick tier, for the edit-test loop: unit and service tests (real servers, no browser)
test-fast: $(DEV_STAMP) debian-packages
	$(PYTEST) -q tests/unit tests/service

# a whole cluster on this machine for trying it (Redis, PostgreSQL, SeaweedFS, two workers,
# two API replicas, a dashboard on :8080); Ctrl-C stops it
cluster: $(DEV_STAMP) debian-packages
	$(BIN)/python -m testkit.local_cluster

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy .

bench: $(DEV_STAMP) debian-packages
	$(BIN)/python -m bench.render
	$(BIN)/python -m bench.render_profile
	$(BIN)/python -m bench.event_to_dom
	$(BIN)/python -m bench.many_tabs
	$(BIN)/python -m bench.jobs_filter
	$(BIN)/python -m bench.cluster
	$(BIN)/python -m bench.sign_in
	$(BIN)/python -m bench.history

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(RUNTIME_STAMP) $@

$(AXE):
	npm install --silent --no-audit --no-fund --prefix .tools axe-core@$(AXE_VERSION)

# The tests drive Debian's Chromium, start Debian's Redis and PostgreSQL servers on
# loopback, and run the terminal client in tmux; install whichever is missing, when we may.
DEBIAN_PACKAGES := /usr/bin/chromium:chromium /usr/bin/redis-server:redis-server \
	/usr/lib/postgresql/15/bin/postgres:postgresql /usr/bin/tmux:tmux
debian-packages:
	@missing="$(foreach entry,$(DEBIAN_PACKAGES),$(if $(wildcard $(firstword $(subst :, ,$(entry)))),,$(lastword $(subst :, ,$(entry)))))"; \
	if [ -n "$$(echo $$missing)" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
		else \
			echo "The tests need Debian's$$missing: sudo apt-get install$$missing"; exit 1; \
		fi; \
	fi

clean:
	rm -rf $(VENV) .tools .pytest_cache .mypy_cache .ruff_cache
