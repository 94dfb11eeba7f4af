"""What the browser tests share: where Chromium is, how a site is built and served, and colour contrast.

The fixtures that use these (`browser`, `serve`, `repo_url`, `page`) are in conftest.py, so every
test_browser_*.py file shares one browser and one build of this repository's site.
"""

from __future__ import annotations

import http.server
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHROMIUM = os.environ.get("TLNOTES_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (make test installs it with the test extras)"
    if not os.path.exists(CHROMIUM):
        return f"Chromium is not at {CHROMIUM} (apt-get install -y chromium; .ci/run does this in CI)"
    return None


def build(kb_root: Path, out: Path) -> Path:
    exe = Path(sys.executable).parent / "mkdocs"
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    r = subprocess.run(
        [str(exe), "build", "--strict", "-d", str(out)], cwd=kb_root, capture_output=True, text=True, env=env, timeout=300
    )
    assert r.returncode == 0, r.stderr
    return out


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def h1(page) -> str:
    return page.locator("article h1").first.inner_text().rstrip("¶").strip()


def _luminance(rgb: str) -> float:
    r, g, b = (int(v) / 255 for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(fg: str, bg: str) -> float:
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def empty_site(root: Path) -> Path:
    """A KB with this repository's mkdocs.yml, one hand-written page and no records or notes yet."""
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "docs").mkdir()
    (root / "docs" / "about.md").write_text("# About\n")
    (root / "papers").mkdir()
    (root / "notes").mkdir()
    return root
