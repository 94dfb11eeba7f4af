"""The knowledge base as site pages: `render(kb) -> {path: markdown}`.

Pure: no file access, no clock, no globals. Every page reads the one `Index`
built from the KB. In Markdown, links between pages are relative links to
`.md` sources, which the site generator resolves to its own URLs and checks;
what tlnotes makes itself (lists, lines of links, tables) it writes as
finished HTML in `raw` blocks, with served URLs (`page_url`). All text that
comes from records or notes goes through `safe`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache, partial

from . import feeds, graph, safe, schema
from .bibtex import bibliography, format_references
from .citations import Citation
from .index import Author, AuthorPage, Index, build_index
from .markdown import leading_h1
from .model import Bullet, KnowledgeBase, Paper, Topic
from .names import author_id, display_name, family_name

RECENT = 10


@dataclass(frozen=True)
class Site:
    """What the KB is called and what it is about, from the site's own config."""

    name: str = "Reading notes"
    description: str = ""
    url: str = ""  # mkdocs.yml's site_url: the feeds' absolute links; empty, they are relative


# the site's own CSS and JS, where the plugin and `tlnotes render` put them (one list: both add the same files)
ASSETS = "assets/tlnotes"
CSS = [f"{ASSETS}/tlnotes.css"]
JS = [
    f"{ASSETS}/tlnotes.js",  # it fetches KaTeX (273 KB) from beside itself, on pages that have math
    f"{ASSETS}/tlnotes-table.js",  # the all-papers table: sort, filters in the URL
    f"{ASSETS}/tlnotes-preview.js",  # preview cards of links to paper pages
    f"{ASSETS}/tlnotes-graph.js",  # it fetches force-graph (173 KB) and a graph's data only when a graph is shown
    f"{ASSETS}/tlnotes-authors.js",  # unfolds the author entry a link lands on
]


def with_assets(extra_css: list, extra_javascript: list) -> tuple[list, list]:
    """A site's `extra_css` and `extra_javascript` with tlnotes' own after the site's, each once (the plugin and
    `tlnotes render` add the same files)."""
    scripts = {str(js) for js in extra_javascript}  # MkDocs may hold a script as an object with its attributes
    return [*extra_css, *(c for c in CSS if c not in extra_css)], [*extra_javascript, *(j for j in JS if j not in scripts)]


# ---------------------------------------------------------------- paths


def paper_path(key: str) -> str:
    return f"papers/{key}.md"


def topic_path(tid: str) -> str:
    return f"topics/{tid}.md"


def author_page(stem: str) -> str:
    return f"authors/{stem}.md"


def author_link(aid: str, stem: str, here: str) -> str:
    """The served URL of author `aid`'s entry, on the index page `build_index` placed them on (`Index.author_page_of`)."""
    page = author_page(stem)
    return f"{page_url(here, page) if page != here else ''}#{aid}"


HOME = "index.md"
ALL_PAPERS = "papers/index.md"
ALL_TOPICS = "topics/index.md"
YEARS = "years/index.md"
AUTHORS = "authors/index.md"
QUEUE = "queue/index.md"  # only on a site where some record has a status
SEARCH = "search.md"  # /search/?q=QUERY


def rel(src: str, dst: str) -> str:
    """Relative link from page `src` to page `dst` (both paths of .md sources)."""
    src_dir = src.split("/")[:-1]
    dst_parts = dst.split("/")
    common = 0
    while common < len(src_dir) and common < len(dst_parts) - 1 and src_dir[common] == dst_parts[common]:
        common += 1
    return "/".join([".."] * (len(src_dir) - common) + dst_parts[common:])


@lru_cache(maxsize=1 << 16)  # a page links the same few pages (its topics, author pages) many times
def page_url(here: str, dst: str) -> str:
    """A link from generated page `here` to page or file `dst` for raw HTML, which MkDocs does not rewrite.

    Relative to the URL `here` is served at: `papers/index.md` at `papers/`, `authors/v.md` at `authors/v/`;
    a page `dst` is its served folder, any other file (`graph/index.json`) itself.
    """
    served = here if here.endswith("index.md") else here.removesuffix(".md") + "/index.md"
    link = rel(served, dst)
    if not dst.endswith(".md"):
        return link
    return link.removesuffix("index.md") if link.endswith("index.md") else link.removesuffix(".md") + "/"


RAW_OPEN, RAW_CLOSE = "<!-- tlnotes:html -->", "<!-- /tlnotes:html -->"


def raw(html: str) -> str:
    """Finished HTML as a block of its own, marked so that the MkDocs plugin's Markdown extension passes it on
    unread (`mkdocs_plugin.Prerendered`): reading tlnotes' own HTML again was most of a paper page's build time.

    Any other Markdown reader (Zensical, `tlnotes render`) takes the block as raw HTML, to the same page. The
    HTML has no blank line, so no reader ends the block early.
    """
    return f"{RAW_OPEN}\n{html.strip()}\n{RAW_CLOSE}\n"


def raw_runs(lines: list[str]) -> Iterator[tuple[bool, list[str]]]:
    """A page's lines in runs, in order: (True, one `raw` block's lines, its markers included) or (False, lines
    between blocks). An opening marker without its closing one opens no block: it and the rest are other lines.
    The one reading of the markers, for the plugin's extension and its converter of generated pages."""
    start = i = 0
    while True:
        try:
            i = lines.index(RAW_OPEN, i)
            end = lines.index(RAW_CLOSE, i + 1)
        except ValueError:
            break
        if i > start:
            yield False, lines[start:i]
        yield True, lines[i : end + 1]
        start = i = end + 1
    if start < len(lines):
        yield False, lines[start:]


def a_href(href: str, inner: str) -> str:
    """A link in raw HTML: `href` a served URL (`page_url`), `inner` finished HTML."""
    return f'<a href="{safe.attr(href)}">{inner}</a>'


# ---------------------------------------------------------------- small pieces


@dataclass(frozen=True)
class Kind:
    """What a kind of page is to the site: declared once here, read by the front matter and the MkDocs plugin."""

    name: str
    in_nav: bool  # listed in the navigation (Material embeds the whole nav in every page: never one per paper)
    searchable: bool  # in the Pagefind index; listing pages repeat what paper pages say and would crowd them out
    toc: bool = True  # a table of contents with an entry per author or year helps nobody


