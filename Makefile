# Everything a fresh machine needs: `make demo` and `make test` set up .venv themselves.
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONDONTWRITEBYTECODE ?= 1
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
STAMP := $(VENV)/.layerhub-setup
DEMO_STAMP := $(VENV)/.layerhub-demo
SEED := plugins/layerhub-seed
# PyTorch's CPU build, installed before the extras: `torch` from the registry alone is the
# CUDA build (several GB). docs/backends.md says why this version.
TORCH ?= torch==2.13.0

.PHONY: setup demo test test-fast lint check docs bench clean

setup: $(STAMP)

# What the demo needs: Keras on TensorFlow (CPU), layerhub, and the seed plugin it installs.
$(DEMO_STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip 'setuptools>=77' wheel
	$(PIP) install -e '.[tensorflow]'
	touch $(DEMO_STAMP)

# Everything the tests use: JAX and PyTorch too (the backend runs), the test tools, the
# Hub client, the docs builder and atheris (the fuzzing smoke test).
$(STAMP): $(DEMO_STAMP) pyproject.toml $(wildcard plugins/*/pyproject.toml)
	$(PIP) install '$(TORCH)'
	$(PIP) install -e '.[test,tensorflow,jax,torch,hub,docs,fuzz]'
	touch $(STAMP)

# The demo installs the seed plugin into .venv like a user would; the tests install
# plugins into throw-away site directories instead, so `test` removes it first.
demo: $(DEMO_STAMP)
	$(PIP) install --no-build-isolation --force-reinstall --no-deps $(SEED)
	$(PY) examples/demo.py

test: $(STAMP)
	$(PIP) uninstall -y layerhub-seed 2>/dev/null || true
	$(PY) -m ruff check src tests plugins examples benchmarks scripts
	# The layering of docs/architecture.md (contracts in pyproject.toml).
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -n 2 --dist loadfile
	# Then three runs side by side, which keep both cores busy: the core save/load/scope
	# flows again on JAX and on PyTorch (the full suite runs on TensorFlow), and the
	# benchmarks at small sizes, so that they keep working (no time is asserted).
	KERAS_BACKEND=jax $(PY) -m pytest -n 0 -q -p no:cacheprovider -m backends & jax=$$!; \
	KERAS_BACKEND=torch $(PY) -m pytest -n 0 -q -p no:cacheprovider -m backends & torch=$$!; \
	$(PY) benchmarks/run.py --quick > /dev/null; bench=$$?; \
	wait $$jax; jax=$$?; wait $$torch; torch=$$?; \
	test $$jax -eq 0 && test $$torch -eq 0 && test $$bench -eq 0

# The fast tier: no test that starts a Keras process (those are marked slow), under a
# minute on two cores; the plugin wheels it installs are kept in build/test-wheels/.
test-fast: $(STAMP)
	$(PIP) uninstall -y layerhub-seed 2>/dev/null || true
	$(PY) -m pytest -m "not slow" -n 2 --dist loadfile -q -p no:cacheprovider

docs: $(STAMP)
	$(PY) -m mkdocs build --strict

# Full sizes (about 15 minutes; needs ~3 GB of temporary disk): writes benchmarks/results.md.
bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) build dist site .pytest_cache
