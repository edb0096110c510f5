"""Regenerate ``src/layerhub/data/curated_index.json`` from the real wheels on the registry.

The curated index is produced exactly like a user's ``layerhub trust``: each distribution
is imported in a child process (:func:`layerhub.index.trusted.introspect_in_child`, which
imports the package and every submodule it ships) and what it registers with Keras is
recorded, with the module prefixes of the Keras-serializable classes it does not register
and the versions checked. Nothing is installed into the running environment: each wheel
goes into a throw-away ``--target`` directory, with whatever it needs that this
environment lacks (one level of ``Requires-Dist`` at a time, heavy frameworks excluded).

Candidates: every distribution of a package list (``--candidates`` TSV with ``name``,
``version``, ``month`` and ``summary`` columns, such as a PyPI name list) whose name or
summary mentions keras and whose latest release is in the Keras 3 era (2023-11 or
later), plus :data:`EXPLICIT`. A wheel whose sources never mention
``register_keras_serializable``, ``get_custom_objects`` or ``get_config`` ships nothing
Keras can deserialize and is not installed. Every candidate's outcome (indexed, nothing
to index, failed and why) goes to ``--report``::

    .venv/bin/python scripts/update_curated_index.py --candidates pypi.tsv \\
        --report scripts/curated_index_report.json
    .venv/bin/python scripts/update_curated_index.py keras-rs keras-tcn   # just these

``--conformance`` then runs the conformance checks over the curated names of the index
it wrote, each distribution in a sandbox (``scripts/curated_conformance.py``), and
records ``pass``, ``fail`` or ``not tried`` per name::

    .venv/bin/python scripts/update_curated_index.py --conformance \
        --conformance-report scripts/curated_conformance_report.json
"""

from __future__ import annotations

import argparse
import concurrent.futures
import csv
import email.parser
import json
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from layerhub.errors import LayerhubError
from layerhub.index.document import document
from layerhub.index.trusted import introspect_in_child
from layerhub.references.keras_names import keras_libraries

OUT = Path(__file__).resolve().parents[1] / "src" / "layerhub" / "data" / "curated_index.json"
FIELDS = ("name", "version", "source", "keras_version", "wheel", "objects", "modules")
ERA = "2023-11"  # Keras 3.0.0 was released in November 2023
#: Checked whatever the package list says (the packages issue 14 measured).
EXPLICIT = (
    "keras-hub",
    "keras-rs",
    "keras-tcn",
    "keras-efficient-kan",
    "kimm",
    "keras-cv-attention-models",
    "keras-nlp",
    "keras-cv",
    # The original of tf-kan-latest (both ship the import package ``tfkan``): its metadata
    # pins Keras 2, yet its layers work under Keras 3 installed without dependencies.
    "tfkan",
    "tf-kan-latest",
)
#: Candidates left out without a look, and why.
EXCLUDED = {
    "keras": "Keras itself (its names are built-ins)",
    "keras-nightly": "a Keras build (its names are built-ins)",
    "keras-test": "a Keras build (its names are built-ins)",
    "tf-keras": "Keras 2 (tf.keras): registers into its own registry, not Keras 3's",
    "tf-keras-nightly": "Keras 2 (tf.keras): registers into its own registry, not Keras 3's",
    "kecam": "an alias of keras-cv-attention-models: the same package under another name",
}
NIGHTLY = re.compile(r"-nightly$")
#: Never installed as a missing requirement: the frameworks (the environment brings its
#: own backend) and GPU runtimes; a package that needs one fails to import, reported.
HEAVY = re.compile(
    r"^(torch|torchvision|torchaudio|tensorflow(-(gpu|cpu|macos|intel|metal|io.*))?|jax|jaxlib"
    r"|tf-keras|keras|nvidia-.*|opencv-.*|mxnet.*|paddlepaddle.*|onnxruntime.*|pyspark|ray)$"
)
MARKERS = re.compile(rb"register_keras_serializable|get_custom_objects|def get_config")
KERAS_IMPORT = re.compile(
    rb"^\s*(import keras|from keras|from tensorflow import keras|import tensorflow)", re.M
)
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]