HOME_PAGE = Kind("home", in_nav=True, searchable=False)
TOPIC_PAGE = Kind("topic", in_nav=True, searchable=True)
PAPER_PAGE = Kind("paper", in_nav=False, searchable=True)
AUTHOR_PAGE = Kind("author", in_nav=False, searchable=False, toc=False)
TABLE_PAGE = Kind("table", in_nav=True, searchable=False)  # all papers
INDEX_PAGE = Kind("index", in_nav=True, searchable=False, toc=False)  # by year, by author
TOPICS_PAGE = Kind("topics", in_nav=True, searchable=False)
QUEUE_PAGE = Kind("queue", in_nav=True, searchable=False)  # the reading queue
SEARCH_PAGE = Kind("search", in_nav=False, searchable=False, toc=False)  # reached from the header's search box


class Page(str):
    """A generated page's Markdown that knows its kind, so no adapter guesses it from the path."""

    kind: Kind
    search: str  # Pagefind's meta and filter tags for a searchable page, added after the sanitiser (which drops them)

    def __new__(cls, markdown: str, kind: Kind, search: str = "") -> Page:
        page = super().__new__(cls, markdown)
        page.kind = kind
        page.search = search
        return page

    def __reduce__(self):  # pickled with what __new__ takes (rerender.Warm keeps pages between builds)
        return (Page, (str(self), self.kind, self.search))


def front_matter(title: str, kind: Kind, **extra) -> str:
    """YAML front matter; values as JSON strings, which YAML reads verbatim."""
    meta: dict = {"title": safe.attr(title), **extra}
    if not kind.searchable:
        meta["search"] = {"exclude": True}  # Material's search plugin reads this
    if not kind.toc:
        meta["hide"] = ["toc"]
    lines = [f"{k}: {schema.yaml_str(v) if isinstance(v, str) else json.dumps(v)}" for k, v in meta.items()]
    return "---\n" + "\n".join(lines) + "\n---\n\n"


UNKNOWN_AUTHORS = "authors unknown"  # a record may lack authors (schema: a warning, `no-authors`)


def authors_line(paper: Paper, idx: Index, here: str) -> str:
    if not paper.named_authors:
        return UNKNOWN_AUTHORS
    names = [
        a_href(author_link(aid, idx.author_page_of[aid], here), safe.inline(display_name(name), links=False))
        for name in paper.named_authors
        for aid in (author_id(name),)
    ]
    text = ", ".join(names)
    return text + (", et al." if paper.et_al else "")


def short_authors(paper: Paper) -> str:
    """`Vaswani et al.`, `Devlin & Chang`, `Hoffmann`: plain text for labels."""
    named = paper.named_authors
    if not named:
        return UNKNOWN_AUTHORS
    if len(named) == 1 and not paper.et_al:
        return family_name(named[0])
    if len(named) == 2 and not paper.et_al:
        return f"{family_name(named[0])} & {family_name(named[1])}"
    return f"{family_name(named[0])} et al."


def cite_label(paper: Paper) -> str:
    return f"{cite_name(paper)}, {paper.year}"


def cite_name(paper: Paper) -> str:
    """Who a citation names: the authors, or without them the title's first words (`Scaling Laws for…`)."""
    if paper.named_authors:
        return short_authors(paper)
    words = paper.title.split()
    return " ".join(words[:3]) + ("…" if len(words) > 3 else "") or "Anonymous"


def bullets(items: tuple[Bullet, ...]) -> str:
    """Summary bullets as nested `<li>`s."""
    return "".join(
        f"<li>{safe.inline(b.text)}" + (f"<ul>{bullets(b.children)}</ul>" if b.children else "") + "</li>" for b in items
    )


def paper_line(paper: Paper, here: str) -> str:
    """A paper in a list: its linked title, short authors and year."""
    title = a_href(page_url(here, paper_path(paper.key)), safe.inline(paper.title, links=False))
    return f"{title} — {safe.attr(short_authors(paper))}, {paper.year}"


def topic_link(topic: Topic, here: str) -> str:
    """A topic's linked title, in raw HTML."""
    return a_href(page_url(here, topic_path(topic.id)), safe.inline(topic.title, links=False))


def paper_list(papers: list[Paper], here: str, after=lambda paper: "") -> str:
    """Papers as a `<ul>`, each `paper_line` followed by `after(paper)` (finished HTML)."""
    return "<ul>\n" + "\n".join(f"<li>{paper_line(p, here)}{after(p)}</li>" for p in papers) + "\n</ul>"


def link_targets(paper: Paper) -> list[tuple[str, str]]:
    """(label, URL) of each place the paper can be read: the paper page's badges and a note's references."""
    links = dict(paper.links)
    out = []
    arxiv = links.pop("arxiv", None)
    doi = links.pop("doi", None)
    if arxiv:
        out.append(("arXiv", f"https://arxiv.org/abs/{arxiv}"))
    pdf = links.pop("pdf", None) or (f"https://arxiv.org/pdf/{arxiv}" if arxiv else None)
    if pdf:
        out.append(("PDF", pdf))
    if doi:
        out.append(("DOI", f"https://doi.org/{doi}"))
    code = links.pop("code", None)
    if code:
        out.append(("Code", code))
    for label in sorted(links):
        out.append((label.replace("_", " ").replace("-", " ").capitalize(), links[label]))
    return out


def badges(paper: Paper) -> str:
    return " ".join(
        f'<a class="tln-badge tln-badge-{safe.attr(label.lower().split()[0])}" href="{safe.attr(url)}">{safe.attr(label)}</a>'
        for label, url in link_targets(paper)
    )


def status_label(word: str) -> str:
    return word.replace("-", " ").capitalize()  # to-read -> To read


def status_badge(paper: Paper) -> str:
    if not paper.status:
        return ""
    word = safe.attr(paper.status)
    return f'<span class="tln-status tln-status-{word}">{safe.attr(status_label(paper.status))}</span>'


def priority_badge(paper: Paper) -> str:
    if not paper.priority:
        return ""
    word = safe.attr(paper.priority)
    return f'<span class="tln-priority tln-priority-{word}">{word} priority</span>'


def reading_line(paper: Paper) -> str:
    """Status, read date, rating and priority of a paper page; empty for a record with none of them."""
    parts = [status_badge(paper)]
    if paper.read:
        parts.append(f'<span class="tln-read">read {paper.read.isoformat()}</span>')
    if paper.rating:
        rating_kind = schema.FIELD_BY_NAME["rating"].kind
        assert isinstance(rating_kind, schema.Bounded)
        top = rating_kind.high
        said = f"rated {paper.rating} of {top}"
        parts.append(
            f'<span class="tln-rating" role="img" aria-label="{said}" title="{said}">'
            f"{'★' * paper.rating}{'☆' * (top - paper.rating)}</span>"
        )
    parts.append(priority_badge(paper))
    shown = " ".join(p for p in parts if p)
    return f'<p class="tln-reading">{shown}</p>\n' if shown else ""


