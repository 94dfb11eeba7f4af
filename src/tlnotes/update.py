"""`tlnotes update`: complete records already in the knowledge base from the sources, in place.

What it completes: the author list (where a record has `others`, a name of
one word, or none) and the arXiv category, from the arXiv API by the record's
arXiv id (`sources.fetch_arxiv`, one call per 100 ids, at most one every 3 s),
or for a record with only a DOI, the authors from Crossref. A missing arXiv id
or DOI is searched by title and taken only on an exact normalized title match
(and, for arXiv, the same first author's family name): a near title is
another paper more often than not. A record whose title disagrees with its
id's metadata is reported as a mismatch and left as it is.

Hand-written text stays byte for byte: ruamel.yaml (a round-trip parser)
tells where each top-level field starts, and only the lines of the fields
updated are replaced, with the text `schema` writes for them; comments,
quoting, block scalars and key order elsewhere are never re-serialized.
Answers are cached in `.tlnotes/update-cache.json`.
"""

from __future__ import annotations

import difflib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import schema
from .model import KnowledgeBase, Paper, TlnotesError, normalize_title

CACHE_PATH = ".tlnotes/update-cache.json"
CACHE_TTL = 30 * 86400.0  # metadata of a published version rarely changes; a month bounds staleness


class UpdateError(TlnotesError):
    """The update cannot go on (a failing API, an unknown key); nothing is written."""


@dataclass
class Change:
    path: Path
    old: str
    new: str
    mismatch: str | None = None

    def diff(self, shown: str) -> str:
        return "".join(
            difflib.unified_diff(
                self.old.splitlines(keepends=True), self.new.splitlines(keepends=True), f"a/{shown}", f"b/{shown}"
            )
        )


@dataclass
class Cache:
    """Looked-up metadata by `arxiv:ID`, each with an expiry; a corrupt file is only a slower run."""

    path: Path
    now: float = field(default_factory=time.time)
    entries: dict[str, dict] = field(default_factory=dict)
    error: str | None = None

    def __post_init__(self):
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            entries = data.get("entries") if isinstance(data, dict) else None
            if isinstance(entries, dict):
                self.entries = {k: v for k, v in entries.items() if _valid_entry(k, v)}
        except (OSError, ValueError, UnicodeDecodeError):
            self.entries = {}

    def get(self, key: str) -> dict | None:
        e = self.entries.get(key)
        return e["record"] if e and e["expires"] > self.now else None

    def put(self, key: str, record: dict) -> None:
        self.entries[key] = {"expires": self.now + CACHE_TTL, "record": record}

    def save(self) -> None:
        from .files import write_replace

        live = {k: v for k, v in self.entries.items() if v["expires"] > self.now}
        try:
            write_replace(self.path, json.dumps({"version": 1, "entries": live}, indent=1, sort_keys=True))
        except OSError as exc:
            self.error = f"{self.path}: cannot save the update cache ({exc.strerror or exc}); results are not kept"


def _valid_entry(key: str, e) -> bool:
    if not isinstance(e, dict) or not isinstance(e.get("expires"), (int, float)):
        return False
    r = e.get("record")
    if not isinstance(r, dict):
        return False
    if key.startswith("venue:"):
        return (r.get("venue") is None or isinstance(r.get("venue"), str)) and (
            r.get("year") is None or type(r.get("year")) is int
        )
    if key.startswith("found:"):  # a search by title: the id found, or None
        return r.get("id") is None or isinstance(r.get("id"), str)
    return (
        isinstance(r.get("title"), str)
        and isinstance(r.get("authors"), list)
        and all(isinstance(a, str) and a.strip() for a in r["authors"])
        and (r.get("category") is None or isinstance(r.get("category"), str))
    )


def incomplete_authors(paper: Paper) -> bool:
    """`others`, a family name alone, or no authors at all: the source knows more."""
    return not paper.named_authors or paper.et_al or any(len(a.split()) == 1 for a in paper.named_authors)


def _family(name: str) -> str:
    return normalize_title(name.split()[-1]) if name.split() else ""


