"""A model of objects declared only in ``layerhub.objects`` (static-blocks, which does not
depend on layerhub) loads in a fresh process with no ``custom_objects``, predicting what
the saving process predicted; a model saved under an old name loads with the warning."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import last_json, run_python

pytestmark = pytest.mark.slow

SAVE = """
import sys, numpy as np, keras
from static_blocks.layers import Scale, Shift

out = sys.argv[1]
x = np.arange(6, dtype="float32").reshape(2, 3)
inputs = keras.Input((3,))
model = keras.Model(inputs, Shift(offset=0.5)(Scale(init=2.0)(keras.layers.Dense(3)(inputs))))
model.save(f"{out}/new.keras")
np.save(f"{out}/new.npy", model.predict(x, verbose=0))

# The previous release registered the same class as "Legacy>Scale".
keras.saving.get_custom_objects().clear()
keras.saving.register_keras_serializable(package="Legacy", name="Scale")(Scale)
inputs = keras.Input((3,))
old = keras.Model(inputs, Scale(init=3.0)(inputs))
old.save(f"{out}/old.keras")
np.save(f"{out}/old.npy", old.predict(x, verbose=0))
"""

LOAD = """
import sys, json, warnings, numpy as np
import layerhub
from layerhub.errors import RenamedObjectWarning as Renamed

out = sys.argv[1]
x = np.arange(6, dtype="float32").reshape(2, 3)
new = layerhub.load_model(f"{out}/new.keras")
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    old = layerhub.load_model(f"{out}/old.keras")
print(json.dumps({
    "new": bool(np.array_equal(new.predict(x, verbose=0), np.load(f"{out}/new.npy"))),
    "old": bool(np.array_equal(old.predict(x, verbose=0), np.load(f"{out}/old.npy"))),
    "warnings": [str(w.message) for w in caught if issubclass(w.category, Renamed)],
    "modules": sorted(m for m in sys.modules if m.startswith("static_blocks")),
}))
"""


def test_declared_objects_load_with_the_saving_predictions(plugin_site, tmp_path: Path):
    site = plugin_site("static-blocks")
    canary = tmp_path / "canary"
    run_python(SAVE, str(tmp_path), site=site)
    result = last_json(
        run_python(LOAD, str(tmp_path), site=site, env={"STATIC_BLOCKS_CANARY": str(canary)}).stdout
    )
    assert result["new"] and result["old"]
    [warning] = result["warnings"]
    assert "'Legacy>Scale' is an old name of 'Static>Scale'" in warning
    assert "static-blocks==1.2.0" in warning
    # Only the targets the files reference were imported, once each.
    assert result["modules"] == ["static_blocks", "static_blocks.layers"]
    assert canary.read_text().split() == ["static_blocks", "static_blocks.layers"]
