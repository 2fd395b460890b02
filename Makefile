# All set-up lives here: `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
KB_DB ?= var/kb.sqlite
export KB_DB

.PHONY: install validate db run serve test openapi clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

validate: install
	$(BIN)/kb validate

db: install
	$(BIN)/kb build --db $(KB_DB)

run: db
	$(MAKE) serve

serve: install
	HOST=$(HOST) PORT=$(PORT) $(BIN)/gunicorn -c deploy/gunicorn.conf.py 'api:create_app()'

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf var build *.egg-info .pytest_cache

openapi: install
	$(BIN)/python -m api.spec_file openapi.yaml
