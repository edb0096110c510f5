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
from fixtures import KERAS, committed
from hostile_corpus import case_rows, cases_from_rows
from support import FAST_TIER, KERAS_HUB, install, pip, plugin_wheels, shared_build

# Discovery records (layerhub.plugins.cache) go to a throw-away directory, never to the
# user's cache; support.child_env hands it to every child process.
os.environ["LAYERHUB_CACHE_DIR"] = tempfile.mkdtemp(prefix="layerhub-test-cache-")


@pytest.fixture(scope="session")
def wheels() -> Callable[[str], Path]:
    """name -> a real wheel of that plugin project (plugins/, tests/distributions/)."""
    return plugin_wheels().__getitem__


@pytest.fixture(scope="session")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """``plugin_site("layerhub-seed", "broken-hook")``: a site dir with exactly those
    installed, by a real ``pip install``, shared by every test (and xdist worker) asking
    for the same set. Tests that change a site install their own."""

    def get(*names: str) -> Path:
        key = "-".join(sorted(names)) or "empty"
        built = plugin_wheels()

        def build(directory: Path) -> str:
            return str(install([built[n] for n in sorted(names)], directory / "site"))

        return Path(shared_build(tmp_path_factory, f"site-{key}", build))

    return get


@pytest.fixture(scope="session")
def seed_site(plugin_site: Callable[..., Path]) -> Path:
    return plugin_site("layerhub-seed")


@pytest.fixture(scope="session")
def keras_hub_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """keras-hub (``support.KERAS_HUB``) pip-installed into a site directory, once per run."""

    def build(directory: Path) -> str:
        pip(
            "install", "--no-deps", "--only-binary", ":all:", "--target", str(directory), *KERAS_HUB
        )
        return str(directory)

    return Path(shared_build(tmp_path_factory, "keras-hub-site", build))


@pytest.fixture(scope="session")
def kerashub_sites(
    tmp_path_factory: pytest.TempPathFactory, keras_hub_site: Path, plugin_site: Any
) -> dict[str, Path]:
    """The sites of the KerasHub preset tests (tests/kerashub_processes.py): this
    checkout's layerhub wheel, keras-hub, and the ``hub-backbone`` plugin."""
    from kerashub_processes import PLUGIN, layerhub_site

    return {
        "layerhub": layerhub_site(tmp_path_factory),
        "keras_hub": keras_hub_site,
        "plugin": plugin_site(PLUGIN),
    }


@pytest.fixture(scope="session")
def seed_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with ``seed.keras`` and ``seed.h5``, saved by plain ``model.save`` after
    two epochs of training, plus its inputs, predictions and optimizer state as ``.npy``."""
    return committed("seed", tmp_path_factory)


def build_corpus(directory: Path, seed_models: Path) -> dict[str, Any]:
    files = hostile_corpus.build(
        seed_models, KERAS / "corpus", directory / "corpus", str(directory / "x")
    )
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


def pytest_configure(config: pytest.Config) -> None:
    """``-m "not slow"`` (``make test-fast``): every child process fails to import Keras,
    so a test that starts a Keras process but is not marked ``slow`` fails, naming it."""
    if "not slow" in (config.option.markexpr or ""):
        os.environ[FAST_TIER] = "1"


def pytest_sessionstart(session: pytest.Session) -> None:
    """The tests decide which plugins exist; one left installed in the venv would leak in."""
    import importlib_metadata

    leaked = sorted({ep.dist.name for ep in importlib_metadata.entry_points(group="layerhub")})
    if leaked:
        pytest.exit(f"uninstall layerhub plugins from the test environment first: {leaked}", 2)


def pytest_sessionfinish(session: pytest.Session) -> None:
    shutil.rmtree(os.environ["LAYERHUB_CACHE_DIR"], ignore_errors=True)
