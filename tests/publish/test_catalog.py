"""``layerhub index build --curated``: the curated index's catalog, self-contained."""

from __future__ import annotations

import re

from support import run_layerhub

from layerhub.index.document import curated_index
from layerhub.publish.catalog import slug


def test_the_curated_catalog_has_a_page_per_name_and_fetches_nothing(tmp_path):
    result = run_layerhub("index", "build", "--curated", "-o", str(tmp_path))
    assert result.returncode == 0, result.stderr
    names = curated_index().doc["names"]
    index = (tmp_path / "index.html").read_text()
    assert index.count('<input type="search"') == 1 and index.count("<input") == 1
    assert index.count("<li data-text=") == len(names)
    page = (tmp_path / "names" / f"{slug('tfkan>DenseKAN')}.html").read_text()
    assert "<h1>tfkan&gt;DenseKAN</h1>" in page and "pip install tf-kan-latest" in page
    assert "not tried" in page  # no conformance run recorded for it
    for path in tmp_path.rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"(src|href)=\"(https?:)?//", text), path  # nothing from elsewhere


def test_build_wants_a_wheel_directory_or_curated(tmp_path):
    result = run_layerhub("index", "build", "-o", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr == "layerhub: error: give either WHEEL_DIR or --curated\n"
