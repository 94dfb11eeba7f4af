"""render(kb): cross-links both ways, related ranking, authors, escaping."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

import markdown
import pytest

from tests.conftest import VALID
from tlnotes.index import author_id, build_index
from tlnotes.render import Site, nav, render
from tlnotes.sanitize import clean

MD_EXTENSIONS = ["toc", "attr_list", "tables", "admonition", "pymdownx.arithmatex"]
MD_CONFIG = {"pymdownx.arithmatex": {"generic": True}}


def rec(title, authors=("Ada Lovelace",), year=2020, topics=("attention",), summary=("A point.",), extra=""):
    q = json.dumps  # JSON strings are YAML strings, whatever they hold
    lines = [
        f"title: {q(title)}",
        "authors:",
        *[f"  - {q(a)}" for a in authors],
        f"year: {year}",
        "topics:",
        *[f"  - {t}" for t in topics],
        "summary:",
        *[f"  - {q(s)}" for s in summary],
    ]
    return "\n".join(lines) + "\n" + extra


def to_html(md_text: str) -> str:
    return markdown.markdown(md_text.split("\n---\n", 1)[-1], extensions=MD_EXTENSIONS, extension_configs=MD_CONFIG)


def links(md_text: str) -> set[str]:
    """Where a page's links point: a Markdown link's `.md` source, raw HTML's served URL (`render.raw`)."""
    return set(re.findall(r"\]\(([^)\s]+)\)", md_text)) | set(re.findall(r'<a [^>]*href="([^"]*)"', md_text))


@pytest.fixture
def site(kb):
    kb.note(
        "prompting",
        "Prompting",
        folder="language-models",
        body="Prompting builds on [@a] and compares with @b.\n\n`[@c]` is code, not a citation.\n",
    )
    kb.record("a", rec("Paper A", year=2019, topics=("attention", "language-models"), extra="related: [c]\n"))
    kb.record("b", rec("Paper B", year=2021, topics=("attention", "language-models")))
    kb.record("c", rec("Paper C", year=2018, topics=("prompting",)))
    k = kb.load()
    assert k.problems == []
    return k, render(k, Site("Test KB", "About tests."))


def test_paths_are_stable_permalinks(site):
    _, pages = site
    for path in [
        "index.md",
        "papers/index.md",
        "topics/index.md",
        "years/index.md",
        "authors/index.md",
        "papers/a.md",
        "papers/b.md",
        "papers/c.md",
        "topics/attention.md",
        "topics/prompting.md",
    ]:
        assert path in pages


def test_topic_and_paper_link_both_ways(site):
    _, pages = site
    assert "../../topics/attention/" in links(pages["papers/a.md"])
    assert 'href="../../papers/a/"' in pages["topics/attention.md"]  # the topic's list is one HTML block


def test_related_link_both_ways(site):
    _, pages = site
    assert "../c/" in links(pages["papers/a.md"])
    assert "../a/" in links(pages["papers/c.md"])  # c does not list a; a lists c


def test_citation_links_and_cited_in_backlink(site):
    _, pages = site
    topic = pages["topics/prompting.md"]
    assert "[Lovelace, 2019](../papers/a.md)" in topic
    assert "[Lovelace (2021)](../papers/b.md)" in topic.replace("Lovelace (2021)", "Lovelace (2021)")
    assert "../papers/c.md" not in links(topic.split("## Papers")[0])  # `[@c]` in code is not a citation
    assert "## Cited in" in pages["papers/a.md"] and "../../topics/prompting/" in links(
        pages["papers/a.md"].split("## Cited in")[1]
    )
    assert "## Cited in" not in pages["papers/c.md"]


def test_topic_page_lists_papers_newest_first_with_first_bullet(site):
    _, pages = site
    page = pages["topics/attention.md"]
    assert page.index("Paper B") < page.index("Paper A")
    assert "A point." in page


