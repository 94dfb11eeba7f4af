"""Site build time and page size for synthetic KBs of 300, 1,000 and 3,000 papers.

    python benchmarks/bench_site.py [N ...]

For each size: a clean `tlnotes build` (load, check, render, MkDocs Material build in two processes, Pagefind)
against plain `mkdocs build` of the very same site already written to disk by `tlnotes render` (its pages,
files, theme and nav; one process, no search index); the ratio is what tlnotes adds or saves. Also the average
HTML size of a paper page. Goals: 3,000 papers in at most 30 s and at most 40 KB per paper page (issue 3);
10,000 papers in at most 30 s (issue 15).

Every size's files stay until the script ends. On ext4 without a journal (this machine's disk), creating a file
after many were deleted is slow for minutes: the kernel passes over each recently freed inode (`recently_deleted`
in ext4's inode allocator), and 30,000 files took 10.6 s instead of 0.7 s in memory, 100 s after a deletion. A
benchmark that deleted one size's KB and sites before timing the next would time that. The system time column
says how much of a build was the kernel's; with `TMPDIR=/dev/shm` the disk is out of it.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from make_kb import make_kb  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def site_config() -> dict:
    cfg = yaml.safe_load((REPO / "mkdocs.yml").read_text())
    cfg["site_name"] = "synthetic"
    return cfg


def timed(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and system time of `cmd` and every process it starts."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    os.sync()  # what was written before (the KB, the other site) is on disk, not written back during this run
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_stime - before


def plain_copy(kb_root: Path, out: Path) -> None:
    """The same site as files, for MkDocs alone: what `tlnotes render` writes for builders without the plugin."""
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    subprocess.run([str(BIN / "tlnotes"), "render", str(kb_root), "-o", str(out)], check=True, capture_output=True, env=env)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [300, 1000, 3000]
    print(
        f"{'papers':>7} {'pages':>6} {'tlnotes build':>14} {'(system)':>9} {'plain mkdocs':>13} {'(system)':>9} "
        f"{'ratio':>6} {'KB/paper page':>14} {'site MB':>8}"
    )
    with tempfile.TemporaryDirectory() as all_sizes:  # removed at the end only: see the docstring
        for n in sizes:
            tmp = Path(all_sizes) / str(n)
            kb = make_kb(tmp / "kb", n, mkdocs_yml=yaml.safe_dump(site_config(), sort_keys=False))
            (kb / "docs").mkdir()
            (kb / "docs" / "about.md").write_text("# About\n\nA synthetic knowledge base.\n")
            plain = tmp / "plain"
            plain_copy(kb, plain)
            t_tl, sys_tl = timed([str(BIN / "tlnotes"), "build", str(kb), "--clean"], kb)
            t_plain, sys_plain = timed([str(BIN / "mkdocs"), "build", "-q"], plain)
            site = kb / "site"
            paper_pages = list((site / "papers").glob("p*/index.html"))
            per_page = sum(p.stat().st_size for p in paper_pages) / len(paper_pages) / 1024
            total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6
            pages = len(list(site.rglob("index.html")))
            print(
                f"{n:>7} {pages:>6} {t_tl:>13.1f}s {sys_tl:>8.1f}s {t_plain:>12.1f}s {sys_plain:>8.1f}s "
                f"{t_tl / t_plain:>6.2f} {per_page:>14.1f} {total:>8.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
