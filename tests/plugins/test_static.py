"""Static declarations (``layerhub.objects`` and companions) of really pip-installed
distributions, each command in a fresh process: what they name, and that none of the
declaring package's modules is imported (its modules write a canary when imported).

``static-blocks`` declares ``Static>Scale`` (with a schema file and the old name
``Legacy>Scale``) and ``Static>Shift``, and does not depend on layerhub.
``dual-blocks`` has a hook too, which disagrees with its declaration about ``Dual>Gate``,
and declares ``Static>Shift`` as well. No Keras here: the model files are written by
hand (configs only); loading is tests/kerasio/test_static_load.py.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path

import pytest
from support import last_json, run_layerhub

from layerhub.errors import RenamedObjectWarning
from layerhub.plugins.discovery import static_registrations
from layerhub.plugins.registrar import PluginRegistrar
from layerhub.plugins.registry import Entry, Provider, Registry


def layer(cls: str, registered: str, config: dict, name: str, inbound: str) -> dict:
    tensor = {"shape": [None, 3], "dtype": "float32", "keras_history": [inbound, 0, 0]}
    return {
        "module": "static_blocks.layers",
        "class_name": cls,
        "registered_name": registered,
        "name": name,
        "config": {"name": name, "trainable": True, **config},
        "build_config": {"input_shape": [None, 3]},
        "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": tensor}]}],
    }


def model_file(path: Path, scale_name: str = "Static>Scale", init: float = 2.0) -> Path:
    """A ``.keras`` archive of Input -> Scale -> Shift (config only: scans and resolves)."""
    inputs = {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "registered_name": None,
        "name": "in",
        "config": {"batch_shape": [None, 3], "dtype": "float32", "name": "in"},
        "inbound_nodes": [],
    }
    config = {
        "module": "keras",
        "class_name": "Functional",
        "registered_name": "Functional",
        "config": {
            "name": "m",
            "trainable": True,
            "layers": [
                inputs,
                layer("Scale", scale_name, {"init": init}, "scale", "in"),
                layer("Shift", "Static>Shift", {"offset": 0.5}, "shift", "scale"),
            ],
            "input_layers": [["in", 0, 0]],
            "output_layers": [["shift", 0, 0]],
        },
    }
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
        archive.writestr("config.json", json.dumps(config))
    return path


@pytest.fixture
def canary(tmp_path: Path) -> dict[str, str]:
    return {"STATIC_BLOCKS_CANARY": str(tmp_path / "canary")}


def imported(env: dict[str, str]) -> list[str]:
    path = Path(env["STATIC_BLOCKS_CANARY"])
    return path.read_text().split() if path.exists() else []


def layerhub_json(*args: str, site: Path, env: dict[str, str], status: int = 0) -> dict:
    proc = run_layerhub(*args, "--json", site=site, env=env)
    assert proc.returncode == status, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def test_list_scan_resolve_and_doctor_name_declared_objects_without_importing_them(
    plugin_site, tmp_path, canary
):
    site = plugin_site("static-blocks")
    listed = layerhub_json("list", site=site, env=canary)
    objects = {o["name"]: o for o in listed["objects"]}
    assert objects["Static>Scale"]["target"] == "static_blocks.layers:Scale"
    assert objects["Static>Scale"]["has_schema"] and objects["Static>Scale"]["aliases"] == [
        "Legacy>Scale"
    ]
    assert objects["Static>Shift"]["distribution"] == "static-blocks"
    [plugin] = listed["plugins"]
    assert plugin["status"] == "ok" and plugin["name"] == "layerhub.objects"

    good = model_file(tmp_path / "good.keras")
    scanned = layerhub_json("scan", str(good), site=site, env=canary, status=1)
    codes = {f["code"] for f in scanned["files"][0]["findings"]}
    assert codes == {"missing-weights"}  # a config-only archive; both names are provided
    resolved = run_layerhub("resolve", str(good), site=site, env=canary)
    assert resolved.returncode == 0 and "static-blocks==1.2.0" in resolved.stdout.split()

    # The schema file is read from the package's directory, not through its import;
    # the old name is known to scan and resolve alike.
    old = model_file(tmp_path / "old.keras", scale_name="Legacy>Scale", init=-1.0)
    findings = layerhub_json("scan", str(old), site=site, env=canary, status=1)["files"][0][
        "findings"
    ]
    by_code = {f["code"]: f for f in findings}
    assert "exclusiveMinimum" in by_code["schema"]["message"]
    assert by_code["renamed"]["object"] == "Legacy>Scale"
    assert "'Static>Scale'" in by_code["renamed"]["message"]
    resolved = run_layerhub("resolve", str(old), site=site, env=canary)
    assert resolved.returncode == 0 and "static-blocks==1.2.0" in resolved.stdout.split()

    doctor = layerhub_json("doctor", site=site, env=canary)
    assert doctor["names"] == 2 and doctor["problems"] == []
    assert imported(canary) == []


def test_a_discovery_record_replays_static_declarations(plugin_site, tmp_path, canary):
    site = plugin_site("static-blocks")
    env = {**canary, "LAYERHUB_CACHE_DIR": str(tmp_path / "cache")}
    first = layerhub_json("list", site=site, env=env)
    assert list((tmp_path / "cache").glob("discovery-*.json"))
    assert layerhub_json("list", site=site, env=env) == first
    assert imported(canary) == []


REPORT = """
import json, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    from layerhub.plugins.discovery import get_discovery
    d = get_discovery()
