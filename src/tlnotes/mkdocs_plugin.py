"""MkDocs adapter: the KB's pages appear in `mkdocs build` and `mkdocs serve`.

Enable it with `plugins: [tlnotes]` in mkdocs.yml (Material's own search off:
after the build the plugin indexes the site with Pagefind, see `on_post_build`). Each build loads
the KB afresh (so `mkdocs serve` picks up every edit), stops on the same
errors `tlnotes check` reports, and adds the rendered pages as virtual files.
A hand-written page at the same path always wins.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import re
from importlib import resources
from pathlib import Path

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from pagefind.index import PagefindIndex

from .index import build_index
from .load import NOTES_DIR, PAPERS_DIR, load
from .model import KnowledgeBase
from .render import Site, extra_files, nav, render
from .sanitize import clean

log = logging.getLogger("mkdocs.plugins.tlnotes")

ASSETS = "assets/tlnotes"
CSS = [f"{ASSETS}/tlnotes.css"]
# tlnotes.js fetches KaTeX (273 KB) from beside itself, on pages that have math; tlnotes-table.js: the all-papers table;
# tlnotes-authors.js unfolds the author entry a link lands on
JS = [f"{ASSETS}/tlnotes.js", f"{ASSETS}/tlnotes-table.js", f"{ASSETS}/tlnotes-authors.js"]


class TlnotesConfig(Config):
    root = c.Optional(c.Type(str))  # the KB folder; default: the folder of mkdocs.yml


class TlnotesPlugin(BasePlugin[TlnotesConfig]):
    preloaded: KnowledgeBase | None = None  # a KB `tlnotes build` has just loaded and checked, to avoid loading it twice

    def on_config(self, config):
        base = Path(config.config_file_path or ".").resolve().parent
        self.root = (base / self.config.root).resolve() if self.config.root else base
        kb = (
            self.preloaded if self.preloaded is not None and Path(self.preloaded.root).resolve() == self.root else load(self.root)
        )
        for problem in kb.warnings:
            log.info(str(problem))
        if kb.errors:
            lines = "\n".join(str(p) for p in kb.errors)
            raise PluginError(f"the knowledge base has {len(kb.errors)} error(s); `tlnotes check` lists them:\n{lines}")
        idx = build_index(kb)
        self.pages = render(kb, Site(config.site_name, config.site_description or ""), idx)
        self.extra = extra_files(kb)
        self.auto_nav = not config.nav
        self.nav = nav(kb, idx)
        for css in CSS:
            if css not in config.extra_css:
                config.extra_css.append(css)
        for js in JS:
            if js not in [str(x) for x in config.extra_javascript]:
                config.extra_javascript.append(js)
        return config

    def on_files(self, files: Files, config) -> Files:
        self.generated = set()
        for path, markdown in self.pages.items():
            if files.get_file_from_path(path) is not None:
                log.info(f"tlnotes: docs/{path} is hand-written; it is kept and the generated page is skipped")
                continue
            inclusion = InclusionLevel.UNDEFINED if markdown.kind.in_nav else InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, path, content=markdown, inclusion=inclusion))
            self.generated.add(path)
        for path, text in self.extra.items():
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, content=text))
        assets = resources.files("tlnotes").joinpath("assets")
        for src in _walk(assets):
            rel = src.relative_to(Path(str(assets))).as_posix()
            if rel.endswith(("LICENSE", "VERSION")):
                continue
            files.append(File.generated(config, f"{ASSETS}/{rel}", abs_src_path=str(src)))
        if self.auto_nav:
            hand_written = [f.src_uri for f in files.documentation_pages() if f.src_uri not in self.pages]
            config.nav = [*self.nav, *sorted(hand_written)]
        return files

    def on_page_content(self, html, page, config, files):
        """Every generated page's HTML passes the allowlist: the last step record and note text takes."""
        if page.file.src_uri in self.generated:
            generated = self.pages[page.file.src_uri]
            html = clean(html)
            return for_search(html, generated.search) if generated.kind.searchable else html
        return html

    def on_post_build(self, config):
        """Index the built site: every way of building it (tlnotes build, mkdocs build, mkdocs serve) gets search."""
        site = Path(config.site_dir)
        try:
            index_site(site)
        except Exception as exc:  # the binary missing or failing: say so in one line, as MkDocs reports plugin errors
            raise PluginError(f"tlnotes: indexing {site} for search failed: {exc}") from exc

    def on_serve(self, server, config, builder):
        for folder in (PAPERS_DIR, NOTES_DIR):
            path = self.root / folder
            if path.is_dir():
                server.watch(str(path))
        return server


IGNORED_SECTIONS = ("related-papers", "cited-in", "references", "bibtex", "subtopics", r"papers-\d+")
_IGNORED = re.compile(r'(<h2 id="(?:' + "|".join(IGNORED_SECTIONS) + r')")(.*?</h2>\s*<\w+)', re.S)
_BADGES = re.compile(r'<p class="(tln-badges|tln-reading)"')
TITLE_WEIGHT = 10  # Pagefind's highest: a title word outranks the same word in any summary


def for_search(html: str, tags: str) -> str:
    """Mark a searchable page for Pagefind: its body, the title's weight, and the sections that only repeat other pages."""
    html = html.replace("<h1", f'<h1 data-pagefind-weight="{TITLE_WEIGHT}"', 1)
    html = _IGNORED.sub(r"\1 data-pagefind-ignore\2 data-pagefind-ignore", html)
    html = _BADGES.sub(r'<p class="\1" data-pagefind-ignore', html)
    return f"<div data-pagefind-body>{tags}{html}</div>"


def index_site(site: Path) -> None:
    """Write `site/pagefind/`, on a thread of its own: the caller may already run an event loop (Playwright, Jupyter,
    an async program), in which `asyncio.run` refuses to start another."""
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="tlnotes-pagefind") as pool:
        pool.submit(asyncio.run, _index(site)).result()


async def _index(site: Path) -> None:
    # leaving the context writes the index, to output_path: without one, Pagefind writes into the working directory
    async with PagefindIndex(config={"force_language": "en", "output_path": str(site / "pagefind")}) as index:
        await index.add_directory(str(site))


def _walk(traversable) -> list[Path]:
    root = Path(str(traversable))
    return sorted(p for p in root.rglob("*") if p.is_file())
