"""The knowledge base as plain, immutable data.

Everything downstream (indexes, pages, BibTeX, link checks) reads these
types and nothing else, so they carry no behavior beyond small derived
views.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ERROR = "error"
WARNING = "warning"


def _one_line(text: str) -> str:
    """`text` with unprintable characters (newlines, line separators, controls) escaped."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


class TlnotesError(Exception):
    """What a command could not do, as a reader of its output wants it: `path:line: error: message`.

    Every module raises this (or a subclass) for a failure the user can act
    on; the CLI prints it after its own name and exits 1.
    """

    def __init__(self, message: str, path: object = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        if self.path is not None and self.line:
            return f"{self.path}:{self.line}: error: {self.message}"
        if self.path is not None:
            return f"{self.path}: {self.message}"
        return self.message


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the KB, located precisely enough to jump to."""

    file: str  # relative to the KB root, with forward slashes
    line: int  # 1-based
    column: int  # 1-based
    severity: str  # ERROR or WARNING
    code: str  # short, stable, machine-readable
    message: str

    def __str__(self) -> str:
        # a newline in a file name must not forge a line of output
        return f"{_one_line(self.file)}:{self.line}:{self.column}: {self.severity}: {_one_line(self.message)} [{self.code}]"

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
        }


@dataclass(frozen=True)
class Bullet:
    """A summary bullet: Markdown text and its nested sub-bullets."""

    text: str
    children: tuple[Bullet, ...] = ()


@dataclass(frozen=True)
class Paper:
    key: str
    path: str  # relative to the KB root
    title: str
    authors: tuple[str, ...]  # a last "others" means et al.
    year: int
    topics: tuple[str, ...]
    summary: tuple[Bullet, ...] = ()
    venue: str | None = None
    links: dict[str, str] = field(default_factory=dict)
    category: str | None = None  # arXiv primary category
    related: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # keys it had before (`tlnotes rename`); their old pages redirect
    added: _dt.date | None = None
    status: str | None = None  # schema.STATUSES
    read: _dt.date | None = None
    rating: int | None = None  # 1 to 5
    priority: str | None = None  # schema.PRIORITIES
    notes: str | None = None

    @property
    def et_al(self) -> bool:
        return bool(self.authors) and self.authors[-1] == "others"

    @property
    def named_authors(self) -> tuple[str, ...]:
        return self.authors[:-1] if self.et_al else self.authors


@dataclass(frozen=True)
class Topic:
    """A topic is a Markdown note in notes/; its id is the file stem."""

    id: str
    path: str  # relative to the KB root
    title: str
    description: str | None
    body: str  # the Markdown after the front matter
    body_line: int  # line of the file where `body` starts, for locating problems
    parent: str | None = None  # id of the topic named like the enclosing folder


@dataclass
class KnowledgeBase:
    root: Path
    papers: dict[str, Paper] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # file -> position(path=(), line=1, column=1): where a record field (or a spot inside its text,
    # or inside a note's body) is in its file; records are re-read for it only when asked
    positions: dict[str, Callable[..., tuple[int, int]]] = field(default_factory=dict, repr=False)

    def __getstate__(self):  # kept between builds (rerender.Warm) without `positions`, functions made by each load
        return {**self.__dict__, "positions": {}}

    def position(self, file: str, path: tuple = (), line: int = 1, column: int = 1) -> tuple[int, int]:
        """Line and column in `file` of the field at `path` of a record, or of `line`:`column` inside its text."""
        where = self.positions.get(file)
        return where(path, line, column) if where else (line, column)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors


_NOT_ALNUM = re.compile(r"[\W_]+")


def normalize_title(title: str) -> str:
    """Titles that differ only in case, spacing or punctuation are the same paper."""
    return _NOT_ALNUM.sub("", title.casefold())


# a paper's own locations; a shared code repository or blog post does not make two records one paper
OWN_URL_LABELS = ("pdf", "url")


def identities(links: dict[str, str], title: str) -> list[tuple[str, str, str]]:
    """(kind, value, what a message calls it) for each fact that makes two records the same paper.

    The loader's duplicate check and every importer's "already known" ask
    this one function, so `check` and `import` cannot disagree.
    """
    from .ids import normalize_doi

    out = []
    if links.get("arxiv"):
        out.append(("arxiv", links["arxiv"], f"arXiv id {links['arxiv']}"))
    if links.get("doi"):
        out.append(("doi", normalize_doi(links["doi"]), f"DOI {links['doi']}"))
    for label in OWN_URL_LABELS:
        if links.get(label):
            out.append(("url", links[label].rstrip("/"), f"URL {links[label]}"))
    if title and normalize_title(title):
        out.append(("title", normalize_title(title), "title"))
    return out
