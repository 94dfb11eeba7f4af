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
"""

from __future__ import annotations

import logging

import markdown
from markdown.extensions import Extension
from mkdocs.structure import pages as _mkdocs  # ProperDocs stands in for it under the same name
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

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
    """One Markdown instance for one build's config, made on first use."""

    def __init__(self, config) -> None:
        self.config = config
        self._md: markdown.Markdown | None = None

    def get(self) -> markdown.Markdown:
        if self._md is None:
            self._md = markdown.Markdown(
                extensions=self.config["markdown_extensions"], extension_configs=self.config["mdx_configs"] or {}
            )
        return self._md.reset()


class GeneratedPage(Page):
    """A generated page: MkDocs' `Page`, converted by its build's `SharedMarkdown`."""

    def __init__(self, title, file, config, shared: SharedMarkdown) -> None:
        super().__init__(title, file, config)
        self.shared = shared

    def render(self, config, files) -> None:
        """`Page.render` of MkDocs 1.6, on the shared instance."""
        if self.markdown is None:
            raise RuntimeError("`markdown` field hasn't been set (via `read_source`)")
        md = self.shared.get()
        raw_html_ext = _mkdocs._RawHTMLPreprocessor()
        raw_html_ext._register(md)
        extract_anchors_ext = _mkdocs._ExtractAnchorsTreeprocessor(self.file, files, config)
        extract_anchors_ext._register(md)
        relative_path_ext = _mkdocs._RelativePathTreeprocessor(self.file, files, config)
        relative_path_ext._register(md)
        extract_title_ext = _mkdocs._ExtractTitleTreeprocessor()
        extract_title_ext._register(md)

        self.content = md.convert(self.markdown)
        self.toc = get_toc(getattr(md, "toc_tokens", []))
        self._title_from_render = extract_title_ext.title
        self.present_anchor_ids = extract_anchors_ext.present_anchor_ids | raw_html_ext.present_anchor_ids
        if _mkdocs.log.getEffectiveLevel() > logging.DEBUG:
            self.links_to_anchors = relative_path_ext.links_to_anchors
