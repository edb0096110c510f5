"""``layerhub resolve`` and ``layerhub show`` in process: what a model needs installed
(:mod:`layerhub.plugins.resolution`) and what is known of one name
(:mod:`layerhub.plugins.describe`), over really pip-installed distributions on
``sys.path``; no keras is imported (the CLI's own output is tested in tests/cli and
tests/index)."""

from __future__ import annotations

import json
import shutil
import sys

import pytest
from presets import BENIGN
from support import ROOT, last_json, run_python

import layerhub
from layerhub.cli import main
from layerhub.errors import MissingObject, MissingObjectsError, ProvenanceWarning
from layerhub.index.document import document
from layerhub.plugins.describe import Description, describe, kind_of, summary_of
from layerhub.plugins.resolution import LOADER, Resolution, resolve
from layerhub.version import __version__


def layer(name: str, module: str) -> dict:
    return {"module": module, "class_name": "X", "config": {}, "registered_name": name}


def model_dir(path, *layers: dict, manifest: dict | None = None):
    path.mkdir()
    config = {"module": "keras", "class_name": "Sequential", "config": {"layers": list(layers)}}
    (path / "config.json").write_text(json.dumps(config))
    (path / "metadata.json").write_text(json.dumps({"keras_version": "3.10.0"}))
    if manifest is not None:
        (path / "layerhub.json").write_text(json.dumps(manifest))
    return str(path)


MODEL_LAYERS = (
    layer("MyLayers>KernelMult", "layerhub_seed.objects"),  # a plugin: installed
    layer("keras_rs>FeatureCross", "keras_rs.layers"),  # the curated index names it
    layer("Nobody>Knows", "nobody.layers"),  # nothing does
    layer("keras_hub>BertBackbone", "keras_hub.src.models.bert"),  # a Keras library
)


def test_resolve_names_installed_indexed_and_unknown_providers(installed, tmp_path):
    installed("layerhub-seed")
    path = model_dir(tmp_path / "model", *MODEL_LAYERS)
    resolution = resolve(path)
    assert resolution == Resolution(
        file=path,
        commit=None,
        loaded_from=None,
        requirements={
            "layerhub-seed==1.0.0": ["MyLayers>KernelMult"],
            "keras-rs": ["keras_rs>FeatureCross"],
            "keras-hub": ["keras_hub>BertBackbone"],
            f"layerhub>={__version__}": [],
        },
        installed=["layerhub-seed==1.0.0"],
        unresolved={
            "Nobody>Knows": MissingObject(
                "Nobody>Knows", "/config/layers/2", "no index knows who provides it"
            )
        },
        to_install=["keras-rs", "keras-hub"],
    )
    assert resolution.pip_command == [
        sys.executable,
        "-m",
        "pip",
        "install",
        "keras-rs",
        "keras-hub",
    ]
    report = resolution.as_dict()
    assert list(report) == [
        "file",
        "commit",
        "loaded_from",
        "requirements",
        "installed",
        "unresolved",
        "pip",
    ]
    assert report["pip"] is None and report["unresolved"] == ["Nobody>Knows"]
    assert resolution.as_dict(install=True)["pip"] == resolution.pip_command


def test_resolve_prefers_the_manifest_and_asks_the_given_index_last(installed, tmp_path):
    installed("layerhub-seed")
    commit = "a" * 40
    manifest = {
        "format": 1,
        "layerhub_version": "0.1.0",
        "keras_version": "3.10.0",
        "backend": "tensorflow",
        "objects": [
            {
                "name": "MyLayers>KernelMult",
                "distribution": "layerhub-seed",
                "version": "0.9",
                "source": "entry-point",
                "target": "layerhub_seed.objects:MyDense",
                "schema_sha256": None,
            },
        ],
        "source": {"repository": "hf://x/y", "revision": "main", "commit": commit},
    }
    path = model_dir(
        tmp_path / "model",
        layer("MyLayers>KernelMult", "layerhub_seed.objects"),
        layer("Team>Block", "team_blocks.layers"),
        manifest=manifest,
    )
    index = tmp_path / "index.json"
    record = {
        "name": "team-blocks",
        "version": "1.2.0",
        "source": "introspection",
        "objects": [{"name": "Team>Block", "target": "team_blocks.layers:Block"}],
    }
    index.write_text(json.dumps(document([record])))
    with pytest.warns(ProvenanceWarning, match="saved with layerhub-seed==0.9"):
        resolution = resolve(path, str(index))
    # The manifest pins what saved the model, over what is installed now.
    assert resolution.requirements == {
        "layerhub-seed==0.9": ["MyLayers>KernelMult"],
        "team-blocks": ["Team>Block"],
        LOADER: [],
    }
    assert resolution.installed == [] and resolution.unresolved == {}
    assert resolution.loaded_from == manifest["source"]
    assert resolution.to_install == ["layerhub-seed==0.9", "team-blocks"]


