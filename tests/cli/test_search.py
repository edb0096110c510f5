"""``layerhub search QUERY``: installed plugins, the curated index and ``LAYERHUB_INDEX``,
ranked, in a fresh process that never imports Keras."""

from __future__ import annotations

import json

from support import run_layerhub, run_python

from layerhub.index.document import document


def search(*args: str, **kwargs):
    result = run_layerhub("search", *args, **kwargs)
    assert not result.stderr, result.stderr
    return result


def test_an_installed_plugin_object_is_found_by_part_of_its_name(seed_site):
    result = search("kernelm", "--json", site=seed_site)
    assert result.returncode == 0
    (first, *_) = json.loads(result.stdout)["results"]
    assert first["name"] == "MyLayers>KernelMult" and first["rank"] == "prefix"
    assert (first["distribution"], first["source"]) == ("layerhub-seed", "entry-point")
    assert first["installed"] is True and first["target"] == "layerhub_seed.objects:MyDense"
    text = search("KernelMult", site=seed_site).stdout.splitlines()
    assert text[2].split()[:4] == ["MyLayers>KernelMult", "?", "layerhub-seed", "installed"]


def test_a_curated_layer_is_found_by_its_class_name_with_its_install_line():
    results = json.loads(search("featurecross", "--json").stdout)["results"]
    assert results[0] == {
        "name": "keras_rs>FeatureCross",
        "rank": "exact",
        "kind": "layer",
        "distribution": "keras-rs",
        "version": "0.4.0",
        "source": "curated",
        "installed": False,
        "target": "keras_rs.src.layers.feature_interaction.feature_cross:FeatureCross",
        "summary": results[0]["summary"],
        "conformance": results[0]["conformance"],
        "index_url": "",
        "install": "pip install keras-rs",
    }
    assert "FeatureCross" in search("FeatureCross").stdout


def test_ranks_run_exact_prefix_substring_then_summary():
    results = json.loads(search("densekan", "--json").stdout)["results"]
    assert [(r["name"], r["rank"]) for r in results[:2]] == [
        ("DenseKAN", "exact"),
        ("tfkan>DenseKAN", "exact"),
    ]
    ranks = [r["rank"] for r in json.loads(search("attention", "--json").stdout)["results"]]
    assert ranks == sorted(ranks, key=["exact", "prefix", "substring", "summary"].index)
    assert {"prefix", "substring", "summary"} <= set(ranks)


def test_layerhub_index_is_searched_with_its_repository_in_the_install_line(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    record = {"name": "acme-wave", "version": "2.0", "source": "entry-point"}
    objects = [{"name": "Acme>WaveletPool", "target": "acme_wave.layers:WaveletPool"}]
    doc = document([{**record, "objects": objects}], simple="simple/")
    (site / "layerhub-index.json").write_text(json.dumps(doc))
    env = {"LAYERHUB_INDEX": str(site)}
    (match,) = json.loads(search("waveletp", "--json", env=env).stdout)["results"]
    assert (match["source"], match["distribution"]) == ("index", "acme-wave")
    repository = (site / "simple").as_uri()
    assert match["install"] == f"pip install --extra-index-url {repository}/ acme-wave"


def test_no_match_exits_1_and_nothing_imports_keras():
    result = search("no-such-layer-anywhere")
    assert (result.returncode, result.stdout) == (1, "nothing matches 'no-such-layer-anywhere'\n")
    assert json.loads(search("no-such-layer", "--json").stdout)["results"] == []
    code = """
    import sys
    from layerhub.plugins.search import search
    assert search("TCN")
    print(sorted(m for m in sys.modules if m.split(".")[0] in ("keras", "tensorflow")))
    """
    assert run_python(code).stdout.strip() == "[]"
