"""New records: the one type that `add`, `import notes` and `import bibtex` produce, and what they share.

Every source (the arXiv API, Crossref, a notes page, a .bib file) yields
`NewRecord`s. Keys are made here, papers already known are found with the
loader's own rule of "same paper" (`model.identities`), a record is checked by
the loader itself before it is written, and it is written from
`schema.FIELDS`, so a field added to the schema reaches every writer. The CLI
only parses arguments and reports.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import schema
from .model import KnowledgeBase, TlnotesError, identities
from .names import ORGANIZATIONS, fold, is_organization


class RecordError(TlnotesError):
    """A record cannot be added; the message says why and names the file or REF."""


@dataclass
class NewRecord:
    """A paper about to become `papers/<key>.yaml`: its field values, and where they came from."""

    title: str
    authors: list[str]
    year: int | None  # None: importers found no year; enrich() may find it, else the record is skipped
    links: dict[str, str] = field(default_factory=dict)
    rest: str = ""  # importers: the text after the citation, which becomes the first summary bullet
    line: int = 0  # importers: where the source cites it
    source_cite: str | None = None  # importers: the author text as written, when abbreviated
    venue: str | None = None
    abstract: str | None = None
    category: str | None = None
    key: str = ""
    topics: list[str] = field(default_factory=list)
    summary: list = field(default_factory=list)  # bullets: str or {str: [...]}
    related: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)  # any other schema field (status, rating, ...)
    cited_title: str | None = None  # importers: the line's title, when the source's title differs

    def fields(self, added: str | None = None) -> dict[str, Any]:
        """The record's values by schema field name, as they will be written; what the line said is kept in notes."""
        cited = " ".join(
            part
            for part in (
                f'"{self.cited_title}"' if self.cited_title else "",
                f"({self.source_cite.strip()})" if self.source_cite else "",
            )
            if part
        )
        parts = [f"Cited in the source notes as {cited}." if cited else "", f"Abstract: {self.abstract}" if self.abstract else ""]
        notes = "\n\n".join(p for p in parts if p) or None
        values = {
            "title": self.title,
            "authors": self.authors,
            "year": self.year,
            "venue": self.venue,
            "topics": self.topics,
            "summary": self.summary,
            "links": self.links,
            "category": self.category,
            "related": list(dict.fromkeys(self.related)),
            "added": added,
            "notes": notes,
        }
        return {**values, **self.extra}

    def text(self, added: str | None = None) -> str:
        return schema.record_text(self.fields(added))


# ---------------------------------------------------------------- known papers and keys


class KnownPapers:
    """Papers already in the KB or earlier in this run, by the loader's identities (arXiv id, DOI, own URL, title)."""

    def __init__(self, kb: KnowledgeBase | None):
        self.ids: dict[tuple[str, str], str] = {}
        self.paths: dict[str, str] = {}
        self.keys: set[str] = set()  # every key taken, in the KB or earlier in this run
        if kb:
            for p in kb.papers.values():
                self.add(p.key, p.links, p.title, p.path)

    def add(self, key: str, links: dict, title: str, path: str | None = None) -> None:
        self.keys.add(key)
        for kind, value, _label in identities(links, title):
            self.ids.setdefault((kind, value), key)
        if path:
            self.paths[key] = path

    def find(self, links: dict, title: str) -> str | None:
        for kind, value, _label in identities(links, title):
            if (kind, value) in self.ids:
                return self.ids[(kind, value)]
        return None


STOPWORDS = set(
    """a an the on of for in to and or with is are be by at as from via into over under
towards toward how what why when where which who do does can we you your our its it this that these those
not no using use new""".split()
)


def _key_word(title: str) -> str:
    for word in re.findall(r"[A-Za-z0-9]+", fold(title)):
        if word not in STOPWORDS and not word.isdigit():
            return word
    return "paper"


