# Fengqiao — the two commands of README.md: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup system-packages run test worker lint bench clean

setup: system-packages $(STAMP)

# Debian packages: a CJK font for documents, chromium for the browser tests. Installed only
# when missing and only as root; otherwise bin/system-packages says what to ask for.
system-packages:
	@bin/system-packages

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	@touch $(STAMP)

run: setup
	@bin/run

test: setup
	@bin/test

worker: setup
	$(PY) manage.py run_huey

clean:
	rm -rf $(VENV) test-artifacts
