"""Time from a save to the page that shows it, under `tlnotes serve` (and `mkdocs serve` as the baseline).

    python benchmarks/bench_serve.py [N ...] [--server tlnotes|mkdocs|both]

On a synthetic KB of N papers (default 300 and 1,000), starts the server and polls over HTTP until:
an edited record's title is served on its page (median of 3 edits), a new record's page is served, an edited
note's text is served on its topic page, and (tlnotes only) a page shows the error box after a bad save.
Also reports the full `tlnotes build` as the baseline a reload cannot beat.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_kb import make_site_kb  # noqa: E402

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


def serve_command(server: str, port: int, kb: Path) -> list[str]:
    if server == "mkdocs":
        return [str(BIN / "mkdocs"), "serve", "-a", f"127.0.0.1:{port}"]
    return [str(BIN / "tlnotes"), "serve", str(kb), "--addr", f"127.0.0.1:{port}"]


def measure(server: str, kb: Path, env: dict) -> dict[str, float | list[float]]:
    port = free_port()
    proc = subprocess.Popen(
        serve_command(server, port, kb), cwd=kb, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}/"
    out: dict[str, float | list[float]] = {}
    try:
        url = base + "papers/p00001/"
        wait_for(url, "<h1", 600)
        record = kb / "papers" / "p00001.yaml"
        times = []
        for i in range(EDITS):
            marker = f"Edited title {i} {time.time_ns()}"
            text = record.read_text().splitlines(keepends=True)
            text[1] = f'title: "{marker}"\n'
            record.write_text("".join(text))
            times.append(wait_for(url, marker, 600))
            time.sleep(1)
        out["edit"] = times
        new = kb / "papers" / "pnew.yaml"
        marker = f"New record {time.time_ns()}"
        new.write_text(f'title: "{marker}"\nyear: 2024\ntopics: [topic-00]\nsummary: [A new one.]\n')
        out["new"] = wait_for(base + "papers/pnew/", marker, 600)
        time.sleep(1)
        note = kb / "notes" / "topic-01.md"
        marker = f"Edited note {time.time_ns()}"
        note.write_text(note.read_text() + f"\n{marker}\n")
        out["note"] = wait_for(base + "topics/topic-01/", marker, 600)
        time.sleep(1)
        if server == "tlnotes":
            new.write_text("title: [unclosed\n")
            out["error"] = wait_for(url, 'id="tlnotes-errors"', 600)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    return out


def main() -> None:
    args = sys.argv[1:]
    server_arg = "both"
    if "--server" in args:
        at = args.index("--server")
        server_arg = args[at + 1]
        del args[at : at + 2]
    servers = ["mkdocs", "tlnotes"] if server_arg == "both" else [server_arg]
    sizes = [int(a) for a in args] or [300, 1000]
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            kb = make_site_kb(Path(tmp) / "kb", n)
            env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
            start = time.perf_counter()
            subprocess.run([str(BIN / "tlnotes"), "build", str(kb)], check=True, capture_output=True, env=env)
            build = time.perf_counter() - start
            for server in servers:
                # each server starts from the same KB: the edits of the one before are undone by a fresh copy
                copy = Path(tmp) / server
                shutil.copytree(kb, copy, ignore=shutil.ignore_patterns("site"))
                r = measure(server, copy, env)
                edits = r["edit"]
                assert isinstance(edits, list)
                error = f"; bad save -> error shown {r['error']:.2f}s" if "error" in r else ""
                print(
                    f"{n:>6} papers, {server} serve: edited record {statistics.median(edits):.2f}s median "
                    f"(runs: {', '.join(f'{t:.2f}' for t in edits)}); new record {r['new']:.2f}s; "
                    f"edited note {r['note']:.2f}s{error}; full tlnotes build: {build:.1f}s",
                    flush=True,
                )


if __name__ == "__main__":
    main()
