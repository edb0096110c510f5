"""``hf://`` sources end to end: the real huggingface_hub client in fresh processes against
the Hub-compatible server of :mod:`hub_server` (nothing reaches the internet)."""

from __future__ import annotations

import json
import re
import shutil
import socket
import zipfile
from pathlib import Path

import pytest
from hostile_corpus import CANARY_VAR
from hub_server import hub_env
from support import last_json, run_layerhub, run_python

from layerhub.archive.layout import ASSETS_DIR, KNOWN_MEMBERS
from layerhub.plugins.resolution import LOADER

# One worker runs them all: the session's Hub server and what was pushed to it.

PUSH = """
import json, sys
import numpy as np
import layerhub
from huggingface_hub import HfApi

seed_dir = sys.argv[1]
x = np.load(seed_dir + "/x.npy")
model = layerhub.load_model(seed_dir + "/seed.keras")
layerhub.save_model(model, "hf://alice/seed")
first = HfApi().model_info("alice/seed").sha
first_prediction = model.predict(x, verbose=0)
for layer in model.layers:
    layer.set_weights([w * 2 for w in layer.get_weights()])
layerhub.save_model(model, "hf://alice/seed")
second = HfApi().model_info("alice/seed").sha
np.save(seed_dir + "/hub-first.npy", first_prediction)
np.save(seed_dir + "/hub-second.npy", model.predict(x, verbose=0))
print(json.dumps({"first": first, "second": second}))
"""

LOAD = """
import json, sys
import numpy as np
import layerhub
from layerhub.kerasio.provenance import source_of

seed_dir, out = sys.argv[1], sys.argv[2]
x = np.load(seed_dir + "/x.npy")
plugin_before = "layerhub_seed.objects" in sys.modules
models = {name: layerhub.load_model(name) for name in sys.argv[3:]}
report = {"plugin_before": plugin_before}
for name, model in models.items():
    report[name] = {"source": source_of(model)}
    np.save(f"{out}/{len(report)}.npy", model.predict(x, verbose=0))
    report[name]["prediction"] = f"{out}/{len(report)}.npy"
layerhub.save_model(models[sys.argv[3]], out + "/resaved.keras")
import zipfile
with zipfile.ZipFile(out + "/resaved.keras") as zf:
    report["resaved_source"] = json.loads(zf.read("layerhub.json")).get("source")
print(json.dumps(report))
"""


@pytest.fixture(scope="session")
def pushed(tmp_path_factory, hub, seed_site, seed_models):
    """Two pushes of the seed model to ``hf://alice/seed`` (the second with doubled weights).

    Not a ``shared_build``: each xdist worker runs its own server, so each pushes to it.
    """
    env = hub_env(hub, tmp_path_factory.mktemp("pusher-home"))
    return last_json(run_python(PUSH, str(seed_models), site=seed_site, env=env).stdout)


@pytest.fixture(scope="session")
def loader_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("loader-home")


@pytest.fixture(scope="session")
def loaded(tmp_path_factory, hub, pushed, seed_site, seed_models, loader_home):
    out = tmp_path_factory.mktemp("hub-loaded")
    names = ["hf://alice/seed", f"hf://alice/seed@{pushed['first']}"]
    env = hub_env(hub, loader_home)
    proc = run_python(LOAD, str(seed_models), str(out), *names, site=seed_site, env=env)
    return last_json(proc.stdout)


@pytest.mark.slow
def test_a_pushed_model_loads_back_with_identical_predictions(loaded, pushed, seed_models):
    import numpy as np

    assert loaded["plugin_before"] is False  # the plugin is imported by the load, not before
    latest = loaded["hf://alice/seed"]
    np.testing.assert_array_equal(
        np.load(latest["prediction"]), np.load(seed_models / "hub-second.npy")
    )
    assert latest["source"] == {
        "repository": "hf://alice/seed",
        "revision": None,
        "commit": pushed["second"],
    }


@pytest.mark.slow
def test_a_pinned_revision_loads_that_commit(loaded, pushed, seed_models):
    import numpy as np

    assert pushed["first"] != pushed["second"]
    pinned = loaded[f"hf://alice/seed@{pushed['first']}"]
    np.testing.assert_array_equal(
        np.load(pinned["prediction"]), np.load(seed_models / "hub-first.npy")
    )
    assert pinned["source"]["commit"] == pushed["first"]