def test_subtopics_on_parent_and_breadcrumb_on_child(site):
    _, pages = site
    assert "## Subtopics" in pages["topics/language-models.md"] and "prompting.md" in links(pages["topics/language-models.md"])
    assert "../language-models/" in links(pages["topics/prompting.md"].split("# Prompting")[0])


def test_related_is_hand_picked_and_similar_is_not_padded(kb):
    kb.note("x", "X")
    kb.note("y", "Y")
    kb.record("me", rec("Me", topics=("attention", "x", "y"), extra="related: [own]\n"))
    kb.record("own", rec("Own", topics=("language-models",), year=2001))
    kb.record("two_old", rec("Two old", topics=("attention", "x"), year=2005))
    kb.record("two_new", rec("Two new", topics=("x", "y"), year=2015))
    kb.record("three", rec("Three", topics=("attention", "x", "y"), year=2000))
    for i in range(10):
        kb.record(f"one{i}", rec(f"One {i}", topics=("y",), year=2010 + i))
    idx = build_index(kb.load())
    assert idx.related["me"] == ["own"]  # only what a record says: no paper of a shared topic pads it
    assert idx.related["own"] == ["me"]  # ... and from the other end
    similar = idx.similar["me"]
    # `y` holds most of the KB: sharing it says little, so `two_new` (x and y) and the ten `one` papers stay out
    assert [s.key for s in similar] == ["three", "two_old"]
    assert similar[0].reason == "shares 3 topics: Attention, X, Y"


def test_related_keeps_every_listed_key(kb):
    keys = [f"r{i}" for i in range(10)]
    for i, k in enumerate(keys):
        kb.record(k, rec(f"R {i}", topics=("language-models",)))
    kb.record("me", rec("Me", extra=f"related: [{', '.join(keys)}]\n"))
    assert build_index(kb.load()).related["me"] == keys


def test_author_names_normalized(kb):
    kb.record("a", rec("A", authors=("Quoc Le", "Ada Lovelace")))
    kb.record("b", rec("B", authors=("quoc le",)))
    kb.record("c", rec("C", authors=("Le, Quoc", "others")))
    idx = build_index(kb.load())
    assert author_id("Quoc Le") == author_id("quoc le") == author_id("Le, Quoc") == author_id(" Quoc  Le ")
    quoc = idx.authors[author_id("Quoc Le")]
    assert quoc.name == "Quoc Le" and set(quoc.keys) == {"a", "b", "c"}
    assert "others" not in " ".join(idx.authors)
    pages = render(kb.load())
    section = pages["authors/l.md"].split('id="quoc-le"')[1].split("</div>")[0]
    assert all(f"../../papers/{k}/" in section for k in "abc")
    assert "../../authors/l/#quoc-le" in pages["papers/c.md"] and "et al." in pages["papers/c.md"]


def test_accented_names_fold_to_one_author_and_ascii_anchor(kb):
    kb.record("a", rec("A", authors=("Łukasz Kaiser",)))
    kb.record("b", rec("B", authors=("Lukasz Kaiser",)))
    idx = build_index(kb.load())
    assert list(idx.authors) == ["lukasz-kaiser"] and idx.authors["lukasz-kaiser"].letter == "k"


def test_years_and_all_papers_pages(site):
    _, pages = site
    years = pages["years/index.md"]
    assert "{#y2021}" in years and years.index("{#y2021}") < years.index("{#y2018}")
    table = pages["papers/index.md"]
    assert table.count("<tr data-topics=") == 3
    assert "<td>2019</td>" in table and 'id="tln-filter-text"' in table and 'id="tln-filter-topic"' in table


def test_home_counts_topics_recent_and_chart(site):
    _, pages = site
    home = pages["index.md"]
    assert "<strong>3</strong> papers" in home and "<strong>3</strong> topics" in home
    assert "About tests." in home and "topics/prompting.md" in home
    svg = re.search(r"<svg.*?</svg>", home, re.S).group(0)
    assert svg.count('class="tln-bar"') == 3  # 2018..2021: the empty 2020 has no bar, and no link to a missing year
    assert "<title>2019: 1 paper</title>" in svg and "2020:" not in svg and ">2020</text>" in svg


