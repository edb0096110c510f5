"""The catalog of an index built from two plugin wheels, driven in a real browser.

Debian's ``chromium`` (``apt-get install chromium``; never ``playwright install``), headless
through Playwright, kept off the network by its flags and a host-resolver rule; every
request it makes is recorded and must stay on the site. The install line the name page
shows is then run, for real, against the site's repository.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

#: Chromium without its background traffic (updates, sync, safe browsing, translation)
#: and with every host name unresolvable but the local test server's.
FLAGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
    "--no-first-run",
    "--no-pings",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]


def chromium() -> str:
    """Debian's chromium; missing is a skip locally and a failure in CI."""
    path = shutil.which("chromium")
    if path is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("chromium is missing: .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, wheels) -> Path:
    """``layerhub index build`` of two plugin wheels."""
    from layerhub.publish.site import build

    wheel_dir = tmp_path_factory.mktemp("wheels")
    for name in ("layerhub-seed", "acme-blocks"):
        shutil.copy(wheels(name), wheel_dir)
    out = tmp_path_factory.mktemp("site")
    build(wheel_dir, out)
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator:
    path = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip("playwright is not installed (the test extra)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True, args=FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def server(site: Path) -> Iterator[str]:
    """The site on a static host: Python's http.server on 127.0.0.1."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def browse(browser, base: str) -> dict:
    """Search, follow the result, read the name page; what the browser saw and asked."""
    page = browser.new_page()
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base + "index.html")
    seen: dict = {"fields": page.locator("input").count()}
    assert page.locator('input[type="search"]').count() == 1
    links = page.locator("ul.names li")
    seen["all"] = links.count()
    page.locator('input[type="search"]').press_sequentially("kernelm", delay=20)
    seen["visible"] = page.locator("ul.names li:visible").all_inner_texts()
    page.locator("ul.names li:visible a").first.click()
    page.wait_for_load_state()
    seen["title"] = page.locator("h1").inner_text()
    seen["properties"] = page.locator("table").nth(1).locator("td code").all_inner_texts()
    seen["install"] = page.locator("pre code").first.inner_text()
    seen["url"] = page.url
    page.close()
    seen["requests"], seen["errors"] = requests, errors
    return seen


def check(seen: dict, base: str, site: Path) -> None:
    assert seen["fields"] == 1
    index = json.loads((site / "layerhub-index.json").read_text())
    assert seen["all"] == len(index["names"]) > 2  # a link to every name of both wheels
    assert {d["name"] for d in index["distributions"]} == {"layerhub-seed", "acme-blocks"}
    assert [t.split()[0] for t in seen["visible"]] == ["MyLayers>KernelMult"]
    assert seen["title"] == "MyLayers>KernelMult"
    assert "units" in seen["properties"] and "kernel_initializer" in seen["properties"]
    assert seen["install"] == f"pip install --extra-index-url {base}simple/ layerhub-seed"
    assert seen["url"].startswith(base + "names/")
    assert seen["errors"] == []
    outside = [u for u in seen["requests"] if not u.startswith(base) and u != "data:,"]
    assert outside == []


def test_the_catalog_from_file_urls(browser, site, tmp_path):
    base = site.as_uri() + "/"
    seen = browse(browser, base)
    check(seen, base, site)
    # the line the page shows installs the plugin from this site
    target = tmp_path / "target"
    args = shlex.split(seen["install"])[2:]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "-q",
            "install",
            "--no-deps",
            "--target",
            str(target),
            *[a.replace("--extra-index-url", "--index-url") for a in args],
        ],
        check=True,
    )
    assert list(target.glob("layerhub_seed-*.dist-info"))


def test_the_catalog_from_a_static_host(browser, server, site):
    check(browse(browser, server), server, site)