@pytest.mark.slow
def test_a_later_save_records_the_commit(loaded, pushed):
    assert loaded["resaved_source"]["commit"] == pushed["second"]
    assert loaded["resaved_source"]["repository"] == "hf://alice/seed"


@pytest.mark.slow
def test_the_push_is_one_commit_with_manifest_and_model_card(hub, pushed):
    repo = hub.repos["alice/seed"]
    files = repo.commits[pushed["second"]]
    assert {
        "config.json",
        "metadata.json",
        "model.weights.h5",
        "layerhub.json",
        "README.md",
    } <= set(files)
    manifest = json.loads(files["layerhub.json"])
    assert {o["distribution"] for o in manifest["objects"]} == {"layerhub-seed"}
    card = files["README.md"].decode()
    assert card.startswith("---\nlibrary_name: keras\n---")
    version = manifest["objects"][0]["version"]
    assert f"pip install 'layerhub[hub]' 'layerhub-seed=={version}'" in card
    assert 'layerhub.load_model("hf://alice/seed")' in card
    assert len(repo.commits) == 3  # the repository's creation, then two saves: two commits


OFFLINE = """
import json, sys
import numpy as np
import layerhub
seed_dir = sys.argv[1]
x = np.load(seed_dir + "/x.npy")
print(json.dumps({name: layerhub.load_model(name).predict(x, verbose=0).tolist()
                  for name in sys.argv[2:]}))
"""


@pytest.mark.slow
def test_offline_loads_come_from_huggingface_hubs_cache(
    hub, loaded, pushed, seed_site, seed_models, loader_home
):
    import numpy as np

    names = ["hf://alice/seed", f"hf://alice/seed@{pushed['first']}"]
    before = len(hub.requests)
    env = hub_env(hub, loader_home, HF_HUB_OFFLINE="1")
    result = last_json(
        run_python(OFFLINE, str(seed_models), *names, site=seed_site, env=env).stdout
    )
    assert len(hub.requests) == before  # not one request
    np.testing.assert_allclose(result[names[0]], np.load(seed_models / "hub-second.npy"))
    np.testing.assert_allclose(result[names[1]], np.load(seed_models / "hub-first.npy"))
    # and nothing was copied anywhere but huggingface_hub's cache
    assert list((loader_home / "hub").glob("models--alice--seed/snapshots/*/config.json"))


CLI = """
import contextlib, io, json, sys
from layerhub.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
text = out.getvalue()
print(json.dumps({"exit": code, "out": json.loads(text) if "--json" in sys.argv else text,
                  "keras": "keras" in sys.modules or "tensorflow" in sys.modules}))
"""


@pytest.mark.slow
def test_scan_and_resolve_read_the_hub_without_keras(hub, pushed, seed_site, tmp_path):
    env = hub_env(hub, tmp_path)
    weights_before = hub.downloads("alice/seed", "model.weights.h5")
    resolve = last_json(
        run_python(CLI, "resolve", "--json", "hf://alice/seed", site=seed_site, env=env).stdout
    )
    assert resolve["exit"] == 0 and resolve["keras"] is False
    assert resolve["out"]["commit"] == pushed["second"]
    assert resolve["out"]["file"] == f"hf://alice/seed@{pushed['second']}"
    assert [r["requirement"].split("==")[0] for r in resolve["out"]["requirements"]] == [
        "layerhub-seed",
        LOADER,
    ]
    assert hub.downloads("alice/seed", "model.weights.h5") == weights_before  # never needed
    scan = last_json(
        run_python(CLI, "scan", "--json", "hf://alice/seed", site=seed_site, env=env).stdout
    )
    assert scan["exit"] == 0 and scan["keras"] is False
    assert scan["out"]["files"][0]["path"] == f"hf://alice/seed@{pushed['second']}"
    assert hub.downloads("alice/seed", "model.weights.h5") == weights_before + 1  # scanned