def candidates(table: Path | None, names: list[str]) -> dict[str, str]:
    """name -> why it is a candidate."""
    found = {n: "named" for n in names}
    if table is None:
        return found
    with table.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            text = f"{row['name']} {row.get('summary') or ''}".lower()
            if "keras" in text and (row.get("month") or "") >= ERA:
                found.setdefault(row["name"], "package list")
    explicit = {name: found.get(name, "explicit") for name in EXPLICIT}
    return {**explicit, **dict(sorted(found.items()))}  # the explicit ones first


def run(command: list[str], timeout: float) -> str:
    """Run ``command``; its last error line on failure (as ``RuntimeError``)."""
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"timed out after {timeout:g} s") from None
    if proc.returncode:
        lines = [line for line in proc.stderr.splitlines() if line.strip()] or ["no output"]
        error = next((x for x in lines if "ERROR" in x), lines[-1])
        raise RuntimeError(error.strip()[:300])
    return proc.stdout


def fetch_wheel(name: str, into: Path) -> Path:
    """The distribution's wheel: downloaded, else built from its sdist (bounded)."""
    try:
        run([*PIP, "download", "--no-deps", "--only-binary", ":all:", "-d", str(into), name], 180)
    except RuntimeError:
        run([*PIP, "wheel", "--no-deps", "-w", str(into), name], 240)
    wheels = sorted(into.glob("*.whl"))
    if not wheels:
        raise RuntimeError("no wheel")
    return wheels[0]


def metadata(wheel: zipfile.ZipFile) -> Any:
    member = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    return email.parser.BytesParser().parsebytes(wheel.read(member), headersonly=True)


def serializable_code(wheel: zipfile.ZipFile) -> bool:
    """Whether a source file both imports Keras and registers or defines a config."""
    for member in wheel.namelist():
        if member.endswith(".py"):
            text = wheel.read(member)
            if MARKERS.search(text) and KERAS_IMPORT.search(text):
                return True
    return False


def installed_here(name: str) -> bool:
    import importlib.metadata

    try:
        importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def declared_requirements(headers: Any) -> Iterator[tuple[Requirement, str]]:
    """Each ``Requires-Dist`` of a wheel's metadata that applies to a plain install (no
    extra), with its canonical name; unparseable lines are skipped."""
    for line in headers.get_all("Requires-Dist") or ():
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if not requirement.marker or requirement.marker.evaluate({"extra": ""}):
            yield requirement, canonicalize_name(requirement.name)


def missing_requirements(headers: Any, site: Path) -> list[str]:
    """The requirements neither this environment nor ``site`` has (heavy ones excluded)."""
    present = {canonicalize_name(p.name.split("-")[0]) for p in site.glob("*.dist-info")}
    missing = []
    for requirement, key in declared_requirements(headers):
        if HEAVY.match(key) or key in present or installed_here(requirement.name):
            continue
        missing.append(requirement.name)
    return sorted(set(missing))


def keras2_pins(headers: Any) -> list[str]:
    """The declared requirements no Keras 3 environment satisfies (``keras<3``, tf-keras...).

    A dependency-resolving install of such a distribution fails beside Keras 3, which is
    why every wheel here is installed without dependencies: what then imports and
    registers is indexed, and the report names the pins its users must ignore too.
    """
    pins = []
    for requirement, key in declared_requirements(headers):
        keras2 = key == "keras" and not requirement.specifier.contains("3.15", prereleases=True)
        if keras2 or key in ("tf-keras", "tf-keras-nightly"):
            pins.append(str(requirement))
    return pins


