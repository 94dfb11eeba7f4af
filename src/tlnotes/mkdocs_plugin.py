"""MkDocs adapter: the KB's pages appear in `mkdocs build` and `mkdocs serve`.

Enable it with `plugins: [tlnotes]` in mkdocs.yml (Material's own search off:
after the build the plugin indexes the site with Pagefind, see `on_post_build`). Each build loads
the KB afresh (so `mkdocs serve` picks up every edit), stops on the same
errors `tlnotes check` reports, and adds the rendered pages as virtual files.
A hand-written page at the same path always wins.
"""

from __future__ import annotations

import html as _html
import logging
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import cast
from xml.etree import ElementTree as etree

from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor
from markdown.util import HTML_PLACEHOLDER, AtomicString
from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page

from . import incremental, parallel, safe, signed
from .feeds import FEED, topic_feed
from .index import build_index
from .load import NOTES_DIR, PAPERS_DIR, load
from .mkdocs_pages import GeneratedPage, SharedMarkdown, shareable
from .model import KnowledgeBase, TlnotesError
from .ondisk import asset_files
from .render import Site, extra_files, nav, raw_runs, render, with_assets
from .rerender import Warm
from .sanitize import clean
from .search_index import IndexFailed, index_site

log = logging.getLogger("mkdocs.plugins.tlnotes")

NO_SITE_URL = "warning: mkdocs.yml has no site_url: the feeds link relatively and the sitemap has no URLs; set it"


class TlnotesConfig(Config):
    root = c.Optional(c.Type(str))  # the KB folder; default: the folder of mkdocs.yml


