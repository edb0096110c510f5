"""The foundation's shared helpers: per-user directories (``settings.user_dir``) and
lazy package attributes (``lazy.attach``), each used by two packages."""

from __future__ import annotations

import sys
import types

import pytest
from support import last_json, run_python

import layerhub
import layerhub.checks
from layerhub import lazy, settings


def test_user_dir_is_the_variable_expanded_when_set(monkeypatch, tmp_path):
    monkeypatch.setenv(settings.HOME, "~/somewhere")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert settings.user_dir(settings.HOME, "data") == tmp_path / "somewhere"


def test_user_dir_falls_back_to_the_platform_directories(monkeypatch):
    import platformdirs

    monkeypatch.delenv(settings.CACHE_DIR, raising=False)
    monkeypatch.delenv(settings.HOME, raising=False)
    cache = settings.user_dir(settings.CACHE_DIR, "cache")
    data = settings.user_dir(settings.HOME, "data")
    assert str(cache) == platformdirs.user_cache_dir("layerhub", appauthor=False)
    assert str(data) == platformdirs.user_data_dir("layerhub", appauthor=False)
    assert cache != data


def test_both_user_directories_come_from_the_one_helper(monkeypatch, tmp_path):
    from layerhub.index.trusted import store_path
    from layerhub.plugins.cache import DiscoveryCache

    monkeypatch.setenv(settings.HOME, str(tmp_path / "home"))
    monkeypatch.setenv(settings.CACHE_DIR, str(tmp_path / "cache"))
    assert store_path().parent == tmp_path / "home"
    assert DiscoveryCache.open().path.parent == tmp_path / "cache"


def test_a_set_variable_never_imports_platformdirs(tmp_path):
    code = """
import json, sys
from layerhub import settings
from layerhub.index.trusted import store_path
from layerhub.plugins.cache import DiscoveryCache
paths = [str(store_path()), str(DiscoveryCache.open().path)]
print(json.dumps({"paths": paths, "platformdirs": "platformdirs" in sys.modules}))
"""
    env = {"LAYERHUB_HOME": str(tmp_path / "h"), "LAYERHUB_CACHE_DIR": str(tmp_path / "c")}
    result = last_json(run_python(code, env=env).stdout)
    assert result["platformdirs"] is False
    assert result["paths"][0].startswith(str(tmp_path / "h"))
    assert result["paths"][1].startswith(str(tmp_path / "c"))


@pytest.fixture
def package(monkeypatch):
    """A throw-away package whose ``dumps`` and ``loads`` come lazily from :mod:`json`."""
    module = types.ModuleType("lazy_probe")
    monkeypatch.setitem(sys.modules, "lazy_probe", module)
    module.__getattr__, module.__dir__ = lazy.attach(
        "lazy_probe", {"dumps": "json", "loads": "json"}, ["dumps", "loads", "eager"]
    )
    return module


def test_attach_imports_on_first_access_and_keeps_the_value(package):
    import json

    assert "dumps" not in vars(package)
    assert package.dumps is json.dumps
    assert vars(package)["dumps"] is json.dumps  # kept: the next read skips __getattr__
    with pytest.raises(AttributeError, match="'lazy_probe' has no attribute 'nothing'"):
        package.nothing  # noqa: B018
    assert dir(package) == ["dumps", "eager", "loads"]


def test_both_packages_use_attach():
    assert layerhub.__getattr__.__module__ == "layerhub.lazy"
    assert layerhub.checks.__getattr__.__module__ == "layerhub.lazy"
    assert dir(layerhub) == sorted(layerhub.__all__)
    assert dir(layerhub.checks) == sorted(layerhub.checks.__all__)
    with pytest.raises(AttributeError, match=r"'layerhub\.checks' has no attribute 'nope'"):
        layerhub.checks.nope  # noqa: B018


def test_lazy_names_import_nothing_until_read():
    code = """
import json, sys
import layerhub, layerhub.checks
before = [m for m in ("layerhub.kerasio.loading", "layerhub.checks.runner", "keras")
          if m in sys.modules]
layerhub.checks.run_cases
layerhub.hookimpl
after = [m for m in ("layerhub.checks.runner", "layerhub.plugins.hookspecs")
         if m in sys.modules]
print(json.dumps({"before": before, "after": after}))
"""
    result = last_json(run_python(code).stdout)
    assert result["before"] == []
    assert result["after"] == ["layerhub.checks.runner", "layerhub.plugins.hookspecs"]


def test_pointer_resolve_returns_the_default_where_nothing_is():
    from layerhub.pointer import resolve

    missing = object()
    document = {"a": {"b": None}, "l": [1]}
    assert resolve(document, "/a/b", missing) is None
    assert resolve(document, "/a/c", missing) is missing
    assert resolve(document, "/a/b/c", missing) is missing
    assert resolve(document, "/l/1", missing) is missing
    assert resolve(document, "/a/c") is None  # the default default