def test_paper_page_content(kb):
    kb.record(
        "vaswani2017attention",
        VALID
        + """\
venue: NeurIPS 2017
links:
  arxiv: "1706.03762"
  doi: 10.48550/arXiv.1706.03762
  code: https://github.com/tensorflow/tensor2tensor
  blog: https://example.org/post
notes: Free *notes*.
""".replace('links:\n  arxiv: "1706.03762"\n', "", 0),
    )
    text = (kb.root / "papers" / "vaswani2017attention.yaml").read_text()
    text = text.replace('links:\n  arxiv: "1706.03762"\nvenue', "venue")
    (kb.root / "papers" / "vaswani2017attention.yaml").write_text(text)
    k = kb.load()
    assert k.problems == [], k.problems
    page = render(k)["papers/vaswani2017attention.md"]
    for needle in [
        "# Attention Is All You Need",
        "NeurIPS 2017",
        'href="https://arxiv.org/abs/1706.03762">arXiv<',
        'href="https://arxiv.org/pdf/1706.03762">PDF<',
        'href="https://doi.org/10.48550/arXiv.1706.03762">DOI<',
        ">Code<",
        ">Blog<",
        "## Summary",
        "<li>Self-attention only.</li>",
        "## Notes",
        "Free *notes*.",
        "<code>@inproceedings{vaswani2017attention,",
        "../../years/#y2017",
    ]:
        assert needle in page, needle


def test_nested_summary_renders_nested_lists(kb):
    kb.record("k", VALID.replace("  - Self-attention only.", "  - parent:\n      - child:\n          - grandchild"))
    html = to_html(render(kb.load())["papers/k.md"])
    assert re.search(r"<li>parent\s*<ul>\s*<li>child\s*<ul>\s*<li>grandchild</li>", html)


def test_nav_has_topics_and_indexes_but_no_paper_pages(site):
    k, _ = site
    flat = str(nav(k))
    assert "topics/attention.md" in flat and "papers/index.md" in flat
    assert "papers/a.md" not in flat and "authors/l.md" not in flat


def test_render_is_pure_and_deterministic(site, kb):
    k, pages = site
    assert render(k, Site("Test KB", "About tests.")) == pages


# ---------------------------------------------------------------- escaping

HOSTILE = [
    "<script>alert('t')</script>",
    "<img src=x onerror=alert('i')>",
    "<iframe src='https://evil.example'></iframe>",
    "[click](javascript:alert('j'))",
    "[click](JaVaScRiPt:alert('j'))",
    "[click](jav&#x61;script:alert('e'))",
    "![x](javascript:alert('x'))",
    "<a href='javascript:alert(1)'>a</a>",
    "*em*{: onclick=\"alert('attr')\"}",
    "[ref]\n\n[ref]: javascript:alert('r')",
    "\\`<svg onload=alert('s')>`",
    "$<img src=x onerror=alert('m')>$",
    "`<b>` <style>body{display:none}</style>",
]

SAFE_TAGS = {
    "p",
    "a",
    "em",
    "strong",
    "code",
    "span",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "br",
    "pre",
    "div",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "input",
    "select",
    "option",
    "svg",
    "title",
    "g",
    "rect",
    "text",
    "hr",
    "details",
    "summary",
    "sup",
    "tspan",  # the year chart: a row reads "2020 57"
}


class TagAudit(HTMLParser):
    def __init__(self):
        super().__init__()
        self.bad = []

    def handle_starttag(self, tag, attrs):
        if tag not in SAFE_TAGS:
            self.bad.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.bad.append(f"{tag}[{name}]")
            if name in ("href", "src") and value and re.match(r"\s*(javascript|data|vbscript):", value, re.I):
                self.bad.append(f"{tag}[{name}={value}]")


def audit(html: str) -> list[str]:
    a = TagAudit()
    a.feed(html)
    return a.bad


