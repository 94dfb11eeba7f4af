"""`tlnotes import bibtex`: records from a `.bib` file (Zotero, Google Scholar, DBLP, arXiv exports).

The file is parsed whole before anything is written: a syntax error stops the
import with its line and writes nothing. Entries without a title or a year
are reported and skipped; entries already in the KB, or earlier in the same
file, are skipped naming the record they duplicate.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .ids import arxiv_in_text, arxiv_of_doi, arxiv_ref, doi_of_url, is_http_url, links_for, read_doi
from .import_notes import ImportRefused
from .model import KnowledgeBase
from .records import KnownPapers, NewRecord, make_key, refusal
from .schema import ET_AL

_ENTRY_AT = re.compile(r"@\s*(\w+)\s*[{(]\s*([^,\s]*)\s*,")
_NOT_VENUES = re.compile(r"^(corr|arxiv\b.*|ssrn\b.*|biorxiv\b.*|medrxiv\b.*)$", re.I)


MAX_BIB_SOURCE_BYTES = 32 << 20  # a .bib file to import; a library of 10,000 entries is about 10 MB
MAX_VALUE_CHARS = 100_000  # one field or @string after expanding its macros; an abstract is a few thousand


class BibSyntaxError(ImportRefused):
    """A malformed or oversized .bib file, at a line; nothing is imported."""


@dataclass
class BibEntry:
    key: str
    type: str
    fields: dict[str, str]
    persons: dict[str, list]
    line: int


@dataclass
class BibImport:
    papers: dict[str, NewRecord] = field(default_factory=dict)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why)


def read_entries(text: str, filename: str = "<bib>") -> list[BibEntry]:
    """Every entry of a BibTeX file, duplicates included, in file order; BibSyntaxError if malformed."""
    from pybtex.database import Entry, Person
    from pybtex.database.input.bibtex import LowLevelParser, month_names
    from pybtex.scanner import PybtexSyntaxError
    from pybtex.utils import CaseInsensitiveDict, OrderedCaseInsensitiveDict

    starts: dict[str, list[int]] = {}  # entry key -> offsets of its entries, in file order
    for m in _ENTRY_AT.finditer(text):
        starts.setdefault(m.group(2), []).append(m.start())
    entries: list[BibEntry] = []

    class Bounded(LowLevelParser):
        """pybtex's parser, refusing a value that expands past MAX_VALUE_CHARS (a `@string` bomb doubles per line)."""

        def parse_value(self):
            self.value_chars = 0
            super().parse_value()

        def parse_value_part(self):
            part = super().parse_value_part()
            self.value_chars += len(part)
            if self.value_chars > MAX_VALUE_CHARS:
                raise PybtexSyntaxError(
                    f"a value expands to more than {MAX_VALUE_CHARS:,} characters "
                    "(@string macros concatenated with #?); tlnotes imports no more",
                    self,
                )
            return part

    def add_entry(entry_type, key, fields):
        e = Entry(entry_type)
        values = OrderedCaseInsensitiveDict()
        for name, value_list in fields:
            value = " ".join("".join(value_list).split())
            if name.lower() in ("author", "editor"):
                for person in _split_names(value):
                    e.add_person(Person(person), name.lower())
            elif name not in values:
                values[name] = value
        offsets = starts.get(key) or [0]
        offset = offsets.pop(0) if len(offsets) > 1 else offsets[0]
        entries.append(BibEntry(key or "", entry_type.lower(), dict(values), dict(e.persons), text.count("\n", 0, offset) + 1))

    def raise_error(error):
        raise error

    try:
        parser = Bounded(
            text,
            handle_error=raise_error,
            want_entry=lambda key: True,
            filename=filename,
            macros=CaseInsensitiveDict(month_names),
        )
        for command, body in parser:
            if command.lower() not in ("string", "preamble"):
                add_entry(command, *body)
    except PybtexSyntaxError as exc:
        raise BibSyntaxError(getattr(exc, "lineno", 0) or 1, str(exc).split(": ", 1)[-1]) from None
    except Exception as exc:  # pybtex reports a few problems as other errors
        raise BibSyntaxError(1, str(exc)) from None
    return entries


def _split_names(value: str) -> list[str]:
    from pybtex.bibtex.utils import split_name_list  # brace-aware: `{Meta AI} and Others`

    return split_name_list(value)


@functools.cache
def _text_backend():
    """pybtex's plain-text backend, looked up once: `render_as` searches the plugin registry on every call (~10 ms)."""
    from pybtex.plugin import find_plugin

    return find_plugin("pybtex.backends", "text")()


