"""The catalog: HTML pages a person browses, written from an index document.

``layerhub index build`` writes it beside the PEP 503 pages (``--curated`` writes the
curated index's, which the docs publish)::

    SITE/index.html                 one search field filtering the links to every name
    SITE/names/<slug>.html          a registered name: kind, target, schema, summary,
                                    example config, versions, conformance, install line
    SITE/distributions/<slug>.html  a distribution: versions, names, install line

Every page is self-contained (its style and its few lines of script inline, nothing
fetched from elsewhere, links relative), so it works from ``file://`` and from any
static host. Where the site is a package repository too, the install line names its
``simple/`` pages, resolved by the browser against the page's own address.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..names import normalize_name

__all__ = ["slug", "write_catalog"]

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
input[type=search]{width:100%;font-size:1.1rem;padding:.5rem;box-sizing:border-box}
ul.names{list-style:none;padding:0} ul.names li{padding:.2rem 0;border-bottom:1px solid #eee}
.muted{color:#666} code,pre{background:#f5f5f5;padding:.1rem .3rem} pre{padding:.6rem;overflow:auto}
table{border-collapse:collapse} td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left}
.pass{color:#070} .fail{color:#b00}
"""
# Filters the list as the user types: each link's data-text holds what a query matches.
FILTER = """
const q=document.querySelector('input[type=search]'),
items=[...document.querySelectorAll('ul.names li')],count=document.getElementById('count');
function filter(){const t=q.value.trim().toLowerCase();let n=0;
for(const li of items){const hit=!t||li.dataset.text.includes(t);li.hidden=!hit;n+=hit}
count.textContent=n+' of '+items.length+' names';}
q.addEventListener('input',filter);filter();
"""
# The install line against this site's repository: absolute, from the page's address.
REPOSITORY = """
for(const e of document.querySelectorAll('[data-simple]')){
e.textContent=e.dataset.pre+new URL(e.dataset.simple,location.href).href+' '+e.dataset.dist;}
"""


def slug(name: str) -> str:
    """A file name for ``name``: readable, and unique through a short digest."""
    readable = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")[:60] or "name"
    return f"{readable}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def page(title: str, body: str, script: str = "") -> str:
    script_tag = f"<script>{script}</script>" if script else ""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
        '<link rel="icon" href="data:,"></head>\n'
        f"<body>\n{body}\n{script_tag}</body></html>\n"
    )


