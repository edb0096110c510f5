"""Fixtures of the in-process plugin tests."""

from __future__ import annotations

import importlib

import pytest

from layerhub.plugins import discovery


@pytest.fixture
def installed(plugin_site, monkeypatch, tmp_path):
    """``installed("layerhub-seed", ...)``: those distributions importable in this process,
    a fresh discovery, and an empty trusted index of the test's own."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("LAYERHUB_HOME", str(home))
    for variable in ("LAYERHUB_INDEX", "LAYERHUB_DISABLE_CURATED", "LAYERHUB_PREFER"):
        monkeypatch.delenv(variable, raising=False)

    def put(*names: str):
        monkeypatch.syspath_prepend(str(plugin_site(*names)))
        importlib.invalidate_caches()
        discovery.reset()
        return home

    yield put
    discovery.reset()
