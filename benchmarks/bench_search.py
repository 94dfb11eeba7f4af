"""What search costs a reader and the build, for synthetic KBs of 300 and 3,000 papers (10,000 by asking).

    python benchmarks/bench_search.py [N ...]

For each size the site is built once with `tlnotes build`; then
- indexing: the Pagefind step alone (`mkdocs_plugin._index`), timed on the built site;
- in Chromium (Playwright, a fresh cache each time), the bytes fetched to open
  `/search/?q=WORD` until the first result shows, and those of a paper page, which
  should fetch nothing of search. Bytes are response bodies as served by Python's
  http.server (no compression); "gzip" is the same bodies gzipped, as most hosts
  send text (Pagefind's own files are compressed already and count as they are).
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
COMPRESSED = ("pagefind", ".pf_", ".woff2", ".png")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def fetched(browser, url: str, ready: str | None) -> dict[str, int]:
    """Bytes of every response body a fresh page fetches: all, gzipped as a host would send text, and search's."""
    context = browser.new_context()
    page = context.new_page()
    responses: list = []
    page.on("response", lambda r: responses.append(r))
    page.goto(url)
    if ready:
        page.locator(ready).first.wait_for(timeout=60000)
    page.wait_for_load_state("networkidle")
    bodies = [(r.url, r.body()) for r in responses if r.status == 200]
    context.close()
    raw = sum(len(b) for _, b in bodies)
    zipped = sum(len(b) if any(c in u for c in COMPRESSED) else len(gzip.compress(b)) for u, b in bodies)
    search = sum(len(b) for u, b in bodies if "/pagefind/" in u)
    return {"raw": raw, "gzip": zipped, "search": search, "requests": len(bodies)}


def index_seconds(site: Path) -> float:
    from tlnotes.mkdocs_plugin import index_site

    shutil.rmtree(site / "pagefind")
    start = time.perf_counter()
    index_site(site)
    return time.perf_counter() - start


def main() -> None:
    from playwright.sync_api import sync_playwright

    sizes = [int(a) for a in sys.argv[1:]] or [300, 3000]
    cfg = yaml.safe_load((REPO / "mkdocs.yml").read_text())
    cfg["site_name"] = "synthetic"
    print(
        f"{'papers':>7} {'build':>7} {'index':>7} {'search page+query KB':>21} {'gzip KB':>8} {'of it search KB':>16}"
        f" {'reqs':>5} {'paper page KB':>14} {'gzip KB':>8} {'search KB':>10}"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        for n in sizes:
            with tempfile.TemporaryDirectory() as tmp:
                kb = make_kb(Path(tmp) / "kb", n, mkdocs_yml=yaml.safe_dump(cfg, sort_keys=False))
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
                print(
                    f"{n:>7} {build:>6.1f}s {index:>6.1f}s {query['raw'] / 1024:>21.0f} {query['gzip'] / 1024:>8.0f}"
                    f" {query['search'] / 1024:>16.0f} {query['requests']:>5} {paper['raw'] / 1024:>14.0f}"
                    f" {paper['gzip'] / 1024:>8.0f} {paper['search'] / 1024:>10.0f}",
                    flush=True,
                )
        browser.close()


if __name__ == "__main__":
    main()
