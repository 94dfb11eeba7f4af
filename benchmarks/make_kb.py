"""Write a synthetic knowledge base of N valid paper records (and its topic notes).

    python benchmarks/make_kb.py DIR [N]

Records look like real ones: 3-12 authors, nested summaries, links, related
keys and inline math, so the loader does its full work on each.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

WORDS = (
    "attention transformer language model sparse expert prompt retrieval scaling "
    "tokens pretraining alignment reasoning embedding decoding pruning editing"
).split()
FIRST = "Ada Alan Grace Yann Geoffrey Yoshua Fei Quoc Ilya Noam Ashish Jacob Kristina".split()
LAST = "Lovelace Turing Hopper LeCun Hinton Bengio Li Le Sutskever Shazeer Vaswani Devlin Toutanova".split()
TOPICS = [f"topic-{i:02d}" for i in range(40)]


SYLLABLES = "ka lo mi ne ru sa te vo zu an be ch di fo gu".split()


def author_pool(n: int, rng: random.Random) -> list[str]:
    """About two distinct people per paper, as in real reading lists."""
    names = set()
    while len(names) < max(20, 2 * n):
        last = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        names.add(f"{rng.choice(FIRST)} {rng.choice(LAST + [last] * 6)}")
    return sorted(names)


def record(i: int, n: int, rng: random.Random, pool: list[str]) -> str:
    title = " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(4, 10))) + f" {i}"
    # a few prolific authors, a long tail of people with one paper
    authors = [
        pool[min(int(rng.paretovariate(1.2)) - 1, len(pool) - 1) if rng.random() < 0.3 else rng.randrange(len(pool))]
        for _ in range(rng.randint(3, 12))
    ]
    if rng.random() < 0.3:
        authors.append("others")
    lines = [
        "# yaml-language-server: $schema=../schema/paper.schema.json",
        f'title: "{title}"',
        "authors:",
        *(f"  - {a}" for a in authors),
        f"year: {rng.randint(1990, 2025)}",
        "venue: NeurIPS",
        "topics:",
        *(f"  - {t}" for t in rng.sample(TOPICS, rng.randint(1, 3))),
        "summary:",
        "  - Proposes a method that scales as $O(n \\log n)$ in sequence length.",
        "  - Evaluated on many benchmarks:",
        "      - beats the baseline by a wide margin on *most* of them",
        "      - a nested point with `code` and a [link](https://example.org/x)",
        f"  - {' '.join(rng.choice(WORDS) for _ in range(20))}",
        "links:",
        f'  arxiv: "{2000 + i // 10000:04d}.{i % 100000:05d}"',
        f"  code: https://github.com/example/repo{i}",
        f"  pdf: https://example.org/papers/{i}.pdf",
        "related:",
        *(f"  - p{(i + d) % n:05d}" for d in rng.sample(range(1, n), min(2, n - 1))),
        "added: 2024-01-15",
    ]
    return "\n".join(lines) + "\n"


def make_kb(root: Path, n: int, seed: int = 1, mkdocs_yml: str = "site_name: synthetic\n") -> Path:
    rng = random.Random(seed)
    pool = author_pool(n, rng)
    (root / "papers").mkdir(parents=True, exist_ok=True)
    (root / "notes").mkdir(exist_ok=True)
    (root / "mkdocs.yml").write_text(mkdocs_yml)
    for t in TOPICS:
        (root / "notes" / f"{t}.md").write_text(f"---\ntitle: {t}\n---\n\nNotes on {t}.\n")
    for i in range(n):
        (root / "papers" / f"p{i:05d}.yaml").write_text(record(i, n, rng, pool))
    return root


def make_site_kb(root: Path, n: int) -> Path:
    """A synthetic KB that builds as this repository's site does: its mkdocs.yml and one hand-written page."""
    repo = Path(__file__).resolve().parent.parent
    kb = make_kb(root, n, mkdocs_yml=(repo / "mkdocs.yml").read_text())
    (kb / "docs").mkdir(exist_ok=True)
    (kb / "docs" / "about.md").write_text("# About\n")
    return kb


if __name__ == "__main__":
    make_kb(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 10_000)