class TlnotesPlugin(BasePlugin[TlnotesConfig]):
    preloaded: KnowledgeBase | None = None  # a KB `tlnotes build` has just loaded and checked, to avoid loading it twice
    background_index = False  # a server sets it: Pagefind runs after the build returns (incremental.index_later)
    jobs = 1  # `tlnotes build` sets it: processes that write the pages (parallel.py)
    worker: parallel.Worker | None = None
    built: Built | None = None  # this build's config, files, nav and theme, once MkDocs has them
    builder_pid: int | None = None  # the process that started the build; any other is the second writer
    warm: Warm | None = None  # a server's state kept between its builds (rerender.py)
    meanwhile: Callable[[], object] | None = None  # the caller's work once the pages are written, while Pagefind runs
    index_by: Callable[[], object] | None = None  # `tlnotes build` sets it: who indexes the site (`build_site`)
    alone = True  # no other plugin in the build: none could read what this one drops or splits

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
        site = Site(config.site_name, config.site_description or "", config.site_url or "")
        if not site.url:
            log.info(f"tlnotes: {NO_SITE_URL}")  # info: a strict build must not fail on it
        if self.warm is not None:  # a server's rebuild: only what changed is made again
            idx, self.pages, self.extra = self.warm.build(kb, site, jobs=self.jobs)
        else:
            idx = build_index(kb)
            self.pages = render(kb, site, idx)
            self.extra = extra_files(kb, site, idx)
        self.site = site
        self.topic_titles = _topic_titles(kb)  # what of the generated pages the nav shows besides their paths
        self.auto_nav = not config.nav
        self.nav = nav(kb, idx)
        self.section_heads = set(_section_heads(self.nav))
        if not any(isinstance(ext, Prerendered) for ext in config.markdown_extensions):
            config.markdown_extensions.append(Prerendered())
        # the user's nav may name a generated page, with a title of its own: MkDocs makes that one's Page
        self.named_in_nav = set() if self.auto_nav else set(_nav_paths(config.nav))
        self.shared = SharedMarkdown(config) if shareable(config) else None
        config.extra_css, config.extra_javascript = with_assets(config.extra_css, config.extra_javascript)
        return config

    def on_files(self, files: Files, config) -> Files:
        self.generated = set()
        self.generated_extra: dict[str, str] = {}
        for path in self.pages:
            if files.get_file_from_path(path) is not None:
                log.info(f"tlnotes: docs/{path} is hand-written; it is kept and the generated page is skipped")
                continue
            files.append(self._page_file(config, path))
            self.generated.add(path)
        for path, text in self.extra.items():
            if files.get_file_from_path(path) is None:
                files.append(File.generated(config, path, content=text))
                self.generated_extra[path] = incremental.page_hash(text)
        for rel, src in asset_files().items():
            files.append(File.generated(config, rel, abs_src_path=str(src)))
        if self.auto_nav:
            hand_written = [f.src_uri for f in files.documentation_pages() if f.src_uri not in self.pages]
            config.nav = [*self.nav, *sorted(hand_written)]
        self.tracker = incremental.Tracker(self.root, Path(config.site_dir))  # what a dirty build re-renders
        hashes = {p: self._page_hash(p) for p in self.generated}
        self.tracker.start(files, config, {**hashes, **self.generated_extra}, self.topic_titles)
        return files

    def _page_file(self, config, path: str) -> File:
        """A generated page as MkDocs' file: in the nav or not, as its kind says; a section's page standing for it."""
        page = self.pages[path]
        inclusion = InclusionLevel.UNDEFINED if page.kind.in_nav else InclusionLevel.NOT_IN_NAV
        file = File.generated(config, path, content=page, inclusion=inclusion)
        if path in self.section_heads:
            _as_section_index(file)
        if self.shared is not None and not page.kind.in_nav and path not in self.named_in_nav:
            GeneratedPage(None, file, config, self.shared)  # MkDocs' nav takes the page a file has
        return file

    def _page_hash(self, path: str) -> str:
        page = self.pages[path]
        context = (page.kind.name, page.search, str(path in self.section_heads))
        return incremental.page_hash(page, *context)

    def on_nav(self, nav, config, files):
        self.builder_pid = os.getpid()
        generated = self.generated | set(self.generated_extra)
        # another plugin would see only one process's pages (a search index, a list of tags): one process then
        self.alone = set(config.plugins) == {"tlnotes"}
        jobs = self.jobs if self.alone else 1
        self.worker = parallel.split(config, files, generated, jobs)  # before MkDocs reads any page
        self.tracker.read_titles(nav, config)  # of nav pages this process does not read
        self.built = Built(self, config, files, nav, None)
        return nav

    def on_env(self, env, config, files):
        if self.built is not None:
            self.built.env = env
        if self.warm is not None and env.bytecode_cache is None:  # tlnotes drives the build: its templates compiled once
            env.bytecode_cache = _template_cache()
        # a theme lasts one build (a server's page-only rebuild keeps it only while the theme's folders are unchanged,
        # `Built`): Jinja need not look at each template's file again on every include of every page (7% of it)
        env.auto_reload = False
        if not _overridden(config, NAV_PARTS):
            nav_once_per_folder(env)
        blocks_once_per_folder(env, [str(script) for script in config.extra_javascript])
        if self._in_child() and parallel.child is not None:
            parallel.child.report(env)
        if self.worker is not None:
            try:
                self.worker.merge(files)
            except RuntimeError as exc:
                self.worker = None
                raise PluginError(f"tlnotes: {exc}") from None
        return env

    def _in_child(self) -> bool:
        return self.builder_pid is not None and os.getpid() != self.builder_pid

    def on_build_error(self, error):
        if self._in_child():
            parallel.exit_child(ok=False)
        if self.worker is not None:
            self.worker.stop()
            self.worker = None

    def on_page_content(self, html, page, config, files):
        """Every generated page's HTML passes the allowlist: the last step record and note text takes."""
        if page.file.src_uri in self.generated:
            generated = self.pages[page.file.src_uri]
            # the ids of `raw` blocks, which MkDocs' own scan did not read, for its check of links to anchors
            page.present_anchor_ids = (page.present_anchor_ids or set()) | set(_ID.findall(html))
            if self.alone:  # converted, and read by nothing after (its title is the front matter's): 50 MB less a
                page.markdown = ""  # process at 10,000 papers, from now until every page is written
            html = clean(html)
            return for_search(html, generated.search) if generated.kind.searchable else html
        return html

    def on_post_page(self, output: str, page, config) -> str:
        """Every page names the site's feed in its head, and a topic page its topic's feed too.

        `rel="alternate feed"`, not `rel="alternate"`: Material's script fetches `sitemap.xml` beside every
        `link[rel=alternate]` (an exact match, for its language switcher), which would be a request to site_url's
        host, or the whole sitemap, on every page; feed readers read rel as a list of words and find `alternate`.
        """
        feeds = [(FEED, self.site.name)]
        src = page.file.src_uri
        if src in self.generated:  # written next, and read by nothing after: a site of 10,000 papers holds 80 MB less
            page.content = None
            if self.pages[src].kind.name == "topic":
                tid = src.removeprefix("topics/").removesuffix(".md")
                feeds.append((topic_feed(tid), f"{self.topic_titles[tid]} · {self.site.name}"))
        base = self.site.url.rstrip("/") + "/" if self.site.url else "../" * page.url.count("/")
        links = "".join(
            f'<link rel="alternate feed" type="application/atom+xml" title="{_html.escape(safe.plain(title))}" '
            f'href="{_html.escape(base + path)}">'
            for path, title in feeds
        )
        return output.replace("</head>", links + "</head>", 1)

    def on_post_build(self, config):
        """Index the built site: every way of building it (tlnotes build, mkdocs build, mkdocs serve) gets search."""
        if self._in_child():  # its pages are written; the rest is the parent's
            parallel.exit_child(ok=True)
        if self.worker is not None:
            worker, self.worker = self.worker, None
            try:
                worker.wait()
            except RuntimeError as exc:
                raise PluginError(f"tlnotes: {exc}") from None
        site = Path(config.site_dir)
        meanwhile, self.meanwhile = self.meanwhile or (lambda: None), None
        needed = self.tracker.needs_index()  # not when no page was written again: the index is a clean build's
        if needed and self.index_by is None and not self.background_index:  # `mkdocs build`: indexed here
            try:
                with incremental.INDEXING:
                    index_site(site)
            except IndexFailed as exc:  # the binary missing or failing: one line, as MkDocs reports plugin errors
                raise PluginError(f"tlnotes: {exc}") from exc
            self.tracker.finish()
        else:
            # the manifest first: a site whose index did not finish is indexed by the next build, whatever it changes
            self.tracker.finish()
            if needed and self.index_by is not None:  # `tlnotes build`: by the process that started it
                self.index_by()
            elif needed:  # a server: the rebuilt page shows first, the index follows (incremental.py)
                incremental.index_later(site, index_site)
        meanwhile()

    def on_serve(self, server, config, builder):
        for folder in (PAPERS_DIR, NOTES_DIR):
            path = self.root / folder
            if path.is_dir():
                server.watch(str(path))
        return server