def make_key(c: NewRecord, taken) -> str:
    """First author's family name + year + first significant title word; b, c, ... on collision.

    Always a valid key: each part is cut so the key, suffix included, stays
    within schema.MAX_KEY_LENGTH, and a reserved name counts as taken.
    """
    first = c.authors[0] if c.authors else ""
    whole = first in ORGANIZATIONS.values() or is_organization(first)
    family = re.sub(r"[^a-z0-9]", "", fold(first if whole else (first.split() or [""])[-1]))
    part = (schema.MAX_KEY_LENGTH - 8) // 2  # 8: room for the year and a suffix
    year = "" if c.year is None else str(c.year)[:4]  # no year yet: a provisional key, made again after enrich()
    base = f"{family[:part] or 'anon'}{year}{_key_word(c.title)[:part]}"
    key, n = base, 1
    while key in taken or key in schema.RESERVED_IDS or not schema.KEY_RE.fullmatch(key):
        n += 1
        key = f"{base}{chr(ord('a') + n - 1)}" if n <= 26 else f"{base}{n}"
    return key


def refusal(rec: NewRecord, optional: tuple[str, ...] = ("topics",)) -> str | None:
    """Why the record would not pass `check`, or None: its YAML text, read back by the loader itself.

    `optional` names required fields that may still be missing: `add` and
    `import bibtex` without topics write records anyway, and say so.
    """
    from .load import record_text_errors

    if not any(unicodedata.category(ch)[0] in "LN" for ch in rec.title):
        return f"the title {rec.title!r} has no letters or digits"
    errors = record_text_errors(rec.text("2000-01-01"), rec.key, optional=optional)
    return f"line {errors[0].line}: {errors[0].message}" if errors else None


# ---------------------------------------------------------------- metadata from the source, for importers


@dataclass
class EnrichReport:
    offline: bool = False
    looked_up: int = 0  # records with an arXiv id or DOI, asked about
    completed: int = 0  # ... that a source answered for
    lacking: int = 0  # ... that no source answered for: they keep what their line said
    failures: list[str] = field(default_factory=list)  # one message per service that failed

    def line(self) -> str | None:
        """The one line an import prints about look-ups, or None when there is nothing to say."""
        if self.offline or not self.lacking:
            return None
        why = "; ".join(self.failures) if self.failures else "arXiv or Crossref knows no paper with their ids"
        return f"{self.lacking} records lack metadata from the source and keep what their lines say: {why}"


def enrich(records: Sequence[NewRecord], *, offline: bool = False, fetch_arxiv=None, fetch_doi=None) -> EnrichReport:
    """Complete imported records from arXiv (one batched call for all ids) and Crossref; the source wins over the line.

    A failing service is reported once and not asked again in this run; the
    records it would have completed keep what their lines said.
    """
    from . import sources

    report = EnrichReport(offline=offline)
    wanted = [r for r in records if r.links.get("arxiv") or r.links.get("doi")]
    if offline or not wanted:
        return report
    fetch_arxiv = fetch_arxiv or sources.fetch_arxiv
    fetch_doi = fetch_doi or sources.fetch_doi
    report.looked_up = len(wanted)
    arxiv: dict[str, NewRecord] = {}
    ids = list(dict.fromkeys(r.links["arxiv"] for r in wanted if r.links.get("arxiv")))
    if ids:
        try:
            arxiv = fetch_arxiv(ids)
        except sources.SourceError as exc:
            report.failures.append(str(exc))
    crossref: dict[str, NewRecord | None] = {}
    crossref_down = False
    for rec in wanted:
        found = arxiv.get(rec.links.get("arxiv", ""))
        doi = rec.links.get("doi")
        if found is None and doi and not crossref_down:
            if doi not in crossref:
                try:
                    crossref[doi] = fetch_doi(doi)
                except sources.SourceUnreachable as exc:
                    crossref_down = True
                    report.failures.append(str(exc))
                except sources.SourceError:  # this DOI's record is unusable; the others may not be
                    crossref[doi] = None
            found = crossref.get(doi)
        if found is None:
            report.lacking += 1
            continue
        _take(rec, found)
        report.completed += 1
    return report


def _take(rec: NewRecord, found: NewRecord) -> None:
    """The source's title, authors, year, category and venue over the line's guesses; the line's title kept if it differs."""
    from .model import normalize_title

    if rec.title and normalize_title(rec.title) != normalize_title(found.title):
        rec.cited_title = rec.title
    rec.title, rec.authors, rec.year = found.title, list(found.authors), found.year
    rec.category = found.category or rec.category
    rec.venue = rec.venue or found.venue
    rec.abstract = rec.abstract or found.abstract
    for label, value in found.links.items():
        rec.links.setdefault(label, value)


