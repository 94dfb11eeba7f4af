"""Rebuild time after one edit: `tlnotes build` (incremental by default) against a clean build.

    python benchmarks/bench_incremental.py [N ...]

For each size (default 300, 1,000 and 3,000 papers): a clean build (`--clean`, what every build was before
issue 15), then incremental builds after editing one record's title, after editing one note, after adding one
record, and with nothing changed; and Pagefind's share (every build that writes a page re-indexes the whole site):
into an empty folder, as a clean build does, and over the last index, as a rebuild does (search_index.py). Goal
(issue 15): a rebuild after one edit within 5 s at 3,000 papers.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_kb import make_site_kb  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def timed_build(kb: Path, *extra: str) -> float:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    done = subprocess.run([str(BIN / "tlnotes"), "build", str(kb), *extra], capture_output=True, text=True, env=env)
    if done.returncode:
        sys.exit(f"tlnotes build {kb} failed:\n{done.stdout}{done.stderr}")
    return time.perf_counter() - start


def pagefind_time(site: Path, fresh: bool) -> float:
    from tlnotes.search_index import index_site

    start = time.perf_counter()
    index_site(site, fresh=fresh)
    return time.perf_counter() - start


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [300, 1000, 3000]
    heads = ["papers", "clean", "title edit", "note edit", "new record", "no change", "index anew", "over last"]
    print(" ".join(f"{head:>11}" for head in heads))
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            kb = make_site_kb(Path(tmp) / "kb", n)
            clean = timed_build(kb, "--clean")
            record = kb / "papers" / "p00001.yaml"
            lines = record.read_text().splitlines(keepends=True)
            lines[1] = 'title: "An Edited Title"\n'
            record.write_text("".join(lines))
            title = timed_build(kb)
            note = kb / "notes" / "topic-03.md"
            note.write_text(note.read_text() + "\nMore prose citing [@p00002].\n")
            note_edit = timed_build(kb)
            fresh = re.sub(r'arxiv: ".*"', 'arxiv: "2999.99999"', record.read_text().replace("An Edited Title", "A New Record"))
            fresh = re.sub(r"(papers/|repo)1\b", r"\g<1>new", fresh)
            (kb / "papers" / "pnew.yaml").write_text(fresh)
            new = timed_build(kb)
            nothing = timed_build(kb)
            anew = pagefind_time(kb / "site", fresh=True)
            over = pagefind_time(kb / "site", fresh=False)
            times = [clean, title, note_edit, new, nothing, anew, over]
            print(f"{n:>11} " + " ".join(f"{seconds:>10.1f}s" for seconds in times), flush=True)


if __name__ == "__main__":
    main()
