"""Indexes derived from a loaded knowledge base.

Every page, the search index and the BibTeX file read the KB through one
`Index`, built once in linear time, so no page recomputes a cross-reference
and cost stays linear as the KB grows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .citations import cited_keys
from .model import KnowledgeBase, Paper, Topic
from .names import author_id, display_name, family_name, fold
from .similar import Similar, similar_papers

MAX_RELATED = 8


@dataclass(frozen=True)
class Author:
    id: str
    name: str  # the best-looking spelling seen
    keys: tuple[str, ...]  # papers, newest first

    @property
    def letter(self) -> str:
        """The author-index page holding this author: a-z by family name, else 'other'."""
        first = fold(family_name(self.name))[:1]
        return first if "a" <= first <= "z" else "other"


@dataclass
class Index:
    """Cross-references of one KB; build with `build_index(kb)`."""

    kb: KnowledgeBase
    by_topic: dict[str, list[Paper]] = field(default_factory=dict)  # newest first
    children: dict[str, list[Topic]] = field(default_factory=dict)
    roots: list[Topic] = field(default_factory=list)
    by_year: dict[int, list[Paper]] = field(default_factory=dict)
    authors: dict[str, Author] = field(default_factory=dict)
    citations: dict[str, list[str]] = field(default_factory=dict)  # topic id -> cited keys, in order
    cited_in: dict[str, list[str]] = field(default_factory=dict)  # key -> topic ids citing it
    related: dict[str, list[str]] = field(default_factory=dict)  # key -> hand-picked related keys, both ends
    similar: dict[str, list[Similar]] = field(default_factory=dict)  # key -> papers like it, with reasons
    papers_under: dict[str, int] = field(default_factory=dict)  # topic id -> distinct papers of it and its subtopics
    has_status: bool = False  # some record carries a reading status: the site shows status at all

    def papers_sorted(self) -> list[Paper]:
        return sorted(self.kb.papers.values(), key=newest_first)

    def topic_path(self, tid: str) -> list[Topic]:
        """The topic and its ancestors, root first."""
        out, seen = [], set()
        topic = self.kb.topics.get(tid)
        while topic is not None and topic.id not in seen:
            seen.add(topic.id)
            out.append(topic)
            topic = self.kb.topics.get(topic.parent) if topic.parent else None
        return out[::-1]


def newest_first(paper: Paper):
    return (-paper.year, paper.title.casefold(), paper.key)


def _best_spelling(names: Counter) -> str:
    # prefer the spelling used most, then one with capitals ("Quoc Le" over "quoc le")
    return max(names, key=lambda n: (names[n], n != n.lower(), "," not in n, n))


def build_index(kb: KnowledgeBase) -> Index:
    idx = Index(kb)
    papers = sorted(kb.papers.values(), key=newest_first)

    by_topic: dict[str, list[Paper]] = defaultdict(list)
    by_year: dict[int, list[Paper]] = defaultdict(list)
    spellings: dict[str, Counter] = defaultdict(Counter)
    author_keys: dict[str, list[str]] = defaultdict(list)
    for p in papers:
        by_year[p.year].append(p)
        for topic_id in p.topics:
            by_topic[topic_id].append(p)
        for name in p.named_authors:
            aid = author_id(name)
            spellings[aid][display_name(name)] += 1
            if not author_keys[aid] or author_keys[aid][-1] != p.key:
                author_keys[aid].append(p.key)
    idx.by_topic = dict(by_topic)
    idx.by_year = dict(sorted(by_year.items(), reverse=True))
    idx.authors = {
        aid: Author(aid, _best_spelling(spellings[aid]), tuple(author_keys[aid]))
        for aid in sorted(author_keys, key=lambda a: (fold(family_name(_best_spelling(spellings[a]))), a))
    }

    children: dict[str, list[Topic]] = defaultdict(list)
    for t in sorted(kb.topics.values(), key=lambda t: t.title.casefold()):
        if t.parent:
            children[t.parent].append(t)
        else:
            idx.roots.append(t)
    idx.children = dict(children)

    idx.papers_under = {t: len(_papers_under(t, idx)) for t in kb.topics}

    cited_in: dict[str, list[str]] = defaultdict(list)
    for t in sorted(kb.topics.values(), key=lambda t: t.title.casefold()):
        keys = [k for k in dict.fromkeys(cited_keys(t.body)) if k in kb.papers]
        idx.citations[t.id] = keys
        for k in keys:
            cited_in[k].append(t.id)
    idx.cited_in = dict(cited_in)

    backlinks: dict[str, list[str]] = defaultdict(list)
    for p in papers:
        for k in p.related:
            backlinks[k].append(p.key)
    idx.related = {p.key: _hand_picked(p, kb, backlinks) for p in papers}
    idx.similar = similar_papers(kb, idx.by_topic, idx.citations, idx.related)
    idx.has_status = any(p.status for p in papers)
    return idx


def _papers_under(tid: str, idx: Index, seen: frozenset[str] = frozenset()) -> set[str]:
    """Keys of the papers of a topic and of all its subtopics, each once (a cycle of parents is cut)."""
    keys = {p.key for p in idx.by_topic.get(tid, ())}
    for child in idx.children.get(tid, ()):
        if child.id not in seen and child.id != tid:
            keys |= _papers_under(child.id, idx, seen | {tid})
    return keys


def _hand_picked(paper: Paper, kb: KnowledgeBase, backlinks: dict[str, list[str]]) -> list[str]:
    """The record's own `related`, then papers whose `related` lists it, so a link shows from both ends.

    Every key the record lists is kept; papers listing this one fill up to
    MAX_RELATED. Nothing else: papers chosen by similarity are `Index.similar`,
    shown apart with their reasons.
    """
    out = [k for k in dict.fromkeys(paper.related) if k in kb.papers and k != paper.key]
    for k in backlinks.get(paper.key, ()):
        if len(out) >= MAX_RELATED:
            break
        if k not in out:
            out.append(k)
    return out