def html_file(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def esc(value: Any) -> str:
    return html.escape(str(value))


def install_line(dist: str, simple: str | None, depth: str) -> tuple[str, str]:
    """The install line's HTML and whether it needs the repository script."""
    text = f"pip install {dist}"
    if not simple:
        return f"<pre><code>{esc(text)}</code></pre>", ""
    pre = "pip install --extra-index-url "
    attrs = f'data-pre="{esc(pre)}" data-simple="{esc(depth + simple)}" data-dist="{esc(dist)}"'
    fallback = f"{pre}{depth}{simple} {dist}"
    return f"<pre><code {attrs}>{esc(fallback)}</code></pre>", REPOSITORY


def schema_html(schema: Any) -> str:
    if not isinstance(schema, Mapping):
        return '<p class="muted">No schema declared.</p>'
    rows = []
    required = set(schema.get("required", ()))
    for prop, spec in (schema.get("properties") or {}).items():
        spec = spec if isinstance(spec, Mapping) else {}
        kind = spec.get("type", spec.get("$ref", spec.get("enum", "")))
        default = json.dumps(spec["default"]) if "default" in spec else ""
        kind = kind if isinstance(kind, str) else json.dumps(kind)
        rows.append(
            f"<tr><td><code>{esc(prop)}</code></td><td>{esc(kind)}</td>"
            f"<td>{'yes' if prop in required else ''}</td><td>{esc(default)}</td>"
            f"<td>{esc(spec.get('description', ''))}</td></tr>"
        )
    table = (
        "<table><tr><th>property</th><th>type</th><th>required</th><th>default</th>"
        f"<th>description</th></tr>{''.join(rows)}</table>"
        if rows
        else ""
    )
    raw = esc(json.dumps(schema, indent=2))
    return f"{table}<details><summary>The schema as JSON</summary><pre>{raw}</pre></details>"


def example_config(schema: Any) -> Any:
    """The schema's first ``examples`` entry, else its properties' defaults, else None."""
    if not isinstance(schema, Mapping):
        return None
    examples = schema.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    props = schema.get("properties") or {}
    defaults = {
        k: v["default"] for k, v in props.items() if isinstance(v, Mapping) and "default" in v
    }
    return defaults or None


def provider_html(
    name: str, obj: Mapping[str, Any], dist: Mapping[str, Any], simple: str | None
) -> tuple[str, str]:
    """One distribution's record of a name: its section of the name page, and script."""
    dist_link = f"../distributions/{slug(normalize_name(dist['name']))}.html"
    conformance = obj.get("conformance") or "not tried"
    note = obj.get("conformance_note")
    note_html = f' <span class="muted">({esc(note)})</span>' if note else ""
    install, script = install_line(dist["name"], simple, "../")
    example = example_config(obj.get("schema"))
    example_html = (
        f"<pre>{esc(json.dumps(example, indent=2))}</pre>"
        if example is not None
        else '<p class="muted">No example config declared.</p>'
    )
    body = f"""<section>
<h2>Install</h2>
{install}
<table>
<tr><th>registered name</th><td><code>{esc(name)}</code></td></tr>
<tr><th>kind</th><td>{esc(obj.get("kind") or "unknown")}</td></tr>
<tr><th>target</th><td><code>{esc(obj["target"])}</code></td></tr>
<tr><th>distribution</th><td><a href="{esc(dist_link)}">{esc(dist["name"])}</a></td></tr>
<tr><th>version</th><td>{esc(dist["version"])}</td></tr>
<tr><th>Keras version</th><td>{esc(dist.get("keras_version") or "not recorded")}</td></tr>
<tr><th>conformance</th><td>{esc(conformance)}{note_html}</td></tr>
</table>
<h3>Docstring</h3>
<p>{esc(obj.get("summary") or "No docstring recorded.")}</p>
<h3>Schema</h3>
{schema_html(obj.get("schema"))}
<h3>Example config</h3>
{example_html}
</section>"""
    return body, script


def name_page(
    name: str, providers: list[tuple[Mapping[str, Any], Mapping[str, Any]]], simple: str | None
) -> str:
    """A registered name's page: one section per distribution that provides it (two
    distributions may register one name; the page says so rather than pick one)."""
    sections = [provider_html(name, obj, dist, simple) for obj, dist in providers]
    clash = (
        '<p class="muted">Provided by several distributions: '
        + ", ".join(esc(d["name"]) for _, d in providers)
        + ". Install the one the model was saved with.</p>"
        if len(providers) > 1
        else ""
    )
    body = f"""<p><a href="../index.html">All names</a></p>
<h1>{esc(name)}</h1>
{clash}
{"".join(b for b, _ in sections)}"""
    return page(name, body, next((s for _, s in sections if s), ""))


def dist_page(dist: Mapping[str, Any], versions: list[str], simple: str | None) -> str:
    install, script = install_line(dist["name"], simple, "../")
    names = "".join(
        f'<li><a href="../names/{slug(o["name"])}.html">{esc(o["name"])}</a> '
        f'<span class="muted">{esc(o.get("kind", ""))}</span></li>'
        for o in dist["objects"]
    )
    body = f"""<p><a href="../index.html">All names</a></p>
<h1>{esc(dist["name"])}</h1>
<h2>Install</h2>
{install}
<p>Versions: {esc(", ".join(versions))} (names from {esc(dist["source"])})</p>
<h2>Names</h2>
<ul class="names">{names or '<li class="muted">none registered</li>'}</ul>"""
    return page(dist["name"], body, script)


def write_catalog(doc: Mapping[str, Any], out: Path, title: str = "layerhub catalog") -> int:
    """Write the catalog of ``doc`` into ``out``; return the number of name pages."""
    simple = doc.get("simple")
    newest: dict[str, Mapping[str, Any]] = {}
    versions: dict[str, list[str]] = {}
    for dist in doc["distributions"]:  # sorted by name and version: the last is newest
        key = normalize_name(dist["name"])
        newest[key] = dist
        versions.setdefault(key, []).append(dist["version"])
    (out / "names").mkdir(parents=True, exist_ok=True)
    (out / "distributions").mkdir(parents=True, exist_ok=True)
    by_name: dict[str, list[tuple[Mapping[str, Any], Mapping[str, Any]]]] = {}
    for key, dist in sorted(newest.items()):
        html_file(
            out / "distributions" / f"{slug(key)}.html", dist_page(dist, versions[key], simple)
        )
        for obj in dist["objects"]:
            by_name.setdefault(obj["name"], []).append((obj, dist))
    items = []
    for name, providers in by_name.items():
        html_file(out / "names" / f"{slug(name)}.html", name_page(name, providers, simple))
        words = [name, *(f"{o['target']} {o.get('summary', '')} {d['name']}" for o, d in providers)]
        kinds = ", ".join(sorted({o.get("kind") or "unknown" for o, _ in providers}))
        dists = ", ".join(d["name"] for _, d in providers)
        items.append(
            (
                name.lower(),
                f'<li data-text="{esc(" ".join(words).lower())}">'
                f'<a href="names/{slug(name)}.html">{esc(name)}</a>'
                f' <span class="muted">{esc(kinds)} &middot; {esc(dists)}</span></li>',
            )
        )
    items.sort()
    body = f"""<h1>{esc(title)}</h1>
<input type="search" aria-label="Search" autofocus
 placeholder="Search registered names, classes, modules, summaries">
<p id="count" class="muted"></p>
<ul class="names">{"".join(i for _, i in items)}</ul>"""
    html_file(out / "index.html", page(title, body, FILTER))
    return len(items)