def nav_parent(path: str, idx: Index) -> str | None:
    """The page a page sits under, where its breadcrumb ends: a paper's first topic, an author page's index, a
    subtopic's parent topic; None for a page at the top.

    The sidebar is not opened at it: a paper page with its topic's section open is 60%
    bigger and made the 3,000-paper build 20% slower (benchmarks/bench_site.py: 43.1 s against 34.2 s).
    """
    folder, _, name = path.partition("/")
    stem = name.removesuffix(".md")
    if folder == "papers" and stem in idx.kb.papers:
        topics = [t for t in idx.kb.papers[stem].topics if t in idx.kb.topics]
        return topic_path(topics[0]) if topics else ALL_PAPERS
    if folder == "authors" and path != AUTHORS:
        return AUTHORS
    topic = idx.kb.topics.get(path.removeprefix("topics/").removesuffix(".md")) if folder == "topics" else None
    if topic is not None and topic.parent in idx.kb.topics:
        return topic_path(topic.parent)
    return None


def breadcrumb(here: str, idx: Index) -> str:
    """Home › the trail down to `nav_parent(here)`, as links: where a page outside the nav sits in the site."""
    home = nav_parent(here, idx)
    if home is None:
        return ""
    crumbs = [("Home", HOME)]
    if home.startswith("topics/"):
        crumbs += [(t.title, topic_path(t.id)) for t in idx.topic_path(home.removeprefix("topics/").removesuffix(".md"))]
    elif home == AUTHORS:
        crumbs += [("Authors", AUTHORS)]
    else:
        crumbs += [("All papers", ALL_PAPERS)]
    links = " › ".join(a_href(page_url(here, path), safe.inline(title, links=False)) for title, path in crumbs)
    return raw(f'<p class="tln-breadcrumb" role="navigation" aria-label="Breadcrumb">{links}</p>')


# ---------------------------------------------------------------- pages


def render_paper(paper: Paper, idx: Index) -> str:
    """A paper's page: Markdown headings (the table of contents, permalinks) over `raw` HTML sections."""
    here = paper_path(paper.key)
    kb = idx.kb
    first = paper.summary[0].text if paper.summary else ""
    out = [front_matter(paper.title, PAPER_PAGE, description=safe.attr(" ".join(first.split())[:300]))]
    out.append(breadcrumb(here, idx))
    out.append(f"# {safe.inline(paper.title)}\n")
    when = a_href(f"{page_url(here, YEARS)}#y{paper.year}", str(paper.year))
    venue = f" · {safe.inline(paper.venue)}" if paper.venue else ""
    head = [f"<p>{authors_line(paper, idx, here)}<br>\n{when}{venue}</p>", reading_line(paper), preview_card(paper)]
    b = badges(paper)
    if b:
        head.append(f'<p class="tln-badges">{b}</p>')
    out.append(raw("\n".join(part.strip() for part in head if part)))
    if paper.summary:
        out.append("## Summary\n")
        out.append(raw(f"<ul>{bullets(paper.summary)}</ul>"))
    topics = [kb.topics[t] for t in paper.topics if t in kb.topics]
    if topics:
        out.append("## Topics\n")
        links = " · ".join(topic_link(t, here) for t in topics)
        out.append(raw(f"<p>{links}</p>"))
    related = [kb.papers[k] for k in idx.related.get(paper.key, ())]
    if related:
        out.append("## Related papers\n")
        why = '<p class="tln-why">Picked by hand: listed in this record, or listing this paper as related.</p>'
        out.append(raw(why + "\n" + paper_list(related, here)))
    similar = idx.similar.get(paper.key, ())
    if similar:
        out.append("## Similar papers\n")
        reasons = {s.key: s.reason for s in similar}
        reason = lambda p: f'<br>\n<span class="tln-why">{safe.inline(reasons[p.key])}</span>'  # noqa: E731
        out.append(raw(paper_list([kb.papers[s.key] for s in similar], here, reason)))
    label = "Graph of this paper's topics and related papers"
    out.append(raw(graph.figure(page_url(here, graph.paper_graph(paper.key)), label, on_button=False)))
    citing = [kb.topics[t] for t in idx.cited_in.get(paper.key, ())]
    if citing:
        out.append("## Cited in\n")
        items = "".join(f"<li>{topic_link(t, here)}</li>" for t in citing)
        out.append(raw(f"<ul>{items}</ul>"))
    if paper.notes:
        out.append("## Notes\n")
        out.append(safe.block(paper.notes, cite=_citer(idx, here)) + "\n")
    out.append("## BibTeX\n")
    # Material gives it a copy button
    out.append(raw(f'<pre class="tln-bibtex"><code>{safe.attr(idx.bibtex[paper.key])}</code></pre>'))
    return "\n".join(part for part in out if part)


CARD_AUTHORS = 6  # a preview card names this many authors, then "et al."
CARD_GIST = 400  # characters of the first bullet a preview card shows


def preview_card(paper: Paper) -> str:
    """What a link's preview card shows, as attributes of one hidden element: tlnotes-preview.js fetches the page
    on first hover and reads them with getAttribute, never as HTML."""
    named = paper.named_authors
    authors = ", ".join(display_name(a) for a in named[:CARD_AUTHORS]) or UNKNOWN_AUTHORS
    if named and (paper.et_al or len(named) > CARD_AUTHORS):
        authors += ", et al."
    gist = " ".join(paper.summary[0].text.split()) if paper.summary else ""
    gist = gist if len(gist) <= CARD_GIST else gist[: CARD_GIST - 1] + "…"
    fields = {"title": paper.title, "authors": authors, "year": str(paper.year), "venue": paper.venue or "", "gist": gist}
    return '<div hidden class="tln-card"' + "".join(f' data-{k}="{safe.attr(v)}"' for k, v in fields.items()) + "></div>\n"


def search_tags(meta: dict[str, str], filters: dict[str, list[str]]) -> str:
    """Exact fields for Pagefind, not text scraped from the page: empty elements whose attribute it reads.

    An attribute, unlike Pagefind's inline `key:value` form, keeps a comma in a title; not `<meta>`, which has no
    place in an article.
    """
    tags = [
        f'<span hidden data-pagefind-meta="{safe.attr(k)}[data-value]" data-value="{safe.attr(v)}"></span>'
        for k, v in meta.items()
    ]
    tags += [
        f'<span hidden data-pagefind-filter="{safe.attr(k)}[data-value]" data-value="{safe.attr(v)}"></span>'
        for k, vs in filters.items()
        for v in vs
    ]
    return "".join(tags)