CONFIG = "mkdocs.yml"


def build_site(
    root: Path,
    kb: KnowledgeBase,
    site_dir: Path,
    *,
    clean: bool = False,
    jobs: int = 1,
    background_index: bool = False,
    warm: Warm | None = None,
    say: Callable[[str], None] | None = None,
    last: Built | None = None,
    meanwhile: Callable[[], object] | None = None,
    index_by: Callable[[], object] | None = None,
) -> Built | None:
    """Build `kb`'s site with MkDocs and this plugin, into `site_dir`: `tlnotes build`, and `tlnotes serve` on each save.

    Incremental unless `clean` (incremental.py); `warm` keeps a server's work between its builds (rerender.py), and
    with `last`, the Built this returned for the previous build, a save that changes only pages writes just those
    (`Built.rebuild`). `meanwhile` runs last, once the pages are written and indexed or left to be, and not if
    the build fails. With `index_by`, a build that needs its index made calls it once its pages and manifest are
    written, instead of indexing them: `tlnotes build` indexes from a process that does not hold the build
    (`parallel.go_ahead`), while this one saves its state (`meanwhile`).
    A missing mkdocs.yml, or one without the plugin, is a TlnotesError naming it; MkDocs' own failures are its
    MkDocsException. `say` hears what the site lacks (a site_url).
    """
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    if last is not None and warm is not None and not clean and last.rebuild(kb, warm):
        return last
    config_file = root / CONFIG
    try:
        config_file.stat()
    except FileNotFoundError:
        raise TlnotesError("not found (`tlnotes init` writes one)", config_file) from None
    except OSError as exc:
        raise TlnotesError(exc.strerror or str(exc), config_file) from None
    config = load_config(config_file=str(config_file), site_dir=str(site_dir.resolve()))
    if "tlnotes" not in config.plugins:
        raise TlnotesError("add `- tlnotes` under `plugins:`", config_file)
    if not config.site_url and say is not None:
        say(f"{config_file}: {NO_SITE_URL}")
    # the plugin registry types its entries as BasePlugin; "tlnotes" is ours (the entry point)
    plugin = cast(TlnotesPlugin, config.plugins["tlnotes"])
    plugin.preloaded, plugin.jobs, plugin.background_index, plugin.warm = kb, jobs, background_index, warm
    plugin.meanwhile, plugin.index_by = meanwhile, index_by
    if clean:  # every page counts as changed, for MkDocs and for what the plugin asks (parallel.py)
        incremental.forget_manifest(root, site_dir)
    plugin.built = None
    # always dirty: MkDocs reads and writes only the pages whose `is_modified()` is true, which the manifest answers
    # (every page in a full build, where the plugin empties the site folder first), of this process's share
    with incremental.quiet_dirty_warning():
        build(config, dirty=True)
    # MkDocs' `plugins` option keeps the last plugins it loaded, for ever: the build's pages stay only with the caller
    built, plugin.built, plugin.preloaded, plugin.meanwhile, plugin.index_by = plugin.built, None, None, None, None
    return built