class _Lookups:
    """Every question to a source goes through the cache; offline, unanswered questions are only counted."""

    def __init__(self, cache: Cache, offline: bool):
        from . import sources
        from .http import RateLimit, http_session

        self.cache, self.offline, self.uncached = cache, offline, 0
        self.limiter = RateLimit(sources.ARXIV_INTERVAL)  # fetches and searches share arXiv's interval
        self.session = None if offline else http_session()

    def ask(self, key: str, question) -> dict | None:
        from . import sources

        if key in self.cache.entries and self.cache.get(key) is not None:
            return self.cache.get(key)
        if self.offline:
            self.uncached += 1
            return None
        try:
            answer = question()
        except sources.SourceError as exc:
            raise UpdateError(f"{exc}; nothing written") from None
        if answer is not None:
            self.cache.put(key, answer)
        return answer

    def arxiv_batch(self, ids: list[str]) -> None:
        from . import sources

        missing = [i for i in ids if self.cache.get(f"arxiv:{i}") is None]
        if not missing:
            return
        if self.offline:
            self.uncached += len(missing)
            return
        try:
            found = sources.fetch_arxiv(missing, self.session, self.limiter)
        except sources.SourceError as exc:
            raise UpdateError(f"{exc}; nothing written") from None
        for aid, rec in found.items():
            self.cache.put(f"arxiv:{aid}", _meta(rec))

    def arxiv_by_title(self, p: Paper) -> str | None:
        """The arXiv id of exactly this title (and first author's family name, if the record has one)."""
        from . import sources

        first = _family(p.named_authors[0]) if p.named_authors else ""

        def search() -> dict:
            for rec in sources.search_arxiv_title(p.title, self.session, self.limiter):
                if normalize_title(rec.title) == normalize_title(p.title) and first in ("", _family(rec.authors[0])):
                    self.cache.put(f"arxiv:{rec.links['arxiv']}", _meta(rec))
                    return {"id": rec.links["arxiv"]}
            return {"id": None}

        found = self.ask(f"found:arxiv:{normalize_title(p.title)}:{first}", search)
        return found["id"] if found else None

    def doi_by_title(self, p: Paper) -> str | None:
        from . import sources

        def search() -> dict:
            hits = sources.search_crossref_title(p.title, self.session)
            same = [doi for title, doi in hits if normalize_title(title) == normalize_title(p.title)]
            return {"id": same[0] if len(set(same)) == 1 else None}  # two papers of one title: cannot tell

        found = self.ask(f"found:doi:{normalize_title(p.title)}", search)
        return found["id"] if found else None

    def doi(self, doi: str) -> dict | None:
        from . import sources

        def fetch() -> dict | None:
            rec = sources.fetch_doi(doi, self.session)
            return _meta(rec) if rec else None

        return self.ask(f"doi:{doi.lower()}", fetch)

    def venue(self, doi: str) -> dict | None:
        from . import sources

        return self.ask(f"venue:{doi.lower()}", lambda: sources.fetch_venue(doi, self.session))


def _meta(rec) -> dict:
    return {"title": rec.title, "authors": rec.authors, "category": rec.category}


def plan(kb: KnowledgeBase, keys: list[str], offline: bool = False) -> tuple[list[Change], list[str]]:
    """(changes to records, notes for the user); UpdateError if a source fails or a key is unknown."""
    unknown = [k for k in keys if k not in kb.papers]
    if unknown:
        near = schema.closest(unknown[0], kb.papers)
        raise UpdateError(f"no record with the key {unknown[0]!r}" + (f"; the closest is `{near}`" if near else ""))
    papers = [kb.papers[k] for k in (keys or sorted(kb.papers))]
    root = Path(kb.root)
    cache = Cache(root / CACHE_PATH)
    ask = _Lookups(cache, offline)
    notes: list[str] = []
    changes = []
    try:
        ask.arxiv_batch(
            list(
                dict.fromkeys(
                    p.links["arxiv"] for p in papers if p.links.get("arxiv") and (incomplete_authors(p) or not p.category)
                )
            )
        )
        for p in papers:
            change = _complete(p, root, ask, notes)
            if change:
                changes.append(change)
    finally:
        cache.save()
    if cache.error:
        notes.append(f"warning: {cache.error}")
    if ask.uncached:
        notes.append(f"{ask.uncached} look-up(s) not cached; run without --offline to make them")
    return changes, notes