def install(wheel: Path, site: Path) -> list[str]:
    """Install ``wheel`` and what it needs into ``site``; returns requirements that failed."""
    run([*PIP, "install", "--no-deps", "--target", str(site), str(wheel)], 180)
    with zipfile.ZipFile(wheel) as zipped:
        pending = missing_requirements(metadata(zipped), site)
    failed: list[str] = []
    for _ in range(3):  # requirements of requirements, a few levels deep
        pending = [p for p in pending if p not in failed]
        if not pending:
            break
        try:  # all at once (one pip start-up), one by one only if that fails
            run([*PIP, "install", "--no-deps", "--target", str(site), *pending], 300)
        except RuntimeError:
            for requirement in pending:
                try:
                    run([*PIP, "install", "--no-deps", "--target", str(site), requirement], 240)
                except RuntimeError as exc:
                    failed.append(f"{requirement} ({exc})")
        pending = sorted(
            {
                name
                for info in site.glob("*.dist-info")
                for name in missing_requirements(
                    email.parser.Parser().parsestr((info / "METADATA").read_text(), True), site
                )
            }
        )
    return failed


def check(name: str, work: Path, deadline: float) -> dict[str, Any]:
    """One candidate's outcome: ``status`` indexed, empty, skipped or failed."""
    started = time.monotonic()
    outcome: dict[str, Any] = {"candidate": name}
    if started > deadline:
        return {**outcome, "status": "skipped", "reason": "not checked: --budget ran out"}
    key = canonicalize_name(name)
    if key in EXCLUDED or NIGHTLY.search(key):
        reason = EXCLUDED.get(key, "a nightly build of a distribution checked on its own")
        return {**outcome, "status": "skipped", "reason": reason}
    directory = work / key
    try:
        wheel = fetch_wheel(name, directory / "dl")
        outcome["wheel"] = wheel.name
        with zipfile.ZipFile(wheel) as zipped:
            headers = metadata(zipped)
            if not serializable_code(zipped):
                return {**outcome, "status": "empty", "reason": "no Keras-serializable code"}
        pins = keras2_pins(headers)
        if pins:
            outcome["keras2_pins"] = pins  # not installed: --no-deps below, as its users do
        site = directory / "site"
        outcome["requirements_failed"] = install(wheel, site)
        (record,) = introspect_in_child([headers["Name"]], path=[str(site)], timeout=300)
    except (RuntimeError, LayerhubError) as exc:
        return {**outcome, "status": "failed", "reason": str(exc)[:400]}
    finally:
        outcome["seconds"] = round(time.monotonic() - started, 1)
    record["wheel"] = outcome["wheel"]
    failures = record.pop("import_errors")
    outcome.update(
        name=record["name"],
        version=record["version"],
        objects=len(record["objects"]),
        modules=record["modules"],
        imported=record.pop("imported"),
        import_errors=dict(sorted(failures.items())[:20]),
        import_error_count=len(failures),
        skipped_names=record.pop("skipped"),
    )
    if not record["objects"] and not record["modules"]:
        reason = "registers nothing and defines no Keras-serializable class"
        if failures and not outcome["imported"]:
            return {**outcome, "status": "failed", "reason": "no module imports"}
        return {**outcome, "status": "empty", "reason": reason}
    return {**outcome, "status": "indexed", "record": record}