class Built:
    """What a server keeps of its last MkDocs build, to write the next one's changed pages without MkDocs' setup.

    A save that leaves the nav, mkdocs.yml, docs/ and the theme as they were (the manifest's global key,
    incremental.py) needs none of what `build` does around the pages: loading the config, the theme's files and
    templates, the nav, the 404 page. `rebuild` makes just the changed pages with MkDocs' own two steps for a page
    (read and convert, then template and write), with the plugin's events as in a build; pages and files out of the
    nav may come and go (a new record, its graph, an author-index page), and then the sitemap is written again.
    Anything else (or another plugin, whose events a page-only build would skip) and it declines: the caller builds
    as usual.
    """

    def __init__(self, plugin: TlnotesPlugin, config, files: Files, nav, env) -> None:
        self.plugin, self.config, self.files, self.nav, self.env = plugin, config, files, nav, env

    def rebuild(self, kb: KnowledgeBase, warm: Warm) -> bool:
        """Write what changed since the last build; False, having written nothing, when that takes a whole build."""
        try:  # MkDocs' own steps for one page (1.6): where they are not, every save builds the whole site
            from mkdocs.commands.build import _build_page, _build_theme_template, _populate_page
        except ImportError:
            return False

        plugin, config, tracker, files = self.plugin, self.config, self.plugin.tracker, self.files
        if self.env is None or tracker.manifest is None or not plugin.alone:
            return False
        if not tracker.site_dir.is_dir() or plugin.root != Path(kb.root).resolve() or kb.errors:
            return False
        idx, pages, extra = warm.build(kb, plugin.site)
        if nav(kb, idx) != plugin.nav or tracker.global_key(config, _topic_titles(kb)) != tracker.manifest.global_key:
            return False
        added = [path for path in pages if path not in plugin.pages]
        added_extra = [path for path in extra if path not in plugin.extra]
        if any(pages[path].kind.in_nav for path in added):  # a page in the nav: every page shows it
            return False
        if any(files.get_file_from_path(path) is not None for path in [*added, *added_extra]):  # hand-written there
            return False

        # the files: those no longer made out, new ones in, all in the order `on_files` gives (the sitemap's)
        gone = [path for path in [*plugin.generated, *plugin.generated_extra] if path not in pages and path not in extra]
        for path in gone:
            files.remove(files.get_file_from_path(path))  # type: ignore[arg-type]
        reorder = list(pages) != list(plugin.pages) or list(extra) != list(plugin.extra)  # a save seldom moves any
        plugin.pages, plugin.extra = pages, extra
        plugin.generated = (plugin.generated - set(gone)) | set(added)
        ours = {*plugin.generated, *(p for p in plugin.generated_extra if p in extra), *added_extra}
        assets = asset_files() if reorder else {}
        for path in [*pages, *extra, *assets] if reorder else []:
            file = files.get_file_from_path(path)
            if path in added:
                file = plugin._page_file(config, path)
                if file.page is None:
                    Page(None, file, config)
            elif path in added_extra:
                file = File.generated(config, path, content=extra[path])
            elif file is None or (path not in ours and path not in assets):  # a hand-written file stays where it is
                continue
            else:
                files.remove(file)
            files.append(file)

        # what changed, by the manifest's hashes; those of outputs rerender.py did not make again are as they were
        made, old = set(warm.rendered.made), tracker.manifest.pages
        plugin.generated_extra = {
            path: incremental.page_hash(extra[path]) if "extra:" + path in made or path not in old else old[path]
            for path in ours - plugin.generated
        }
        hashes = {path: plugin._page_hash(path) if path in made or path not in old else old[path] for path in plugin.generated}
        before = tracker.manifest.outputs
        outputs = {p: before[p] if p in before else files.get_file_from_path(p).dest_uri for p in ours}  # type: ignore[union-attr]
        changed = tracker.again({**hashes, **plugin.generated_extra}, outputs)
        for path in sorted(changed & set(plugin.generated_extra)):
            file = files.get_file_from_path(path)
            file.content_string = extra[path]  # type: ignore[union-attr]
            file.copy_file()  # type: ignore[union-attr]
        written = [path for path in plugin.generated if path in changed]
        for path in written:
            file = files.get_file_from_path(path)
            file.content_string = pages[path]  # type: ignore[union-attr]
            _populate_page(file.page, config, files)  # type: ignore[union-attr,arg-type]
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        for path in written:
            _build_page(files.get_file_from_path(path).page, config, doc_files, self.nav, self.env)  # type: ignore[union-attr,arg-type]
        if (added or gone) and "sitemap.xml" in config.theme.static_templates:  # it lists every page
            _build_theme_template("sitemap.xml", self.env, files, config, self.nav)
        plugin.on_post_build(config)
        return True


