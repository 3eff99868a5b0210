# Abri — developer entry points. Only Python >= 3.11 and make are needed.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Links in e-mails, SMS and certificate QR codes point at the portal that `make run` starts (see docs/operations.md).
ABRI_BASE_URL ?= http://$(HOST):$(PORT)
export ABRI_BASE_URL

.PHONY: run dev test install migrate demo lint check bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "Abri needs Python >= 3.11 (found: $$($(PYTHON) --version 2>&1)); try: make PYTHON=python3.12 ..."; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "python venv module missing: apt-get install python3-venv"; exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	mkdir -p var
	$(PY) -m abri migrate --noinput
	$(PY) -m abri collectstatic --noinput -v 0

demo: migrate
	$(PY) -m abri seed_demo

run: demo
	$(PY) -m abri runportal --host $(HOST) --port $(PORT)

dev: demo
	ABRI_DEBUG=1 $(PY) -m abri runserver $(HOST):$(PORT)

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(PY) -m ruff check abri tests bench
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(PY) -m abri makemigrations --check --dry-run

bench: $(STAMP)
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) var
