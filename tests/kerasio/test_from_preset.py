"""KerasHub's own ``from_preset`` and ``save_to_preset`` under ``LAYERHUB_ACTIVATE=1``.

Fresh processes on TensorFlow that import only keras_hub: a preset whose backbone is a
plugin's ``keras_hub.models.Backbone`` subclass loads, with predictions equal to the
saving process's; without the switch KerasHub cannot find the class. Hostile presets are
refused with a :class:`~layerhub.UnsafeArchiveError` naming the member and the JSON
pointer before KerasHub reads any member: KerasHub's ``get_file`` (every preset file it
reads goes through it) is never called, the Lambda never runs, ``keras.config`` is
unchanged, and the file a link points at is never opened.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from hostile_corpus import CANARY_VAR
from kerashub_processes import LOAD, PLUGIN, SAVE, START, TIMEOUT, env
from presets import BENIGN, HOSTILE, SHARDED, hostile
from support import last_json, run_python

from layerhub.plugins.resolution import LOADER

pytestmark = pytest.mark.slow


def save(kerashub_sites: dict[str, Path], preset: Path, *, activate: bool) -> dict:
    proc = run_python(
        SAVE,
        str(kerashub_sites["layerhub"]),
        str(preset),
        env=env(kerashub_sites["plugin"], kerashub_sites["keras_hub"], activate=activate),
        timeout=TIMEOUT,
    )
    return last_json(proc.stdout)


@pytest.fixture(scope="module")
def preset(tmp_path_factory, kerashub_sites) -> Path:
    """The tiny plugin backbone saved by ``save_to_preset`` in an activated process."""
    path = tmp_path_factory.mktemp("presets") / "tiny"
    save(kerashub_sites, path, activate=True)
    return path


def load(
    kerashub_sites: dict[str, Path], preset: str, saved: Path, *, activate: bool = True, plugin=True
) -> dict:
    installed = [kerashub_sites["plugin"]] if plugin else []
    proc = run_python(
        LOAD,
        str(kerashub_sites["layerhub"]),
        preset,
        str(saved),
        env=env(*installed, kerashub_sites["keras_hub"], activate=activate),
        timeout=TIMEOUT,
    )
    return last_json(proc.stdout)


def test_keras_hub_alone_loads_a_plugin_backbone_under_the_switch(kerashub_sites, preset):
    report = load(kerashub_sites, str(preset), preset)
    assert report["started"] == ["layerhub"], report  # keras, keras_hub, the plugin wait
    assert report.get("identical") is True, report
    assert report["class"] == "hub_backbone.backbone.TinyBackbone"


def test_without_the_switch_keras_hub_finds_no_class(kerashub_sites, preset):
    report = load(kerashub_sites, str(preset), preset, activate=False)
    assert report["error"] == "ValueError", report
    assert "no class registered with Keras for HubBackbone>TinyBackbone" in report["message"]


def test_a_missing_plugin_is_named_with_the_version_the_preset_records(kerashub_sites, preset):
    report = load(kerashub_sites, str(preset), preset, plugin=False)
    assert report["error"] == "MissingObjectsError", report
    assert "HubBackbone>TinyBackbone" in report["message"]
    assert "pip install 'hub-backbone==0.3.0'" in report["message"]  # from layerhub.json


def test_save_to_preset_under_the_switch_records_the_plugin(kerashub_sites, preset, tmp_path):
    manifest = json.loads((preset / "layerhub.json").read_text())
    assert [(o["name"], o["distribution"], o["version"]) for o in manifest["objects"]] == [
        ("HubBackbone>TinyBackbone", PLUGIN, "0.3.0")
    ]
    assert manifest["backend"] == "tensorflow"
    assert (preset / "requirements.txt").read_text() == f"{PLUGIN}==0.3.0\n{LOADER}\n"
    plain = save(kerashub_sites, tmp_path / "plain", activate=False)
    assert plain["files"] == ["config.json", "metadata.json", "model.weights.h5"]


# -- hostile presets ------------------------------------------------------------------------

HOSTILE_LOAD = (
    START
    + """
