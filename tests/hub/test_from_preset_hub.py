"""A plugin's KerasHub preset through the Hub: uploaded with KerasHub's own
``keras_hub.upload_preset`` from an activated process, then loaded by KerasHub-only code
under ``LAYERHUB_ACTIVATE=1`` from ``hf://``, online once and then offline from
huggingface_hub's cache (the local Hub server of :mod:`hub_server`; nothing leaves the
machine)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from hub_server import hub_env
from support import last_json, run_python

sys.path.insert(0, str(Path(__file__).parents[1]))

from kerashub_processes import LOAD, SAVE, TIMEOUT, env

from layerhub.plugins.resolution import LOADER

pytestmark = pytest.mark.slow

REPO = "alice/tiny-preset"


@pytest.fixture(scope="module")
def uploaded(tmp_path_factory, hub, kerashub_sites) -> Path:
    """The preset saved and uploaded by KerasHub in an activated process."""
    preset = tmp_path_factory.mktemp("hub-presets") / "tiny"
    variables = env(kerashub_sites["plugin"], kerashub_sites["keras_hub"])
    variables.update(hub_env(hub, tmp_path_factory.mktemp("uploader-home")))
    run_python(SAVE, str(kerashub_sites["layerhub"]), str(preset), f"hf://{REPO}", env=variables)
    return preset


def test_upload_preset_carries_the_provenance_files(hub, uploaded):
    repo = hub.repos[REPO]
    files = repo.commits[repo.branches["main"]]
    assert {"config.json", "model.weights.h5", "layerhub.json", "requirements.txt"} <= set(files)
    assert files["requirements.txt"] == f"hub-backbone==0.3.0\n{LOADER}\n".encode()
    manifest = json.loads(files["layerhub.json"])
    assert [o["name"] for o in manifest["objects"]] == ["HubBackbone>TinyBackbone"]


def test_keras_hub_loads_the_plugin_preset_from_hf_then_offline(
    hub, uploaded, kerashub_sites, tmp_path
):
    def load(**extra: str) -> dict:
        variables = env(kerashub_sites["plugin"], kerashub_sites["keras_hub"])
        variables.update(hub_env(hub, tmp_path / "home", **extra))
        arguments = (str(kerashub_sites["layerhub"]), f"hf://{REPO}", str(uploaded))
        return last_json(run_python(LOAD, *arguments, env=variables, timeout=TIMEOUT).stdout)

    online = load()
    assert online.get("identical") is True, online
    assert online["class"] == "hub_backbone.backbone.TinyBackbone"
    assert hub.downloads(REPO, "model.weights.h5") == 1  # fetched once, by layerhub:
    commit = hub.repos[REPO].branches["main"]
    fetched = [url for method, url in hub.requests if method == "GET" and "/resolve/" in url]
    assert f"/{REPO}/resolve/{commit}/model.weights.h5" in fetched  # pinned to the commit
    assert f"/{REPO}/resolve/main/model.weights.h5" not in fetched  # (KerasHub's own: main)
    before = len(hub.requests)
    offline = load(HF_HUB_OFFLINE="1")
    assert offline.get("identical") is True, offline
    assert len(hub.requests) == before  # not one request
