"""The arrays Keras makes of a config's ``__numpy__``/``__tensor__`` values
(``layerhub.safety.placeholders``): counted from the config, flagged by scan and refused
by load before Keras runs.

The fast tests scan real ``.keras`` archives whose config is edited in a temporary
directory (no Keras); the slow ones show that Keras allocates exactly what is counted,
and that ``layerhub.load_model`` refuses the 14.9 GiB file without Keras ever running."""

from __future__ import annotations

import time

import pytest
from hostile_corpus import layer, rewrite_zip
from support import ROOT, last_json, run_python

from layerhub.archive.limits import Limits
from layerhub.findings import Severity
from layerhub.references.walk import walk
from layerhub.safety.placeholders import allocation, placeholder_findings
from layerhub.safety.scan import scan_file

DENSE = ROOT / "tests" / "fixtures" / "keras" / "benign" / "dense.keras"
#: ~100 bytes of config, 8 x 2e9 bytes = 14.9 GiB (numpy 2 reads widths below 2**31).
BOMB = {"class_name": "__numpy__", "config": {"value": [0] * 8, "dtype": "S2000000000"}}


def planted(tmp_path, value, name="planted.keras"):
    """``dense.keras`` with ``value`` among the Dense layer's call arguments, which Keras
    deserializes (``functional.deserialize_node``) while it rebuilds the graph."""

    def edit(config):
        layer(config, "dense")["inbound_nodes"][0]["kwargs"]["planted"] = value

    return rewrite_zip(DENSE, tmp_path / name, config=edit)


WHERE = "/config/layers/1/inbound_nodes/0/kwargs/planted"


def test_the_14_9_gib_value_is_a_critical_finding_at_its_pointer(tmp_path):
    report = scan_file(planted(tmp_path, BOMB))
    [finding] = [f for f in report.findings if f.code.startswith("placeholder")]
    assert finding.code == "placeholder-allocation"
    assert finding.severity is Severity.CRITICAL
    assert finding.location == WHERE
    assert finding.object == "__numpy__"
    assert "16000000000 bytes" in finding.message
    assert "LAYERHUB_MAX_PLACEHOLDER_BYTES" in finding.message


@pytest.mark.parametrize(
    ("value", "dtype", "size"),
    [
        ([[1, 2], [3, 4]], "float32", 16),
        (0, "(10000,10000)f8", 800_000_000),  # a subarray dtype: 800 MB per scalar
        (["x", "y"], "U100000000", 800_000_000),  # unicode: 4 bytes a character
        ([0, 0], {"names": ["a"], "formats": ["(100,100)f8"]}, 160_000),  # structured
        (["a" * 1000, *["b"] * 999], None, 4_000_000),  # inferred: the longest, for each
        ([b for b in range(3)], "V100", 300),
        ([], "S2000000000", 0),
    ],
)
def test_allocation_is_itemsize_times_the_scalars(value, dtype, size):
    assert allocation(value, dtype) == size


def test_subarray_unicode_and_structured_bombs_are_each_flagged(tmp_path):
    values = {
        "/a": {"class_name": "__numpy__", "config": {"value": 0, "dtype": "(10000,10000)f8"}},
        "/b": {"class_name": "__tensor__", "config": {"value": ["x"], "dtype": "U100000000"}},
        "/c": {
            "class_name": "__numpy__",
            "config": {"value": [0], "dtype": {"names": ["a"], "formats": ["(9000,9000)f8"]}},
        },
    }
    config = {"values": [values["/a"], values["/b"], values["/c"]]}
    found = placeholder_findings(list(walk(config)), Limits())
    assert [(f.code, f.location, f.object) for f in found] == [
        ("placeholder-allocation", "/values/0", "__numpy__"),
        ("placeholder-allocation", "/values/1", "__tensor__"),
        ("placeholder-allocation", "/values/2", "__numpy__"),
    ]


def test_values_under_the_limit_each_are_flagged_together():
    each = {"class_name": "__numpy__", "config": {"value": [0] * 10, "dtype": "S10000000"}}
    config = {"values": [each] * 4}  # 100 MB each, 400 MB in all
    found = placeholder_findings(list(walk(config)), Limits())
    assert [(f.code, f.location) for f in found] == [("placeholder-allocation", "/values/0")]
    assert "400000000 bytes in all" in found[0].message
    assert placeholder_findings(list(walk(config)), Limits(max_placeholder_bytes=10**9)) == []


