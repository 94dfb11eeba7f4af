"""Peak memory of a clean `tlnotes build`, then of the rebuild after one record's title is edited: the summed PSS
of every process each runs (the build's two processes, Pagefind), sampled every 0.2 s. Goal (issue 15): within
1 GB at 10,000 papers.

    python benchmarks/bench_memory.py [N ...]

PSS counts a page two forked processes share once between them. A process started from a thread (Pagefind is) is
that thread's child: each thread's `children` list is read, not only the main thread's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_kb import make_site_kb  # noqa: E402

BIN = Path(sys.executable).parent


def tree(pid: int) -> list[int]:
    out = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    out += tree(int(child))
    except OSError:  # gone meanwhile
        pass
    return out


def pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def comm(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return "?"


def peaks(kb: Path, *options: str) -> tuple[float, float]:
    """(peak MiB over all samples, peak MiB over samples while Pagefind runs)."""
    build = subprocess.Popen(
        [str(BIN / "tlnotes"), "build", str(kb), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
    )
    peak = indexing = 0
    while build.poll() is None:
        pids = tree(build.pid)
        total = sum(pss_kb(p) for p in pids)
        peak = max(peak, total)
        if any(comm(p) == "pagefind" for p in pids):
            indexing = max(indexing, total)
        time.sleep(0.2)
    if build.returncode:
        sys.exit(f"tlnotes build {kb} failed")
    return peak / 1024, indexing / 1024


def main() -> None:
    if not Path("/proc/self/smaps_rollup").exists():
        sys.exit("needs Linux's /proc/<pid>/smaps_rollup")
    sizes = [int(a) for a in sys.argv[1:]] or [3000, 10000]
    print(f"{'papers':>7} {'build':>10} {'peak MiB':>9} {'while Pagefind runs':>20}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            kb = make_site_kb(Path(tmp) / "kb", n)
            peak, indexing = peaks(kb, "--clean")
            print(f"{n:>7} {'clean':>10} {peak:>9.0f} {indexing:>20.0f}", flush=True)
            record = kb / "papers" / "p00001.yaml"
            lines = record.read_text().splitlines(keepends=True)
            lines[1] = 'title: "An Edited Title"\n'  # as bench_incremental.py edits it
            record.write_text("".join(lines))
            peak, indexing = peaks(kb)
            print(f"{n:>7} {'title edit':>10} {peak:>9.0f} {indexing:>20.0f}", flush=True)


if __name__ == "__main__":
    main()