def decode(latex_text: str) -> str:
    """BibTeX text to Unicode: `Ga{\\"e}l` -> Gaël, braces dropped."""
    from pybtex.richtext import Text

    try:
        text = Text.from_latex(latex_text).render(_text_backend())
    except Exception:  # malformed LaTeX: keep what is readable
        text = latex_text.replace("{", "").replace("}", "")
    return " ".join(text.split())


def _name(person) -> str:
    parts = person.first_names + person.middle_names + person.prelast_names + person.last_names + person.lineage_names
    return decode(" ".join(parts))


JABREF_READSTATUS = ("read", "skimmed")


def url_names_an_id(url: str) -> bool:
    """Whether the URL is only the arXiv or doi.org form of an id the record already holds."""
    return bool(arxiv_ref(url)) or re.match(r"https?://(dx\.)?doi\.org/", url, re.I) is not None


def to_candidate(e: BibEntry) -> tuple[NewRecord | None, str | None]:
    """A record candidate, or why the entry cannot become one."""
    f = {k.lower(): v for k, v in e.fields.items()}
    title = decode(f.get("title", ""))
    if not title:
        return None, "no title"
    m = re.search(r"\d{4}", f.get("year", "") or f.get("date", ""))
    year = int(m.group(0)) if m else None
    authors = [_name(p) for p in e.persons.get("author", [])] or [_name(p) for p in e.persons.get("editor", [])]
    authors = [a for a in authors if a]
    if authors and authors[-1].lower() == "others":
        authors[-1] = ET_AL
    if authors == [ET_AL]:
        authors = []
    links: dict[str, str] = {}
    aid = None
    eprint = f.get("eprint", "").strip()
    if eprint and (f.get("archiveprefix", "arxiv").lower() == "arxiv" or f.get("eprinttype", "").lower() == "arxiv"):
        aid = arxiv_ref(eprint)
    for source in (f.get("journal", ""), f.get("volume", ""), f.get("url", ""), f.get("note", "")):
        aid = aid or arxiv_in_text(source)
    doi = read_doi(f.get("doi", "")) or doi_of_url(f.get("url", ""))
    aid = aid or (arxiv_of_doi(doi) if doi else None)  # arXiv's own DOIs name the id: 10.48550/arXiv.2211.05100
    if aid:
        links["arxiv"] = aid
    if doi:
        links["doi"] = doi
    url = f.get("url", "").strip().split()[0] if f.get("url", "").strip() else ""
    if is_http_url(url):
        for label, value in links_for(url).items():
            links.setdefault(label, value)
        if url not in links.values() and not url_names_an_id(url):
            links.setdefault("url", url)  # a publisher's page whose DOI the entry has already: keep the page too
    if (year is None or not authors) and not (links.get("arxiv") or links.get("doi")):
        return None, "no year" if year is None else "no authors"  # nothing to complete them from
    venue = decode(f.get("journal") or f.get("booktitle") or "")
    if _NOT_VENUES.match(venue):
        venue = ""
    c = NewRecord(title, authors, year, links, "", e.line)
    c.venue = venue or None
    c.abstract = decode(f["abstract"]) if f.get("abstract") else None
    status = f.get("readstatus", "").strip().lower()  # JabRef's reading status: read or skimmed
    if status in JABREF_READSTATUS:
        c.extra["status"] = status
    return c, None


def parse_bibtex(text: str, kb: KnowledgeBase | None, topics: list[str], filename: str = "<bib>") -> BibImport:
    result = BibImport()
    known = KnownPapers(kb)
    seen_in_file: dict[str, str] = {}
    for e in read_entries(text, filename):
        c, why = to_candidate(e)
        if c is None:
            result.skipped.append((e.line, f"entry {e.key!r} skipped: {why}"))
            continue
        existing = known.find(c.links, c.title)
        if existing is not None:
            where = known.paths.get(existing)
            what = (
                f"already in the knowledge base as {where}"
                if where
                else f"same paper as entry {seen_in_file.get(existing, existing)!r} earlier in this file"
            )
            result.skipped.append((e.line, f"entry {e.key!r} skipped: {what}"))
            continue
        c.key, c.topics = make_key(c, known.keys), list(topics)
        key, paper = c.key, c
        why = refusal(paper) if paper.year is not None and paper.authors else None  # else: checked after the look-up
        if why:
            result.skipped.append((e.line, f"entry {e.key!r} skipped: {why}"))
            continue
        known.add(key, c.links, c.title)
        seen_in_file[key] = e.key
        result.papers[key] = paper
    return result
