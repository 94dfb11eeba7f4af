"""Pandoc-style citations in Markdown: `[@key]`, `[@a; @b, p. 3]`, in-text `@key`.

One scanner serves the checker (which keys a note cites, and where), the
index (who cites whom) and the renderer (what to turn into links). Code spans,
fenced and indented code blocks are masked first: a `@name` in code is not a
citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# pandoc: starts with a letter, digit or _, then alphanumerics and _, with
# internal punctuation :.#$%&-+?<>~/ allowed only when followed by more key
KEY = r"[A-Za-z0-9_](?:[A-Za-z0-9_]|[:.#$%&\-+?<>~/](?=[A-Za-z0-9_]))*"
_KEY_RE = re.compile(r"(-?)@(?:\{([^{}\s]+)\}|(" + KEY + r"))")
_GROUP_RE = re.compile(r"\[([^\[\]\n]*?-?@[^\[\]]*?)\](?![(\[:])")
_INTEXT_RE = re.compile(r"(?<![\w@.\\/`])@(?:\{([^{}\s]+)\}|(" + KEY + r"))(?:\s+\[([^\[\]\n]*)\](?![(\[:]))?")
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LINK_DEST_RE = re.compile(r"\]\([^()\s]*(?:\([^()\s]*\)[^()\s]*)*(?:\s+\"[^\"]*\")?\)|<[a-zA-Z][a-zA-Z0-9+.-]*:[^<>\s]*>")
_CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)


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


def mask_code(text: str) -> str:
    """`text` with code blocks and spans blanked out, offsets unchanged."""
    out = []
    fence = None
    prev_blank = True
    in_indented = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        m = _FENCE_RE.match(line)
        if fence is not None:
            out.append(_blank(line))
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not line.strip().strip(fence[0]):
                fence = None
            continue
        if m:
            fence = m.group(1)
            out.append(_blank(line))
            continue
        indented = line.startswith("    ") or line.startswith("\t")
        if indented and stripped and (prev_blank and not _in_list(out) or in_indented):
            in_indented = True
            out.append(_blank(line))
            prev_blank = False
            continue
        if stripped:
            in_indented = False
        prev_blank = not stripped
        out.append(line)
    masked = "".join(out)
    return _CODE_SPAN_RE.sub(lambda m: _blank(m.group(0)), masked)


def _blank(s: str) -> str:
    return "".join(c if c == "\n" else " " for c in s)


def _in_list(lines: list[str]) -> bool:
    """Whether the last non-blank line written is part of a list (so indentation continues it)."""
    for line in reversed(lines):
        if line.strip():
            return bool(re.match(r"^\s*(?:[-*+]|\d+[.)])\s", line)) or line.startswith((" ", "\t"))
    return False


def _items(body: str) -> tuple[Item, ...] | None:
    items = []
    for part in body.split(";"):
        m = _KEY_RE.search(part)
        if not m:
            return None  # a bracket with something that is not a citation
        prefix = part[: m.start()].strip()
        rest = part[m.end():]
        locator = rest.strip()
        if locator.startswith(","):
            locator = locator[1:].strip()
        items.append(Item(m.group(2) or m.group(3), prefix, locator, m.group(1) == "-"))
    return tuple(items)


def find_citations(text: str) -> list[Citation]:
    """Every citation in `text`, in order."""
    masked = mask_code(text)
    # link destinations and autolinks are URLs, not prose
    masked = _LINK_DEST_RE.sub(lambda m: m.group(0)[:1] + _blank(m.group(0)[1:]), masked)
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


def _at(text: str, start: int, end: int, items, in_text: bool) -> Citation:
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    return Citation(start, end, items, in_text, line, column)


def cited_keys(text: str) -> list[str]:
    return [item.key for c in find_citations(text) for item in c.items]
