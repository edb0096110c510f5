"""``import layerhub`` and discovery import neither keras, tensorflow nor a schema validator
(fresh processes)."""

from __future__ import annotations

import json

from support import last_json, run_python

PROBE = """
import json, sys
import layerhub
before = sorted(m for m in ("keras", "tensorflow", "jax") if m in sys.modules)
registry = layerhub.get_registry()
after = sorted(m for m in ("keras", "tensorflow", "jax") if m in sys.modules)
plugins = sorted(m for m in sys.modules if m.startswith(("layerhub_seed", "acme_blocks")))
# The schema validators are imported on the first check, never by discovery.
validators = sorted(m for m in ("jsonschema", "jsonschema_rs") if m in sys.modules)
print(json.dumps({"before": before, "after": after, "names": len(registry), "plugins": plugins,
                  "validators": validators}))
"""


def test_import_and_discovery_leave_keras_out(plugin_site, tmp_path):
    site = plugin_site("layerhub-seed", "acme-blocks", "broken-import", "broken-hook")
    env = {"LAYERHUB_CACHE_DIR": str(tmp_path)}  # nothing recorded yet: every hook runs
    result = last_json(run_python(PROBE, site=site, env=env).stdout)
    assert result["before"] == []
    assert result["after"] == [], "discovery imported a heavy framework"
    assert result["validators"] == [], "discovery imported a schema validator"
    assert result["names"] >= 15 + 7
    # Only the hook plugin's light entry-point module is imported, never an objects
    # module, and nothing at all of the seed, which declares its names statically.
    assert result["plugins"] == ["acme_blocks", "acme_blocks.layerhub_plugin"]
    # The next process replays what the hooks registered: no plugin module at all.
    replayed = last_json(run_python(PROBE, site=site, env=env).stdout)
    assert replayed["after"] == [] and replayed["plugins"] == []
    assert replayed["names"] == result["names"]


def test_cli_list_does_not_import_keras(seed_site):
    code = """
import sys, io, contextlib, json
from layerhub.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    main(["list", "--json"])
assert "keras" not in sys.modules and "tensorflow" not in sys.modules
print(json.dumps(json.loads(out.getvalue())["objects"][0]))
"""
    first = json.loads(run_python(code, site=seed_site).stdout.strip().splitlines()[-1])
    assert first["name"] == "ComplexModels>CustomModel"