@pytest.mark.parametrize("payload", HOSTILE)
def test_hostile_text_is_inert_everywhere(kb, payload):
    kb.note("evil", payload.replace("\n", " "), body=f"Note: {payload}\n\nAnd [@k].\n")
    kb.record(
        "k",
        rec(
            payload.replace("\n", " "),
            authors=(payload.replace("\n", " "),),
            topics=("evil",),
            summary=(payload.replace("\n", " "), "ok *fine* `x<y` $a<b$"),
            extra=f"venue: {json.dumps(payload.splitlines()[0])}\nnotes: {json.dumps(payload)}\n",
        ),
    )
    k = kb.load()
    assert not k.errors, k.errors
    for path, page in render(k).items():
        bad = audit(to_html(page))
        assert bad == [], (path, bad)


def test_formatting_survives_escaping(kb):
    kb.record(
        "k",
        rec(
            "A *bold* claim with `code<T>` and $O(n^2)$",
            summary=("See [the site](https://example.org/a_(b)) and **this**", "Math: $x_i < y$ and $$\\sum_i x_i$$"),
        ),
    )
    page = clean(to_html(render(kb.load())["papers/k.md"]))  # as the site serves it
    assert "<em>bold</em>" in page and "<strong>this</strong>" in page
    assert '<a href="https://example.org/a_(b)">the site</a>' in page
    codes = [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", page)]
    maths = [html.unescape(m) for m in re.findall(r'<span class="arithmatex">(.*?)</span>', page)]
    assert "code<T>" in codes
    assert "\\(x_i < y\\)" in maths and "\\[\\sum_i x_i\\]" in maths and "\\(O(n^2)\\)" in maths


def test_every_page_knows_its_kind(site):
    """Navigation and search read the page's own kind, declared once in render, never its path."""
    k, pages = site
    kinds = {path: page.kind for path, page in pages.items()}
    assert kinds["papers/a.md"].name == "paper" and not kinds["papers/a.md"].in_nav and kinds["papers/a.md"].searchable
    assert kinds["topics/attention.md"].in_nav and kinds["topics/attention.md"].searchable
    assert kinds["authors/l.md"].name == "author" and not kinds["authors/l.md"].in_nav
    assert kinds["papers/index.md"].in_nav and not kinds["papers/index.md"].searchable
    for path, page in pages.items():
        meta = page.split("\n---\n", 1)[0]
        assert ('"exclude": true' in meta) == (not page.kind.searchable), path
        assert ('"toc"' in meta) == (not page.kind.toc), path


@pytest.mark.parametrize("authors_yaml", ["", "authors: []\n"])
def test_records_without_authors_render_everywhere(kb, authors_yaml):
    """No IndexError, no empty label: 'authors unknown' where authors are listed, title words in citations."""
    kb.note("prompting", "Prompting", body="See [@anon], [-@anon], @anon and [@anon; @a].\n")
    kb.record(
        "anon",
        f'title: "Scaling Laws for Everything Under the Sun"\n{authors_yaml}year: 2020\ntopics: [prompting]\nsummary: [A point.]\n',
    )
    kb.record("a", rec("Paper A", topics=("prompting",)))
    k = kb.load()
    assert [p.code for p in k.problems] == ["no-authors"]
    pages = render(k, Site("Test KB", "About tests."))
    paper = pages["papers/anon.md"]
    assert "authors unknown" in paper
    topic = (
        pages["notes/prompting.md"]
        if "notes/prompting.md" in pages
        else next(v for p, v in pages.items() if p.endswith("prompting.md"))
    )
    assert "Scaling Laws for" in topic and "authors unknown" in topic  # the citation label and the paper list
    assert ", 2020" in topic and " et al." not in topic.split("Scaling Laws for", 1)[1][:20]
    table = next(v for p, v in pages.items() if "tln-filter-text" in v)
    assert "authors unknown" in table
    for text in pages.values():
        assert "— , 2020" not in text and "[](" not in text
