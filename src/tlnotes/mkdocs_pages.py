"""A generated page converted by one Markdown instance per build, reset between pages.

MkDocs makes a new Markdown instance for every page (`Page.render`), and with it every extension, its processors
and its patterns: a fifth of converting a paper's page (0.4 ms of 1.8 ms, over 1,000 paper pages). Python-Markdown's
own way to convert many documents is one instance, `reset()` between them, which clears what an extension keeps
per document when the extension says how (its `reset`).

So the plugin gives each generated page outside the nav a `GeneratedPage` (MkDocs 1.6 lets a plugin set
`File.page`, as Material's blog does), whose `render` is MkDocs' own with that one difference: the steps are
MkDocs' (its processors for raw HTML, anchors, relative links and the title), registered anew on the shared
instance for each page. Only extensions known to keep no state across documents, or to clear it in `reset`, are
shared; a site configured with any other converts every page as MkDocs does (`shareable`).

Most generated pages are nothing but headings between tlnotes' `raw` blocks (`render.raw`): a paper's page
without notes. Markdown's work on those is splitting the page into blocks, stashing the raw ones and putting them
back, for a few headings (`Headings`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import nest_toc_tokens
from mkdocs.structure import pages as _mkdocs  # ProperDocs stands in for it under the same name
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from .render import raw_runs

# MkDocs' steps for one page (1.6); where they are not, every page is MkDocs' own
STEPS = ("_RawHTMLPreprocessor", "_ExtractAnchorsTreeprocessor", "_RelativePathTreeprocessor", "_ExtractTitleTreeprocessor")

# extensions that keep nothing from one document to the next, or clear it in their `reset` (Python-Markdown's own
# and the pymdownx ones the repository's mkdocs.yml names); any other means MkDocs' one instance per page
SHAREABLE = {
    "abbr", "admonition", "attr_list", "def_list", "fenced_code", "footnotes", "md_in_html", "sane_lists", "tables", "toc",
    "pymdownx.arithmatex", "pymdownx.betterem", "pymdownx.caret", "pymdownx.mark", "pymdownx.tilde",
}  # fmt: skip


def shareable(config) -> bool:
    """Whether this site's Markdown extensions allow one instance for every generated page."""
    if not all(hasattr(_mkdocs, step) for step in STEPS):
        return False
    for ext in config["markdown_extensions"]:
        if isinstance(ext, Extension):  # tlnotes' own (`Prerendered`) says so
            if not getattr(ext, "shareable", False):
                return False
        elif not isinstance(ext, str) or ext.removeprefix("markdown.extensions.") not in SHAREABLE:
            return False
    return True


class SharedMarkdown:
    """One Markdown instance for one build's config, made on first use, and its converter of headings."""

    def __init__(self, config) -> None:
        self.config = config
        self._md: markdown.Markdown | None = None
        self.headings = Headings(config)

    def get(self) -> markdown.Markdown:
        if self._md is None:
            self._md = _markdown(self.config)
        return self._md.reset()


class GeneratedPage(Page):
    """A generated page: MkDocs' `Page`, converted by its build's `SharedMarkdown`."""

    def __init__(self, title, file, config, shared: SharedMarkdown) -> None:
        super().__init__(title, file, config)
        self.shared = shared

    def render(self, config, files) -> None:
        """`Page.render` of MkDocs 1.6, on the shared instance; a page of headings and raw blocks by `Headings`."""
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        converted = self.shared.headings.page(self.markdown, self.file, files)
        if converted is not None:
            self.content, self.toc, self._title_from_render, self.present_anchor_ids, links = converted
            if _mkdocs.log.getEffectiveLevel() > logging.DEBUG:
                self.links_to_anchors = links
            return
        md = self.shared.get()
        raw_html_ext, extract_anchors_ext, relative_path_ext, extract_title_ext = _mkdocs_steps(md, self.file, files, config)
        self.content = md.convert(self.markdown)
        self.toc = get_toc(getattr(md, "toc_tokens", []))
        self._title_from_render = extract_title_ext.title
        self.present_anchor_ids = extract_anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
        if _mkdocs.log.getEffectiveLevel() > logging.DEBUG:
            self.links_to_anchors = relative_path_ext.links_to_anchors


def _markdown(config) -> markdown.Markdown:
    """A Markdown instance with the site's extensions, as MkDocs makes one for each page."""
    return markdown.Markdown(extensions=config["markdown_extensions"], extension_configs=config["mdx_configs"] or {})


