"""What the site build would trip over in notes, found while checking, at the note's own line.

`tlnotes check` promises that `tlnotes build` then passes. A strict MkDocs
build stops on a relative link to no page or to no heading, on an absolute
link, and Python-Markdown recurses or turns quadratic on pathological
nesting. Each of these is decided here from the same reading of links that
`safe` uses to render them (`markdown.links`), and reported as a problem of the
note or record, not of the generated page MkDocs would name.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from . import safe
from .markdown import links, mask_code, split_front_matter

# Python-Markdown recurses once per nesting level (lists, quotes) and per emphasis
# delimiter; a few hundred overflow the stack. Unmatched `[` make it quadratic:
# 1,000 in one paragraph take 0.4 s, 5,000 take 9 s. The bounds leave a wide margin.
MAX_NESTING = 32  # list and quote levels of one line
MAX_BRACKETS = 300  # `[` in one paragraph
MAX_EMPHASIS = 400  # `*` and `_` in one paragraph
MAX_PARAGRAPH = 200_000  # characters in one paragraph


@dataclass
class SitePages:
    """The site's files as a note's links see them: generated pages, docs/ files, and their headings."""

    page_list: Callable[[], Iterable[str]]  # every generated page, as its .md source path; asked only when a note links
    docs: set[str]  # files under docs/, relative to it
    extra: set[str] = field(default_factory=set)  # other generated files (papers.bib)
    page_markdown: Callable[[str], str | None] = lambda path: None  # a page's Markdown, to find its anchors
    _anchors: dict[str, set[str]] = field(default_factory=dict)
    _pages: set[str] | None = None

    @property
    def pages(self) -> set[str]:
        if self._pages is None:
            self._pages = set(self.page_list())
        return self._pages

    def exists(self, path: str) -> bool:
        return path in self.pages or path in self.docs or path in self.extra

    def anchors(self, path: str) -> set[str]:
        if path not in self._anchors:
            self._anchors[path] = heading_ids(self.page_markdown(path) or "")
        return self._anchors[path]


def heading_ids(markdown_text: str) -> set[str]:
    """The anchors MkDocs checks links against: the ids toc gives headings, and ids in raw HTML (an author entry)."""
    from html.parser import HTMLParser

    import markdown

    md = markdown.Markdown(extensions=["toc", "attr_list", "tables", "admonition"])
    md.convert(split_front_matter(markdown_text)[1])
    ids: set[str] = set()

    class RawIds(HTMLParser):  # as MkDocs reads the stashed raw HTML blocks (mkdocs.structure.pages)
        def handle_starttag(self, tag, attrs):
            ids.update(v for k, v in attrs if k == "id" and v)

    raw = RawIds()
    for block in md.htmlStash.rawHtmlBlocks:
        raw.feed(str(block))
    raw.close()
    # the toc extension adds toc_tokens to the instance at run time, which the stubs cannot declare
    todo = list(md.toc_tokens)  # type: ignore[attr-defined]
    while todo:
        token = todo.pop()
        ids.add(token["id"])
        todo.extend(token.get("children", ()))
    return ids


@dataclass(frozen=True)
class Finding:
    offset: int  # in the text checked
    code: str
    message: str


def check_text(text: str, page: str, site: SitePages) -> list[Finding]:
    """Everything in one note's Markdown (rendered as `page`) that would stop or stall the build."""
    found = _bounds(text)
    if found:  # past the bounds nothing else is worth reading
        return found
    masked = mask_code(text)
    for link in links(masked):
        if not (safe.is_safe_url(link.dest) and safe.is_local(link.dest)):
            continue  # shown as text, or an outside link: nothing for the build to resolve
        if link.kind == "definition" and "@" in link.label:
            continue  # `[@key]: text` is a citation followed by a colon
        if not link.closed:
            continue  # `[x](dest` without its `)` is text to Markdown; only `safe` reads it wider
        problem = _resolve(link.dest, page, site)
        if problem:
            found.append(Finding(link.start + (0 if link.kind == "definition" else 2), "broken-link", problem))
    return found


