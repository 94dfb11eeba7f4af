"""What search costs a reader and the build, for synthetic KBs of 300 and 3,000 papers (10,000 by asking).

    python benchmarks/bench_search.py [N ...]

For each size the site is built once with `tlnotes build`; then
- indexing: the Pagefind step alone (`mkdocs_plugin._index`), timed on the built site;
- in Chromium (Playwright, a fresh cache each time), the bytes fetched to open
  `/search/?q=WORD` until the first result shows, and those of a paper page, which
  should fetch nothing of search. Bytes are response bodies as served by Python's
  http.server (no compression), each URL counted once, only those answered 200 (a failed
  request is reported, not counted); "gzip" is the same bodies gzipped, as most hosts send
  text (bodies that are gzip already, as Pagefind's index, fragments and wasm are, and
  fonts and images, count as they are; Pagefind's JavaScript and JSON are text and are gzipped).
- the same KB built again with Material's own `search` plugin (a second mkdocs config in the
  KB, `plugins: [search, tlnotes]`): the bytes a reader fetches to open a paper page, click
  the header's search box, type WORD and see the first result of the dialog ("material");
  "of it search" is Material's search_index.json, its search worker and lunr files. That is
  the before of this table: Material's index is fetched whole, on every page, whatever the query.
Goals (issue 13): at 3,000 papers at most 700 KB for the search page and one
query; at 10,000 at most 1 MB, of which search at most 300 KB; indexing 3,000
papers at most 5 s.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from make_kb import make_kb  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("TLNOTES_CHROMIUM", "/usr/bin/chromium")
WORD = "retrieval"  # one of make_kb's title words
BINARY = (".woff2", ".png")  # compressed formats: a host sends them as they are
MATERIAL_SEARCH = ("/search/search_index.json", "/javascripts/workers/search", "/javascripts/lunr/")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def fetched(browser, url: str, ready: str | None, action=None) -> dict[str, int]:
    """Bytes of every response body a fresh page fetches: all, gzipped as a host would send text, and search's.

    `action(page)`, when given, is what the reader does once the page has loaded (type into Material's dialog)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    responses: list = []
    failed: list[str] = []
    page.on("response", lambda r: responses.append(r))
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(url)
    if action:
        page.wait_for_load_state("networkidle")
        action(page)
    if ready:
        page.locator(ready).first.wait_for(timeout=120000)
    page.wait_for_load_state("networkidle")
    bodies: dict[str, bytes] = {}
    for r in responses:
        if r.status != 200:
            failed.append(f"{r.status} {r.url}")
        elif r.url not in bodies:  # a URL answered twice (from the memory cache) is one download
            bodies[r.url] = r.body()
    context.close()
    if failed:
        print(f"bench_search: {url}: not counted: {failed}", file=sys.stderr)
    raw = sum(len(b) for b in bodies.values())
    zipped = sum(len(b) if b[:2] == b"\x1f\x8b" or u.endswith(BINARY) else len(gzip.compress(b)) for u, b in bodies.items())
    search = sum(len(b) for u, b in bodies.items() if "/pagefind/" in u or any(m in u for m in MATERIAL_SEARCH))
    return {"raw": raw, "gzip": zipped, "search": search, "requests": len(bodies)}


def material_dialog(page) -> None:
    page.locator(".md-search__input").click()  # `/` is claimed by tlnotes.js for its own header box
    page.keyboard.type(WORD)


def index_seconds(site: Path) -> float:
    from tlnotes.search_index import index_site

    shutil.rmtree(site / "pagefind")
    start = time.perf_counter()
    index_site(site)
    return time.perf_counter() - start


def main() -> None:
    from playwright.sync_api import sync_playwright

    sizes = [int(a) for a in sys.argv[1:]] or [300, 3000]
    cfg = yaml.safe_load((REPO / "mkdocs.yml").read_text())
    cfg["site_name"] = "synthetic"
    material = dict(cfg, plugins=["search", *cfg["plugins"]])
    print(
        f"{'papers':>7} {'build':>7} {'index':>7} {'search page+query KB':>21} {'gzip KB':>8} {'of it search KB':>16}"
        f" {'reqs':>5} {'paper page KB':>14} {'gzip KB':>8} {'search KB':>10}"
        f" | {'material: page+dialog+query KB':>30} {'gzip KB':>8} {'of it search KB':>16}"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                kb = make_kb(Path(tmp) / "kb", n, mkdocs_yml=yaml.safe_dump(cfg, sort_keys=False))
                (kb / "mkdocs-material.yml").write_text(yaml.safe_dump(material, sort_keys=False))
                (kb / "docs").mkdir()
                (kb / "docs" / "about.md").write_text("# About\n\nA synthetic knowledge base.\n")
                env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
                start = time.perf_counter()
                r = subprocess.run([str(BIN / "tlnotes"), "build", str(kb)], capture_output=True, text=True, env=env)
                if r.returncode:
                    sys.exit(f"bench_search: building {n} papers failed: {r.stderr.strip()}")
                build = time.perf_counter() - start
                site = kb / "site"
                index = index_seconds(site)
                server, url = serve(site)
                query = fetched(browser, f"{url}search/?q={WORD}", "#tln-search-results li a")
                paper = fetched(browser, f"{url}papers/p00000/", None)
                server.shutdown()
                r = subprocess.run(
                    [str(BIN / "mkdocs"), "build", "-f", str(kb / "mkdocs-material.yml"), "-d", str(kb / "site-material")],
                    capture_output=True,
                    text=True,
                    env=env,
                )
                if r.returncode:
                    sys.exit(f"bench_search: building {n} papers with Material's search failed: {r.stderr.strip()}")
                server, url = serve(kb / "site-material")
                mat = fetched(browser, f"{url}papers/p00000/", ".md-search-result__item", material_dialog)
                server.shutdown()
                print(
                    f"{n:>7} {build:>6.1f}s {index:>6.1f}s {query['raw'] / 1024:>21.0f} {query['gzip'] / 1024:>8.0f}"
                    f" {query['search'] / 1024:>16.0f} {query['requests']:>5} {paper['raw'] / 1024:>14.0f}"
                    f" {paper['gzip'] / 1024:>8.0f} {paper['search'] / 1024:>10.0f}"
                    f" | {mat['raw'] / 1024:>30.0f} {mat['gzip'] / 1024:>8.0f} {mat['search'] / 1024:>16.0f}",
                    flush=True,
                )
        browser.close()


if __name__ == "__main__":
    main()
