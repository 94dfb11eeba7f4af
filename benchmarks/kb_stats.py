"""What a knowledge base knows of its papers, as counts: the numbers issue 16 reports before and after.

    python benchmarks/kb_stats.py [DIR ...]     (default: this repository)

Per KB: records; with an arXiv id; with a venue; with a full author list by the KB's rule (every
author for up to 12, else the first 10 then `others`; no one-word name unless it is an
organization); and per topic note, how many of the papers tagged with it the note cites.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tlnotes import load
from tlnotes.index import build_index
from tlnotes.names import is_organization

REPO = Path(__file__).resolve().parent.parent
SHOWN_BEFORE_OTHERS = 10


def full_authors(paper) -> bool:
    named = paper.named_authors
    if any(len(n.split()) == 1 and not is_organization(n) for n in named):
        return False
    return len(named) >= SHOWN_BEFORE_OTHERS if paper.et_al else bool(named)


def main() -> None:
    for root in [Path(a) for a in sys.argv[1:]] or [REPO]:
        kb = load(root)
        idx = build_index(kb)
        papers = list(kb.papers.values())
        n = len(papers)
        print(f"{root}: {n} records")
        for label, count in [
            ("arXiv id", sum("arxiv" in p.links for p in papers)),
            ("venue", sum(bool(p.venue) for p in papers)),
            ("full author list", sum(full_authors(p) for p in papers)),
        ]:
            print(f"  with {label:<17} {count:>4} ({count / n:.0%})")
        tagged_total = cited_total = 0
        rows = []
        for tid in sorted(kb.topics):
            tagged = {p.key for p in idx.by_topic.get(tid, ())}
            if not tagged:
                continue
            cited = tagged & set(idx.citations.get(tid, ()))
            tagged_total += len(tagged)
            cited_total += len(cited)
            rows.append(f"    {tid:<26} {len(cited):>3}/{len(tagged):<3} {len(cited) / len(tagged):.0%}")
        below = sum(1 for r in rows if int(r.split()[-1].rstrip("%")) < 70)
        share = f"{cited_total}/{tagged_total} ({cited_total / tagged_total:.0%})"
        print(f"  notes citing their tagged papers: {share}, {below} under 70%")
        print("\n".join(rows))


if __name__ == "__main__":
    main()
