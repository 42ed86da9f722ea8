# Fengqiao — the two commands of README.md: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup system-packages run test worker lint bench reliability reliability-faults clean

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

# The benchmark (docs/performance.md): generate, then run every scenario beside its SQL baseline.
# BENCH_PG_CASES / BENCH_SQLITE_CASES set the sizes (the issue's full runs: 10000000 / 1000000).
BENCH_PG_CASES ?= 200000
BENCH_SQLITE_CASES ?= 50000
bench: setup
	$(PY) bench/generate.py --db postgresql --cases $(BENCH_PG_CASES)
	$(PY) bench/run.py --db postgresql --intake-seconds 30 --intake-workers 1,2,4 --intake-threads 16,4 --intake-settings bench_settings
	$(PY) bench/generate.py --db sqlite --cases $(BENCH_SQLITE_CASES)
	$(PY) bench/run.py --db sqlite --intake-seconds 30 --intake-workers 1,2
	$(PY) bench/report.py

# Reliability (docs/reliability.md): every promise of the hostile-input and operations issue at
# full length — the access matrix and schemathesis (300 examples per operation and key) on
# PostgreSQL, the fault tests, and a 30-minute soak at half the measured capacity. CI runs the
# short versions (bin/test).
RELIABILITY_PG ?= postgres://postgres@127.0.0.1:5432/fengqiao_reliability
reliability: setup
	DATABASE_URL=$(RELIABILITY_PG) FENGQIAO_FUZZ_EXAMPLES=300 $(PY) -m pytest -q --create-db \
		fengqiao/api/tests/test_schemathesis.py fengqiao/web/tests/test_access_matrix.py
	$(PY) bench/soak.py --minutes 30
	$(MAKE) reliability-faults

clean:
	rm -rf $(VENV) test-artifacts

# Faults as tests (docs/reliability-faults.md): kill -9 of the workers, Redis down, the
# database restarted, each under intake load on a PostgreSQL and a Redis of the tests' own.
# A few minutes; figures in test-artifacts/reliability-faults.json.
reliability-faults: setup
	FENGQIAO_RELIABILITY=1 DJANGO_SETTINGS_MODULE=fengqiao.settings.test \
	  $(VENV)/bin/pytest reliability -q -p no:cacheprovider -s
