"""Discovery over really pip-installed plugins: failures isolated, disabling, conflicts."""

from __future__ import annotations

import json
import shutil

from fixtures import KERAS
from support import install, last_json, run_layerhub, run_python

REPORT = """
import json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import layerhub
    from layerhub.plugins.discovery import get_discovery
    d = get_discovery()
print(json.dumps({
    "plugins": {p.provider.distribution: [p.status, p.error] for p in d.plugins},
    "names": {e.name: e.provider.distribution for e in d.registry},
    "conflicts": [c.describe() for c in d.registry.conflicts],
    "warnings": [str(w.message) for w in caught if w.category is layerhub.PluginWarning],
}))
"""


def discover(site, **env):
    return last_json(run_python(REPORT, site=site, env=env).stdout)


def test_broken_plugins_are_skipped_with_a_warning_naming_them(plugin_site):
    site = plugin_site("layerhub-seed", "broken-import", "broken-hook")
    result = discover(site)
    assert result["plugins"]["layerhub-seed"] == ["ok", ""]
    status, error = result["plugins"]["broken-import"]
    assert status == "failed" and "this_module_does_not_exist" in error
    status, error = result["plugins"]["broken-hook"]
    assert status == "failed" and "blew up on purpose" in error
    # The hook's registration before it raised is dropped with the plugin.
    assert "BrokenHook>Half" not in result["names"]
    assert result["names"]["MyLayers>CustomLayer"] == "layerhub-seed"
    joined = "\n".join(result["warnings"])
    assert "broken-import==0.1.0" in joined and "broken-hook==0.2.0" in joined


COMMAND = """
import contextlib, io, json, sys
from layerhub.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(sys.argv[1:])
print(json.dumps([code, sorted(m for m in sys.modules if m.split(".")[0] == "layerhub_seed")]))
"""


def test_the_static_seed_is_used_without_importing_it(seed_site):
    """The seed declares everything in its metadata: each command, in a fresh process with
    nothing recorded, imports none of it. ``scan`` alone runs code of the seed, its
    keras-free weight estimates (``layerhub.estimates``), for the resource budget of a
    file that uses those objects; never the objects or the examples."""
    seed = str(KERAS / "seed" / "seed.keras")
    imported = {}
    for command in (
        ["list"],
        ["search", "Kernel"],
        ["doctor"],
        ["resolve", seed],
        ["validate", seed],
        ["scan", seed],
    ):
        proc = run_python(COMMAND, *command, site=seed_site, env={"LAYERHUB_NO_CACHE": "1"})
        code, imported[command[0]] = last_json(proc.stdout)
        assert code == 0, (command, proc.stdout, proc.stderr)
    assert imported == {
        "list": [],
        "search": [],
        "doctor": [],
        "resolve": [],
        "validate": [],
        "scan": ["layerhub_seed", "layerhub_seed.estimates"],
    }


def test_disable_plugins_by_name_and_all_autoload(plugin_site):
    # acme-blocks is a hook plugin (entry point "acme"), layerhub-seed a static one.
    site = plugin_site("layerhub-seed", "acme-blocks")
    by_entry_point = discover(site, LAYERHUB_DISABLE_PLUGINS="acme")
    assert by_entry_point["plugins"]["acme-blocks"][0] == "disabled"
    assert by_entry_point["plugins"]["layerhub-seed"][0] == "ok"
    assert not any(n.startswith("Acme>") for n in by_entry_point["names"])
    by_hook_distribution = discover(site, LAYERHUB_DISABLE_PLUGINS="acme_blocks, other")
    assert by_hook_distribution["plugins"]["acme-blocks"][0] == "disabled"
    assert by_hook_distribution["plugins"]["layerhub-seed"][0] == "ok"
    by_static_distribution = discover(site, LAYERHUB_DISABLE_PLUGINS="Layerhub_Seed")
    assert by_static_distribution["plugins"]["layerhub-seed"][0] == "disabled"
    assert by_static_distribution["plugins"]["acme-blocks"][0] == "ok"
    assert not any(n.startswith("MyLayers>") for n in by_static_distribution["names"])
    none = discover(site, LAYERHUB_DISABLE_PLUGIN_AUTOLOAD="1")
    assert {s for s, _ in none["plugins"].values()} == {"disabled"}
    assert none["names"] == {}


def test_conflicts_are_reported_deterministic_and_overridable(plugin_site):
    site = plugin_site("layerhub-seed", "conflicting-seed")
    default = discover(site)
    assert default["names"]["MyLayers>CustomLayer"] == "conflicting-seed"  # alphabetical
    assert any("MyLayers>CustomLayer" in c and "LAYERHUB_PREFER" in c for c in default["conflicts"])
    assert any("MyLayers>CustomLayer" in w for w in default["warnings"])
    preferred = discover(site, LAYERHUB_PREFER="layerhub-seed")
    assert preferred["names"]["MyLayers>CustomLayer"] == "layerhub-seed"


