"""The discovery cache: a second process replays what plugins registered without
importing them, and every change that matters (install, uninstall, an edited plugin
source, rewritten metadata, a plugin enabled later) shows in the next process.

Every test has its own cache directory and a site it may change, and runs discovery in
fresh processes, as users do.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from support import install, run_python

DISCOVER = """
import json, sys, warnings
warnings.simplefilter("always")
import layerhub.plugins.discovery as plugins
d = plugins.get_discovery()
entries = {e.name: [e.target_path, e.provider.requirement, e.provider.plugin,
                    e.schema if isinstance(e.schema, (str, type(None))) else "dict",
                    e.example, e.estimate] for e in d.registry}
print(json.dumps({
    "entries": entries,
    "plugins": {i.provider.distribution: i.status for i in d.plugins},
    "entry_points": sorted(i.provider.plugin for i in d.plugins),
    "modules": sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[1:]),
    "pluggy": "pluggy" in sys.modules,
}))
"""


def discover(site: Path, cache: Path, *packages: str, **env: str) -> dict:
    """Discovery in a fresh process: its registry, plugin statuses, and which modules of
    ``packages`` it imported."""
    proc = run_python(DISCOVER, *packages, site=site, env={"LAYERHUB_CACHE_DIR": str(cache), **env})
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["stderr"] = proc.stderr
    return result


def write_plugin(site: Path, version: str, names: list[str], group_name: str = "demo") -> None:
    """A plugin as a source tree with a hand-written dist-info, like an editable install:
    editing its files changes nothing pip recorded."""
    package = site / "demo_plugin"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text("")
    adds = "".join(f"    registry.add({n!r}, 'demo_plugin.objects:{n}')\n" for n in names)
    hook = f"import layerhub\n\n@layerhub.hookimpl\ndef layerhub_register(registry):\n{adds}"
    (package / "layerhub_plugin.py").write_text(hook)
    info = site / "demo_plugin-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: demo-plugin\nVersion: {version}\n"
    )
    (info / "entry_points.txt").write_text(
        f"[layerhub]\n{group_name} = demo_plugin.layerhub_plugin\n"
    )


def touch_later(path: Path) -> None:
    """Make sure an edit shows in the file's mtime even on coarse file-system clocks."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


@pytest.fixture
def seed_copy(tmp_path: Path, wheels) -> Path:
    """A site with the seed plugin (declared statically) really pip-installed, owned by
    this test."""
    return install([wheels("layerhub-seed")], tmp_path / "site")


@pytest.fixture
def both_forms(tmp_path: Path, wheels) -> Path:
    """The seed (static) and acme-blocks (a hook plugin) really pip-installed, owned by
    this test."""
    return install([wheels("layerhub-seed"), wheels("acme-blocks")], tmp_path / "site")