import json, os, sys
opened = []  # every file outside the presets' own trees that anything opens
sys.addaudithook(lambda event, args: event == "open" and isinstance(args[0], str)
                 and os.path.basename(args[0]).startswith("outside-") and opened.append(args[0]))
import keras, keras_hub
from keras_hub.src.utils import preset_utils

read = []  # every preset file KerasHub reads goes through get_file
own_get_file = preset_utils.get_file
def get_file(preset, path):
    read.append(path)
    return own_get_file(preset, path)
preset_utils.get_file = get_file

floatx = keras.config.floatx()
report = {}
for argument in sys.argv[1:]:
    kind, preset = argument.split("=", 1)
    cls = {"task": keras_hub.models.TextClassifier, "backbone": keras_hub.models.Backbone}[kind]
    read.clear()
    try:
        cls.from_preset(preset)
    except Exception as exc:
        outcome = {"classes": [c.__name__ for c in type(exc).__mro__], "message": str(exc),
                   "locations": [f.location for f in getattr(exc, "findings", ())]}
    else:
        outcome = {"loaded": True}
    report[os.path.basename(preset)] = {**outcome, "read": list(read)}
report["floatx"] = [floatx, keras.config.floatx()]
report["opened"] = opened
report["canary"] = os.path.exists(os.environ["HOSTILE_CANARY"])
print(json.dumps(report))
"""
)


def test_hostile_presets_are_refused_before_keras_hub_reads_them(kerashub_sites, tmp_path):
    """The hostile presets of tests/presets.py (edits of real keras-hub saves) through
    KerasHub's own ``from_preset``; the benign one they are made from loads."""
    benign = tmp_path / "bert_classifier"
    shutil.copytree(BENIGN, benign)
    cases = {name: hostile(name, tmp_path) for name in HOSTILE}
    kinds = {name: "backbone" if HOSTILE[name][0] == SHARDED else "task" for name in HOSTILE}
    canary = tmp_path / "canary"
    proc = run_python(
        HOSTILE_LOAD,
        str(kerashub_sites["layerhub"]),
        f"task={benign}",
        *(f"{kinds[name]}={path}" for name, path in cases.items()),
        env=env(kerashub_sites["keras_hub"], **{CANARY_VAR: str(canary)}),
        timeout=TIMEOUT,
    )
    report = last_json(proc.stdout)
    assert report["bert_classifier"]["loaded"] is True, report["bert_classifier"]
    assert "task.json" in report["bert_classifier"]["read"]  # KerasHub reads what it loads
    for name in cases:
        outcome, location = report[name], HOSTILE[name][3]
        assert "UnsafeArchiveError" in outcome.get("classes", ()), (name, outcome)
        assert "LayerhubError" in outcome["classes"]
        assert location in outcome["locations"], (name, outcome)
        member, _, pointer = location.removeprefix("member:").partition("#")
        assert member in outcome["message"] and pointer in outcome["message"], (name, outcome)
        assert outcome["read"] == [], name  # KerasHub read no member of it
    assert report["floatx"] == ["float32", "float32"]
    assert report["opened"] == []  # no linked-to file was opened, by anyone
    assert report["canary"] is False  # no Lambda ran


# -- activate() in process ------------------------------------------------------------------

