"""Indexes derived from a loaded knowledge base.

Every page, the search index and the BibTeX file read the KB through one
`Index`, built once in linear time, so no page recomputes a cross-reference
and cost stays linear as the KB grows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from .bibtex import entry as bibtex_entry
from .citations import cited_keys
from .model import KnowledgeBase, Paper, Topic
from .names import author_id, display_name, family_name, fold, slugify
from .similar import Counted, Similar, similar_papers

MAX_RELATED = 8
# authors on one author-index page: with papers folded away an entry is about two lines (name, co-authors); on this
# repository's site 40 make the tallest page 2,539 px at 1366x900 (under 3 screens) and 3,148 px at 390 px wide
# (under 4), where co-authors wrap. 60 would pass 4 screens on a phone. A letter with more is split by family name
AUTHORS_PER_PAGE = 40


@dataclass(frozen=True)
class Author:
    id: str
    name: str  # the best-looking spelling seen
    keys: tuple[str, ...]  # papers, newest first
    page: str = ""  # stem of the author-index page holding this author's entry: the one place it is decided
    coauthors: tuple[tuple[str, int], ...] = ()  # (author id, papers shared), most shared first, then by index order

    @property
    def letter(self) -> str:
        """The initial the author is filed under: a-z by family name, else 'other'."""
        return _letter(_sort_name(self.name))


@dataclass(frozen=True)
class AuthorPage:
    """One author-index page: a run of authors in index order, all of one initial."""

    stem: str  # `v` for a letter's first page, `v-vi` for the next ones
    letter: str
    label: str  # what links to it say: `V`, `Va–Ve`, or two names when a split falls inside one family name
    authors: tuple[str, ...]  # author ids, in index order


@dataclass
class Index:
    """Cross-references of one KB; build with `build_index(kb)`."""

    kb: KnowledgeBase
    by_topic: dict[str, list[Paper]] = field(default_factory=dict)  # newest first
    children: dict[str, list[Topic]] = field(default_factory=dict)
    roots: list[Topic] = field(default_factory=list)
    by_year: dict[int, list[Paper]] = field(default_factory=dict)
    authors: dict[str, Author] = field(default_factory=dict)  # in index order: by family name, letters a-z then other
    author_pages: dict[str, AuthorPage] = field(default_factory=dict)  # stem -> page, in index order
    # author id -> stem of the page with their entry: what a link to an author needs, apart from `authors`, whose
    # entries change with any of the author's papers (rerender.py makes a page again when what it read changed)
    author_page_of: dict[str, str] = field(default_factory=dict)
    author_names: dict[str, str] = field(default_factory=dict)  # author id -> the best-looking spelling (`Author.name`)
    citations: dict[str, list[str]] = field(default_factory=dict)  # topic id -> cited keys, in order
    cited_in: dict[str, list[str]] = field(default_factory=dict)  # key -> topic ids citing it
    related: dict[str, list[str]] = field(default_factory=dict)  # key -> hand-picked related keys, both ends
    similar: dict[str, list[Similar]] = field(default_factory=dict)  # key -> papers like it, with reasons
    papers_under: dict[str, int] = field(default_factory=dict)  # topic id -> distinct papers of it and its subtopics
    has_status: bool = False  # some record carries a reading status: the site shows status at all

    reuse: Index | None = field(default=None, repr=False)  # an earlier index of this KB: entries of unchanged papers
    counted: Counted = field(default_factory=dict, repr=False)  # each paper's words, for the next index (similar.py)
    authorship: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)  # key -> named authors
    people: People | None = field(default=None, repr=False)  # what the names decide (`_people`), for the next index

    @cached_property
    def bibtex(self) -> dict[str, str]:
        """Each paper's BibTeX entry, made once: its page shows it and `papers.bib` joins them all."""
        before = self.reuse.bibtex if self.reuse is not None else {}
        last = self.reuse.kb.papers if self.reuse is not None else {}
        self.reuse = None  # its work is taken; do not keep a chain of older indexes alive
        return {
            key: before[key] if last.get(key) is paper and key in before else bibtex_entry(paper)
            for key, paper in self.kb.papers.items()
        }

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


def _sort_name(name: str) -> str:
    return fold(family_name(name))


def _letter(sort_name: str) -> str:
    first = sort_name[:1]
    return first if "a" <= first <= "z" else "other"


def _split(names: list[tuple[str, str]], depth: int) -> list[list[tuple[str, str]]]:
    """Runs of at most AUTHORS_PER_PAGE (sort name, id) pairs, cut only where the first `depth + 1` letters change.

    A group too big for a page is cut one letter deeper; small neighboring groups share a page again. A group of
    one family name that is still too big (a page of Wangs) is cut by count, as nothing else tells its people apart.
    """
    if len(names) <= AUTHORS_PER_PAGE:
        return [names]
    if names[0][0] == names[-1][0]:  # sorted, so every sort name is the same
        return [names[i : i + AUTHORS_PER_PAGE] for i in range(0, len(names), AUTHORS_PER_PAGE)]
    groups: list[list[tuple[str, str]]] = []
    for item in names:
        if groups and groups[-1][0][0][: depth + 1] == item[0][: depth + 1]:
            groups[-1].append(item)
        else:
            groups.append([item])
    pages: list[list[tuple[str, str]]] = []
    for group in groups:
        for chunk in _split(group, depth + 1):
            if pages and len(pages[-1]) + len(chunk) <= AUTHORS_PER_PAGE:
                pages[-1].extend(chunk)
            else:
                pages.append(list(chunk))
    return pages