def _topic_titles(kb: KnowledgeBase) -> dict[str, str]:
    """What of the generated pages the nav shows besides their paths: the topics' titles."""
    return {t.id: t.title for t in kb.topics.values()}


_ID = re.compile(r'<[^<>]*?\sid="([^"]*)"')


def _nav_paths(items) -> Iterator[str]:
    """The page paths a nav from mkdocs.yml names, at any depth."""
    if isinstance(items, str):
        yield items
    elif isinstance(items, dict):
        for value in items.values():
            yield from _nav_paths(value)
    elif isinstance(items, list):
        for item in items:
            yield from _nav_paths(item)


class Prerendered(Extension):
    """Python-Markdown passes each of tlnotes' `raw` blocks (`render.raw`) on as it is, unread.

    Its HTML parser and inline patterns, run over HTML tlnotes wrote itself, were most of the build's time; MkDocs
    reads raw HTML a second time for anchors (`on_page_content` finds those). The block keeps its marker comments,
    which make Markdown place it as a block; the sanitiser removes them.

    A stashed block stands in the text as a placeholder paragraph until the end, when Markdown puts the HTML in
    its place. Markdown would run each inline pattern over that placeholder, which none of them can match: two
    fifths of converting a paper's page (`_Placeholder`).
    """

    shareable = True  # its stash is the instance's, which `reset` empties (mkdocs_pages.py)

    def extendMarkdown(self, md):
        # before MkDocs' scan of raw HTML (21) and Python-Markdown's (html_block, 20)
        md.preprocessors.register(_Stash(md), "tlnotes_prerendered", 25)
        md.parser.blockprocessors.register(_Placeholder(md.parser), "tlnotes_placeholder", 11)  # paragraph: 10


