"""Turn untrusted Markdown from records and notes into Markdown that cannot carry HTML.

Record text is data. What a reader should still get from it: emphasis, code,
links to http(s) URLs, and math. What must never get through: raw HTML
(`<script>`, `<img onerror=...>`, `<iframe>`), links with other schemes
(`javascript:`, `data:`, including entity-obfuscated ones), and attribute
lists (`{: onclick=...}`), which the attr_list extension would apply.

Rather than predict how Python-Markdown will read each construct, the parts
whose content must be kept verbatim (code and math) are emitted here as
finished HTML with every punctuation character entity-encoded, so the
Markdown processor has nothing left to interpret in them; everything else has
its `<` and `{` encoded, which no Markdown or HTML reading can turn back into
a tag or an attribute list.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import Callable

from .citations import Citation, find_citations

_CODE_RE = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)", re.S)
_DISPLAY_MATH_RE = re.compile(r"(?<![\\$])\$\$(.+?)\$\$", re.S)
_INLINE_MATH_RE = re.compile(r"(?<![\\$])\$(?![\s$])([^$\n]*?[^\s\\$])\$(?!\d)")
_AUTOLINK_RE = re.compile(r"<(https?://[^\s<>\"'`]+)>", re.I)
_LINK_OPEN_RE = re.compile(r"\]\(")
_REF_DEF_RE = re.compile(r"^( {0,3})\[([^\]\n]+)\]:[ \t]*(\S+)", re.M)
_FENCE_RE = re.compile(r"^(`{3,}|~{3,})([^\n`]*)\n(.*?)(?:^\1[`~]*[ \t]*$|\Z)", re.S | re.M)
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):", re.I)
_CONTROL_RE = re.compile(r"[\x00-\x20\x7f]+")
SAFE_SCHEMES = {"http", "https", "mailto"}


# every character that starts or ends Markdown, HTML or extension syntax inline
# (emphasis, code, links, images, escapes, entities, tags, math, attr lists)
_ACTIVE = re.compile(r"[\\`*_\[\]!<>&${}~^]")


def encode_all(text: str) -> str:
    """Entity-encode the characters that Markdown or HTML could read as syntax."""
    return _ACTIVE.sub(lambda m: f"&#{ord(m.group(0))};", text)


def is_safe_url(url: str) -> bool:
    """http(s), mailto, or a relative URL; what a browser would decode counts."""
    decoded = _CONTROL_RE.sub("", html.unescape(html.unescape(url.strip().strip("<>"))))
    m = _SCHEME_RE.match(decoded)
    if m is None:
        return not decoded.startswith("\\")  # browsers read \\host as //host
    return m.group(1).lower() in SAFE_SCHEMES


def _link_dest_end(text: str, start: int) -> int:
    """Index just past the `)` closing a link destination that opens at `start`."""
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


def _prose(text: str) -> str:
    """Escape raw HTML and attribute lists; make unsafe links plain text."""
    # links and images: keep http(s)/relative destinations, defuse the rest
    out = []
    pos = 0
    for m in _LINK_OPEN_RE.finditer(text):
        if m.start() < pos:
            continue
        end = _link_dest_end(text, m.end())
        if end < 0:
            continue
        dest = text[m.end() : end - 1].strip()
        dest_url = dest.split()[0] if dest and not dest.startswith("<") else dest.split(">")[0]
        if not (is_safe_url(dest_url) and is_safe_url(re.sub(r"\s+", "", dest))):
            out.append(text[pos : m.start()] + "]\\(")  # no longer a link: shows as text
            pos = m.end()
    out.append(text[pos:])
    text = "".join(out)
    text = _REF_DEF_RE.sub(lambda m: m.group(0) if is_safe_url(m.group(3)) else f"{m.group(1)}\\[{m.group(2)}]: {m.group(3)}", text)
    # raw HTML: every "<" becomes text, except http(s) autolinks
    pieces = []
    pos = 0
    for m in _AUTOLINK_RE.finditer(text):
        pieces.append(text[pos : m.start()].replace("<", "&lt;"))
        pieces.append(m.group(0))
        pos = m.end()
    pieces.append(text[pos:].replace("<", "&lt;"))
    text = "".join(pieces)
    return text.replace("{", "&#123;")


def _code(m: re.Match) -> str:
    body = m.group(2)
    if body.startswith(" ") and body.endswith(" ") and body.strip():
        body = body[1:-1]
    return f"<code>{encode_all(body)}</code>"


def _math(tex: str, display: bool) -> str:
    left, right = ("\\[", "\\]") if display else ("\\(", "\\)")
    return f'<span class="arithmatex">{encode_all(left + tex.strip() + right)}</span>'


_SPANS_RE = re.compile("|".join(f"(?:{p.pattern})" for p in (_CODE_RE, _DISPLAY_MATH_RE, _INLINE_MATH_RE)), re.S)


def _spans(text: str) -> str:
    """Code spans and math as finished HTML; the prose between them escaped."""
    out = []
    pos = 0
    for m in _SPANS_RE.finditer(text):
        out.append(_prose(text[pos : m.start()]))
        if m.group(2) is not None:  # code: groups 1, 2
            out.append(_code(m))
        elif m.group(3) is not None:
            out.append(_math(m.group(3), True))
        else:
            out.append(_math(m.group(4), False))
        pos = m.end()
    out.append(_prose(text[pos:]))
    return "".join(out)


@lru_cache(maxsize=1 << 16)  # titles and names recur on many pages
def inline(text: str) -> str:
    """One line of untrusted Markdown (a title, a bullet, a name), made safe."""
    return _spans(" ".join(str(text).split()))


def block(text: str, cite: Callable[[Citation], str] | None = None) -> str:
    """Untrusted multi-line Markdown (a note), made safe; `cite` renders each citation."""
    text = str(text).replace("\r\n", "\n")
    out = []
    pos = 0
    for m in _FENCE_RE.finditer(text):
        out.append(_with_citations(text[pos : m.start()], cite))
        lang = re.sub(r"[^A-Za-z0-9_+-]", "", m.group(2).strip().split(" ")[0]) if m.group(2).strip() else ""
        cls = f' class="language-{lang}"' if lang else ""
        out.append(f"<pre><code{cls}>{encode_all(m.group(3))}</code></pre>\n")
        pos = m.end()
    out.append(_with_citations(text[pos:], cite))
    return "".join(out)


def _with_citations(text: str, cite: Callable[[Citation], str] | None) -> str:
    if cite is None:
        return _spans(text)
    out = []
    pos = 0
    for c in find_citations(text):
        out.append(_spans(text[pos : c.start]))
        out.append(cite(c))
        pos = c.end
    out.append(_spans(text[pos:]))
    return "".join(out)


def attr(text: str) -> str:
    """Text for an HTML attribute value or element content we write ourselves."""
    return html.escape(str(text), quote=True)