def paper_search_tags(paper: Paper, idx: Index) -> str:
    authors = short_authors(paper) if paper.named_authors else UNKNOWN_AUTHORS
    topics = [idx.kb.topics[t].id for t in paper.topics if t in idx.kb.topics]
    filters = {
        "topic": topics,
        "year": [str(paper.year)],
        "author": [family_name(a).casefold() for a in paper.named_authors],
        "status": [paper.status] if paper.status else [],
    }
    # `author:hinton` matches the family name, whatever the case
    return search_tags({"title": paper.title, "authors": authors, "year": str(paper.year), "kind": "paper"}, filters)


def render_search(idx: Index) -> str:
    """The search page: results for ?q= on load, filled in by tlnotes.js from the Pagefind index.

    Each control writes its field into the query (`topic:attention`), so the URL says the whole search.
    """
    topic_opts = "".join(
        f'<option value="{safe.attr(t.id)}">{safe.attr(t.title)}</option>'
        for t in sorted(idx.kb.topics.values(), key=lambda t: t.title.casefold())
    )
    years = "".join(f'<option value="{y}">{y}</option>' for y in sorted(idx.by_year))
    status = ""
    if idx.has_status:
        present = sorted({p.status for p in idx.kb.papers.values() if p.status})
        opts = "".join(f'<option value="{safe.attr(s)}">{safe.attr(status_label(s))}</option>' for s in present)
        status = f'<select data-field="status" aria-label="Reading status"><option value="">Any status</option>{opts}</select>'
    return (
        front_matter("Search", SEARCH_PAGE) + "# Search\n\n" + '<div class="tln-search" role="search">'
        '<input type="search" id="tln-search-input" placeholder="Search: words, author:hinton year:2019..2021 topic:attention" '
        'aria-label="Search the papers" autocomplete="off">'
        '<span id="tln-search-count" aria-live="polite"></span>'
        "</div>\n\n"
        '<div class="tln-search-facets">'
        f'<select data-field="topic" aria-label="Only this topic"><option value="">All topics</option>{topic_opts}</select>'
        f'<select data-field="year" data-part="from" aria-label="From year"><option value="">From year</option>{years}</select>'
        f'<select data-field="year" data-part="to" aria-label="To year"><option value="">To year</option>{years}</select>'
        '<input type="text" data-field="author" placeholder="Author\u2019s family name" aria-label="Only this author" '
        'autocomplete="off">'
        f"{status}</div>\n\n"
        '<ol id="tln-search-results" class="tln-search-results"></ol>\n\n'
        "<p><em>Fields: <code>author:NAME</code>, <code>year:2023</code> or <code>year:2019..2021</code>, "
        "<code>topic:ID</code>, <code>status:to-read</code>; a bare year (<code>Burns 2022</code>) ranks that year first; "
        "the other words are searched in titles, authors and summaries. "
        'Search needs JavaScript; without it, <a href="../papers/">All papers</a> filters by text.</em></p>\n'
    )


def cite_anchor(key: str, n: int) -> str:
    """The id of the `n`th citation (0-based) of `key` on a page: cite-KEY-a, cite-KEY-b, ..., cite-KEY-aa."""
    letters = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        letters = chr(ord("a") + r) + letters
    return f"cite-{key}-{letters}"


def _citer(idx: Index, here: str, anchors: dict[str, int] | None = None):
    """Render a citation as links to the cited papers, labeled author–year.

    With `anchors`, each link gets an id (see `cite_anchor`) so the references can link back
    to it; `anchors` counts the citations of each key, for the references to read.
    """
    papers = idx.kb.papers

    def cite(c: Citation) -> str:
        parts = []
        for item in c.items:
            paper = papers.get(item.key)
            if paper is None:  # unknown keys stay visible as written; `check` reports them
                parts.append(safe.inline("@" + item.key))
                continue
            label = str(paper.year) if item.suppress_author else cite_label(paper)
            if c.in_text:
                label = f"{cite_name(paper)} ({paper.year}{', ' + item.locator if item.locator else ''})"
            elif item.locator:
                label += f", {item.locator}"
            prefix = f"{item.prefix} " if item.prefix else ""
            anchor = ""
            if anchors is not None:  # attr_list gives the link its id; keys are ids' characters only
                anchor = "{#" + cite_anchor(paper.key, anchors.get(paper.key, 0)) + "}"
                anchors[paper.key] = anchors.get(paper.key, 0) + 1
            parts.append(f"{safe.inline(prefix)}[{safe.inline(label)}]({rel(here, paper_path(paper.key))}){anchor}")
        joined = "; ".join(parts)
        return joined if c.in_text else f"({joined})"

    return cite


def render_topic(topic: Topic, idx: Index) -> str:
    here = topic_path(topic.id)
    out = [front_matter(topic.title, TOPIC_PAGE, description=safe.attr(topic.description or ""))]
    out.append(breadcrumb(here, idx))
    out.append(f"# {safe.inline(topic.title)}\n")
    if topic.description:
        out.append(f"*{safe.inline(topic.description)}*\n")
    body = leading_h1(topic.body)[1]  # the page already has the topic title as its heading
    anchors: dict[str, int] = {}
    if body.strip():
        out.append(safe.block(body, cite=_citer(idx, here, anchors)).strip() + "\n")
    children = idx.children.get(topic.id, [])
    if children:
        out.append("## Subtopics\n")
        out.append(
            "\n".join(
                f"- [{safe.inline(c.title)}]({rel(here, topic_path(c.id))})"
                + (f" — {safe.inline(c.description)}" if c.description else "")
                for c in children
            )
            + "\n"
        )
    papers = idx.by_topic.get(topic.id, [])
    out.append(f"## Papers ({len(papers)})\n")
    if papers:
        out.append(raw(topic_papers(papers, here)))
        out.append(
            raw(graph.figure(page_url(here, graph.topic_graph(topic.id)), "Graph of this topic's papers", on_button=False))
        )
    else:
        out.append("No papers are tagged with this topic yet.\n")
    cited = [idx.kb.papers[k] for k in idx.citations.get(topic.id, ())]
    if cited:
        out.append("## References\n")
        out.append(
            "\n".join(
                f"1. {safe.inline(text)} {reference_links(idx.kb.papers[key])}"
                f"[{safe.inline(cite_label(idx.kb.papers[key]))}]({rel(here, paper_path(key))})"
                f"{back_links(idx.kb.papers[key], anchors.get(key, 0))}"
                for key, text in format_references(cited, idx.bibtex)
            )
            + "\n"
        )
    return "\n".join(out)