def _resolve(dest: str, page: str, site: SitePages) -> str | None:
    """Why a local link from `page` leads nowhere, or None."""
    dest = dest.strip()
    if not dest:
        return None
    parts = urlsplit(dest)
    path, fragment = unquote(parts.path), unquote(parts.fragment)
    if path.startswith("/"):
        return f"link {dest!r} is absolute; link within the site relatively (../papers/KEY.md) or cite with [@key]"
    if path:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
        if target.startswith("../") or target == "..":
            return f"link {dest!r} leads outside the site (this text is on the page {page})"
        if not site.exists(target):
            hint = _hint(target, site)
            return f"link {dest!r} leads to no page: from {page} it resolves to {target}{hint}"
    else:
        target = page
    if fragment and target.endswith(".md") and fragment not in site.anchors(target):
        near = _closest(fragment, site.anchors(target))
        return f"link {dest!r}: {target} has no heading #{fragment}" + (f"; did you mean #{near}?" if near else "")
    return None


def _hint(target: str, site: SitePages) -> str:
    stem = posixpath.splitext(posixpath.basename(target.rstrip("/")))[0]
    for kind in ("papers", "topics"):
        if f"{kind}/{stem}.md" in site.pages:
            return f"; the {kind[:-1]} page is {kind}/{stem}.md (from a note: ../{kind}/{stem}.md)"
    if not target.endswith(".md") and f"{target.rstrip('/')}.md" in site.pages | site.docs:
        return f"; link the page's source, {target.rstrip('/')}.md"
    return ""


def _closest(word: str, choices: set[str]) -> str | None:
    import difflib

    found = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return found[0] if found else None


_NEST_PREFIX = re.compile(r"[ \t>]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+[ \t>]*)*")


def _bounds(text: str) -> list[Finding]:
    """Nesting and paragraph sizes that Python-Markdown cannot take, at their first occurrence."""
    out = []
    pos = 0
    for paragraph in re.split(r"(\n[ \t>]*\n)", mask_code(text)):
        start = pos
        pos += len(paragraph)
        if not paragraph.strip():
            continue
        if len(paragraph) > MAX_PARAGRAPH:
            out.append(
                Finding(
                    start,
                    "too-large",
                    f"a paragraph of {len(paragraph):,} characters; at most {MAX_PARAGRAPH:,}: break it with blank lines",
                )
            )
            continue
        offset = start
        for line in paragraph.split("\n"):
            nest = _NEST_PREFIX.match(line)
            assert nest is not None  # every part of the pattern is optional: it matches any line
            prefix = nest.group(0)
            depth = prefix.expandtabs(4).count(" ") // 4 + prefix.count(">")
            if depth > MAX_NESTING:
                out.append(Finding(offset, "too-deep", f"nested {depth} levels deep (lists and quotes); at most {MAX_NESTING}"))
                return out
            offset += len(line) + 1
        brackets = paragraph.count("[")
        if brackets > MAX_BRACKETS:
            out.append(
                Finding(
                    start + paragraph.index("["),
                    "too-complex",
                    f"{brackets} '[' in one paragraph; at most {MAX_BRACKETS} (Python-Markdown slows down "
                    "quadratically on them): split the paragraph or escape them as \\[",
                )
            )
        stars = paragraph.count("*") + paragraph.count("_")
        if stars > MAX_EMPHASIS:
            at = min(i for i in (paragraph.find("*"), paragraph.find("_")) if i >= 0)
            out.append(
                Finding(
                    start + at,
                    "too-complex",
                    f"{stars} '*' and '_' in one paragraph; at most {MAX_EMPHASIS}: put code in `backticks` "
                    "or split the paragraph",
                )
            )
    return out
