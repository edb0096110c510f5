"""Regenerate ``src/layerhub/data/keras_unsafe.json`` from the installed Keras.

``layerhub scan`` must recognise Keras's non-modeling APIs (``enable_unsafe_deserialization``,
``load_model``, ``get_file``...: functions a hostile config can name to turn Keras against
itself) without importing keras, so Keras's own ``NON_MODELING_APIS`` list is shipped as
data. A test checks that the file matches the installed Keras; run this script after
upgrading Keras.

    python scripts/update_keras_unsafe.py
"""

from __future__ import annotations

import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parents[1] / "src/layerhub/data/keras_unsafe.json"


def collect() -> dict:
    import keras
    from keras.src.saving import serialization_lib

    return {
        "keras_version": keras.__version__,
        "non_modeling_apis": sorted(serialization_lib.NON_MODELING_APIS),
    }


if __name__ == "__main__":
    OUT.write_text(json.dumps(collect(), indent=0) + "\n")
    print(f"wrote {OUT}")