def test_a_plugin_may_not_shadow_keras_builtins(plugin_site):
    result = discover(plugin_site("conflicting-seed"))
    assert "Dense" not in result["names"] and "keras>Dense" not in result["names"]
    shadow_warnings = [w for w in result["warnings"] if "shadow a Keras built-in" in w]
    assert len(shadow_warnings) == 2


def test_a_distribution_seen_twice_on_the_path_counts_once(tmp_path, wheels):
    first = install([wheels("layerhub-seed")], tmp_path / "a")
    second = tmp_path / "b"
    shutil.copytree(first, second)
    code = REPORT.replace("import json, warnings", "import json, sys, warnings")
    env = {"PYTHONPATH": f"{first}:{second}"}
    result = last_json(run_python(code, env=env).stdout)
    assert list(result["plugins"]) == ["layerhub-seed"]
    assert result["conflicts"] == [] and result["warnings"] == []


def test_strict_mode_turns_plugin_failures_into_errors(plugin_site):
    site = plugin_site("layerhub-seed", "broken-import")
    proc = run_layerhub("list", site=site, env={"LAYERHUB_STRICT": "1"})
    assert proc.returncode == 2
    assert "broken-import" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_list_shows_every_plugin_and_name(plugin_site):
    site = plugin_site("layerhub-seed", "broken-import", "acme-blocks")
    proc = run_layerhub("list", "--json", site=site, env={"LAYERHUB_DISABLE_PLUGINS": "acme"})
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    statuses = {p["distribution"]: p["status"] for p in data["plugins"]}
    assert statuses == {"acme-blocks": "disabled", "broken-import": "failed", "layerhub-seed": "ok"}
    seed = next(p for p in data["plugins"] if p["distribution"] == "layerhub-seed")
    assert seed["version"] == "1.0.0" and seed["name"] == "layerhub.objects"  # declared statically
    assert seed["entry_point"] == "layerhub.objects (15 names)"
    objects = {o["name"]: o for o in data["objects"]}
    assert objects["MyLayers>KernelMult"]["target"] == "layerhub_seed.objects:MyDense"
    assert objects["MyLayers>KernelMult"]["distribution"] == "layerhub-seed"
    text = run_layerhub("list", site=site).stdout
    assert "broken-import" in text and "failed" in text and "MyLayers>KernelMult" in text


def test_damaged_metadata_stays_with_its_own_distribution(tmp_path, wheels):
    """An unparsable ``entry_points.txt`` of layerhub's groups (importlib_metadata gives
    up on all of them) and a plugin ``METADATA`` without ``Version`` cost only that
    distribution: every plugin still loads, and the broken one is named. A broken file
    with no layerhub group in it is none of discovery's business."""
    site = install([wheels("layerhub-seed"), wheels("acme-blocks")], tmp_path / "site")
    junk = site / "junk-1.0.dist-info"  # not a plugin, hand-damaged
    junk.mkdir()
    (junk / "METADATA").write_text("Metadata-Version: 2.1\nName: junk\nVersion: 1.0\n")
    (junk / "entry_points.txt").write_text("[layerhub.objects]\nthis line has no equals sign\n")
    other = site / "other-1.0.dist-info"
    other.mkdir()
    (other / "METADATA").write_text("Metadata-Version: 2.1\nName: other\nVersion: 1.0\n")
    (other / "entry_points.txt").write_text("[console_scripts]\nthis line has no equals sign\n")
    (metadata,) = site.glob("acme_blocks-*.dist-info/METADATA")
    lines = metadata.read_text().splitlines(keepends=True)
    metadata.write_text("".join(line for line in lines if not line.startswith("Version:")))

    result = discover(site, LAYERHUB_NO_CACHE="1")
    assert result["plugins"] == {"acme-blocks": ["ok", ""], "layerhub-seed": ["ok", ""]}
    assert "MyLayers>CustomLayer" in result["names"]
    assert "acme-blocks" in result["names"].values()
    assert not [w for w in result["warnings"] if "'other'" in w]
    (warning,) = [w for w in result["warnings"] if "junk" in w]
    assert "entry_points.txt cannot be read" in warning and str(junk) in warning

    proc = run_layerhub("list", site=site, env={"LAYERHUB_STRICT": "1", "LAYERHUB_NO_CACHE": "1"})
    assert proc.returncode == 2
    assert "'junk'" in proc.stderr and "Traceback" not in proc.stderr