def _mkdocs_steps(md: markdown.Markdown, file, files, config) -> tuple:
    """MkDocs' own processors for one page, registered on `md` as `Page.render` does (1.6)."""
    steps = (
        _mkdocs._RawHTMLPreprocessor(),
        _mkdocs._ExtractAnchorsTreeprocessor(file, files, config),
        _mkdocs._RelativePathTreeprocessor(file, files, config),
        _mkdocs._ExtractTitleTreeprocessor(),
    )
    for step in steps:
        step._register(md)
    return steps


@dataclass(frozen=True)
class Heading:
    """One heading line as Markdown and MkDocs' steps make it, on a page of its own."""

    html: str
    tokens: tuple[dict, ...]  # its entry in the table of contents, if any (`toc`), without children
    ids: frozenset[str]  # ids of its elements (MkDocs' present_anchor_ids)
    anchors: tuple[tuple[str, str], ...]  # its links to its own anchors (the permalink): (anchor, link)
    title: str | None  # its text, when it is an h1 (MkDocs' title from the first h1)


class Headings:
    """Convert a page that is only headings between `raw` blocks as Markdown would, a heading line at a time.

    Such a page's HTML is its blocks in order, one line apart: each heading as Markdown makes it, each raw block
    as it stands. A heading is converted on a page of its own, once per build for the section headings every
    paper page shares. That equals converting the whole page while no heading depends on the rest of it:
    - no link or raw HTML (no `[` or `<`): a relative link depends on the page, a reference on its definition;
    - no two headings with one id: Markdown would number the second (`summary_1`);
    - every other line blank, and each heading line a heading on its own: a paragraph, a definition (link,
      abbreviation, footnote) or a setext underline is Markdown's to read;
    - nothing Markdown's reading changes before it finds the blocks: tabs, carriage returns, lines of spaces,
      code fences, its own placeholder characters.
    Any other page returns None, and Markdown converts it whole (tests/test_mkdocs_pages.py compares the two).
    """

    LIMIT = 4096  # headings kept: those every page shares, and not every title of a large site

    def __init__(self, config) -> None:
        self.config = config
        self._md: markdown.Markdown | None = None
        self.known: dict[str, Heading | None] = {}

    def page(self, text: str, file, files) -> tuple | None:
        """(content, toc, title, anchor ids, links to anchors) as MkDocs' `Page.render` sets them, or None."""
        if any(c in text for c in _CHANGED_BEFORE_BLOCKS):
            return None
        pieces: list[str] = []
        headings: list[Heading] = []
        first: Heading | None = None  # the first block, if a heading: MkDocs' title is an h1 there
        for raw, run in raw_runs(text.split("\n")):
            if raw:
                if any(line.isspace() or line.startswith(_FENCES) for line in run):
                    return None
                pieces.append("\n".join(run))
                continue
            for line in run:
                if not line:
                    continue
                heading = self.heading(line, file, files) if _HEADING.fullmatch(line) else None
                if heading is None:
                    return None
                first = heading if not pieces else first
                pieces.append(heading.html)
                headings.append(heading)
        ids = [anchor for heading in headings for anchor in heading.ids]
        if len(set(ids)) != len(ids):
            return None
        tokens: list[Any] = [dict(token, children=[]) for heading in headings for token in heading.tokens]
        links: dict[str, str] = {}
        for heading in headings:
            for anchor, link in heading.anchors:
                links.setdefault(anchor, link)
        title = first.title if first is not None else None
        return "\n".join(pieces), get_toc(nest_toc_tokens(tokens)), title, set(ids), {file: links} if links else {}

    def heading(self, line: str, file, files) -> Heading | None:
        if line in self.known:
            return self.known[line]
        if self._md is None:
            self._md = _markdown(self.config)
        md = self._md.reset()
        raw_html, anchors, relative, title = _mkdocs_steps(md, file, files, self.config)
        html = md.convert(line)
        found = None
        # a heading (a line `#\` is a paragraph, which would run on into the next line), of the page alone
        if _MADE_HEADING.match(html) and set(relative.links_to_anchors) <= {file} and not raw_html.present_anchor_ids:
            self_links = tuple(relative.links_to_anchors.get(file, {}).items())
            tokens = tuple({k: v for k, v in token.items() if k != "children"} for token in getattr(md, "toc_tokens", []))
            found = Heading(html, tokens, frozenset(anchors.present_anchor_ids), self_links, title.title)
        if len(self.known) >= self.LIMIT:
            self.known.clear()
        self.known[line] = found
        return found


_CHANGED_BEFORE_BLOCKS = ("\t", "\r", "\x02", "\x03")  # Markdown's whitespace reading; its placeholders' marks
_FENCES = ("```", "~~~")
_HEADING = re.compile(r"#[^\[<]*")  # a hash heading without a link or raw HTML
_MADE_HEADING = re.compile(r"<h[1-6][ >]")