@dataclass
class Finalized:
    papers: dict[str, NewRecord] = field(default_factory=dict)  # by final key
    renamed: dict[str, str | None] = field(default_factory=dict)  # provisional key -> final key; None: not written
    existing: list[tuple[int, str, str]] = field(default_factory=list)  # (line, title, the KB's file)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why)


def finalize(papers: dict[str, NewRecord], kb: KnowledgeBase | None) -> Finalized:
    """Imported records after enrich(): duplicates found by the source's ids merged or skipped, final keys, checked."""
    known = KnownPapers(kb)
    taken = set(known.keys)  # not every file in papers/: a rerun after an interrupted import finds its records by key
    out = Finalized()
    for old, rec in papers.items():
        existing = known.find(rec.links, rec.title)
        if existing in out.papers:  # earlier in this run, under another id: one record, both places' notes
            first = out.papers[existing]
            first.topics += [t for t in rec.topics if t not in first.topics]
            first.related += [r for r in rec.related if r not in first.related]
            first.summary += [b for b in rec.summary if b not in first.summary]
            out.renamed[old] = existing
            continue
        if existing is not None:
            out.existing.append((rec.line, rec.title, known.paths.get(existing, existing)))
            out.renamed[old] = existing
            continue
        why = "no year (run without --offline, or add it by hand)" if rec.year is None else None
        if not why:
            rec.key = make_key(rec, taken)
            why = refusal(rec)
        if why:
            out.skipped.append((rec.line, f"{rec.title!r} skipped: {why}"))
            out.renamed[old] = None
            continue
        taken.add(rec.key)
        known.add(rec.key, rec.links, rec.title)
        out.papers[rec.key] = rec
        out.renamed[old] = rec.key
    for rec in out.papers.values():
        related = (out.renamed.get(r, r) for r in rec.related)
        rec.related = list(dict.fromkeys(r for r in related if r and r != rec.key))
    return out


def paper_url(links: dict[str, str]) -> str | None:
    """Where a paper can be read, for a citation of a record that was not written."""
    if links.get("arxiv"):
        return f"https://arxiv.org/abs/{links['arxiv']}"
    if links.get("doi"):
        return f"https://doi.org/{links['doi']}"
    return next((links[k] for k in ("url", "pdf", "html") if links.get(k)), None)


def recite(text: str, renamed: dict[str, str | None], urls: dict[str, str | None]) -> str:
    """Note text citing final keys: a provisional key renamed; a record not written becomes a link to its paper.

    Meant for the `[@key]` citations importers write: a renamed citation keeps its keys, not prefixes or locators.
    """
    from .citations import find_citations

    out, pos = [], 0
    for c in find_citations(text):
        if not any(i.key in renamed for i in c.items):
            continue
        keys = [renamed.get(i.key, i.key) for i in c.items]
        alive = list(dict.fromkeys(k for k in keys if k))
        parts = ["[" + "; ".join(f"@{k}" for k in alive) + "]"] if alive else []
        parts += [f"<{url}>" for i, k in zip(c.items, keys, strict=True) if not k and (url := urls.get(i.key))]
        out += [text[pos : c.start], " ".join(parts)]
        pos = c.end
    out.append(text[pos:])
    return "".join(out)


# ---------------------------------------------------------------- add