REFERENCE_LINKS = {"arxiv": ("arXiv:", "https://arxiv.org/abs/"), "doi": ("doi:", "https://doi.org/"), "url": ("", "")}


def reference_links(paper: Paper) -> str:
    """The arXiv id, DOI and URL of a reference as links (a URL shown without its scheme), each followed by a space."""
    out = []
    for field, (prefix, base) in REFERENCE_LINKS.items():
        value = paper.links.get(field)
        if value:
            shown = prefix + (value.split("://", 1)[-1] if field == "url" else value)
            out.append(f'<a class="tln-ref-link" href="{safe.attr(base + value)}">{safe.attr(shown)}</a> ')
    return "".join(out)


def back_links(paper: Paper, count: int) -> str:
    """↩ links from a reference to each place the note cites it; lettered when there are several, as LaTeX's backref does.

    What a screen reader says is hidden text, not an `aria-label`: a label must contain the visible text (WCAG 2.5.3,
    axe's label-content-name-mismatch), and "↩ᵃ" is no name; the arrow and letter are hidden from it instead.
    """
    name = safe.md_attr(cite_label(paper))
    links = []
    for n in range(count):
        anchor = cite_anchor(paper.key, n)
        letter = anchor.rsplit("-", 1)[1] if count > 1 else ""
        which = f" ({letter})" if letter else ""
        links.append(
            f'<a class="tln-backref" href="#{safe.attr(anchor)}"><span aria-hidden="true">↩'
            f"{'<sup>' + letter + '</sup>' if letter else ''}</span>"
            f'<span class="tln-sr">Back to citation{which} of {name}</span></a>'
        )
    return (" " + " ".join(links)) if links else ""


MAX_NEST = 3  # follow-ups of follow-ups of follow-ups; a paper deeper in a chain nests at this level


def follow_ups(papers: list[Paper]) -> list[tuple[Paper, list]]:
    """A topic's papers as a forest, each paper once: a follow-up nests under an older paper it is related to.

    Related means either record lists the other in `related`. A paper's parent is the first older
    paper its own `related` names, else the oldest older paper that names it; a parent is always
    older (in the topic's order), so no cycle can form. Roots keep the topic's order (newest
    first), follow-ups read in time order. Linear in papers and `related` entries.
    """
    pos = {p.key: i for i, p in enumerate(papers)}  # newest first: a larger position is older
    named_by: dict[str, list[str]] = {}
    for p in papers:
        for k in p.related:
            if k in pos and k != p.key:
                named_by.setdefault(k, []).append(p.key)
    parent: dict[str, str] = {}
    depth: dict[str, int] = {}
    for p in reversed(papers):  # oldest first: a parent's depth is known before its follow-ups'
        older = [k for k in p.related if pos.get(k, -1) > pos[p.key]]
        older = older or sorted((k for k in named_by.get(p.key, ()) if pos[k] > pos[p.key]), key=pos.__getitem__, reverse=True)
        if not older:
            depth[p.key] = 0
            continue
        up = older[0]
        if depth[up] >= MAX_NEST:
            up = parent[up]
        parent[p.key], depth[p.key] = up, depth[up] + 1
    kids: dict[str, list[Paper]] = {}
    for p in reversed(papers):
        if p.key in parent:
            kids.setdefault(parent[p.key], []).append(p)

    def tree(p: Paper) -> tuple[Paper, list]:
        return p, [tree(c) for c in kids.get(p.key, ())]

    return [tree(p) for p in papers if p.key not in parent]


def topic_papers(papers: list[Paper], here: str) -> str:
    """A topic's papers, dense: one line each (title, authors, year, first bullet), the rest of the summary a click away.

    `<details>` opens with a click, Enter or Space and needs no script; the line is clipped to
    one line (two on a phone) until opened. Finished HTML, for a `raw` block.
    """

    def entry(node: tuple[Paper, list]) -> str:
        paper, follow = node
        href = safe.attr(page_url(here, paper_path(paper.key)))
        title = f'<a class="tln-tp-title" href="{href}">{safe.inline(paper.title, links=False)}</a> '
        by = f'<span class="tln-tp-by">{safe.attr(short_authors(paper))}, {paper.year}</span>'
        if paper.summary:
            # the title link stays outside <summary>: a link inside the control that opens it is two controls in one
            first, rest = paper.summary[0], [*paper.summary[0].children, *paper.summary[1:]]
            more = f'<ul class="tln-tp-more">{bullets(tuple(rest))}</ul>' if rest else ""
            line = (
                f'{title}<details class="tln-tp-d"><summary>{by} '
                f'<span class="tln-tp-gist">{safe.inline(first.text, links=False)}</span></summary>{more}</details>'
            )
        else:
            line = f'<div class="tln-tp-line">{title}{by}</div>'
        sub = f'<ul class="tln-tp-follow">{"".join(entry(n) for n in follow)}</ul>' if follow else ""
        return f'<li class="tln-tp-item" data-key="{safe.attr(paper.key)}">{line}{sub}</li>\n'

    return '<ul class="tln-tp">\n' + "".join(entry(n) for n in follow_ups(papers)) + "</ul>"


def _topic_tree(topics: list[Topic], idx: Index, here: str, depth: int = 0, seen=None) -> list[str]:
    seen = set() if seen is None else seen
    out = []
    for t in topics:
        if t.id in seen:
            continue
        seen.add(t.id)
        out.append(f"{'    ' * depth}- [{safe.inline(t.title)}]({rel(here, topic_path(t.id))}) ({topic_count(t.id, idx)})")
        out.extend(_topic_tree(idx.children.get(t.id, []), idx, here, depth + 1, seen))
    return out


def topic_count(tid: str, idx: Index) -> str:
    """How many papers a topic holds, its subtopics' included: a parent topic's own tag is often on none."""
    own, total = len(idx.by_topic.get(tid, ())), idx.papers_under.get(tid, 0)
    if not total:
        return "no papers yet"
    if own == total:
        return str(total)
    return f"{total} papers, {own} in this topic itself" if own else f"{total} papers, all in subtopics"


CHART_WIDTH = 640  # user units of the wide chart; CSS shows it 560 to 800 px wide, so a 13-unit label is >= 11 px
CHART_NARROW = 340  # the phone chart: 340 units in 350 to 570 px
CHART_FONT = 13