@pytest.mark.slow
def test_validate_and_inspect_accept_hub_sources(hub, pushed, seed_site, tmp_path):
    env = hub_env(hub, tmp_path)
    validate = run_layerhub(
        "validate", f"hf://alice/seed@{pushed['first']}", site=seed_site, env=env
    )
    assert validate.returncode == 0, validate.stderr
    assert f"hf://alice/seed@{pushed['first']}: valid" in validate.stdout
    inspect = run_layerhub("inspect", "--json", "hf://alice/seed", site=seed_site, env=env)
    assert inspect.returncode == 0, inspect.stderr
    assert json.loads(inspect.stdout)["arrays"] > 0


def test_a_missing_repository_is_bad_input_on_the_cli(hub, tmp_path):
    env = hub_env(hub, tmp_path)
    for command in ("scan", "validate", "resolve", "inspect"):
        proc = run_layerhub(command, "hf://nobody/nothing", env=env)
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert proc.stderr.startswith("layerhub: error: hf://nobody/nothing")
        assert "Traceback" not in proc.stderr


def seed_files(seed_models: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(seed_models / "seed.keras") as zf:
        return {name: zf.read(name) for name in zf.namelist()}


OVERSIZE = """
import json, sys
import layerhub
try:
    layerhub.load_model(sys.argv[1])
    print(json.dumps({"error": None}))
except layerhub.LayerhubError as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc),
                      "findings": [f.code for f in exc.findings],
                      "keras": "keras" in sys.modules}))
"""


@pytest.mark.parametrize(
    ("limit", "member", "code"),
    [
        ("LAYERHUB_MAX_MEMBER_BYTES", "model.weights.h5", "member-too-large"),
        ("LAYERHUB_MAX_CONFIG_BYTES", "config.json", "config-too-large"),
    ],
)
def test_an_oversize_repository_is_refused_before_any_download(
    hub, seed_models, tmp_path, limit, member, code
):
    files = seed_files(seed_models)
    repo = f"big/{code}"
    hub.add(repo, files)
    env = hub_env(hub, tmp_path, **{limit: str(len(files[member]) - 1)})
    result = last_json(run_python(OVERSIZE, f"hf://{repo}", env=env).stdout)
    assert result["error"] == "UnsafeArchiveError"
    assert result["findings"] == [code]
    assert limit in result["message"] and member in result["message"]
    assert result["keras"] is False
    assert [m for m, p in hub.requests if p.startswith(f"/{repo}/resolve/")] == []


PUSH_FAILS = """
import json, sys
import keras, layerhub
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
try:
    layerhub.save_model(model, sys.argv[1])
    print(json.dumps({"error": None}))
except layerhub.LayerhubError as exc:
    print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))
"""


@pytest.mark.slow
def test_a_failed_push_leaves_the_repository_as_it_was(hub, seed_models, tmp_path):
    before = hub.add("alice/kept", seed_files(seed_models))
    files = dict(hub.repos["alice/kept"].commits[before])
    hub.fail_commits = True
    try:
        result = last_json(
            run_python(PUSH_FAILS, "hf://alice/kept", env=hub_env(hub, tmp_path)).stdout
        )
    finally:
        hub.fail_commits = False
    assert result["error"] == "HubError"
    assert result["message"].startswith("hf://alice/kept: push failed:")
    assert hub.requests.count(("POST", "/api/models/alice/kept/commit/main")) == 1
    assert hub.repos["alice/kept"].branches == {"main": before}
    assert hub.repos["alice/kept"].commits == {before: files}


def test_without_huggingface_hub_the_extra_is_named(tmp_path):
    code = """
import sys
sys.modules["huggingface_hub"] = None  # as if not installed
import layerhub
try:
    layerhub.load_model("hf://alice/seed")
except layerhub.LayerhubError as exc:
    from layerhub.errors import MissingDependencyError
    print(type(exc) is MissingDependencyError, isinstance(exc, ImportError), exc)
"""
    proc = run_python(code, env={"HF_HOME": str(tmp_path)})
    assert proc.stdout.startswith("True True hf:// sources need the huggingface_hub package")
    assert "pip install 'layerhub[hub]'" in proc.stdout


def test_import_layerhub_does_not_import_huggingface_hub():
    proc = run_python("import sys, layerhub; print('huggingface_hub' in sys.modules)")
    assert proc.stdout.strip() == "False"


def hub_servable(path: Path) -> dict[str, bytes] | None:
    """The files of a corpus ``.keras`` zip as a Hub repository; None when the case is
    about the zip container itself (member names, compression), which a repository of
    plain files cannot express."""
    if path.suffix != ".keras" or not zipfile.is_zipfile(path):
        return None
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            return None
        if not all(n in KNOWN_MEMBERS or n.startswith(ASSETS_DIR) for n in names):
            return None
        if any(i.compress_size * 100 < i.file_size for i in infos if i.file_size > 1 << 20):
            return None
        try:
            return {n: zf.read(n) for n in names}
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError):
            return None  # truncated, encrypted or an unknown compression: the container


