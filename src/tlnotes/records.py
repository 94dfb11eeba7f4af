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
from .names import ORGANISATIONS, fold, is_organisation


class RecordError(TlnotesError):
    """A record cannot be added; the message says why and names the file or REF."""


@dataclass
class NewRecord:
    """A paper about to become `papers/<key>.yaml`: its field values, and where they came from."""

    title: str
    authors: list[str]
    year: int | None  # None until a look-up finds it (import notes of a bare link)
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

    def fields(self, added: str | None = None) -> dict[str, Any]:
        """The record's values by schema field name, as they will be written."""
        notes = None
        if self.abstract:
            notes = "Abstract: " + self.abstract
        elif self.source_cite:
            notes = f"Cited in the source notes as ({self.source_cite.strip()})."
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
    whole = first in ORGANISATIONS.values() or is_organisation(first)
    family = re.sub(r"[^a-z0-9]", "", fold(first if whole else (first.split() or [""])[-1]))
    part = (schema.MAX_KEY_LENGTH - 8) // 2  # 8: room for the year and a suffix
    base = f"{family[:part] or 'anon'}{str(c.year or '')[:4]}{_key_word(c.title)[:part]}"
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