def _complete(p: Paper, root: Path, ask: _Lookups, notes: list[str]) -> Change | None:
    """The change this record needs, from whichever sources know it."""
    path = root / p.path
    old = path.read_text(encoding="utf-8")
    links = dict(p.links)
    values: dict[str, object] = {}
    if not links.get("arxiv"):
        found = ask.arxiv_by_title(p)
        if found:
            links["arxiv"] = found
    if not links.get("doi"):
        found = ask.doi_by_title(p)
        if found:
            links["doi"] = found
    if links != p.links:
        values["links"] = links
    meta, source = None, ""
    if links.get("arxiv") and (incomplete_authors(p) or not p.category):
        meta, source = ask.cache.get(f"arxiv:{links['arxiv']}"), f"arXiv {links['arxiv']}"
    elif links.get("doi") and incomplete_authors(p):
        meta, source = ask.doi(links["doi"]), f"Crossref's DOI {links['doi']}"
        if meta is None and not ask.offline:
            notes.append(f"{p.path}: Crossref does not know the DOI {links['doi']}; authors not completed")
    if meta and normalize_title(meta["title"]) != normalize_title(p.title):
        why = f"title mismatch: the record says {p.title!r}, {source} says {meta['title']!r}; not updated"
        return Change(path, old, old, why)
    if meta:
        if incomplete_authors(p) and meta["authors"] and list(meta["authors"]) != list(p.authors):
            values["authors"] = meta["authors"]
        if not p.category and meta.get("category"):
            values["category"] = meta["category"]
    doi = links.get("doi") or (f"10.48550/arXiv.{links['arxiv']}" if links.get("arxiv") else None)  # OpenAlex indexes arXiv DOIs
    published = ask.venue(doi) if doi else None
    if published and published["venue"]:
        if not p.venue:
            values["venue"] = published["venue"]
            if published["year"] and published["year"] > p.year:  # the KB's rule: the arXiv year, or a later venue's
                values["year"] = published["year"]
        elif normalize_title(p.venue) != normalize_title(published["venue"]):
            notes.append(f"{p.path}: the venue is {p.venue!r}, OpenAlex says {published['venue']!r}; not replaced")
    new = edit(old, values) if values else old
    return Change(path, old, new) if new != old else None


def edit(text: str, values: dict[str, object]) -> str:
    """`text` with these top-level fields replaced or inserted; every other line as it was."""
    from ruamel.yaml import YAML

    data = YAML(typ="rt").load(text)
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    present = list(data)
    starts = [data.lc.key(k)[0] for k in present]

    def span(i: int) -> tuple[int, int]:
        end = starts[i + 1] if i + 1 < len(starts) else len(lines)
        while end > starts[i] + 1 and (not lines[end - 1].strip() or lines[end - 1].startswith("#")):
            end -= 1  # blank lines and comments at the margin belong to what follows
        return starts[i], end

    order = [f.name for f in schema.FIELDS]
    edits: list[tuple[int, int, int, list[str]]] = []
    for name, value in values.items():
        new_lines = [line + "\n" for line in schema.FIELD_BY_NAME[name].kind.to_yaml(name, value)]
        if name in present:
            start, end = span(present.index(name))
            edits.append((start, end, order.index(name), new_lines))
        else:
            before = [k for k in present if k in order and order.index(k) < order.index(name)]
            at = span(present.index(max(before, key=order.index)))[1] if before else 0
            edits.append((at, at, order.index(name), new_lines))
    # from the bottom up; at one line, a replacement before the insertions there, and those in schema order
    for start, end, _, new_lines in sorted(edits, key=lambda e: e[:3], reverse=True):
        lines[start:end] = new_lines
    return "".join(lines)


def apply(changes: list[Change]) -> None:
    from .files import write_replace

    for c in changes:
        if c.new != c.old:
            write_replace(c.path, c.new)