def year_chart(idx: Index, here: str = HOME) -> str:
    """Papers per year as two inline SVG charts, readable with no JavaScript; CSS shows one by the page's width.

    An SVG scales its text with its width: one chart for every width would have labels too small on a phone or too
    big on a desktop. Wide, a bar per year of the whole span (a year's label when there is room for it); narrow, a
    row per year that has papers. Each bar links to its year on the years page.
    """
    counts = {y: len(ps) for y, ps in idx.by_year.items()}
    if not counts:
        return ""
    years = list(range(min(counts), max(counts) + 1))
    peak = max(counts.values())
    years_url = page_url(here, YEARS)

    def link(y: int, shapes: str, row: bool = False) -> str:
        n = counts[y]
        if row:  # a row shows "2020 57": its name starts with that, and no tooltip adds to its text
            return f'<a href="{years_url}#y{y}" aria-label="{y} {n} paper{"s" * (n != 1)}">{shapes}</a>'
        said = f"{y}: {n} paper{'s' * (n != 1)}"
        return f'<a href="{years_url}#y{y}" aria-label="{said}"><title>{said}</title>{shapes}</a>'

    def svg(cls: str, width: int, height: int, body: list[str]) -> str:
        title = f"Papers per year, {years[0]}–{years[-1]}"
        return (
            f'<svg class="tln-chart {cls}" role="group" aria-label="{title}" viewBox="0 0 {width} {height}" '
            f'xmlns="http://www.w3.org/2000/svg">{"".join(body)}</svg>'
        )

    # wide: columns; a year label every `step` years, so labels never overlap
    top, height, bottom, side = 8, 150, 24, 20
    slot = (CHART_WIDTH - 2 * side) / len(years)
    step = math.ceil(CHART_FONT * 3 / slot)  # a label is about three font sizes wide
    wide = []
    for i, y in enumerate(years):
        x = side + i * slot
        if y in counts:
            h = max(1, round(height * counts[y] / peak))
            wide.append(
                link(
                    y,
                    f'<rect class="tln-hit" x="{x:.1f}" y="{top}" width="{slot:.1f}" height="{height}"/>'
                    f'<rect class="tln-bar" x="{x + slot * 0.1:.1f}" y="{top + height - h}" '
                    f'width="{slot * 0.8:.1f}" height="{h}"/>',
                )
            )
        if (years[-1] - y) % step == 0:
            wide.append(f'<text x="{x + slot / 2:.1f}" y="{top + height + bottom - 6}" text-anchor="middle">{y}</text>')
    # narrow: rows, year at the left, count after the bar
    row, label, room = 22, 44, 40
    present = sorted(counts, reverse=True)
    narrow = []
    for i, y in enumerate(present):
        w = max(1, round((CHART_NARROW - label - room) * counts[y] / peak))
        ytop = i * row
        narrow.append(
            link(
                y,
                f'<rect class="tln-hit" x="0" y="{ytop}" width="{CHART_NARROW}" height="{row}"/>'
                f'<rect class="tln-bar" x="{label}" y="{ytop + 3}" width="{w}" height="{row - 6}"/>'
                # one text of two spans, so the row reads "2020 57", not "202057"
                f'<text y="{ytop + row - 6}"><tspan x="0">{y}</tspan> <tspan x="{label + w + 4}">{counts[y]}</tspan></text>',
                row=True,
            )
        )
    return svg("tln-chart-wide", CHART_WIDTH, top + height + bottom, wide) + svg(
        "tln-chart-narrow", CHART_NARROW, len(present) * row, narrow
    )


def render_home(idx: Index, site: Site) -> str:
    kb = idx.kb
    here = HOME
    out = [front_matter(site.name, HOME_PAGE)]
    out.append(f"# {safe.inline(site.name)}\n")
    if site.description:
        out.append(safe.inline(site.description) + "\n")
    years = sorted(idx.by_year)
    span = f", {years[0]}–{years[-1]}" if years else ""
    out.append(
        f'<p class="tln-counts"><strong>{len(kb.papers)}</strong> papers · <strong>{len(kb.topics)}</strong> topics · '
        f"<strong>{len(idx.authors)}</strong> authors{span}</p>\n"
    )
    queue = f" · [Reading queue]({rel(here, QUEUE)})" if idx.has_status else ""
    out.append(
        f"[All papers]({rel(here, ALL_PAPERS)}) · [By year]({rel(here, YEARS)}) · [By author]({rel(here, AUTHORS)})"
        f"{queue} · [BibTeX of every paper]({rel(here, BIBLIOGRAPHY)})\n"
    )
    if kb.topics:
        out.append("## Topics\n")
        out.append("\n".join(_topic_tree(idx.roots, idx, here)) + "\n")
    if kb.papers:
        out.append("## Graph\n")
        out.append(
            "Topics and papers, joined by topic tags, related papers and citations in the notes; a node links to its page.\n"
        )
        out.append(raw(graph.figure(page_url(here, graph.HOME_GRAPH), "Graph of every topic and paper", on_button=True)))
    recent = sorted(kb.papers.values(), key=lambda p: (p.added is not None, p.added or 0, p.year, p.key), reverse=True)[:RECENT]
    if recent:
        out.append("## Recently added\n")
        out.append(raw(paper_list(recent, here)))
    chart = year_chart(idx)
    if chart:
        out.append("## Papers per year\n")
        out.append(chart + "\n")
    return "\n".join(out)


FILTER_SUMMARY = 200  # characters of a paper's first bullet the table's text filter searches: 3,000 rows stay small


