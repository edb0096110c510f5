"""The resource budget (``layerhub.safety.budget``): caps, the stored-weights ratio, and
plugin estimates, on real archives edited to declare more than they store.

What Keras would actually build is checked against the estimates by the benign models
of ``test_hostile_gadgets.py``; here, the decisions around them."""

from __future__ import annotations

import pytest
from hostile_corpus import layer, rewrite_zip
from support import last_json, run_python

from layerhub.archive.layout import ModelArchive, StoredWeights
from layerhub.archive.limits import Limits
from layerhub.archive.reader import read_archive
from layerhub.plugins.registry import Registry
from layerhub.references.walk import walk
from layerhub.safety.budget import budget_findings

SCAN = """
import json, sys
from layerhub.safety.scan import scan_file
reports = [scan_file(p).to_json() for p in sys.argv[1:]]
print(json.dumps({"reports": reports, "imported": sorted(
    m for m in ("keras", "tensorflow", "layerhub_seed.objects", "layerhub_seed.estimates")
    if m in sys.modules)}))
"""


def codes(report: dict) -> set[str]:
    return {f["code"] for f in report["findings"]}


@pytest.mark.slow
def test_a_plugin_estimate_counts_and_survives_the_discovery_cache(
    seed_models, seed_site, tmp_path
):
    """NestedDenseLayer(units=10**6) declares 10**12 weights only through the seed's
    ``estimate`` hook: flagged, in a first process and in one replaying discovery."""
    bomb = rewrite_zip(
        seed_models / "seed.keras",
        tmp_path / "nested_bomb.keras",
        config=lambda c: layer(c, "nested")["config"].update(units=10**6),
    )
    env = {"LAYERHUB_CACHE_DIR": str(tmp_path / "cache")}
    for _ in range(2):  # the second process replays the discovery record
        result = last_json(run_python(SCAN, str(bomb), site=seed_site, env=env).stdout)
        assert "weights-over-cap" in codes(result["reports"][0])
        finding = next(
            f for f in result["reports"][0]["findings"] if f["code"] == "weights-over-cap"
        )
        assert finding["location"] == "/config/layers/5"
        assert "LAYERHUB_MAX_PARAMS" in finding["message"]
        assert result["imported"] == ["layerhub_seed.estimates"]
    assert (tmp_path / "cache").exists()


def seed_archive(seed_models, tmp_path, edit=None):
    path = rewrite_zip(seed_models / "seed.keras", tmp_path / "edited.keras", config=edit)
    archive = read_archive(path)
    return archive, list(walk(archive.config))


@pytest.mark.slow
def test_the_limits_decide_and_name_their_variable(seed_models, tmp_path):
    def wide_head(config):
        layer(config, "head")["config"]["units"] = 10**9

    archive, references = seed_archive(seed_models, tmp_path, wide_head)
    empty = Registry()
    found = {f.code: f for f in budget_findings(archive, references, empty, Limits())}
    assert set(found) == {"weights-over-stored"}
    assert found["weights-over-stored"].location == "/config/layers/6"
    assert "LAYERHUB_MAX_UNSTORED_PARAMS" in found["weights-over-stored"].message
    # A trusted file: raise the allowance, and it passes; lower the cap, and it does not.
    assert budget_findings(archive, references, empty, Limits(max_unstored_params=10**10)) == []
    capped = budget_findings(archive, references, empty, Limits(max_params=10**8))
    assert {f.code for f in capped} == {"weights-over-cap", "absurd-shape"}
    few = budget_findings(archive, references, empty, Limits(max_layers=3, max_graph_depth=4))
    assert {"too-many-layers", "graph-too-deep"} <= {f.code for f in few}


def test_budget_findings_come_back_in_config_order_from_plain_dicts():
    """In process, no Keras: each layer's shape findings in file order, then the totals."""

    def dense(name, units):
        config = {"name": name, "units": units}
        return {"module": "keras.layers", "class_name": "Dense", "config": config}

    wide = {"module": "keras.layers", "class_name": "InputLayer"}
    wide["config"] = {"name": "in", "batch_shape": [None, 10**6, 10**6]}
    layers = [wide, dense("a", 10**10), dense("b", -3), dense("c", 2)]
    config = {"module": "keras", "class_name": "Sequential", "config": {"layers": layers}}
    archive = ModelArchive("plain.keras", "keras", config, stored=StoredWeights(10, 40))
    found = budget_findings(archive, list(walk(config)), Registry(), Limits(max_layers=2))
    assert [(f.code, f.location) for f in found] == [
        ("absurd-shape", "/config/layers/0/config/batch_shape"),
        ("absurd-shape", "/config/layers/2/config/units"),
        ("too-many-layers", ""),
        ("weights-over-stored", "/config/layers/1"),
    ]
    assert found[1].message == "units -3 has a negative dimension"
    assert "4 layers, over the limit of 2" in found[2].message
    assert "at least 20000000006 weights (the most, 20000000000, by Dense)" in found[3].message
    assert "LAYERHUB_MAX_UNSTORED_PARAMS" in found[3].message


def test_a_reshape_may_leave_one_dimension_for_keras_to_infer():
    """``Reshape((-1, 2, 2))`` is Keras's own documented example: -1 there is no size."""

    def reshape(target_shape):
        layer = {"module": "keras.layers", "class_name": "Reshape"}
        layer["config"] = {"name": "r", "target_shape": target_shape}
        config = {"module": "keras", "class_name": "Sequential", "config": {"layers": [layer]}}
        archive = ModelArchive("plain.keras", "keras", config)
        return [
            (f.code, f.message) for f in budget_findings(archive, list(walk(config)), Registry())
        ]

    assert reshape([-1, 2, 2]) == []
    assert reshape([-1, -1, 2]) == [
        ("absurd-shape", "target_shape [-1, -1, 2] has a negative dimension")
    ]
    assert reshape([-2, 2]) == [("absurd-shape", "target_shape [-2, 2] has a negative dimension")]
