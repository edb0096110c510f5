"""The docs cannot rot: every page's code runs, and the site builds strictly.

Each Markdown page in ``docs/`` (and the README) runs in one fresh process, in a
scratch directory holding ``model.keras`` (the seed model), with layerhub-seed
installed. ``python`` blocks run in order in one namespace; ``console`` lines starting
with ``$ layerhub`` run the command. A block right after a ``<!-- no-run -->`` line is
shown but not run (an HTML comment: invisible on GitHub and in the site, where an
extra word after the language would break the fence in Python-Markdown).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from markdown_it import MarkdownIt
from support import ROOT, child_env, run_python

PAGES = [*sorted((ROOT / "docs").glob("**/*.md")), ROOT / "README.md"]
PYTHON = {"python", "py", "python3"}
NO_RUN = "<!-- no-run -->"

RUNNER = """
import json, os, shlex, subprocess, sys, traceback

blocks = json.loads(open(sys.argv[1]).read())
os.chdir(sys.argv[2])
namespace = {"__name__": "__main__"}
for block in blocks:
    where = f"{sys.argv[3]}:{block['line']}"
    if block["kind"] == "console":
        for line in block["code"].splitlines():
            if line.startswith("$ layerhub "):
                args = shlex.split(line[len("$ layerhub "):], comments=True)
                proc = subprocess.run([sys.executable, "-m", "layerhub", *args],
                                      capture_output=True, text=True)
                if proc.returncode != 0:
                    sys.exit(f"{where}: `{line}` exited {proc.returncode}: {proc.stderr}")
        continue
    try:
        exec(compile(block["code"], where, "exec"), namespace)
    except BaseException:
        traceback.print_exc()
        sys.exit(f"{where}: this code block failed")
print(f"ran {len(blocks)} block(s)")
"""


def code_blocks(text: str) -> list[dict]:
    """The runnable fenced blocks of a Markdown page, with their first line number."""
    blocks = []
    previous = None
    for token in MarkdownIt("commonmark").parse(text):
        after, previous = previous, token
        if token.type != "fence":
            continue
        if after is not None and after.type == "html_block" and NO_RUN in after.content:
            continue
        words = token.info.split()
        language = words[0].lower() if words else ""
        kind = "python" if language in PYTHON else "console" if language == "console" else None
        if kind:
            blocks.append({"kind": kind, "line": token.map[0] + 2, "code": token.content})
    return blocks


def test_code_blocks_are_found():
    page = (
        "```python\na = 1\n```\n\n- item\n\n  <!-- no-run -->\n  ```python\n  b = 2\n  ```\n\n"
        "~~~console\n$ x\n~~~"
    )
    assert [(b["kind"], b["line"]) for b in code_blocks(page)] == [("python", 2), ("console", 13)]


def pages() -> list:
    """Every page, those without runnable code skipped up front (no fixtures built)."""
    no_code = pytest.mark.skip(reason="no runnable code blocks")
    return [
        pytest.param(page, id=str(page.relative_to(ROOT)), marks=() if blocks else no_code)
        for page in PAGES
        for blocks in [code_blocks(page.read_text())]
    ]


@pytest.mark.slow
@pytest.mark.parametrize("page", pages())
def test_page_code_runs(page, tmp_path, seed_models, seed_site):
    blocks = code_blocks(page.read_text())
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(seed_models / "seed.keras", work / "model.keras")
    spec = tmp_path / "blocks.json"
    spec.write_text(json.dumps(blocks))
    name = str(page.relative_to(ROOT))
    proc = run_python(RUNNER, str(spec), str(work), name, site=seed_site, check=False)
    assert proc.returncode == 0, f"{proc.stderr[-3000:]}\n{proc.stdout[-1000:]}"


def test_docs_site_builds_strictly(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", str(tmp_path / "site")],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "index.html").is_file()
