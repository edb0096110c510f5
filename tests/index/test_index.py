"""``layerhub index build`` and ``layerhub resolve``: a site built from the repository's
plugin wheels, served over real HTTP on 127.0.0.1, installed by real pip into a fresh
virtual environment that has layerhub but no plugin."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from support import ROOT, child_env, last_json, run_layerhub, run_python

from layerhub.plugins.resolution import LOADER

INDEX_SCHEMA = json.loads((ROOT / "schemas" / "index.schema.json").read_text())
PLUGINS = ("layerhub-seed", "acme-blocks", "thirdparty-kit")

BUILD = """
import json, sys
from layerhub.cli import main
code = main(["index", "build", sys.argv[1], "-o", sys.argv[2]])
print(json.dumps({"code": code, "keras": "keras" in sys.modules}))
"""


@pytest.fixture(scope="module")
def site(wheels, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site built (in a fresh process that must not import keras) from three wheels."""
    wheel_dir = tmp_path_factory.mktemp("site-wheels")
    for name in PLUGINS:
        wheel = wheels(name)
        (wheel_dir / wheel.name).write_bytes(wheel.read_bytes())
    out = tmp_path_factory.mktemp("site")
    result = last_json(run_python(BUILD, str(wheel_dir), str(out)).stdout)
    assert result == {"code": 0, "keras": False}
    return out


def test_index_build_maps_each_name_to_the_wheel_that_provides_it(site, plugin_site):
    doc = json.loads((site / "layerhub-index.json").read_text())
    jsonschema.validate(doc, INDEX_SCHEMA)
    # What the index says equals what discovery says once the wheels are installed.
    installed = plugin_site("layerhub-seed", "acme-blocks")
    listing = json.loads(run_layerhub("list", "--json", site=installed).stdout)
    expected = {o["name"]: [(o["distribution"], o["version"])] for o in listing["objects"]}
    assert len(expected) == 22
    names = {n: [(p["distribution"], p["version"]) for p in ps] for n, ps in doc["names"].items()}
    assert names == expected
    targets = {o["name"]: o["target"] for d in doc["distributions"] for o in d["objects"]}
    assert targets == {o["name"]: o["target"] for o in listing["objects"]}
    # thirdparty-kit has no entry point (and is not curated): published, but no names.
    assert {d["name"] for d in doc["distributions"]} == {"layerhub-seed", "acme-blocks"}
    assert doc["simple"] == "simple/"


def test_index_build_writes_a_pep503_repository_with_sha256_fragments(site):
    root = (site / "simple" / "index.html").read_text()
    assert re.findall(r'href="([^"]+)"', root) == [f"{p}/" for p in sorted(PLUGINS)]
    for project in PLUGINS:
        page = (site / "simple" / project / "index.html").read_text()
        (href,) = re.findall(r'href="([^"]+)"', page)
        path, _, fragment = href.partition("#sha256=")
        wheel = (site / "simple" / project / path).resolve()
        assert wheel.parent == (site / "files").resolve()
        assert fragment == hashlib.sha256(wheel.read_bytes()).hexdigest()
        assert 'data-requires-python="&gt;=3.10"' in page


def test_index_build_and_resolve_errors_are_one_line(tmp_path, wheels):
    empty = run_layerhub("index", "build", str(tmp_path), "-o", str(tmp_path / "out"))
    assert empty.returncode == 2
    assert empty.stderr.strip() == f"layerhub: error: {tmp_path}: no .whl files to publish"
    broken = tmp_path / "broken"
    broken.mkdir()
    wheel = wheels("broken-import")
    (broken / wheel.name).write_bytes(wheel.read_bytes())
    proc = run_layerhub("index", "build", str(broken), "-o", str(tmp_path / "out"))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
    assert wheel.name in proc.stderr and "this_module_does_not_exist" in proc.stderr
    (tmp_path / "config.json").write_text("{}")  # an (empty) unzipped .keras directory
    nothing = run_layerhub("resolve", str(tmp_path), "--index", str(tmp_path / "nothing.json"))
    assert nothing.returncode == 2 and "cannot read index" in nothing.stderr
    unreachable = run_layerhub("resolve", str(tmp_path), "--index", "http://127.0.0.1:9/")
    assert unreachable.returncode == 2 and "Traceback" not in unreachable.stderr
    assert unreachable.stderr.startswith("layerhub: error: cannot fetch index http://127.0.0.1:9/")
    (tmp_path / "bad.json").write_text('{"format": 1, "distributions": [], "names": {"x": []}}')
    bad = run_layerhub("resolve", str(tmp_path), "--index", str(tmp_path / "bad.json"))
    assert bad.returncode == 2 and "not a layerhub index" in bad.stderr and "/names/x" in bad.stderr


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[str]:
    """The site over real HTTP, bound to the loopback interface only."""
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"],
        cwd=site,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        line = server.stdout.readline() if server.stdout else ""
        match = re.search(r"port (\d+)", line)
        assert match, f"http.server did not start: {line!r}"
        yield f"http://127.0.0.1:{match.group(1)}/"
    finally:
        server.terminate()
        server.wait(timeout=30)