def render_all_papers(idx: Index) -> str:
    """Every paper in a table that tlnotes-table.js sorts and filters by text, topic, year and status.

    The table has no class: Material styles only `table:not([class])`. A row carries in `data-text` only what the
    text filter needs and the row does not show (full names, the start of the summary, the venue).
    """
    kb = idx.kb
    here = ALL_PAPERS
    out = [front_matter("All papers", TABLE_PAGE)]
    out.append("# All papers\n")
    out.append(f"Every paper as one BibTeX file: [papers.bib]({rel(here, BIBLIOGRAPHY)})\n")
    topic_opts = "".join(
        f'<option value="{safe.attr(t.id)}">{safe.attr(t.title)}</option>'
        for t in sorted(kb.topics.values(), key=lambda t: t.title.casefold())
    )
    year_opts = "".join(f'<option value="{y}">{y}</option>' for y in idx.by_year)
    with_status = idx.has_status
    status_select = ""
    if with_status:
        present = {p.status for p in kb.papers.values()}
        status_opts = "".join(f'<option value="{w}">{status_label(w)}</option>' for w in schema.STATUSES if w in present)
        status_select = (
            f'<select id="tln-filter-status" aria-label="Filter by reading status">'
            f'<option value="">Any status</option>{status_opts}</select>'
        )
    filters = (
        '<div class="tln-filters" role="search">'
        '<input type="search" id="tln-filter-text" placeholder="Filter by title, author or summary" '
        'aria-label="Filter papers by text">'
        f'<select id="tln-filter-topic" aria-label="Filter by topic"><option value="">All topics</option>{topic_opts}</select>'
        f'<select id="tln-filter-year" aria-label="Filter by year"><option value="">All years</option>{year_opts}</select>'
        f"{status_select}"
        f'<span id="tln-filter-count" aria-live="polite">{len(kb.papers)} papers</span>'
        "</div>"
    )
    rows = []
    for p in idx.papers_sorted():
        href = safe.attr(page_url(here, paper_path(p.key)))
        first = " ".join(p.summary[0].text.split())[:FILTER_SUMMARY] if p.summary else ""
        unseen = " ".join([*p.named_authors, first, p.venue or ""]).casefold()
        topic_names = ", ".join(kb.topics[t].title for t in p.topics if t in kb.topics)
        status_data = f' data-status="{safe.attr(p.status)}"' if p.status else ""
        status_cell = f"<td>{status_badge(p)}</td>" if with_status else ""
        rows.append(
            f'<tr data-topics="{safe.attr(" ".join(p.topics))}"{status_data} data-text="{safe.attr(unseen)}">'
            f'<td><a href="{href}">{safe.attr(p.title)}</a></td>'
            f"<td>{safe.attr(short_authors(p))}</td><td>{p.year}</td><td>{safe.attr(topic_names)}</td>{status_cell}</tr>"
        )
    # the initial order is newest_first: by year, newest first, which the year column says
    status_head = '<th data-col="status">Status</th>' if with_status else ""
    table = (
        '<table id="tln-papers"><thead><tr><th data-col="title">Title</th><th data-col="authors">Authors</th>'
        '<th data-col="year" data-numeric aria-sort="descending">Year</th><th data-col="topics">Topics</th>'
        f"{status_head}</tr></thead><tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
    )
    out.append(raw(filters + "\n" + table))
    return "\n".join(out)


def render_years(idx: Index) -> str:
    here = YEARS
    out = [front_matter("Papers by year", INDEX_PAGE), "# Papers by year\n"]
    out.append(" · ".join(f"[{y}](#y{y})" for y in idx.by_year) + "\n")
    for year, papers in idx.by_year.items():
        out.append(f"## {year} {{#y{year}}}\n")
        out.append(raw(paper_list(papers, here)))
    return "\n".join(out)


def render_authors(idx: Index) -> str:
    """The author index's pages by initial, each named by the family names it spans, so a reader jumps to one."""
    here = AUTHORS
    out = [front_matter("Papers by author", INDEX_PAGE), "# Papers by author\n"]
    if not idx.authors:
        out.append("No paper names its authors yet.\n")
        return "\n".join(out)
    out.append(f"{len(idx.authors)} authors by family name, on {len(idx.author_pages)} pages.\n")
    letters: dict[str, list[AuthorPage]] = {}
    for page in idx.author_pages.values():
        letters.setdefault(page.letter, []).append(page)
    for letter, pages in letters.items():
        links = " · ".join(
            f"[{safe.inline(p.label)}]({rel(here, author_page(p.stem))}) ({len(p.authors)})"
            if len(pages) > 1
            else f"[All {len(p.authors)}]({rel(here, author_page(p.stem))})"
            for p in pages
        )
        out.append(f"- **{_letter_label(letter)}**: {links}")
    return "\n".join(out) + "\n"


def _letter_label(letter: str) -> str:
    return "Other" if letter == "other" else letter.upper()


SHOWN_COAUTHORS = 8  # co-authors named in an entry; the rest are counted


def author_entry(author: Author, idx: Index, here: str) -> str:
    """An author as finished HTML: name and paper count over the folded list of papers, then the co-authors.

    Finished HTML (`<details>`), for a `raw` block: MkDocs neither rewrites nor checks its links
    (tests/test_authors.py does).
    """

    def link(aid: str) -> str:
        return a_href(author_link(aid, idx.author_page_of[aid], here), safe.attr(idx.author_names[aid]))

    papers = "".join(
        f"<li>{a_href(page_url(here, paper_path(k)), safe.attr(p.title))}, {p.year}</li>"
        for k in author.keys
        for p in (idx.kb.papers[k],)
    )
    count = f"{len(author.keys)} paper{'s' * (len(author.keys) != 1)}"
    shown = author.coauthors[:SHOWN_COAUTHORS]
    names = [link(c) + (f" ({n})" if n > 1 else "") for c, n in shown]
    more = len(author.coauthors) - len(shown)
    if more:
        names.append(f"+{more} more")
    coauthors = f'<p class="tln-coauthors">With {", ".join(names)}</p>' if names else ""
    return (
        f'<div class="tln-author" id="{author.id}"><details><summary>'
        f'<h2 class="tln-author-name">{safe.attr(author.name)}</h2> <span class="tln-count">{count}</span></summary>'
        f'<ul class="tln-author-papers">{papers}</ul></details>{coauthors}</div>'
    )


def render_author_page(page: AuthorPage, idx: Index) -> str:
    """One run of authors, each an entry with a stable anchor (the author id), papers folded under a count."""
    here = author_page(page.stem)
    out = [front_matter(f"Authors: {page.label}", AUTHOR_PAGE), breadcrumb(here, idx), f"# Authors: {safe.inline(page.label)}\n"]
    pages = list(idx.author_pages.values())
    i = pages.index(page)
    around = [f"[All authors]({rel(here, AUTHORS)})"]
    if i:
        around.insert(0, f"[← {safe.inline(pages[i - 1].label)}]({rel(here, author_page(pages[i - 1].stem))})")
    if i + 1 < len(pages):
        around.append(f"[{safe.inline(pages[i + 1].label)} →]({rel(here, author_page(pages[i + 1].stem))})")
    out.append(" · ".join(around) + "\n")
    out.append(raw("\n".join(author_entry(idx.authors[aid], idx, here) for aid in page.authors)))
    return "\n".join(out)


def render_topics_index(idx: Index) -> str:
    out = [front_matter("Topics", TOPICS_PAGE), "# Topics\n"]
    out.append("\n".join(_topic_tree(idx.roots, idx, ALL_TOPICS)) + "\n")
    return "\n".join(out)


