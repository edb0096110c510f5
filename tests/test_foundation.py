"""The foundation's shared helpers: per-user directories (``settings.user_dir``)."""

from __future__ import annotations

from support import last_json, run_python

from layerhub import settings


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