HOSTILE = """
import json, os, sys
import layerhub
results = {}
for name in sys.argv[1:]:
    try:
        layerhub.load_model(name)
        results[name] = None
    except layerhub.LayerhubError as exc:
        results[name] = type(exc).__name__
    except BaseException as exc:
        results[name] = "LEAKED " + type(exc).__name__ + ": " + str(exc)[:200]
print(json.dumps({"results": results, "ran": os.path.exists(os.environ["HOSTILE_CANARY"]),
                  "payload": "hostile_payload" in sys.modules}))
"""


@pytest.mark.slow
def test_hostile_repositories_are_refused_like_local_files(hub, corpus, seed_site, tmp_path):
    site = tmp_path / "site"  # the seed plugin and the payload module both importable
    shutil.copytree(seed_site, site)
    shutil.copy(Path(corpus["payload"]) / "hostile_payload.py", site)
    seed_site = site
    expected = {}
    for path, case in corpus["cases"].items():
        files = hub_servable(path)
        if files is None:
            continue
        repo = "hostile/" + re.sub(r"[^A-Za-z0-9_.-]", "-", path.stem)
        hub.add(repo, files)
        expected[f"hf://{repo}"] = case.error
    assert len(expected) >= 25  # most of the corpus is about content, not the zip container
    env = hub_env(hub, tmp_path, **{CANARY_VAR: str(tmp_path / "canary")})
    result = last_json(run_python(HOSTILE, *expected, site=seed_site, env=env).stdout)
    assert result["results"] == expected
    assert result["ran"] is False and result["payload"] is False


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_an_unreachable_hub_falls_back_to_the_cache(hub, loaded, pushed, seed_site, loader_home):
    env = hub_env(hub, loader_home, HF_ENDPOINT=f"http://127.0.0.1:{closed_port()}")
    proc = run_layerhub("resolve", "--json", "hf://alice/seed", site=seed_site, env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["commit"] == pushed["second"]


def test_an_unreachable_hub_with_nothing_cached_is_one_line(hub, tmp_path):
    env = hub_env(hub, tmp_path, HF_ENDPOINT=f"http://127.0.0.1:{closed_port()}")
    proc = run_layerhub("scan", "hf://alice/seed", env=env)
    assert proc.returncode == 2
    assert proc.stderr.startswith("layerhub: error: hf://alice/seed: the Hub cannot be reached")
    assert "no cached snapshot" in proc.stderr and len(proc.stderr.splitlines()) == 1


@pytest.mark.parametrize("location", ["hf://owner", "hf://a/b/c", "hf://a/b@", "hf:///b"])
def test_a_malformed_hub_location_names_the_expected_form(location):
    import layerhub

    with pytest.raises(layerhub.CorruptArchiveError, match="expected hf://owner/name"):
        layerhub.load_model(location)


def test_only_the_model_files_are_downloaded(hub, seed_models, tmp_path):
    files = {**seed_files(seed_models), "README.md": b"# card\n", "data/train.bin": b"x" * 4096}
    commit = hub.add("alice/with-extras", files)
    proc = run_layerhub("scan", "hf://alice/with-extras", env=hub_env(hub, tmp_path))
    assert proc.returncode in (0, 1), proc.stderr  # findings or not: the seed plugin is absent
    fetched = {
        p.rpartition("/resolve/")[2].partition("/")[2]
        for m, p in hub.requests
        if m == "GET" and p.startswith("/alice/with-extras/resolve/")
    }
    assert fetched == set(seed_files(seed_models))  # no README.md, nothing under data/
    assert f"hf://alice/with-extras@{commit}" in proc.stdout
