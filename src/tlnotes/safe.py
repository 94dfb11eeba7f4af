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
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from .citations import Citation, find_citations
from .markdown import autolinks, fences, links

if TYPE_CHECKING:  # imported when first needed at run time
    from markdown_it import MarkdownIt

_CODE_RE = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)", re.S)
_DISPLAY_MATH_RE = re.compile(r"(?<![\\$])\$\$(.+?)\$\$", re.S)
_INLINE_MATH_RE = re.compile(r"(?<![\\$])\$(?![\s$])([^$\n]*?[^\s\\$])\$(?!\d)")
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


def is_local(url: str) -> bool:
    """A destination on this site: no scheme, no host."""
    u = html.unescape(url.strip())
    return not _SCHEME_RE.match(_CONTROL_RE.sub("", u)) and not u.startswith(("//", "\\\\", "/\\", "\\/"))


_IMAGE_RE = re.compile(r"!\[([^\[\]\n]*)\](?:\(|\[([^\[\]\n]*)\])?")


def _prose(text: str) -> str:
    """Escape raw HTML and attribute lists; make unsafe links plain text; remote images links."""
    found = links(text)
    remote_labels = {link.label.casefold() for link in found if link.kind == "definition" and not is_local(link.dest)}
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement), in order
    for link in found:
        whole = text[link.start : link.end]
        if not (is_safe_url(link.dest) and is_safe_url(re.sub(r"\s+", "", link.dest))):
            # no longer a link or a definition: shows as text
            if link.kind == "inline":
                edits.append((link.start, link.start + 2, "]\\("))
            else:
                edits.append((link.start, link.start + 1, "\\["))
        elif link.kind == "inline" and whole[2:].lstrip().startswith("<") and link.closed:
            # `(<url with spaces>)`: the plain form, since every `<` below becomes text
            edits.append((link.start, link.end, "](" + link.dest.replace(" ", "%20") + ")"))
    for m in _IMAGE_RE.finditer(text):
        label = (m.group(2) or m.group(1)) if not m.group(0).endswith("(") else None
        if label is None:
            dest = next((link.dest for link in found if link.kind == "inline" and link.start == m.end() - 2), "")
            remote = not is_local(dest)
        else:
            remote = label.casefold() in remote_labels
        if remote:  # a page never loads a picture from another host: it links to it
            edits.append((m.start(), m.start() + 2, "[" if m.group(1) else "[image"))
    out, pos = [], 0
    for start, end, replacement in sorted(edits):
        if start < pos:
            continue
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    text = "".join(out)
    # raw HTML: every "<" becomes text, except http(s) autolinks
    pieces = []
    pos = 0
    for at, url in autolinks(text):
        pieces.append(text[pos : at - 1].replace("<", "&lt;"))
        pieces.append(f"<{url}>")
        pos = at + len(url) + 1
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


# ---------------------------------------------------------------- one field