def plan_add(
    kb: KnowledgeBase,
    refs: list[str],
    *,
    topics: Sequence[str] = (),
    summary: Sequence[str] = (),
    key: str | None = None,
    keep_abstract: bool = True,
    extra: dict[str, Any] | None = None,
    fetch_arxiv=None,
    fetch_doi=None,
) -> list[NewRecord]:
    """The records `tlnotes add REF...` would write, fetched and checked; RecordError if any cannot be added.

    All or nothing: a malformed REF, a paper already in the KB (refused
    before any request), an unknown id, a failed request or metadata that
    would not pass `check` stops the whole plan.
    """
    from . import sources

    fetch_arxiv = fetch_arxiv or sources.fetch_arxiv
    fetch_doi = fetch_doi or sources.fetch_doi
    try:
        parsed = [sources.parse_ref(r) for r in refs]
    except sources.SourceError as exc:
        raise RecordError(str(exc)) from None
    if key is not None:
        if len(parsed) > 1:
            raise RecordError("--key names one record; give one REF with it")
        if len(key) > schema.MAX_KEY_LENGTH:
            raise RecordError(
                f"the key {key[:20]!r}... is longer than {schema.MAX_KEY_LENGTH} characters; keys become file names"
            )
        if not schema.KEY_RE.fullmatch(key):
            raise RecordError(f"{key!r} is not a valid key (lowercase letters, digits, . _ -)")
        if key in schema.RESERVED_IDS:
            raise RecordError(f"the key {key!r} is reserved (the site has a page of that name); choose another")
    extra = {name: schema.FIELD_BY_NAME[name].kind.from_text(value) for name, value in (extra or {}).items()}
    for name, value in extra.items():  # a wrong option is the user's, refused before any request
        for finding in schema.FIELD_BY_NAME[name].kind.check(value, (name,)):
            raise RecordError(f"--{name}: {finding.message}")
    unknown = [t for t in topics if t not in kb.topics]
    if unknown:
        near = schema.closest(unknown[0], kb.topics)
        raise RecordError(f"unknown topic {unknown[0]!r}" + (f"; the closest is `{near}`" if near else ""))
    known = KnownPapers(kb)
    for ref in parsed:  # refuse duplicates before touching the network
        existing = known.find({ref.kind: ref.id}, "")
        if existing:
            raise RecordError(f"{ref.text} is already in the knowledge base as {known.paths.get(existing, existing)}")
    try:
        arxiv_ids = [r.id for r in parsed if r.kind == "arxiv"]
        arxiv = fetch_arxiv(arxiv_ids) if arxiv_ids else {}
        found = []
        for ref in parsed:
            rec = arxiv.get(ref.id) if ref.kind == "arxiv" else fetch_doi(ref.id)
            if rec is None:
                raise RecordError(f"{ref.text}: {'arXiv' if ref.kind == 'arxiv' else 'Crossref'} knows no paper with this id")
            found.append((ref, rec))
    except sources.SourceError as exc:
        raise RecordError(str(exc)) from None
    taken = set(known.keys) | {p.stem for p in (Path(kb.root) / "papers").glob("*.yaml")}
    planned = []
    for ref, rec in found:
        existing = known.find(rec.links, rec.title)
        if existing:
            raise RecordError(
                f"{ref.text} ({rec.title}) is already in the knowledge base as {known.paths.get(existing, 'an earlier REF')}"
            )
        if len(rec.authors) > sources.MAX_AUTHORS:
            raise RecordError(f"{ref.text}: {len(rec.authors)} authors, more than the {sources.MAX_AUTHORS} a record takes")
        rec.abstract = rec.abstract if keep_abstract else None
        rec.topics, rec.summary = list(topics), list(summary)
        rec.extra = dict(extra)
        rec.key = key or make_key(rec, taken)
        taken.add(rec.key)
        known.add(rec.key, rec.links, rec.title)
        why = refusal(rec, optional=("topics",))
        if why:
            raise RecordError(f"{ref.text}: the metadata that came back is not a valid record ({why})")
        planned.append(rec)
    return planned


@contextlib.contextmanager
def add_lock(root: Path) -> Iterator[None]:
    """One add at a time writes into this KB: an OS lock on .tlnotes/add.lock (git-ignored)."""
    import fcntl

    (root / ".tlnotes").mkdir(exist_ok=True)
    with open(root / ".tlnotes" / "add.lock", "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def write_new_records(root: Path, planned: list[NewRecord], added: str | None = None) -> list[Path]:
    """Write every planned record or none, under the add lock; RecordError if another run wrote one meanwhile."""
    from .files import FileExists, write_new
    from .load import load

    added = added or dt.date.today().isoformat()
    with add_lock(root):  # another add may have written the same paper while we were fetching
        known = KnownPapers(load(root))
        for rec in planned:
            existing = known.find(rec.links, rec.title)
            if existing:
                raise RecordError(f"{rec.title} is already in the knowledge base as {known.paths.get(existing, existing)}")
            if (root / "papers" / f"{rec.key}.yaml").exists():
                raise RecordError(f"papers/{rec.key}.yaml already exists")
        written: list[Path] = []
        for rec in planned:
            path = root / "papers" / f"{rec.key}.yaml"
            try:
                write_new(path, rec.text(added))
            except (FileExists, OSError) as exc:
                for done in written:  # all or nothing
                    done.unlink(missing_ok=True)
                why = "appeared meanwhile; kept as it is" if isinstance(exc, FileExists) else exc.strerror or str(exc)
                raise RecordError(f"{path}: {why}") from None
            written.append(path)
    return written
