"""MkDocs hook: the curated index's catalog, published with the docs under ``catalog/``.

``mkdocs.yml`` lists it under ``hooks``; after the site is built it runs what
``layerhub index build --curated -o SITE/catalog`` runs (docs/package-index.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["on_post_build"]


def on_post_build(config: Any, **kwargs: Any) -> None:
    from layerhub.publish.site import build_curated

    build_curated(Path(config["site_dir"]) / "catalog")