def _field_parser(links: bool) -> MarkdownIt:
    """CommonMark for one field, raw HTML off, math as in notes; links only where they may be."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    # `$5 and $10` is money, `$ x $` is prose: the same rules as the notes' math
    md.use(
        dollarmath_plugin, allow_labels=False, allow_space=False, allow_digits=False, allow_blank_lines=False, double_inline=True
    )
    md.disable(
        ["heading", "lheading", "list", "blockquote", "hr", "code", "fence", "reference", "html_block", "table"],
        ignoreInvalid=True,
    )
    if links:
        # a field shows on many pages, so a relative link would point somewhere else on each: absolute only
        # markdown-it-py documents replacing validateLink on the instance; mypy forbids assigning to a method
        md.validateLink = lambda url: is_safe_url(url) and bool(_SCHEME_RE.match(url))  # type: ignore[method-assign]
    else:  # link text of our own link: no link inside it
        md.disable(["link", "image", "autolink"])
    md.add_render_rule("math_inline", lambda self, tokens, i, options, env: _math(tokens[i].content, False))
    md.add_render_rule("math_inline_double", lambda self, tokens, i, options, env: _math(tokens[i].content, True))
    md.add_render_rule("image", _image_as_link)
    return md


def _image_as_link(self, tokens, i, options, env) -> str:
    """An image in a field is a link to it: a page never loads a picture from another host."""
    token = tokens[i]
    alt = html.escape(self.renderInlineAsText(token.children or [], options, env) or "image")
    return f'<a href="{html.escape(token.attrGet("src") or "", quote=True)}">{alt}</a>'


_PARSERS: dict[bool, MarkdownIt] = {}
_PLAIN = re.compile(r"[\\`*_\[\]!<>&$~^{}|:]|https?:", re.I)  # text without these needs no parser
_TAG = re.compile(r"(<[^<>]*>)")
_ATTR_VALUE = re.compile(r'="([^"]*)"')
_ACTIVE_IN_HTML = re.compile(r"[\\`*_\[\]!$~^{}|]")


def _embed(fragment: str) -> str:
    """Finished HTML that the page's Markdown reads as it is: its Markdown punctuation as entities.

    Without this, an `*` or `[` left over in one field could pair with one in
    the next field on the same line of the page.
    """
    out = []
    for part in _TAG.split(fragment):
        if part.startswith("<") and part.endswith(">"):
            out.append(_ATTR_VALUE.sub(lambda m: '="' + _ACTIVE_IN_HTML.sub(_entity, m.group(1)) + '"', part))
        else:
            out.append(_ACTIVE_IN_HTML.sub(_entity, part))
    return "".join(out)


def _entity(m: re.Match) -> str:
    return f"&#{ord(m.group(0))};"


@lru_cache(maxsize=1 << 16)  # titles and names recur on many pages
def inline(text: str, links: bool = True) -> str:
    """One field of untrusted Markdown (a title, a bullet, a name) as self-contained inline HTML.

    Each field is parsed on its own, never joined with another field first, so
    nothing opened in one field (a link, emphasis, code) can close in another.
    """
    text = " ".join(_strip_controls(str(text)).split())
    if not _PLAIN.search(text):
        return html.escape(text, quote=False)
    parser = _PARSERS.get(links)
    if parser is None:
        parser = _PARSERS[links] = _field_parser(links)
    return _embed(parser.renderInline(text))


_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _strip_controls(text: str) -> str:
    """Control characters out: Python-Markdown uses \\x02 and \\x03 as its own placeholders."""
    return _CONTROLS.sub("\ufffd", text)


_NOT_XML = re.compile(r"[\ufffe\uffff\ud800-\udfff]")


def plain(text: str) -> str:
    """Text for a non-HTML output (a feed, graph data): controls and what XML 1.0 cannot hold become U+FFFD."""
    return _NOT_XML.sub("\ufffd", _strip_controls(str(text)))


def block(text: str, cite: Callable[[Citation], str] | None = None) -> str:
    """Untrusted multi-line Markdown (a note), made safe; `cite` renders each citation."""
    text = _strip_controls(str(text).replace("\r\n", "\n")).translate(_NO_HOLDS)
    out = []
    pos = 0
    for f in fences(text):
        out.append(_with_citations(text[pos : f.start], cite))
        lang = re.sub(r"[^A-Za-z0-9_+-]", "", f.info.split(" ")[0]) if f.info else ""
        cls = f' class="language-{lang}"' if lang else ""
        out.append(f"<pre><code{cls}>{encode_all(f.content)}</code></pre>\n")
        pos = f.end
    out.append(_with_citations(text[pos:], cite))
    return "".join(out)


# a citation waits as `\ufdd0N\ufdd1` while the text around it is made safe as a whole:
# split at citations first, and a link destination holding one would be judged in pieces
_HOLD_OPEN, _HOLD_CLOSE = "\ufdd0", "\ufdd1"
_HOLD_RE = re.compile(f"{_HOLD_OPEN}(\\d+){_HOLD_CLOSE}")
_NO_HOLDS = str.maketrans({_HOLD_OPEN: "\ufffd", _HOLD_CLOSE: "\ufffd"})


def _with_citations(text: str, cite: Callable[[Citation], str] | None) -> str:
    if cite is None:
        return _spans(text)
    rendered: list[str] = []
    out = []
    pos = 0
    for c in find_citations(text):
        out.append(text[pos : c.start])
        out.append(f"{_HOLD_OPEN}{len(rendered)}{_HOLD_CLOSE}")
        rendered.append(cite(c))
        pos = c.end
    out.append(text[pos:])
    spanned = _spans("".join(out))
    # a `]` or `!` of the prose right before a citation would make one link (or an image) of it and
    # what follows: `[-@a][-@b]` renders `[-` + link + `]` + `(link)`; escaped, each stays text
    spanned = re.sub(f"([\\]!])(?={_HOLD_OPEN})", r"\\\1", spanned)
    return _HOLD_RE.sub(lambda m: rendered[int(m.group(1))], spanned)


@lru_cache(maxsize=1 << 16)  # titles and names recur on many pages
def attr(text: str) -> str:
    """Text for an HTML attribute value or element content we write ourselves."""
    return html.escape(_strip_controls(str(text)), quote=True)


def md_attr(text: str) -> str:
    """Text for an attribute of raw HTML inside a Markdown paragraph: `attr`, and Markdown's punctuation as entities,
    which a browser decodes and Markdown leaves alone (it would read `![x](y)` in an attribute as an image)."""
    return _ACTIVE_IN_HTML.sub(_entity, attr(text))