def test_an_unreadable_dtype_is_a_finding_at_the_dtype(tmp_path):
    bogus = {"class_name": "__numpy__", "config": {"value": [0], "dtype": "S15000000000"}}
    report = scan_file(planted(tmp_path, bogus))
    [finding] = [f for f in report.findings if f.code.startswith("placeholder")]
    assert (finding.code, finding.severity) == ("placeholder-dtype", Severity.HIGH)
    assert finding.location == f"{WHERE}/config/dtype"
    assert "'S15000000000'" in finding.message


def test_a_small_array_passes_and_plain_dtypes_need_no_numpy(tmp_path):
    """A genuine constant is no finding; its dtype is read from the table, so the scan
    imports neither NumPy nor Keras (a fresh process)."""
    small = {"class_name": "__tensor__", "config": {"value": [[1.0, 2.0]], "dtype": "float32"}}
    path = planted(tmp_path, small)
    code = """
import json, sys
from layerhub.safety.scan import scan_file
report = scan_file(sys.argv[1])
print(json.dumps({"codes": [f.code for f in report.findings],
                  "imported": sorted(m for m in ("numpy", "keras") if m in sys.modules)}))
"""
    result = last_json(run_python(code, str(path)).stdout)
    assert result == {"codes": [], "imported": []}


def test_scan_exits_non_zero_on_the_bomb(tmp_path):
    from support import run_layerhub

    proc = run_layerhub("scan", str(planted(tmp_path, BOMB)))
    assert proc.returncode != 0
    assert "placeholder-allocation" in proc.stdout
    assert "Traceback" not in proc.stderr


LOAD = """
import json, sys, time
import layerhub
start = time.perf_counter()
try:
    layerhub.load_model(sys.argv[1])
except layerhub.UnsafeArchiveError as exc:
    outcome = {"error": "UnsafeArchiveError", "codes": [f.code for f in exc.findings],
               "locations": [f.location for f in exc.findings]}
except BaseException as exc:
    outcome = {"error": type(exc).__name__, "message": str(exc)[:500]}
outcome["seconds"] = time.perf_counter() - start
outcome["keras"] = "keras" in sys.modules
print(json.dumps(outcome))
"""


@pytest.mark.slow
def test_load_model_refuses_the_bomb_before_keras_runs(tmp_path):
    """Even with ``safe_mode=False`` semantics aside: the refusal comes from the config
    alone, in well under a second, and Keras is never imported (no MemoryError)."""
    path = planted(tmp_path, BOMB)
    started = time.perf_counter()
    result = last_json(run_python(LOAD, str(path)).stdout)
    assert result["error"] == "UnsafeArchiveError", result
    assert "placeholder-allocation" in result["codes"]
    assert WHERE in result["locations"]
    assert result["keras"] is False  # refused before Keras was imported, let alone run
    assert result["seconds"] < 2
    assert time.perf_counter() - started < 60


KERAS_ALLOCATES = """
import json, sys
from keras import ops
from keras.saving import deserialize_keras_object
values = json.loads(sys.argv[1])
print(json.dumps([int(ops.convert_to_numpy(deserialize_keras_object(v)).nbytes)
                  for v in values]))
"""


@pytest.mark.slow
def test_keras_allocates_what_is_counted():
    """The count is what Keras's own deserializer allocates, for every kind of dtype (at
    sizes a test can afford)."""
    import json

    values = [
        {"class_name": "__numpy__", "config": {"value": [[1, 2], [3, 4]], "dtype": "float32"}},
        {"class_name": "__numpy__", "config": {"value": [0, 1, 2], "dtype": "(30,40)f8"}},
        {"class_name": "__numpy__", "config": {"value": ["x", "yy"], "dtype": "U1000"}},
        {"class_name": "__numpy__", "config": {"value": [["ab", "c"]], "dtype": "S700"}},
        {
            "class_name": "__numpy__",
            "config": {"value": [0, 0], "dtype": {"names": ["a"], "formats": ["(9,9)f8"]}},
        },
        {"class_name": "__numpy__", "config": {"value": ["a" * 50, "b"], "dtype": None}},
        {"class_name": "__tensor__", "config": {"value": [[1, 2, 3]], "dtype": "int64"}},
    ]
    got = last_json(run_python(KERAS_ALLOCATES, json.dumps(values)).stdout)
    assert got == [allocation(v["config"]["value"], v["config"]["dtype"]) for v in values]
