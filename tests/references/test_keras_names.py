"""The shipped list of Keras built-in names matches the installed Keras."""

from __future__ import annotations

import json

import pytest
from support import ROOT, run_python

from layerhub.references.keras_names import builtin_names


@pytest.mark.slow
def test_builtin_names_match_installed_keras():
    code = f"""
import json, sys
sys.path.insert(0, {str(ROOT / "scripts")!r})
from update_keras_builtins import collect
print(json.dumps(collect()["names"]))
"""
    installed = set(json.loads(run_python(code).stdout.strip().splitlines()[-1]))
    shipped = builtin_names()
    assert shipped == installed, (
        "src/layerhub/data/keras_builtins.json is stale: run scripts/update_keras_builtins.py "
        f"(missing {sorted(installed - shipped)[:10]}, extra {sorted(shipped - installed)[:10]})"
    )
