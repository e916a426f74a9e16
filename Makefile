# Django at scale: `make` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
# The app and all the workshop's tooling (the [dev] extra); mysqlclient too (the [mysql]
# extra) where MariaDB's client library is present.
EXTRAS := $(shell pkg-config --exists libmariadb 2>/dev/null && echo '[dev,mysql]' || echo '[dev]')
# The stamp holds the extras .venv was set up with: other extras now (libmariadb-dev
# installed since, which adds [mysql]) set it up again, as a newer pyproject.toml does.
STAMP  := $(VENV)/.installed
INSTALLED := $(shell cat $(STAMP) 2>/dev/null)

.DEFAULT_GOAL := help
.PHONY: help setup run test lint format notebooks lab clean wheelhouse FORCE

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: $(STAMP)  ## create .venv and install the workshop into it

$(STAMP): pyproject.toml $(if $(filter $(EXTRAS),$(INSTALLED)),,FORCE)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10) and "Python 3.10 or newer is needed (PYTHON=python3.12 make ...)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".$(EXTRAS)"
	@echo '$(EXTRAS)' >$@

FORCE:

run: setup  ## set up, then run stage 01 at http://127.0.0.1:8000 (PORT=8001 for another)
	$(BIN)/workshop run 01 --port $(PORT)

test: setup  ## set up, then run every stage's tests and the tooling tests
	$(BIN)/workshop test

notebooks: setup  ## run every notebook's measurements (minutes) and store the outputs
	$(BIN)/workshop notebooks

lab: setup  ## open the notebooks in JupyterLab
	$(BIN)/python -m pip install --quiet "jupyterlab>=4.0"
	$(BIN)/jupyter lab notebooks/

wheelhouse: setup  ## wheels of the app's Python packages, for the app image (docker compose)
	PYTHON=$(BIN)/python docker/wheelhouse.sh

lint: setup  ## ruff: lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup  ## ruff: fix what it can and format
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:  ## remove run folders, databases, results; keeps .venv and work/ (WORK=1: work/ too)
	rm -rf .run results stages/*/var $(if $(filter 1,$(WORK)),work)
