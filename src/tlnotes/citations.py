"""Pandoc-style citations in Markdown: `[@key]`, `[@a; @b, p. 3]`, in-text `@key`.

One scanner serves the checker (which keys a note cites, and where), the
index (who cites whom) and the renderer (what to turn into links). Code is
masked first, by `markdown.mask_code`: a `@name` in code is not a citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .markdown import _blank, line_col, mask_code

# pandoc: starts with a letter, digit or _, then alphanumerics and _, with
# internal punctuation :.#$%&-+?<>~/ allowed only when followed by more key
KEY = r"[A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&\-+?<>~/](?=[A-Za-z0-9_]))*"
_KEY_RE = re.compile(r"(-?)@(?:\{([^{}\s]+)\}|(" + KEY + r"))")
_GROUP_RE = re.compile(r"\[([^\[\]\n]*?-?@[^\[\]]*?)\](?![(\[:])")
_INTEXT_RE = re.compile(r"(?<![\w@.\\/`])@(?:\{([^{}\s]+)\}|(" + KEY + r"))(?:\s+\[([^\[\]\n]*)\](?![(\[:]))?")
_LINK_DEST_RE = re.compile(r"\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"]*\")?\)|<[a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*>")


@dataclass(frozen=True)
class Item:
    key: str
    prefix: str = ""
    locator: str = ""
    suppress_author: bool = False


@dataclass(frozen=True)
class Citation:
    """One bracketed group or in-text citation, located in the source text."""

    start: int
    end: int
    items: tuple[Item, ...]
    in_text: bool
    line: int  # 1-based, within the text scanned
    column: int


def _items(body: str) -> tuple[Item, ...] | None:
    items = []
    for part in body.split(";"):
        m = _KEY_RE.search(part)
        if not m:
            return None  # a bracket with something that is not a citation
        prefix = part[: m.start()].strip()
        rest = part[m.end() :]
        locator = rest.strip()
        if locator.startswith(","):
            locator = locator[1:].strip()
        items.append(Item(m.group(2) or m.group(3), prefix, locator, m.group(1) == "-"))
    return tuple(items)


def find_citations(text: str) -> list[Citation]:
    """Every citation in `text`, in order."""
    masked = _masked(text)
    found: list[Citation] = []
    taken: list[tuple[int, int]] = []
    for m in _GROUP_RE.finditer(masked):
        if m.start() > 0 and masked[m.start() - 1] == "!":  # an image
            continue
        items = _items(m.group(1))
        if items:
            found.append(_at(masked, m.start(), m.end(), items, False))
            taken.append((m.start(), m.end()))
    for m in _INTEXT_RE.finditer(masked):
        if any(a <= m.start() < b for a, b in taken):
            continue
        key = m.group(1) or m.group(2)
        locator = (m.group(3) or "").strip()
        end = m.end() if m.group(3) is not None else m.start() + 1 + len(m.group(1) and "{" + m.group(1) + "}" or m.group(2))
        found.append(_at(masked, m.start(), end, (Item(key, locator=locator),), True))
    found.sort(key=lambda c: c.start)
    return found


def _masked(text: str) -> str:
    """The text as `find_citations` reads it: code and link destinations (URLs, not prose) blanked, offsets unchanged."""
    masked = mask_code(text)
    return _LINK_DEST_RE.sub(lambda m: m.group(0)[:1] + _blank(m.group(0)[1:]), masked)


def key_spans(text: str, key: str) -> list[tuple[int, int, bool]]:
    """(start, end, braced) of the key itself in every citation of `key` in `text`: `@key`, `[@a; -@key, p. 3]`, `@{key}`.

    What `tlnotes rename` rewrites: the scanner that finds citations says where their keys are, so the two agree.
    """
    cites = find_citations(text)
    if not cites:
        return []
    masked = _masked(text)
    out = []
    for c in cites:
        if c.in_text:
            m = _KEY_RE.match(masked, c.start)
            if m and (m.group(2) or m.group(3)) == key:
                out.append((*m.span(2 if m.group(2) else 3), bool(m.group(2))))
            continue
        pos = c.start + 1
        for part in masked[c.start + 1 : c.end - 1].split(";"):
            m = _KEY_RE.search(part)
            if m and (m.group(2) or m.group(3)) == key:
                g = 2 if m.group(2) else 3
                out.append((pos + m.start(g), pos + m.end(g), g == 2))
            pos += len(part) + 1
    return out


def _at(text: str, start: int, end: int, items, in_text: bool) -> Citation:
    line, column = line_col(text, start)
    return Citation(start, end, items, in_text, line, column)


def cited_keys(text: str) -> list[str]:
    return [item.key for c in find_citations(text) for item in c.items]
