"""Time of the similar-papers part of `build_index` on synthetic KBs.

    python benchmarks/bench_similar.py [N ...]

Two kinds of KB of N papers: make_kb's (16 title words, so every word is
common and only topics count) and the same with summaries of words drawn
from a Zipf-like vocabulary of 5,000, as real prose is, so the word index
does its full work. Goal (issue 14): under 1.5 s for 3,000 papers.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from make_kb import make_kb  # noqa: E402


def zipf_summaries(root: Path, seed: int = 2) -> None:
    """Replace each record's free-text bullet by 40 words of a 5,000-word vocabulary, drawn Zipf-like."""
    rng = random.Random(seed)
    vocab = [f"w{i}x" for i in range(5000)]
    weights = [1 / (i + 1) for i in range(len(vocab))]
    for path in sorted((root / "papers").glob("*.yaml")):
        lines = path.read_text().splitlines()
        i = next(n for n, line in enumerate(lines) if line.startswith("links:")) - 1
        lines[i] = "  - " + " ".join(rng.choices(vocab, weights, k=40))
        path.write_text("\n".join(lines) + "\n")


def main() -> None:
    from tlnotes import load
    from tlnotes.index import build_index
    from tlnotes.similar import similar_papers

    sizes = [int(a) for a in sys.argv[1:]] or [3000]
    print(f"{'papers':>7} {'kind':>6} {'build_index':>12} {'similar':>8} {'shown/paper':>12}")
    for n in sizes:
        for kind in ("make", "zipf"):
            with tempfile.TemporaryDirectory() as tmp:
                root = make_kb(Path(tmp) / "kb", n)
                if kind == "zipf":
                    zipf_summaries(root)
                kb = load(root)
                start = time.perf_counter()
                idx = build_index(kb)
                total = time.perf_counter() - start
                start = time.perf_counter()
                similar_papers(kb, idx.by_topic, idx.citations, idx.related)
                part = time.perf_counter() - start
                shown = sum(len(v) for v in idx.similar.values()) / max(1, len(idx.similar))
                print(f"{n:>7} {kind:>6} {total:>11.2f}s {part:>7.2f}s {shown:>12.1f}", flush=True)


if __name__ == "__main__":
    main()
