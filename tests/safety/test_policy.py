"""The trust policy and safe-mode refusals, decided before keras is imported.

Each child process loads or scans a real archive (the seed model, or a mutation of it)
with a real pip-installed plugin, and reports whether keras or the plugin's objects were
imported by the time layerhub refused."""

from __future__ import annotations

import json

import pytest
from hostile_corpus import h5_copy, rewrite_zip, set_h5_lambda
from support import last_json, run_layerhub, run_python

pytestmark = pytest.mark.slow

REFUSE = """
import json, sys, layerhub
results = {}
for path, safe_mode in json.loads(sys.argv[1]):
    try:
        layerhub.load_model(path, safe_mode=safe_mode)
        results[path] = "loaded"
    except layerhub.UnsafeArchiveError as exc:
        results[path] = str(exc)
print(json.dumps({
    "results": results,
    "imported": sorted(m for m in ("keras", "tensorflow", "layerhub_seed.objects")
                       if m in sys.modules),
}))
"""

LAMBDA = {"class_name": "__lambda__", "config": {"value": ["4wEAAAAAAAAAAAAAAAEAAAAB", None, None]}}


def refuse(cases, site, env=None):
    args = json.dumps([[str(p), s] for p, s in cases])
    return last_json(run_python(REFUSE, args, site=site, env=env).stdout)


def test_safe_mode_refuses_before_keras_is_imported(seed_models, seed_site, tmp_path):
    keras_file = rewrite_zip(
        seed_models / "seed.keras",
        tmp_path / "lambda.keras",
        config=lambda c: c["config"]["layers"][6]["config"].update(activation=LAMBDA),
    )
    h5_file = h5_copy(seed_models / "seed.h5", tmp_path / "lambda.h5", set_h5_lambda)
    result = refuse([(keras_file, True), (h5_file, True)], seed_site)
    assert result["imported"] == []  # refused by layerhub alone: Keras never ran
    keras_message = result["results"][str(keras_file)]
    assert "[critical] lambda at /config/layers/6/config/activation" in keras_message
    assert "pass safe_mode=False" in keras_message
    # legacy .h5: Keras's own safe_mode has a history of not covering it; layerhub does
    assert "[critical] lambda at /config/layers/6" in result["results"][str(h5_file)]


def test_provider_allow_list_from_the_environment(seed_models, seed_site):
    seed = seed_models / "seed.keras"
    env = {"LAYERHUB_ALLOWED_PROVIDERS": "acme-blocks"}
    # Refused even under safe_mode=False, and the untrusted plugin's code never imported.
    result = refuse([(seed, False)], seed_site, env)
    message = result["results"][str(seed)]
    assert "provider-not-allowed" in message and "layerhub-seed==1.0.0" in message
    assert "LAYERHUB_ALLOWED_PROVIDERS" in message
    assert result["imported"] == []
    scan = run_layerhub("scan", "--json", str(seed), site=seed_site, env=env)
    assert scan.returncode == 1
    codes = {f["code"] for f in json.loads(scan.stdout)["files"][0]["findings"]}
    assert codes == {"provider-not-allowed"}
    trusted = run_layerhub(
        "scan", str(seed), site=seed_site, env={"LAYERHUB_ALLOWED_PROVIDERS": "Layerhub_Seed"}
    )
    assert trusted.returncode == 0, trusted.stdout + trusted.stderr


def test_provider_allow_list_from_a_file(seed_models, seed_site, tmp_path):
    seed = str(seed_models / "seed.keras")
    allowlist = tmp_path / "allowlist.toml"
    allowlist.write_text('[allowlist]\nproviders = ["layerhub-seed"]\npackages = ["keras"]\n')
    env = {"LAYERHUB_ALLOWLIST_FILE": str(allowlist)}
    assert run_layerhub("scan", seed, site=seed_site, env=env).returncode == 0
    allowlist.write_text('[allowlist]\nproviders = ["someone-else"]\n')
    denied = run_layerhub("scan", seed, site=seed_site, env=env)
    assert denied.returncode == 1 and f"LAYERHUB_ALLOWLIST_FILE={allowlist}" in denied.stdout
    allowlist.write_text("[allowlist\nproviders = 3")
    broken = run_layerhub("scan", seed, site=seed_site, env=env)
    assert broken.returncode == 2
    assert broken.stderr.startswith("layerhub: error: LAYERHUB_ALLOWLIST_FILE=")
    assert len(broken.stderr.strip().splitlines()) == 1


def test_strict_turns_plugin_warnings_into_errors(seed_models, plugin_site):
    site = plugin_site("layerhub-seed", "broken-hook")
    seed = str(seed_models / "seed.keras")
    relaxed = run_layerhub("scan", seed, site=site)
    assert relaxed.returncode == 0 and "broken-hook" in relaxed.stderr
    strict = run_layerhub("scan", "--strict", seed, site=site)
    assert strict.returncode == 2
    assert "layerhub: error:" in strict.stderr and "Traceback" not in strict.stderr
