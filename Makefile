# Everything a fresh machine needs: `make demo` and `make test` set up .venv themselves.
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONDONTWRITEBYTECODE ?= 1
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
STAMP := $(VENV)/.layerhub-setup
SEED := plugins/layerhub-seed

.PHONY: setup demo test lint check docs bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml $(wildcard plugins/*/pyproject.toml)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip setuptools wheel
	$(PIP) install -e '.[test,jax,docs]'
	$(PIP) install --no-build-isolation $(SEED)
	touch $(STAMP)

demo: $(STAMP)
	$(PIP) install --no-build-isolation --force-reinstall --no-deps $(SEED)
	$(PY) examples/demo.py

test: $(STAMP)
	$(PY) -m ruff check src tests plugins examples benchmarks scripts
	$(PY) -m pytest -n 2 --dist loadgroup

clean:
	rm -rf $(VENV) build dist site .pytest_cache
