"""The one reading of Markdown that every part of tlnotes shares.

What counts as code (fences, indented blocks, spans), as front matter, as a
note's own title heading, and as a link or a reference definition is decided
here once: the checker, the citation scanner, the sanitiser, the link checker
and the importer all ask this module, so a construct that is code to one of
them is code to all of them.

Fences follow CommonMark: a line indented at most three spaces that starts
with three or more backticks or tildes, closed by a line of the same
character at least as long.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FENCE_OPEN = re.compile(r"^( {0,3})(`{3,}|~{3,})([^\n]*)$")
_CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_LINK_OPEN_RE = re.compile(r"\]\(")
_AUTOLINK_RE = re.compile(r"<(https?://[^\s<>\"'`]+)>", re.I)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of `offset` in `text`."""
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


# ---------------------------------------------------------------- front matter and title


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, body, line where the body starts)."""
    if not (text.startswith("---\n") or text.startswith("---\r\n")):
        return None, text, 1
    lines = text.splitlines(keepends=True)
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    return "".join(lines[1:]), "", len(lines) + 1


def leading_h1(body: str) -> tuple[str | None, str]:
    """A note's own `# Title` when it is its first line of text, and the body without it."""
    stripped = body.lstrip("\n")
    first, _, rest = stripped.partition("\n")
    if first.startswith("# "):
        return first[2:].strip().strip("#").strip() or None, rest
    return None, body


# ---------------------------------------------------------------- code


@dataclass(frozen=True)
class Fence:
    start: int  # offset of the opening line
    end: int  # offset just past the closing line (or the end of the text)
    info: str  # what follows the opening backticks: the language
    content: str


def fences(text: str) -> list[Fence]:
    """Every fenced code block of `text`; an unclosed fence runs to the end."""
    out = []
    pos = 0
    opened = None  # (start, marker, info, content start)
    for line in text.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if opened is None:
            m = FENCE_OPEN.match(bare)
            if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
                opened = (pos, m.group(2), m.group(3).strip(), pos + len(line))
        else:
            start, marker, info, content_start = opened
            close = bare.strip()
            if len(bare) - len(bare.lstrip(" ")) <= 3 and close and set(close) == {marker[0]} and len(close) >= len(marker):
                out.append(Fence(start, pos + len(line), info, text[content_start:pos]))
                opened = None
        pos += len(line)
    if opened is not None:
        start, marker, info, content_start = opened
        out.append(Fence(start, len(text), info, text[content_start:]))
    return out


def mask_code(text: str) -> str:
    """`text` with code blocks and spans blanked out, offsets unchanged."""
    blocks = fences(text)
    if blocks:
        pieces, pos = [], 0
        for f in blocks:
            pieces += [text[pos : f.start], _blank(text[f.start : f.end])]
            pos = f.end
        text = "".join(pieces) + text[pos:]
    out: list[str] = []
    prev_blank = True
    in_indented = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
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


# ---------------------------------------------------------------- links


def _link_dest_end(text: str, start: int) -> int:
    """Index just past the `)` closing a link destination that opens at `start`; -1 if the paragraph ends first."""
    depth = 1
    i = start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        elif c == "\n" and text[i + 1 : i + 2] == "\n":
            break
        i += 1
    return -1


def _paragraph_end(text: str, start: int) -> int:
    end = text.find("\n\n", start)
    return len(text) if end < 0 else end


@dataclass(frozen=True)
class Link:
    """A link, image or reference definition in Markdown text, as the page's Markdown will read it."""

    start: int  # of the `](`, or of the `[` of a definition
    end: int  # just past the destination
    dest: str  # as written, angle brackets and title removed
    kind: str  # "inline" or "definition"
    label: str = ""  # a definition's label
    closed: bool = True  # an inline destination that has its `)`


_TITLE_RE = re.compile(r'"[^"]*"|\'[^\']*\'|\([^()]*\)', re.S)
# a definition starts a line, after any list markers and quote marks around it; its URL may be on the next line
_REF_DEF_RE = re.compile(
    r"^[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+[ \t>]*)*(\[([^\[\]\n]+)\]:[ \t]*(?:\n[ \t>]*)?(<[^<>\n]*>|\S+))", re.M
)


def links(text: str) -> list[Link]:
    """Every inline destination and reference definition in `text`, wherever it stands.

    Definitions count wherever a line starts one (inside list items and
    blockquotes, with the URL on the next line), and an inline destination without its `)` runs to
    the end of the paragraph: a reading wider than Python-Markdown's, so
    whatever it could take as a link is looked at here.
    """
    out = []
    for m in _LINK_OPEN_RE.finditer(text):
        end = _link_dest_end(text, m.end())
        closed = end >= 0
        if not closed:
            end = _paragraph_end(text, m.end())
        raw = text[m.end() : end - 1 if closed else end].strip()
        if raw.startswith("<") and ">" in raw:
            dest = raw[1 : raw.index(">")]
        else:  # `url "title"`; anything else after a space stays part of the URL, as Python-Markdown reads it
            first, _, rest = re.sub(r"\s", " ", raw).partition(" ")
            dest = first if (not rest.strip() or _TITLE_RE.fullmatch(rest.strip())) else raw
        out.append(Link(m.start(), end, dest, "inline", closed=closed))
    for m in _REF_DEF_RE.finditer(text):
        dest = m.group(3)
        out.append(Link(m.start(1), m.end(), dest[1:-1] if dest.startswith("<") else dest, "definition", m.group(2)))
    return sorted(out, key=lambda link: link.start)


def autolinks(text: str) -> list[tuple[int, str]]:
    """(offset, URL) of every `<http://...>` autolink."""
    return [(m.start(1), m.group(1)) for m in _AUTOLINK_RE.finditer(text)]
