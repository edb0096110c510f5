"""Session fixtures: plugin wheels, plugin site directories, and one saved seed model."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import hostile_corpus
from hostile_corpus import CANARY_VAR, case_rows, cases_from_rows
from support import PLUGIN_SOURCES, build_wheel, install, run_python, shared_build

# Discovery records (layerhub.plugins.cache) go to a throw-away directory, never to the
# user's cache; support.child_env hands it to every child process.
os.environ["LAYERHUB_CACHE_DIR"] = tempfile.mkdtemp(prefix="layerhub-test-cache-")


@pytest.fixture(scope="session")
def wheels(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """name -> a real wheel of that plugin project, built once per session."""
    out = tmp_path_factory.mktemp("wheels")
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in PLUGIN_SOURCES:
            raise KeyError(f"no plugin project {name!r}")
        if name not in built:
            built[name] = build_wheel(name, out)
        return built[name]

    return get


@pytest.fixture(scope="session")
def plugin_site(
    tmp_path_factory: pytest.TempPathFactory, wheels: Callable[[str], Path]
) -> Callable[..., Path]:
    """``plugin_site("layerhub-seed", "broken-hook")``: a site dir with exactly those installed."""
    sites: dict[tuple[str, ...], Path] = {}

    def get(*names: str) -> Path:
        key = tuple(sorted(names))
        if key not in sites:
            target = tmp_path_factory.mktemp("site-" + "-".join(key)[:40] if key else "site-empty")
            sites[key] = install([wheels(n) for n in key], target)
        return sites[key]

    return get


@pytest.fixture(scope="session")
def seed_site(plugin_site: Callable[..., Path]) -> Path:
    return plugin_site("layerhub-seed")


SAVE_SEED_MODELS = """
import sys, numpy as np
from pathlib import Path
from layerhub_seed import examples
out = Path(sys.argv[1])
model = examples.build_model()
x, y = examples.data()
model.fit(x, y, epochs=2, verbose=0)
model.save(out / "seed.keras")
model.save(out / "seed.h5")
np.save(out / "x.npy", x)
np.save(out / "y.npy", y)
np.save(out / "expected.npy", model.predict(x, verbose=0))
np.save(out / "iterations.npy", np.array(int(model.optimizer.iterations.numpy())))
np.save(out / "optimizer_vars.npy",
        np.concatenate([np.ravel(v.numpy()) for v in model.optimizer.variables]))
"""


@pytest.fixture(scope="session")
def seed_models(tmp_path_factory: pytest.TempPathFactory, seed_site: Path) -> Path:
    """A directory with ``seed.keras`` and ``seed.h5`` saved by plain ``model.save`` in a
    child process, plus its inputs, predictions and optimizer state as ``.npy`` files."""
    out = tmp_path_factory.mktemp("seed-models")
    run_python(SAVE_SEED_MODELS, str(out), site=seed_site)
    return out


RUN_SCRIPT = "import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0])"


def build_corpus(directory: Path, seed_models: Path) -> dict[str, Any]:
    real = directory / "real"
    real.mkdir()
    script = directory / "real_saves.py"  # a file, so Keras can read the lambdas' source
    script.write_text(hostile_corpus.REAL_SAVES)
    run_python(RUN_SCRIPT, str(script), str(real), env={CANARY_VAR: str(directory / "unused")})
    files = hostile_corpus.build(seed_models, real, directory / "corpus", str(directory / "x"))
    payload = hostile_corpus.write_payload_module(directory / "payload")
    return {
        "files": case_rows(files),
        "payload": str(payload),
        "canaries": str(directory),
    }


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory, seed_models: Path) -> dict[str, Any]:
    """Corpus paths, the payload module's directory and where canaries go (see shared)."""
    built = shared_build(tmp_path_factory, "corpus", lambda d: build_corpus(d, seed_models))
    built["cases"] = cases_from_rows(built["files"])
    return built


def pytest_sessionstart(session: pytest.Session) -> None:
    """The tests decide which plugins exist; one left installed in the venv would leak in."""
    import importlib_metadata

    leaked = sorted({ep.dist.name for ep in importlib_metadata.entry_points(group="layerhub")})
    if leaked:
        pytest.exit(f"uninstall layerhub plugins from the test environment first: {leaked}", 2)


def pytest_sessionfinish(session: pytest.Session) -> None:
    shutil.rmtree(os.environ["LAYERHUB_CACHE_DIR"], ignore_errors=True)
