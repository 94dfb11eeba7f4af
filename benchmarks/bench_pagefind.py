"""Pagefind over a built site: its command line (what tlnotes runs) against its Python API's service.

    python benchmarks/bench_pagefind.py SITE [ROUNDS]

SITE is a folder `tlnotes build` made (e.g. of `make_kb.py`'s 10,000 papers). Each round indexes the searchable
pages into an empty folder both ways, in turn, after syncing the disk, and reports wall time (and the command
line's peak memory, its max RSS from `wait4`); the last line is the ratio of the medians.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tlnotes import search_index


def command_line(site: Path, out: Path) -> tuple[float, str]:
    binary = search_index.get_executable()
    args = [str(binary), "--site", str(site), "--glob", search_index.SEARCHED, "--force-language", "en"]
    start = time.perf_counter()
    pid = os.spawnv(os.P_NOWAIT, str(binary), [*args, "--output-path", str(out)])  # its output goes to this terminal
    _, status, usage = os.wait4(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return time.perf_counter() - start, f", peak {usage.ru_maxrss / 1024:.0f} MB"


def service(site: Path, out: Path) -> tuple[float, str]:
    from pagefind.index import PagefindIndex

    async def run() -> None:
        async with PagefindIndex(config={"force_language": "en", "output_path": str(out)}) as index:
            await index.add_directory(str(site), glob=search_index.SEARCHED)

    start = time.perf_counter()
    asyncio.run(run())
    return time.perf_counter() - start, ""


def main() -> None:
    site = Path(sys.argv[1]).resolve()
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    times: dict[str, list[float]] = {"command line": [], "service": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            for name, way in (("command line", command_line), ("service", service)):
                out = Path(tmp) / "pagefind"
                shutil.rmtree(out, ignore_errors=True)
                os.sync()
                took, peak = way(site, out)
                times[name].append(took)
                print(f"{name:>12}: {took:5.2f} s{peak}", file=sys.stderr)
    cli, svc = statistics.median(times["command line"]), statistics.median(times["service"])
    print(f"median: command line {cli:.2f} s, service {svc:.2f} s, ratio {cli / svc:.2f}")


if __name__ == "__main__":
    main()