def test_second_process_replays_registrations_without_importing_plugins(
    both_forms: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    cold = discover(both_forms, cache, "layerhub_seed", "acme_blocks")
    # The hook is imported to learn its names; the static declaration never is.
    assert cold["modules"] == ["acme_blocks", "acme_blocks.layerhub_plugin"]
    assert cold["plugins"] == {"acme-blocks": "ok", "layerhub-seed": "ok"}
    assert list(cache.glob("discovery-*.json"))

    warm = discover(both_forms, cache, "layerhub_seed", "acme_blocks")
    assert warm["entries"] == cold["entries"]  # targets, providers, schemas, examples...
    assert cold["entries"]["MyLayers>KernelMult"][5] == "layerhub_seed.estimates:kernel_mult"
    assert cold["entries"]["Acme>GatedResidual"][3] == "dict"  # the hook's schema, replayed
    assert warm["plugins"] == cold["plugins"]
    assert warm["modules"] == []  # no plugin package is imported at all
    assert warm["pluggy"] is False


@pytest.mark.slow
def test_a_replayed_entry_loads_its_class(seed_copy: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    discover(seed_copy, cache, "layerhub_seed")  # records
    resolved = run_python(
        "import layerhub.plugins.discovery as p, keras\n"
        "cls = p.get_registry().get('LayerhubSeed>CustomLayer').load()\n"
        "assert issubclass(cls, keras.layers.Layer), cls\n",
        site=seed_copy,
        env={"LAYERHUB_CACHE_DIR": str(cache)},
    )
    assert resolved.returncode == 0


def test_installing_and_removing_a_plugin_shows_in_the_next_process(
    seed_copy: Path, tmp_path: Path, wheels
) -> None:
    cache = tmp_path / "cache"
    before = discover(seed_copy, cache)
    assert not any(name.startswith("Acme>") for name in before["entries"])

    install([wheels("acme-blocks")], seed_copy)
    added = discover(seed_copy, cache, "layerhub_seed", "acme_blocks")
    assert any(name.startswith("Acme>") for name in added["entries"])
    assert added["modules"] and all(m.startswith("acme_blocks") for m in added["modules"])

    for path in seed_copy.glob("acme_blocks*"):
        shutil.rmtree(path)
    removed = discover(seed_copy, cache)
    assert removed["entries"] == before["entries"]


def test_an_edited_plugin_source_shows_in_the_next_process(tmp_path: Path) -> None:
    site, cache = tmp_path / "site", tmp_path / "cache"
    write_plugin(site, "1.0", ["Demo>A"])
    assert set(discover(site, cache)["entries"]) == {"Demo>A"}
    assert discover(site, cache, "demo_plugin")["modules"] == []

    hook = site / "demo_plugin" / "layerhub_plugin.py"
    hook.write_text(hook.read_text() + "    registry.add('Demo>B', 'demo_plugin.objects:B')\n")
    touch_later(hook)
    edited = discover(site, cache, "demo_plugin")
    assert set(edited["entries"]) == {"Demo>A", "Demo>B"}
    assert "demo_plugin.layerhub_plugin" in edited["modules"]


def test_metadata_rewritten_in_place_shows_in_the_next_process(tmp_path: Path) -> None:
    """``pip install -e`` of a legacy project rewrites egg-info files in place: no
    directory changes, only the files."""
    site, cache = tmp_path / "site", tmp_path / "cache"
    write_plugin(site, "1.0", ["Demo>A"])
    first = discover(site, cache)
    assert first["entries"]["Demo>A"][1] == "demo-plugin==1.0"

    metadata = site / "demo_plugin-1.0.dist-info" / "METADATA"
    metadata.write_text(metadata.read_text().replace("Version: 1.0", "Version: 1.1"))
    touch_later(metadata)
    points = site / "demo_plugin-1.0.dist-info" / "entry_points.txt"
    points.write_text(points.read_text().replace("demo =", "renamed ="))
    touch_later(points)
    second = discover(site, cache)
    assert second["entries"]["Demo>A"][1] == "demo-plugin==1.1"
    assert second["entry_points"] == ["renamed"]


def test_failed_and_warning_plugins_are_never_replayed(tmp_path: Path, plugin_site) -> None:
    site, cache = plugin_site("acme-blocks", "broken-import", "schema-bad"), tmp_path / "cache"
    first = discover(site, cache, "acme_blocks", "schema_bad")
    assert "acme_blocks.layerhub_plugin" in first["modules"]
    for _ in range(2):
        result = discover(site, cache, "acme_blocks", "schema_bad")
        assert result["plugins"]["broken-import"] == "failed"
        assert "broken-import" in result["stderr"]  # warned about in every process
        # schema-bad warns while it registers, so it is imported every time...
        assert "schema_bad.layerhub_plugin" in result["modules"]
        assert "SchemaBad>BadForm" in result["stderr"]
    # ...while acme-blocks' hook, clean, is replayed after the first process.
    assert not any(m.startswith("acme_blocks") for m in result["modules"])


def test_a_plugin_disabled_when_the_cache_was_written_loads_when_enabled(
    both_forms: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    off = "layerhub-seed,acme-blocks"
    disabled = discover(both_forms, cache, LAYERHUB_DISABLE_PLUGINS=off)
    assert disabled["plugins"] == {"acme-blocks": "disabled", "layerhub-seed": "disabled"}
    assert not disabled["entries"]
    enabled = discover(both_forms, cache, "acme_blocks")
    assert enabled["plugins"] == {"acme-blocks": "ok", "layerhub-seed": "ok"}
    assert {"LayerhubSeed>CustomLayer", "Acme>GatedResidual"} <= set(enabled["entries"])
    assert "acme_blocks.layerhub_plugin" in enabled["modules"]  # not recorded while disabled


def test_damaged_unwritable_or_disabled_cache_only_costs_speed(
    both_forms: Path, tmp_path: Path
) -> None:
    expected = discover(both_forms, tmp_path / "reference")["entries"]

    damaged = tmp_path / "damaged"
    discover(both_forms, damaged)
    for file in damaged.glob("discovery-*.json"):
        file.write_text('{"format": 1, "points": [[1, 2]], "records": "no"')
    reread = discover(both_forms, damaged, "acme_blocks")
    assert reread["entries"] == expected
    assert "acme_blocks.layerhub_plugin" in reread["modules"]  # the damaged record is not used
    assert discover(both_forms, damaged, "acme_blocks")["modules"] == []  # rewritten whole

    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("")
    result = discover(both_forms, not_a_directory)
    assert result["entries"] == expected
    assert "Traceback" not in result["stderr"]

    off = tmp_path / "off"
    assert discover(both_forms, off, LAYERHUB_NO_CACHE="1")["entries"] == expected
    assert not off.exists()


def test_activation_waiting_for_a_module_keeps_the_record_valid():
    """An activated process waits for keras (and KerasHub) with layerhub's own meta-path
    finder, which finds nothing itself: it must not invalidate the discovery record."""
    from layerhub.kerasio.activation import _finder, after_import
    from layerhub.plugins.cache import environment

    before = environment()
    after_import("layerhub_no_such_module_ever", lambda module: None)
    try:
        assert _finder in sys.meta_path
        assert environment() == before
    finally:
        _finder.forget("layerhub_no_such_module_ever")
    assert _finder not in sys.meta_path
