"""Time from a record edit to the rebuilt page under `mkdocs serve`.

    python benchmarks/bench_serve.py [N ...]

Starts `mkdocs serve` on a synthetic KB of N papers (default 300 and 1,000),
edits one record's title, and polls the paper page until the new title is
served. Reports the median of a few edits, and the build time alone
(`tlnotes build`) as the baseline the reload cannot beat.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from make_kb import make_kb  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
EDITS = 3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.read().decode()
    except OSError:
        return ""


def wait_for(url: str, needle: str, timeout: float) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if needle in fetch(url):
            return time.perf_counter() - start
        time.sleep(0.05)
    raise TimeoutError(f"{needle!r} not served at {url} within {timeout}s")


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [300, 1000]
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = yaml.safe_load((REPO / "mkdocs.yml").read_text())
            kb = make_kb(Path(tmp) / "kb", n, mkdocs_yml=yaml.safe_dump(cfg, sort_keys=False))
            (kb / "docs").mkdir()
            (kb / "docs" / "about.md").write_text("# About\n")
            env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
            start = time.perf_counter()
            subprocess.run([str(BIN / "tlnotes"), "build", str(kb)], check=True, capture_output=True, env=env)
            build = time.perf_counter() - start
            port = free_port()
            server = subprocess.Popen(
                [str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"],
                cwd=kb,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                url = f"http://127.0.0.1:{port}/papers/p00001/"
                wait_for(url, "<h1", 300)
                record = kb / "papers" / "p00001.yaml"
                times = []
                for i in range(EDITS):
                    marker = f"Edited title {i} {time.time_ns()}"
                    text = record.read_text().splitlines(keepends=True)
                    text[1] = f'title: "{marker}"\n'
                    record.write_text("".join(text))
                    times.append(wait_for(url, marker, 300))
                    time.sleep(1)
            finally:
                server.terminate()
                server.wait(timeout=30)
            print(
                f"{n:>6} papers: edit -> page served again: median {statistics.median(times):.1f}s "
                f"(runs: {', '.join(f'{t:.1f}' for t in times)}); full tlnotes build: {build:.1f}s",
                flush=True,
            )


if __name__ == "__main__":
    main()