class _Stash(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        for raw, run in raw_runs(lines):
            if raw:
                out += ["", self.md.htmlStash.store("\n".join(run)), ""]
            else:  # an opening marker without its closing one: not tlnotes' block, Markdown reads it as any other HTML
                out += run
        return out


class _Placeholder(BlockProcessor):
    """A block that is one stashed block's placeholder: the paragraph Markdown's own processor makes of it, with
    its text atomic, so no inline pattern is tried on it. Inside a list Markdown's paragraphs differ: not there."""

    PLACEHOLDER = re.compile(re.escape(HTML_PLACEHOLDER).replace(r"%s", r"\d+"))

    def test(self, parent, block: str) -> bool:
        return self.PLACEHOLDER.fullmatch(block) is not None and not self.parser.state.isstate("list")

    def run(self, parent, blocks: list[str]) -> None:
        paragraph = etree.SubElement(parent, "p")
        paragraph.text = AtomicString(blocks.pop(0))


IGNORED_SECTIONS = ("related-papers", "similar-papers", "cited-in", "references", "bibtex", "subtopics", r"papers-\d+")
_IGNORED = re.compile(r'<h2 id="(?:' + "|".join(IGNORED_SECTIONS) + r')"')
# a tag of sanitised HTML (`clean`): every element closed, an attribute's value quoted, `<` in text escaped
_TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]+))?)*\s*/?>""")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BADGES = re.compile(r'<p class="(tln-badges|tln-reading)"')
TITLE_WEIGHT = 10  # Pagefind's highest: a title word outranks the same word in any summary


def for_search(html: str, tags: str) -> str:
    """Mark a searchable page for Pagefind: its body, the title's weight, and the sections that only repeat other pages."""
    html = html.replace("<h1", f'<h1 data-pagefind-weight="{TITLE_WEIGHT}"', 1)
    html = _ignore_sections(html)
    html = _BADGES.sub(r'<p class="\1" data-pagefind-ignore', html)
    return f"<div data-pagefind-body>{tags}{html}</div>"


def _ignore_sections(html: str) -> str:
    """Mark every top-level element of an ignored section, its heading to the next top-level `h2`, to be ignored.

    `html` is sanitised (`clean`), so its tags can be counted. Marking only the first element after a heading left
    a related list after its one-line explanation searchable: a title's words found every paper listing it."""
    first = _IGNORED.search(html)
    if first is None:
        return html
    out, done, depth, ignoring = [], first.start(), 0, False
    for tag in _TAG.finditer(html, first.start()):
        closing, name = tag.group(1), tag.group(2).lower()
        if closing:
            depth -= name not in _VOID
            continue
        if depth == 0:
            if name == "h2":
                ignoring = _IGNORED.match(html, tag.start()) is not None
            if ignoring:
                out += [html[done : tag.end(2)], " data-pagefind-ignore"]
                done = tag.end(2)
        depth += name not in _VOID and not tag.group(0).endswith("/>")
    return html[: first.start()] + "".join(out) + html[done:]


def _overridden(config, templates: tuple[str, ...]) -> bool:
    """Whether the theme's override folder (`custom_dir`) has any of `templates`."""
    custom = config.theme.custom_dir
    return bool(custom) and any((Path(custom) / name).is_file() for name in templates)


NAV = "partials/nav.html"  # the theme's site nav (Material): a third to a half of each paper page's template time
# Material's nav marks no page outside it; the user's own (the theme's `custom_dir`) may show any page's title
NAV_PARTS = (NAV, "partials/nav-item.html")