def _common(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def _paginate(authors: dict[str, Author]) -> list[AuthorPage]:
    """Author-index pages: one per initial, split by family name where an initial has too many authors to scroll."""
    by_letter: dict[str, list[tuple[str, str]]] = {}
    for a in authors.values():
        sort_name = _sort_name(a.name)
        by_letter.setdefault(_letter(sort_name), []).append((sort_name, a.id))
    out: list[AuthorPage] = []
    for letter in sorted(by_letter, key=lambda x: (x == "other", x)):
        runs = _split(by_letter[letter], 1 if letter != "other" else 0)
        for i, run in enumerate(runs):
            first, last = run[0][0], run[-1][0]
            before = runs[i - 1][-1][0] if i else ""
            after = runs[i + 1][0][0] if i + 1 < len(runs) else ""
            if len(runs) == 1:
                label = "Other" if letter == "other" else letter.upper()
            elif first == before or last == after:  # the cut falls inside one family name: name the people
                label = f"{authors[run[0][1]].name} – {authors[run[-1][1]].name}"
            else:
                start = first[: max(2, _common(first, before) + 1)]
                end = last[: max(2, _common(last, after) + 1)]
                label = start[:1].upper() + start[1:] + (f"–{end[:1].upper()}{end[1:]}" if end != start else "")
            stem = letter if i == 0 else f"{letter}-{i + 1}" if letter == "other" else f"{letter}-{slugify(first[:2])}"
            if any(p.stem == stem for p in out):
                stem = f"{stem}-{i + 1}"
            out.append(AuthorPage(stem, letter, label, tuple(aid for _, aid in run)))
    return out


def build_index(kb: KnowledgeBase, reuse: Index | None = None) -> Index:
    """The KB's indexes. `reuse`, an index of an earlier load of the same KB (a server's last build), lends the work
    done for papers that are the same objects (`load` with a ParseCache returns unchanged records as they were)."""
    idx = Index(kb, reuse=reuse)
    papers = sorted(kb.papers.values(), key=newest_first)

    by_topic: dict[str, list[Paper]] = defaultdict(list)
    by_year: dict[int, list[Paper]] = defaultdict(list)
    author_keys: dict[str, list[str]] = defaultdict(list)
    for p in papers:
        by_year[p.year].append(p)
        for topic_id in p.topics:
            by_topic[topic_id].append(p)
        for aid in dict.fromkeys(author_id(name) for name in p.named_authors):  # each author once, in order
            author_keys[aid].append(p.key)
    idx.by_topic = dict(by_topic)
    idx.by_year = dict(sorted(by_year.items(), reverse=True))
    idx.authorship = {p.key: p.named_authors for p in kb.papers.values()}
    kept = reuse.people if reuse is not None and reuse.authorship == idx.authorship else None  # the same names
    idx.people = people = kept if kept is not None else _people(papers)
    names, pages, coauthors = people
    page_of = {aid: page.stem for page in pages for aid in page.authors}
    idx.authors = {
        aid: Author(aid, names[aid], tuple(author_keys[aid]), page_of[aid], coauthors[aid])
        for page in pages
        for aid in page.authors
    }
    idx.author_pages = {page.stem: page for page in pages}
    idx.author_page_of = page_of
    idx.author_names = names

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
    idx.counted = reuse.counted if reuse is not None else {}
    idx.similar = similar_papers(kb, idx.by_topic, idx.citations, idx.related, idx.counted)
    idx.has_status = any(p.status for p in papers)
    return idx


People = tuple[dict[str, str], list[AuthorPage], dict[str, tuple[tuple[str, int], ...]]]


def _people(papers: list[Paper]) -> People:
    """What the authors' names alone decide: each author's best spelling, the author-index pages in index order, and
    each author's co-authors (papers shared, most first). A server's next index reuses them while no name changed."""
    spellings: dict[str, Counter] = defaultdict(Counter)
    shared: dict[str, Counter] = defaultdict(Counter)  # author id -> co-author id -> papers shared
    for p in papers:
        ids: dict[str, None] = {}  # the paper's authors, once each, in order
        for name in p.named_authors:
            aid = author_id(name)
            spellings[aid][display_name(name)] += 1
            ids.setdefault(aid)
        for aid in ids:
            shared[aid].update(other for other in ids if other != aid)
    names = {aid: _best_spelling(spellings[aid]) for aid in spellings}
    sort_names = {aid: _sort_name(name) for aid, name in names.items()}
    order = sorted(names, key=lambda a: (_letter(sort_names[a]) == "other", sort_names[a], a))
    pages = _paginate({aid: Author(aid, names[aid], ()) for aid in order})
    rank = {aid: i for i, aid in enumerate(order)}
    coauthors = {aid: tuple(sorted(shared[aid].items(), key=lambda kv: (-kv[1], rank[kv[0]]))) for aid in order}
    return names, pages, coauthors


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