def render_queue(idx: Index) -> str:
    """The papers marked to-read or reading, by topic; high priority first, then what is being read."""
    kb = idx.kb
    here = QUEUE
    out = [front_matter("Reading queue", QUEUE_PAGE), "# Reading queue\n"]
    rank = {word: i for i, word in enumerate(schema.PRIORITIES)}
    queued = sorted(
        (p for p in kb.papers.values() if p.status in schema.QUEUED),
        key=lambda p: (rank[p.priority or "normal"], p.status != "reading", p.title.casefold(), p.key),
    )
    if not queued:
        out.append("Nothing to read: no paper is marked `to-read` or `reading`.\n")
        return "\n".join(out)
    out.append(f"{len(queued)} paper{'s' * (len(queued) != 1)} to read or being read, by topic; high priority first.\n")
    groups: list[tuple[str, str | None, list[Paper]]] = [
        (t.title, rel(here, topic_path(t.id)), [p for p in queued if t.id in p.topics])
        for t in sorted(kb.topics.values(), key=lambda t: (t.title.casefold(), t.id))
    ]
    groups.append(("Other papers", None, [p for p in queued if not any(t in kb.topics for t in p.topics)]))
    for title, link, papers in groups:
        if not papers:
            continue
        out.append(f"## {safe.inline(title)}\n")
        if link:
            out.append(f"[About this topic]({link})\n")
        out.append(raw(paper_list(papers, here, lambda p: f" {status_badge(p)} {priority_badge(p)}".rstrip())))
    return "\n".join(out)


LISTINGS = (HOME, ALL_PAPERS, ALL_TOPICS, YEARS, AUTHORS, SEARCH)


def render(kb: KnowledgeBase, site: Site = Site(), idx: Index | None = None) -> dict[str, Page]:
    """Every generated page of the site, as Markdown keyed by its source path."""
    idx = idx or build_index(kb)
    pages = {path: render_page(kb, path, site, idx) for path in page_paths(kb, idx)}
    return {path: page for path, page in pages.items() if page is not None}  # page_paths lists only real pages


def page_paths(kb: KnowledgeBase, idx: Index | None = None) -> list[str]:
    """The source path of every page `render` makes, in a stable order."""
    idx = idx or build_index(kb)
    queue = [QUEUE] if idx.has_status else []
    return [
        *LISTINGS,
        *queue,
        *(paper_path(k) for k in kb.papers),
        *(topic_path(t) for t in kb.topics),
        *(author_page(stem) for stem in idx.author_pages),
    ]


def render_page(kb: KnowledgeBase, path: str, site: Site = Site(), idx: Index | None = None) -> Page | None:
    """One generated page, or None if the site has no such page."""
    idx = idx or build_index(kb)
    if path in LISTINGS or (path == QUEUE and idx.has_status):
        listings = {
            HOME: (HOME_PAGE, lambda: render_home(idx, site)),
            ALL_PAPERS: (TABLE_PAGE, lambda: render_all_papers(idx)),
            ALL_TOPICS: (TOPICS_PAGE, lambda: render_topics_index(idx)),
            YEARS: (INDEX_PAGE, lambda: render_years(idx)),
            AUTHORS: (INDEX_PAGE, lambda: render_authors(idx)),
            SEARCH: (SEARCH_PAGE, lambda: render_search(idx)),
            QUEUE: (QUEUE_PAGE, lambda: render_queue(idx)),
        }
        kind, make = listings[path]
        return Page(make(), kind)
    folder, _, name = path.partition("/")
    stem = name.removesuffix(".md")
    if folder == "papers" and stem in kb.papers and path == paper_path(stem):
        paper = kb.papers[stem]
        return Page(render_paper(paper, idx), PAPER_PAGE, search=paper_search_tags(paper, idx))
    if folder == "topics" and stem in kb.topics and path == topic_path(stem):
        topic = kb.topics[stem]
        return Page(render_topic(topic, idx), TOPIC_PAGE, search=search_tags({"title": topic.title, "kind": "topic"}, {}))
    if folder == "authors" and stem in idx.author_pages and path == author_page(stem):
        return Page(render_author_page(idx.author_pages[stem], idx), AUTHOR_PAGE)
    return None


BIBLIOGRAPHY = "papers.bib"


def extra_files(kb: KnowledgeBase, site: Site = Site(), idx: Index | None = None) -> dict[str, str]:
    """Files besides pages that the site offers: the whole KB as BibTeX, the graphs' data, the Atom feeds, redirects."""
    idx = idx or build_index(kb)
    return {path: make(idx) for path, make in extra_makers(site, idx).items()}


def extra_makers(site: Site, idx: Index) -> dict[str, Callable[[Index], str]]:
    """`extra_files`, each as its path and what makes it from the index (rerender.py makes only those that changed)."""
    return {
        BIBLIOGRAPHY: lambda ix: bibliography(ix.kb, ix.bibtex),
        **graph.graph_makers(idx),
        **feeds.feed_makers(idx, site.name, site.url),
        **{f"papers/{a}/index.html": partial(redirect_page, p.key) for p in idx.kb.papers.values() for a in p.aliases},
    }


def redirect_page(key: str, idx: Index) -> str:
    """The page at a renamed record's old address (`aliases`, `tlnotes rename`), `papers/OLD/index.html` as an extra
    file: out of the nav, the search index and the sitemap. It sends a reader (and a crawler, by its canonical link)
    to the paper's page."""
    target = f"../{key}/"
    shown = safe.attr(idx.kb.papers[key].title)
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>Moved: {shown}</title>"
        '<meta name="robots" content="noindex">'
        f'<link rel="canonical" href="{target}">'
        f'<meta http-equiv="refresh" content="0; url={target}">'
        "</head>"
        f'<body data-pagefind-ignore="all"><p>This page has moved to <a href="{target}">{shown}</a>.</p></body></html>\n'
    )


def nav(kb: KnowledgeBase, idx: Index | None = None) -> list:
    """The navigation: topics as a tree and the indexes; never the paper or author pages.

    Material embeds the whole nav in every page, so a nav with every paper
    makes the build quadratic in the number of papers.
    """
    idx = idx or build_index(kb)

    def entries(topics: list[Topic], seen: set) -> list:
        out: list[str | dict[str, list]] = []
        for t in topics:
            if t.id in seen:
                continue
            seen.add(t.id)
            kids = idx.children.get(t.id, [])
            if kids:
                out.append({safe.attr(t.title): [topic_path(t.id), *entries(kids, seen)]})
            else:
                out.append(topic_path(t.id))
        return out

    return [
        {"Home": HOME},  # not the site's name: the sidebar's own title already says it
        {"Topics": [ALL_TOPICS, *entries(idx.roots, set())]},
        {"Papers": [ALL_PAPERS, YEARS, AUTHORS, *([QUEUE] if idx.has_status else [])]},
    ]