def fresh_venv(path: Path) -> Path:
    """A new virtual environment with no plugin that sees layerhub, keras and pip.

    Creating a venv with TensorFlow would take minutes, so a ``.pth`` file adds this test
    environment's site-packages (processing its own ``.pth`` files, so the editable
    layerhub works) *after* the new venv's own: pip installs into the new venv for real.
    """
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(path)], check=True)
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = sysconfig.get_paths()["purelib"]
    (Path(purelib) / "layerhub_test_env.pth").write_text(
        f"import site; site.addsitedir({ours!r})\n"
    )
    return python


LOAD = """
import json, sys, numpy as np, layerhub
from importlib import metadata
d = sys.argv[1]
model = layerhub.load_model(d + "/seed.keras")
np.testing.assert_array_equal(model.predict(np.load(d + "/x.npy"), verbose=0),
                              np.load(d + "/expected.npy"))
print(json.dumps({"seed_at": str(metadata.distribution("layerhub-seed").locate_file("")),
                  "prefix": sys.prefix}))
"""

MISSING = """
import json, sys, layerhub
try:
    layerhub.load_model(sys.argv[1] + "/seed.keras")
except layerhub.MissingObjectsError as exc:
    print(json.dumps(sorted({m.requirement for m in exc.missing})))
"""


@pytest.mark.slow
def test_resolve_install_from_a_served_site_makes_a_model_loadable(served, seed_models, tmp_path):
    python = fresh_venv(tmp_path / "venv")

    def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [python, *args], env=child_env(**env), capture_output=True, text=True, timeout=600
        )

    models = str(seed_models)
    # No plugin yet: the error names what to install, from LAYERHUB_INDEX.
    missing = run("-c", MISSING, models, LAYERHUB_INDEX=served)
    assert last_json(missing.stdout) == ["layerhub-seed"], missing.stderr

    resolve = run("-m", "layerhub", "resolve", f"{models}/seed.keras", "--index", served)
    assert resolve.returncode == 0, resolve.stderr
    assert resolve.stdout == f"layerhub-seed\n{LOADER}\n"
    install = run(
        "-m", "layerhub", "resolve", f"{models}/seed.keras", "--index", served, "--install"
    )
    assert install.returncode == 0, install.stderr
    assert f"--index-url {served}simple/ layerhub-seed" in install.stderr

    loaded = run("-c", LOAD, models)
    assert loaded.returncode == 0, loaded.stderr
    result = last_json(loaded.stdout)
    assert Path(result["seed_at"]).resolve().is_relative_to((tmp_path / "venv").resolve())


def test_curated_index_is_valid_and_covers_the_popular_packages():
    doc = json.loads((ROOT / "src" / "layerhub" / "data" / "curated_index.json").read_text())
    jsonschema.validate(doc, INDEX_SCHEMA)
    providers = {n: {p["distribution"] for p in ps} for n, ps in doc["names"].items()}
    assert providers["keras_rs>FeatureCross"] == {"keras-rs"}
    assert providers["Custom>default_gain_fn"] == {"keras-rs"}
    assert providers["Custom>TCN"] == {"keras-tcn"}
    assert providers["keras_efficient_kan>KANLinear"] == {"keras_efficient_kan"}
    records = {d["name"]: d for d in doc["distributions"]}
    assert all(r["source"] == "introspection" for r in records.values())
    assert all(r["objects"] or r["modules"] for r in records.values())  # names or classes
    # names derive from the records, nothing more or less
    derived = {o["name"] for r in records.values() for o in r["objects"]}
    assert derived == set(doc["names"])


def test_an_unreachable_index_only_warns_in_load_model(seed_models):
    proc = run_python(MISSING, str(seed_models), env={"LAYERHUB_INDEX": "http://127.0.0.1:9/"})
    assert last_json(proc.stdout) == [None]
    assert "cannot fetch index http://127.0.0.1:9/layerhub-index.json" in proc.stderr