print(json.dumps({
    "plugins": {p.provider.distribution + "/" + p.provider.plugin: p.status for p in d.plugins},
    "names": {e.name: [e.provider.distribution, e.target] for e in d.registry},
    "aliases": d.registry.aliases,
    "disagreements": list(d.disagreements),
    "conflicts": [c.describe() for c in d.registry.conflicts],
}))
"""


def test_static_entries_meet_hooks_conflicts_prefer_and_disabling_like_hook_entries(
    plugin_site, canary
):
    from support import run_python

    site = plugin_site("static-blocks", "dual-blocks")
    report = last_json(run_python(REPORT, site=site, env=canary).stdout)
    assert report["plugins"] == {
        "dual-blocks/dual": "ok",
        "dual-blocks/layerhub.objects": "ok",
        "static-blocks/layerhub.objects": "ok",
    }
    # Both forms in one distribution: the declaration wins, the hook's other names stay.
    assert report["names"]["Dual>Gate"] == ["dual-blocks", "dual_blocks.layers:Gate"]
    assert report["names"]["Dual>Extra"] == ["dual-blocks", "dual_blocks.layers:Extra"]
    assert report["aliases"] == {"Dual>Bonus": "Dual>Extra", "Legacy>Scale": "Static>Scale"}
    [disagreement] = report["disagreements"]
    assert "'Dual>Gate'" in disagreement and "target_path" in disagreement
    # Two distributions declaring one name: alphabetical, unless LAYERHUB_PREFER says.
    assert report["names"]["Static>Shift"][0] == "dual-blocks"
    assert any("'Static>Shift'" in c for c in report["conflicts"])
    env = {**canary, "LAYERHUB_PREFER": "static-blocks"}
    preferred = last_json(run_python(REPORT, site=site, env=env).stdout)
    assert preferred["names"]["Static>Shift"][0] == "static-blocks"
    env = {**canary, "LAYERHUB_DISABLE_PLUGINS": "static_blocks"}
    disabled = last_json(run_python(REPORT, site=site, env=env).stdout)
    assert disabled["plugins"]["static-blocks/layerhub.objects"] == "disabled"
    assert "Static>Scale" not in disabled["names"] and "Legacy>Scale" not in disabled["aliases"]

    doctor = layerhub_json("doctor", site=site, env=canary, status=1)
    codes = {p["code"] for p in doctor["problems"]}
    assert {"static-hook-disagreement", "name-conflict"} <= codes
    assert imported(canary) == []


def test_the_allow_list_judges_a_declared_provider(plugin_site, tmp_path, canary):
    site = plugin_site("static-blocks")
    env = {**canary, "LAYERHUB_ALLOWED_PROVIDERS": "someone-else"}
    good = model_file(tmp_path / "good.keras")
    findings = layerhub_json("scan", str(good), site=site, env=env, status=1)["files"][0][
        "findings"
    ]
    refused = [f["object"] for f in findings if f["code"] == "provider-not-allowed"]
    assert sorted(refused) == ["Static>Scale", "Static>Shift"]


# In process: the rules a declaration is read with.

PROVIDER = Provider("acme", "1.0", "layerhub.objects")


def test_static_companions_must_name_a_declared_object():
    registrar = PluginRegistrar(PROVIDER)
    groups = {
        "layerhub.objects": {"Acme>A": "acme.layers:A", "Acme>Bad": "no-colon"},
        "layerhub.schemas": {"Acme>A": "acme:a.json", "Acme>Ghost": "acme:ghost.json"},
        "layerhub.estimates": {"Acme>A": "acme.sizes:a"},
        "layerhub.aliases": {"A": "acme.layers:A", "Old>Ghost": "acme.layers:Ghost"},
    }
    problems = static_registrations(registrar, groups)
    [entry] = registrar.entries
    assert (entry.name, entry.schema, entry.estimate, entry.aliases) == (
        "Acme>A",
        "acme:a.json",
        "acme.sizes:a",
        ("A",),
    )
    assert any("'Acme>Ghost'" in p for p in problems)
    assert any("'acme.layers:Ghost'" in p for p in problems)
    assert any("'Acme>Bad' is ignored" in p for p in problems)


def test_aliases_through_registry_add():
    registrar = PluginRegistrar(PROVIDER)
    with pytest.raises(TypeError):
        registrar.add("Acme>A", "acme:A", aliases="Acme>Old")  # a string, not a list
    with pytest.raises(TypeError):
        registrar.add("Acme>A", "acme:A", aliases=["Acme>A"])  # itself
    with pytest.warns(UserWarning, match="shadow a Keras built-in"):
        registrar.add("Acme>A", "acme:A", aliases=["Dense", "Acme>Old"])
    assert registrar.entries[0].aliases == ("Acme>Old",)


def test_an_old_name_resolves_to_the_new_with_a_warning_and_never_hides_a_real_name():
    new = Entry("Acme>New", dict, PROVIDER, aliases=("Acme>Old", "Acme>Taken"))
    taken = Entry("Acme>Taken", list, Provider("other", "2"))
    registry = Registry([new, taken])
    assert registry.get("Acme>Old") is new and "Acme>Old" in registry
    assert registry.get("Acme>Taken") is taken  # a registered name is never an alias
    assert registry.names() == ["Acme>New", "Acme>Taken"]
    with pytest.warns(RenamedObjectWarning, match="'Acme>Old' is an old name of 'Acme>New'"):
        objects, failures = registry.resolve(["Acme>Old"])
    assert objects == {"Acme>Old": dict} and failures == {}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert registry.resolve(["Acme>New"]) == ({"Acme>New": dict}, {})


def test_index_build_reads_a_declaring_wheel_and_indexes_its_old_names(wheels):
    from layerhub.publish.wheelnames import wheel_names

    [record] = wheel_names(wheels("static-blocks"))
    assert (record["name"], record["version"]) == ("static-blocks", "1.2.0")
    objects = {o["name"]: o for o in record["objects"]}
    assert sorted(objects) == ["Legacy>Scale", "Static>Scale", "Static>Shift"]
    assert objects["Legacy>Scale"]["target"] == "static_blocks.layers:Scale"
    assert objects["Static>Scale"]["schema_sha256"] == objects["Legacy>Scale"]["schema_sha256"]
    assert (
        objects["Static>Scale"]["schema_sha256"]
        and objects["Static>Shift"]["schema_sha256"] is None
    )
