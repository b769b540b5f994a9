# Thin, named targets; README.md explains each.
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PY := .venv/bin/python
PORT ?= 8000
MO := $(patsubst %.po,%.mo,$(wildcard louyu/locale/*/LC_MESSAGES/django.po))
export LOUYU_DEMO_PASSWORD ?= Louyu@2013demo

.PHONY: run setup test test-fast lint fmt bench messages clean

$(UV):
	$(PYTHON) -m venv .tools && .tools/bin/pip install -q uv==0.13.8

.venv/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

louyu/static/vendor/.copied: node_modules/.installed scripts/vendor_assets.py .venv/.synced
	$(PY) scripts/vendor_assets.py
	touch $@

louyu/locale/%/LC_MESSAGES/django.mo: louyu/locale/%/LC_MESSAGES/django.po .venv/.synced
	$(PY) manage.py compilemessages -v 0 --ignore=.venv --ignore=node_modules --ignore=.tools
	touch $@

setup: .venv/.synced louyu/static/vendor/.copied $(MO)
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py seed_demo --if-empty

run: setup
	$(PY) manage.py serve --port $(PORT)

# TEST_WORKERS=auto runs one pytest-xdist worker per core. Whole files go to a worker (a module's
# fixtures are built once) in collection order, so each worker runs the browser tests last (see
# browser_tests/conftest.py). TEST_WORKERS=0 runs in this process.
# COVERAGE=0 runs the suite without measuring it (Python 3.11's tracer nearly doubles its time):
# CI measures the SQLite pass and runs the PostgreSQL pass plain.
TEST_WORKERS ?= auto
COVERAGE ?= 1
PYTEST := -m pytest $(if $(filter 0,$(TEST_WORKERS)),,-n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder) $(PYTEST_ARGS)
test: .venv/.synced louyu/static/vendor/.copied $(MO)
ifeq ($(COVERAGE),0)
	$(PY) $(PYTEST)
else
	.venv/bin/coverage erase
	.venv/bin/coverage run $(PYTEST)
	.venv/bin/coverage combine -q
	.venv/bin/coverage report --skip-covered --sort=cover $(if $(PYTEST_ARGS),--fail-under=0)
endif

lint: .venv/.synced
	.venv/bin/ruff format --check .
	.venv/bin/ruff check .
	.venv/bin/mypy louyu
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

fmt: .venv/.synced
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

# Benchmarks (bench/run.py): SCALE=smoke|small|full, ONLY=B2 runs one. Needs PostgreSQL, Redis, wrk.
SCALE ?= full
bench: .venv/.synced
	$(PY) -m bench.run --scale $(SCALE) $(if $(ONLY),--only $(ONLY))

messages: .venv/.synced
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=node_modules --ignore=.tools --ignore=staticfiles

clean:
	rm -rf .venv .tools node_modules louyu/static/vendor staticfiles