def nav_once_per_folder(env) -> None:
    """Render the site nav once for all pages outside it that sit in one folder, not once for each.

    The nav marks the page being shown and the sections above it, and links relative to the page's URL: for a
    page outside the nav (a paper's, an author's) nothing is marked, and pages side by side (papers/a/,
    papers/b/) link every nav page the same way unless one lies below a page's own URL, which this checks. Kept
    with the nav it was made for, so a server's next build never takes a stale one. A theme without this
    template, or a Jinja without `root_render_func`, renders every nav as before.
    """
    try:
        template = env.get_template(NAV)
        render = template.root_render_func
    except Exception:  # no such template in this theme (TemplateNotFound), or another Jinja
        return
    pages: list = [None, ()]  # a nav, and the URLs of its pages

    def apart(page, context) -> bool:  # in the nav (marked there), or a nav page below its URL
        file, nav = getattr(page, "file", None), context.get("nav")
        if file is None or nav is None or not file.inclusion.is_not_in_nav():
            return True
        if pages[0] is not nav:
            pages[:] = [nav, tuple(item.url for item in nav.pages)]
        return any(url.startswith(page.url) for url in pages[1]) if page.url.endswith("/") else False

    template.root_render_func = _once_per_folder(render, apart)


BASE = "base.html"  # the theme's page layout (Material), which main.html extends
BLOCKS = ("config", "scripts")  # its blocks that name no page: the app's settings and translations, the scripts
_INDEPENDENT = re.compile(r"page|include|import|extends|block|call|super|self", re.I)


def blocks_once_per_folder(env, scripts: list[str]) -> None:
    """Render the layout's blocks that name no page once for all pages in one folder (an eighth of a paper page's
    template time).

    What such a block shows of a page is links relative to its URL (`url`, `script_tag`), the same for pages
    side by side unless a linked file lies below a page's own URL (`assets/`, the site's scripts), which this
    checks. A block is taken only when its source names no page and pulls in no other template; a theme, or an
    override (`custom_dir`), whose block does, or that has no such block, renders it for each page as before.
    """
    try:
        base = env.get_template(BASE)
        source, _, _ = env.loader.get_source(env, BASE)
    except Exception:  # no such template in this theme (TemplateNotFound), or no loader to read it
        return
    targets = ["assets/", *scripts]
    for name in BLOCKS:
        body = re.search(r"\{%-?\s*block\s+" + name + r"\s*-?%\}(.*?)\{%-?\s*endblock", source, re.S)
        render = base.blocks.get(name)
        if body is None or render is None or _INDEPENDENT.search(body.group(1)):
            continue
        base.blocks[name] = _once_per_folder(render, lambda page, _: any(t.startswith(page.url) for t in targets))


def _once_per_folder(render, apart: Callable[[Page, object], bool]):
    """`render` (a template's or a block's) made once for the pages of each folder, and for each page that `apart`
    (given the page and the context) says needs its own. Kept with the nav it was made for, so a server's next
    build never takes one made for the last."""
    made: dict[tuple[str, str], str] = {}  # (folder, base URL) -> its output, for the nav in `shown`
    shown: list = [None]

    def once(context):
        page = context.get("page")
        url = getattr(page, "url", None)
        if not isinstance(url, str) or not url or apart(page, context):
            yield from render(context)
            return
        if shown[0] is not context.get("nav"):  # another build's (a server keeps the theme between rebuilds)
            shown[0] = context.get("nav")
            made.clear()
        key = (url.rstrip("/").rpartition("/")[0], str(context.get("base_url")))  # papers for papers/a/, papers/a.html
        if key not in made:
            made[key] = "".join(render(context))
        yield made[key]

    return once


def _template_cache():
    """The theme's templates compiled to bytecode once, in the user's cache folder: never in the knowledge base,
    where a stranger's file could pass for compiled code."""
    import jinja2

    folder = signed.key_path().parent / "templates"
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


def _section_heads(entries: list) -> list[str]:
    """The pages that open a nav section (`{title: [page, ...]}`): each is the section's own index."""
    out = []
    for entry in entries:
        if isinstance(entry, dict):
            for children in entry.values():
                if isinstance(children, list) and children and isinstance(children[0], str):
                    out.append(children[0])
                out.extend(_section_heads(children if isinstance(children, list) else []))
    return out


def _as_section_index(file: File) -> None:
    """Make Material's `navigation.indexes` take `topics/basics.md` as its section's page, as it would `index.md`.

    Otherwise the sidebar says "Basics" twice: the section, then its page. The page keeps its
    URL (fixed first) and its source path, so every link to it still resolves.
    """
    file.dest_uri, file.url = file.dest_uri, file.url
    file.name = "index"
