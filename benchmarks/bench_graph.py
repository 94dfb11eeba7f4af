"""Graph data size and drawing time in Chromium for synthetic KBs of 300 and 3,000 papers.

    python benchmarks/bench_graph.py [N ...]

For each size: build the site, then open the home page in headless Chromium,
press "Show the graph" and time from the press to the first frame drawn (the
script records it in `data-drawn-ms`), and to the layout settling. Also the bytes
of the home graph's JSON and the largest topic and paper graph. Goals (issue 14):
at most 200 KB of data and a first frame within 1 s at 3,000 papers.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from bench_site import site_config  # noqa: E402
from make_kb import make_kb  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.browser import ARGS, CHROMIUM, Quiet  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    sizes = [int(a) for a in sys.argv[1:]] or [300, 3000]
    print(f"{'papers':>7} {'home KB':>8} {'topic KB':>9} {'paper KB':>9} {'first frame ms':>15} {'settled ms':>11}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            kb = make_kb(Path(tmp) / "kb", n, mkdocs_yml=yaml.safe_dump(site_config(), sort_keys=False))
            (kb / "docs").mkdir()
            (kb / "docs" / "about.md").write_text("# About\n")
            site = kb / "site"
            exe = Path(sys.executable).parent / "tlnotes"
            subprocess.run([str(exe), "build", str(kb)], check=True, capture_output=True)
            graph = site / "graph"
            home = (graph / "index.json").stat().st_size
            topic = max(p.stat().st_size for p in (graph / "topics").iterdir())
            paper = max(p.stat().st_size for p in (graph / "papers").iterdir())
            server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
            threading.Thread(target=server.serve_forever, daemon=True).start()
            url = f"http://127.0.0.1:{server.server_address[1]}/"
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                page.goto(url)
                page.wait_for_load_state("networkidle")
                start = time.perf_counter()
                page.get_by_role("button", name="Show the graph").click()
                page.wait_for_selector(".tln-graph[data-drawn-ms]", timeout=60_000)
                first = int(page.eval_on_selector(".tln-graph", "b => b.dataset.drawnMs"))
                page.wait_for_selector(".tln-graph[data-settled]", timeout=120_000)
                settled = (time.perf_counter() - start) * 1000
                browser.close()
            server.shutdown()
            shutil.rmtree(site)
            print(f"{n:>7} {home / 1000:>8.1f} {topic / 1000:>9.1f} {paper / 1000:>9.1f} {first:>15} {settled:>11.0f}")


if __name__ == "__main__":
    main()
