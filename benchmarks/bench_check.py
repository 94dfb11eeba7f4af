"""`tlnotes check` on 10,000 records against a bare libyaml load of the same files.

    python benchmarks/bench_check.py [N] [ROUNDS]

Both sides are whole processes started the same way and run alternately, so
machine noise hits both; the figure that matters is the ratio of medians.
The goal (issue 2) is a ratio of at most 2.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_kb import make_kb  # noqa: E402

BASELINE = """
import os, sys, yaml
d = os.path.join(sys.argv[1], "papers")
for name in sorted(os.listdir(d)):
    with open(os.path.join(d, name), encoding="utf-8") as fh:
        yaml.load(fh.read(), Loader=yaml.CSafeLoader)
"""


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    with tempfile.TemporaryDirectory() as tmp:
        kb = make_kb(Path(tmp) / "kb", n)
        base_cmd = [sys.executable, "-c", BASELINE, str(kb)]
        check_cmd = [sys.executable, "-m", "tlnotes", "check", str(kb)]
        timed(base_cmd), timed(check_cmd)  # warm the page cache
        base, check = [], []
        for _ in range(rounds):
            base.append(timed(base_cmd))
            check.append(timed(check_cmd))
    b, c = statistics.median(base), statistics.median(check)
    print(f"records: {n}, rounds: {rounds}")
    print(f"bare CSafeLoader load: median {b:.3f}s  (min {min(base):.3f}s)")
    print(f"tlnotes check:         median {c:.3f}s  (min {min(check):.3f}s)")
    print(f"ratio check/bare: {c / b:.2f}  (goal: <= 2.00)")


if __name__ == "__main__":
    main()