def library_record(record: dict[str, Any]) -> dict[str, Any]:
    """A Keras library's record keeps only its module prefixes: Keras itself imports
    ``module`` for those (:func:`layerhub.references.keras_names.keras_libraries`), so
    its thousand names need no lazy entries."""
    libraries = keras_libraries()
    own = [m for m in record["modules"] if m.split(".")[0] not in libraries]
    prefixes = {o["target"].split(".")[0] for o in record["objects"]} & libraries
    if not prefixes and len(own) == len(record["modules"]):
        return record
    objects = [o for o in record["objects"] if o["target"].split(".")[0] not in libraries]
    return {**record, "objects": objects, "modules": sorted({*record["modules"], *prefixes})}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="distributions to check (default: EXPLICIT)")
    parser.add_argument("--candidates", type=Path, help="a TSV package list to search")
    parser.add_argument("--report", type=Path, help="write every candidate's outcome here")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT.name} in layerhub")
    parser.add_argument("--keep", type=Path, help="work directory to keep (default: a temp)")
    parser.add_argument("--budget", type=float, default=3600, help="seconds to start checks in")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the index's (and report's) other distributions; replace only those checked",
    )
    parser.add_argument(
        "--conformance",
        action="store_true",
        help="run the conformance checks over the index's curated names (NAMES: only these)",
    )
    parser.add_argument("--conformance-budget", type=float, default=1800, metavar="SECONDS")
    parser.add_argument("--conformance-timeout", type=float, default=300, metavar="SECONDS")
    parser.add_argument("--conformance-report", type=Path, metavar="PATH")
    args = parser.parse_args(argv)
    if args.conformance:
        return conformance(args)
    names = args.names or ([] if args.candidates else list(EXPLICIT))
    found = candidates(args.candidates, names)
    print(f"{len(found)} candidate(s)", flush=True)
    with tempfile.TemporaryDirectory(prefix="curated-") as temporary:
        work = args.keep or Path(temporary)
        outcomes = []
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            deadline = time.monotonic() + args.budget
            futures = {pool.submit(check, name, work, deadline): name for name in found}
            for future in concurrent.futures.as_completed(futures):
                outcome = {**future.result(), "why_candidate": found[futures[future]]}
                outcomes.append(outcome)
                detail = outcome.get("reason") or (
                    f"{outcome['objects']} name(s), modules {outcome['modules']}"
                )
                print(f"{outcome['candidate']}: {outcome['status']}: {detail}", flush=True)
    records = [library_record(o.pop("record")) for o in outcomes if o["status"] == "indexed"]
    if args.merge:
        checked = {canonicalize_name(o["candidate"]) for o in outcomes}
        checked |= {canonicalize_name(o["name"]) for o in outcomes if "name" in o}
        old = json.loads(args.out.read_text())["distributions"]
        records += [r for r in old if canonicalize_name(r["name"]) not in checked]
        if args.report and args.report.exists():
            earlier = json.loads(args.report.read_text())
            outcomes += [o for o in earlier if canonicalize_name(o["candidate"]) not in checked]
    outcomes.sort(key=lambda o: canonicalize_name(o["candidate"]))
    doc = document([{k: r[k] for k in FIELDS if k in r} for r in records])
    args.out.write_text(json.dumps(doc, indent=1) + "\n")
    counts: dict[str, int] = {}
    for outcome in outcomes:
        counts[outcome["status"]] = counts.get(outcome["status"], 0) + 1
    print(f"wrote {args.out}: {len(records)} distribution(s); {counts}")
    print(f"of {len(outcomes)} candidate(s), {counts.get('indexed', 0)} index something")
    if args.report:
        args.report.write_text(json.dumps(outcomes, indent=1) + "\n")
        print(f"wrote {args.report}")
    return 0


def conformance(args: argparse.Namespace) -> int:
    """``--conformance``: statuses into the index at ``--out`` (see curated_conformance)."""
    from curated_conformance import statuses

    doc = json.loads(args.out.read_text())
    report = statuses(
        doc,
        args.names,
        args.conformance_budget,
        args.conformance_timeout,
        args.jobs,
        install=install,
        fetch=fetch_wheel,
    )
    args.out.write_text(json.dumps(document(doc["distributions"]), indent=1) + "\n")
    print(f"wrote {args.out}: conformance {report['totals']} in {report['seconds']} s")
    if args.conformance_report:
        if args.conformance_report.exists() and args.names:  # a partial run adds to the last
            earlier = json.loads(args.conformance_report.read_text())["distributions"]
            report["distributions"] = {**earlier, **report["distributions"]}
        args.conformance_report.write_text(json.dumps(report, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
