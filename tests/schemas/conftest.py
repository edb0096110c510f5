"""Fixtures of the schema tests: real archives saved by Keras by plain ``model.save``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures import committed


@pytest.fixture(scope="session")
def nested_site(plugin_site: Callable[..., Path]) -> Path:
    return plugin_site("layerhub-seed", "schema-nested")


@pytest.fixture(scope="session")
def bad_site(plugin_site: Callable[..., Path]) -> Path:
    return plugin_site("schema-bad")


@pytest.fixture(scope="session")
def acme_site(plugin_site: Callable[..., Path]) -> Path:
    return plugin_site("acme-blocks")


@pytest.fixture(scope="session")
def schema_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """nested.keras (schema-nested), sub.keras (a seed subclassed model at the root) and
    bad.keras (schema-bad), acme.keras (acme-blocks, the core tests' third-party plugin),
    saved by plain ``model.save`` (committed: tests/fixtures/saves/schemas.py)."""
    return committed("schemas", tmp_path_factory)
