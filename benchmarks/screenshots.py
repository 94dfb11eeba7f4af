"""Screenshots of every page type, for a person to review: desktop and phone, light and dark.

    python benchmarks/screenshots.py [OUT]      (default: /tmp/tlnotes-screenshots)

Builds this repository's site, serves it on 127.0.0.1 and saves OUT/<width>-<scheme>-<page>.png
(full page, so a crowded page shows how long it is). Nothing is committed: the pictures are for review.
"""

from __future__ import annotations

import functools
import http.server
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.browser import ARGS, CHROMIUM, REPO, Quiet, build  # noqa: E402
from tests.test_browser_a11y import PAGE_TYPES, WIDTHS  # noqa: E402


def main() -> None:
    from playwright.sync_api import sync_playwright

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/tlnotes-screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        site = build(REPO, Path(tmp) / "site")
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(site)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            for width, (w, h) in WIDTHS.items():
                for scheme in ("light", "dark"):
                    context = browser.new_context(color_scheme=scheme, viewport={"width": w, "height": h})
                    page = context.new_page()
                    for name, path in PAGE_TYPES.items():
                        page.goto(url + path)
                        page.wait_for_load_state("networkidle")
                        shot = out / f"{width}-{scheme}-{name.replace(' ', '-')}.png"
                        page.screenshot(path=str(shot), full_page=True)
                        print(shot)
                    context.close()
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