IN_PROCESS = """
import json, sys
import keras, keras_hub
from keras_hub.src.models import backbone, task
from keras_hub.src.utils import preset_utils

import layerhub
from layerhub.kerasio.activation import deactivate

preset, name = sys.argv[1], "HubBackbone>TinyBackbone"
modules = (preset_utils, backbone, task)
own = [m.get_preset_loader for m in modules]


def attempt(source):
    try:
        keras_hub.models.Backbone.from_preset(source)
    except Exception as exc:
        return {"classes": [c.__name__ for c in type(exc).__mro__], "message": str(exc)}
    return {"loaded": True}


report = {"before": keras.saving.get_registered_object(name) is None}
layerhub.activate()  # keras_hub imported already: its modules are patched now
found = keras.saving.get_registered_object(name)
report["found"] = found and f"{found.__module__}.{found.__name__}"
report["utils"] = keras.utils.get_registered_object is keras.saving.get_registered_object
report["routed"] = [m.get_preset_loader is not o for m, o in zip(modules, own)]
report["builtin"] = attempt("bert_tiny_en_uncased")
report["kaggle"] = attempt("kaggle://keras/bert/keras/bert_tiny_en_uncased")
report["local"] = attempt(preset)
# a Transformers checkpoint: read (links refused), then left to KerasHub's converter
import pathlib
converted = pathlib.Path(sys.argv[2])
report["converted"] = attempt(str(converted))
(converted / "vocab.txt").symlink_to(converted.parent / "outside-vocab.txt")
report["converted_link"] = attempt(str(converted))
from hub_backbone.backbone import TinyBackbone
import os, tempfile
target = tempfile.mkdtemp()
try:  # the plugin's schema allows hidden_dim up to 64
    TinyBackbone(vocabulary_size=50, hidden_dim=65).save_to_preset(target)
except Exception as exc:
    report["invalid"] = {"classes": [c.__name__ for c in type(exc).__mro__],
                         "message": str(exc), "files": sorted(os.listdir(target))}
# a preset without plugin objects saved over the plugin's keeps no stale record
import shutil
over = tempfile.mkdtemp()
shutil.copytree(preset, over, dirs_exist_ok=True)
keras_hub.models.BertBackbone(vocabulary_size=10, num_layers=1, num_heads=1, hidden_dim=4,
                              intermediate_dim=4, max_sequence_length=8).save_to_preset(over)
report["saved_over"] = sorted(os.listdir(over))
keras.config.enable_unsafe_deserialization()
report["unsafe_builtin"] = attempt("bert_tiny_en_uncased")
deactivate()
report["restored"] = keras.saving.get_registered_object.__module__
report["unrouted"] = [m.get_preset_loader is o for m, o in zip(modules, own)]
print(json.dumps(report))
"""


def test_activate_in_process_routes_imported_keras_hub_and_deactivate_undoes_it(
    kerashub_sites, preset, tmp_path
):
    converted = tmp_path / "transformers"
    converted.mkdir()
    (converted / "config.json").write_text(json.dumps({"model_type": "bert", "vocab_size": 9}))
    (tmp_path / "outside-vocab.txt").write_text("[PAD]\n")
    proc = run_python(
        IN_PROCESS,
        str(preset),
        str(converted),
        env=env(kerashub_sites["plugin"], kerashub_sites["keras_hub"], activate=False),
        timeout=TIMEOUT,
    )
    report = last_json(proc.stdout)
    assert report["before"] is True  # Keras alone does not know the plugin's class
    # the public lookup KerasHub's from_preset asks answers plugin names, importing them
    assert report["found"] == "hub_backbone.backbone.TinyBackbone"
    assert report["utils"] is True
    assert report["routed"] == [True, True, True]
    for source in ("builtin", "kaggle"):  # nothing to analyse first: refused, in safe mode
        assert "UnsafeArchiveError" in report[source]["classes"], report[source]
        assert "cannot analyse this preset" in report[source]["message"]
    assert report["local"] == {"loaded": True}
    # the converter ran (and found no weights): layerhub let it
    assert "LayerhubError" not in report["converted"]["classes"], report["converted"]
    assert "safetensors" in report["converted"]["message"]  # the package, or the file
    assert "UnsafeArchiveError" in report["converted_link"]["classes"]
    assert "vocab.txt" in report["converted_link"]["message"]
    # save_to_preset validates a config before KerasHub writes it
    assert "SchemaViolationError" in report["invalid"]["classes"], report["invalid"]
    assert "config.json" in report["invalid"]["message"]
    assert "/hidden_dim" in report["invalid"]["message"]
    assert report["invalid"]["files"] == []
    # unsafe deserialization enabled: handed to KerasHub, which needs kagglehub for it
    assert "LayerhubError" not in report["unsafe_builtin"]["classes"], report
    assert "kagglehub" in report["unsafe_builtin"]["message"]
    assert report["saved_over"] == ["config.json", "metadata.json", "model.weights.h5"]
    assert report["restored"] == "keras.src.saving.object_registration"
    assert report["unrouted"] == [True, True, True]
