# threadruns: the two commands users need are `make test` and `make regenerate`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
UPSTREAM ?=

.PHONY: install test lint typecheck regenerate check-generated update-spec wheel-check pytest demo soak reliability-report bench clean

install: $(STAMP)

# Bootstrap the environment from the lock file; redone whenever the pins change.
$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

test: install lint typecheck check-generated wheel-check pytest

lint: install
	$(VENV)/bin/ruff check src scripts tests bench examples
	$(VENV)/bin/ruff format --check src scripts tests bench examples
	$(PY) -c 'import threadruns, threadruns_api'

typecheck: install
	$(VENV)/bin/mypy
	$(VENV)/bin/mypy --strict tests/typing
	$(VENV)/bin/mypy --strict examples

pytest: install
	$(PY) -m pytest

regenerate: install
	$(PY) scripts/regenerate.py

check-generated: install
	$(PY) scripts/regenerate.py --check

update-spec: install
	@test -n "$(UPSTREAM)" || { echo "usage: make update-spec UPSTREAM=path/to/openapi.yaml" >&2; exit 2; }
	$(PY) scripts/update_spec.py "$(UPSTREAM)"
	$(PY) scripts/regenerate.py

# The README's main command: the embedded server in-process, and the SDK's main features against it.
# Only what the demo needs (the server extra), installed by uv into .venv-demo, so a fresh clone shows the
# demo's first output within seconds; the full dev lock is for `make test` (an existing .venv is used as it is).
DEMO_VENV := .venv-demo
demo:
	@if test -x $(PY); then $(PY) examples/quickstart.py; else \
	  test -x $(DEMO_VENV)/bin/python || { \
	    $(PYTHON) -m venv --without-pip $(DEMO_VENV) && \
	    $(PYTHON) -m pip install --quiet --disable-pip-version-check --target $(DEMO_VENV)/uv uv && \
	    $(DEMO_VENV)/uv/bin/uv pip install --quiet --python $(DEMO_VENV)/bin/python -e '.[server]'; } && \
	  $(DEMO_VENV)/bin/python examples/quickstart.py; fi

# The 10 000-request file-descriptor soak (deselected from make test).
soak: install
	$(PY) -m pytest tests/reliability -m soak -q

# Rerun the reliability suite and re-render docs/reliability.md from its registry and figures.
reliability-report: install
	$(PY) -m pytest tests/reliability -q
	$(PY) scripts/reliability_report.py

# Benchmarks against raw httpx + json.loads (not part of make test); BENCH_ARGS=--quick for a fast pass.
bench: install
	$(PY) bench/run.py $(BENCH_ARGS)

wheel-check: install
	$(PY) scripts/check_wheel.py

clean:
	rm -rf $(VENV) $(DEMO_VENV) build dist .mypy_cache .ruff_cache .pytest_cache