def test_describe_a_trusted_name_from_its_record_without_importing_it(installed):
    home = installed("thirdparty-kit")
    record = {
        "name": "thirdparty-kit",
        "version": "2.1.0",
        "source": "introspection",
        "objects": [
            {
                "name": "Kit>Gate",
                "target": "tpk_core.layers:Gate",
                "kind": "layer",
                "summary": "A gate.",
            }
        ],
    }
    (home / "trusted.json").write_text(json.dumps(document([record])))
    description = describe("Kit>Gate")
    assert description.installed and "tpk_core.layers" not in sys.modules
    assert description.fields() == {
        "name": "Kit>Gate",
        "distribution": "thirdparty-kit",
        "version": "2.1.0",
        "source": "trusted",
        "target": "tpk_core.layers:Gate",
        "schema_sha256": None,
        "kind": "layer",
        "summary": "A gate.",
        "schema": None,
    }
    assert description.as_dict() == {**description.fields(), "installed": True}


def test_describe_a_name_nothing_installed_provides(installed):
    installed()
    curated = describe("keras_rs>FeatureCross")
    assert curated == Description("keras_rs>FeatureCross", None, requirement="keras-rs")
    assert not curated.installed
    assert curated.as_dict() == {
        "name": "keras_rs>FeatureCross",
        "installed": False,
        "requirement": "keras-rs",
    }
    assert describe("Nobody>Knows").as_dict()["requirement"] is None


def test_kind_and_summary_of_objects_that_are_not_keras_objects():
    class Documented:
        """First line.

        More."""

    class Inherits(Documented):
        pass

    assert kind_of(Documented) == "class" and kind_of(len) == "function"
    assert kind_of(3) == "object"
    assert summary_of(Documented) == "First line."
    assert summary_of(Inherits) == ""  # an inherited docstring says nothing of it


def test_kind_of_never_imports_keras():
    code = """
import json, sys
from layerhub.plugins.describe import kind_of
class Plain: pass
print(json.dumps({"kind": kind_of(Plain), "keras": "keras" in sys.modules}))
"""
    assert last_json(run_python(code).stdout) == {"kind": "class", "keras": False}


SEED = ROOT / "tests" / "fixtures" / "keras" / "seed"


@pytest.mark.parametrize("saved", ["seed.keras", "seed.h5"])
def test_requirements_of_a_file_are_the_lines_resolve_prints(installed, saved, capsys):
    installed("layerhub-seed")
    path = SEED / saved
    lines = layerhub.requirements(path)
    assert lines == ["layerhub-seed==1.0.0", LOADER]  # a pathlib.Path, as load_model takes
    assert main(["resolve", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == lines


def test_requirements_of_keras_library_classes_need_no_layerhub(installed, tmp_path):
    installed()
    path = model_dir(tmp_path / "model", layer("keras_hub>BertBackbone", "keras_hub.src.bert"))
    assert layerhub.requirements(path) == ["keras-hub"]  # Keras imports keras_hub itself
    dense = {"module": "keras.layers", "class_name": "Dense", "config": {}, "registered_name": None}
    builtins_only = model_dir(tmp_path / "plain", dense)
    assert layerhub.requirements(builtins_only) == []


def test_requirements_of_a_keras_hub_preset_walk_its_task_too(installed, tmp_path):
    installed("layerhub-seed")
    # KerasHub's classes are Keras's to import: keras-hub, and no layerhub line ...
    assert layerhub.requirements(BENIGN) == ["keras-hub"]
    # ... and what task.json names counts as what config.json names.
    preset = tmp_path / "preset"
    shutil.copytree(BENIGN, preset)
    task = json.loads((preset / "task.json").read_text())
    task["config"]["activation"] = layer("MyLayers>KernelMult", "layerhub_seed.objects")
    (preset / "task.json").write_text(json.dumps(task))
    assert layerhub.requirements(preset) == ["keras-hub", "layerhub-seed==1.0.0", LOADER]


def test_requirements_refuse_a_name_nothing_resolves_naming_where(installed, tmp_path):
    installed()  # the seed plugin is not installed, and no index knows it
    with pytest.raises(MissingObjectsError) as caught:
        layerhub.requirements(SEED / "seed.keras")
    missing = {m.name: m for m in caught.value.missing}
    assert len(missing) == 14 and caught.value.source == str(SEED / "seed.keras")
    assert missing["MyLayers>CustomLayer"] == MissingObject(
        "MyLayers>CustomLayer", "/config/layers/1", "no index knows who provides it"
    )
    # Objects the caller ships itself need no requirement line; the rest still fail.
    assert layerhub.requirements(SEED / "seed.keras", custom_objects=missing) == []
    del missing["MyLayers>CustomLayer"]
    with pytest.raises(MissingObjectsError, match=r"^1 custom object.*'MyLayers>CustomLayer' at"):
        layerhub.requirements(SEED / "seed.keras", custom_objects=missing)


def test_requirements_of_a_file_import_no_keras(seed_site):
    code = f"""
import json, sys, layerhub
lines = layerhub.requirements({str(SEED / "seed.keras")!r})
print(json.dumps({{"lines": lines, "keras": "keras" in sys.modules}}))
"""
    result = last_json(run_python(code, site=seed_site).stdout)
    assert result == {"lines": ["layerhub-seed==1.0.0", LOADER], "keras": False}
