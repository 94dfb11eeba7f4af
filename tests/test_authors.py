"""Author index pages: split to a few screens each, every link to an author lands on their entry, co-authors ranked."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from itertools import product
from pathlib import Path
from urllib.parse import unquote, urljoin

import pytest

from tests.browser import build, empty_site
from tests.test_render import audit, rec, to_html
from tlnotes.index import AUTHORS_PER_PAGE, build_index
from tlnotes.names import author_id, family_name, fold
from tlnotes.render import SHOWN_COAUTHORS, author_link, author_page, page_paths, page_url, render
from tlnotes.sanitize import clean

SYLLABLES = "ka lo mi ne ru sa te vo zu an be ch di fo gu".split()
# 200 distinct family names under V (of 225), about 15 per second letter, so the split has to go past it
V_NAMES = [f"V{a}{b}" for a, b in product(SYLLABLES, SYLLABLES)][:200]
assert len(set(V_NAMES)) == 200


def many_authors(kb, names: list[str], per_paper: int = 4) -> None:
    for i in range(0, len(names), per_paper):
        kb.record(f"p{i:04d}", rec(f"Paper {i}", authors=tuple(names[i : i + per_paper])))


def check_pages(idx) -> None:
    """Pages hold at most the bound, cover every author once, in index order, under the author's own initial."""
    seen = [aid for page in idx.author_pages.values() for aid in page.authors]
    assert seen == list(idx.authors)
    for page in idx.author_pages.values():
        assert 1 <= len(page.authors) <= AUTHORS_PER_PAGE
        assert all(idx.authors[a].page == page.stem and idx.authors[a].letter == page.letter for a in page.authors)
    labels = [p.label for p in idx.author_pages.values()]
    assert len(set(labels)) == len(labels), labels
    assert all(re.fullmatch(r"[a-z0-9-]+", stem) for stem in idx.author_pages)


def test_a_letter_of_200_authors_splits_into_pages_of_at_most_the_bound(kb):
    many_authors(kb, [f"Ada {n}" for n in V_NAMES] + ["Grace Hopper"])
    idx = build_index(kb.load())
    check_pages(idx)
    v_pages = [p for p in idx.author_pages.values() if p.letter == "v"]
    assert len(v_pages) >= 200 // AUTHORS_PER_PAGE
    assert v_pages[0].stem == "v"  # a letter's first page keeps its old address
    # a page spans a range of family names, and says so: Vaka–Vane, never one name split across two pages here
    for page in v_pages:
        first, last = (fold(family_name(idx.authors[a].name)) for a in (page.authors[0], page.authors[-1]))
        start, _, end = page.label.partition("–")
        assert first.startswith(start.lower()) and last.startswith((end or start).lower()), (page.label, first, last)
    assert idx.author_pages["h"].label == "H"  # a letter that fits keeps one page, named by its letter
    pages = render(kb.load())
    index = pages["authors/index.md"]
    assert all(f"]({p.stem}.md) ({len(p.authors)})" in index for p in v_pages)


def test_one_family_name_too_big_for_a_page_is_cut_by_count_and_names_its_people(kb):
    many_authors(kb, [f"Given{i:03d} Wang" for i in range(2 * AUTHORS_PER_PAGE + 5)])
    idx = build_index(kb.load())
    check_pages(idx)
    pages = list(idx.author_pages.values())
    assert [len(p.authors) for p in pages] == [AUTHORS_PER_PAGE, AUTHORS_PER_PAGE, 5]
    assert pages[0].label == "Given000 Wang – Given039 Wang" and pages[2].label.startswith("Given080 Wang")


def test_other_initials_non_latin_and_single_letter_names(kb):
    names = [f"名{i:03d} 王{chr(0x4E00 + i)}" for i in range(AUTHORS_PER_PAGE + 3)] + ["Malcolm X", "Émile Ünal"]
    many_authors(kb, names)
    idx = build_index(kb.load())
    check_pages(idx)
    assert idx.authors["malcolm-x"].page == "x" and idx.authors["emile-unal"].page == "u"
    other = [p for p in idx.author_pages.values() if p.letter == "other"]
    assert [p.stem for p in other] == ["other", "other-2"]
    assert list(idx.author_pages)[-2:] == ["other", "other-2"]  # after z


def test_coauthors_ranked_by_shared_papers_then_index_order_with_more(kb):
    # Ada shares 3 papers with Zed, 2 with Bea, 1 each with ten others
    kb.record("a", rec("A", authors=("Ada Lovelace", "Zed Zulu", "Bea Brown")))
    kb.record("b", rec("B", authors=("Ada Lovelace", "Zed Zulu", "Bea Brown", "Ada Lovelace")))  # a repeat counts once
    kb.record("c", rec("C", authors=("Ada Lovelace", "Zed Zulu", *[f"P{i:02d} Person{i:02d}" for i in range(10)])))
    idx = build_index(kb.load())
    ada = idx.authors["ada-lovelace"]
    assert ada.coauthors[:2] == (("zed-zulu", 3), ("bea-brown", 2))
    assert [c for c, _ in ada.coauthors[2:]] == [f"p{i:02d}-person{i:02d}" for i in range(10)]
    assert idx.authors["bea-brown"].coauthors == (("ada-lovelace", 2), ("zed-zulu", 2))  # a tie: by family name
    page = render(kb.load())[author_page(ada.page)]
    entry = page.split('id="ada-lovelace"')[1].split("</div>")[0]
    named = re.findall(r'<a href="[^"]*#([a-z0-9-]+)">', entry.split('class="tln-coauthors"')[1])
    assert named == [c for c, _ in ada.coauthors[:SHOWN_COAUTHORS]]
    assert "Zed Zulu</a> (3)" in entry and "Bea Brown</a> (2)" in entry and "Person00</a>," in entry
    assert f"+{12 - SHOWN_COAUTHORS} more" in entry and "3 papers" in entry
    assert "tln-coauthors" not in render(kb.load())["authors/index.md"]


def test_a_name_latex_cannot_spell_stays_unicode_in_bibtex(kb):
    """latexcodec has no LaTeX for 王: the entry keeps it as written instead of failing the whole site."""
    kb.record("k", rec("标题 Title", authors=("王 芳", "Łukasz Kaiser")))
    from tlnotes.bibtex import entry

    text = entry(kb.load().papers["k"])
    assert "王 芳" in text and "标题" in text and "{\\L}ukasz" in text


def test_hostile_names_are_text_everywhere(kb):
    evil = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "Conan O'Brien", '" onmouseover="alert(1)']
    kb.record("k", rec("<img src=x onerror=alert(1)>", authors=(*evil, "others")))
    idx = build_index(kb.load())
    check_pages(idx)
    assert "others" not in idx.authors and len(idx.authors) == 4  # a last `others` means et al., not a person
    pages = render(kb.load())
    for path in (p for p in pages if p.startswith("authors/")):
        html = clean(to_html(pages[path]))
        assert audit(html) == [], path
        assert "<script" not in html and "onerror=" not in html.replace("onerror=alert", "")
    obrien = pages[author_page(idx.authors["conan-o-brien"].page)]
    assert "Conan O&#x27;Brien" in obrien or "Conan O&#39;Brien" in obrien or "Conan O'Brien" in obrien


def test_no_authors_no_author_pages(kb):
    kb.record("a", rec("Anonymous", authors=()))
    k = kb.load()
    idx = build_index(k)
    assert idx.author_pages == {} and not [p for p in page_paths(k, idx) if p.startswith("authors/") and "index" not in p]
    assert "No paper names its authors yet." in render(k)["authors/index.md"]


def test_page_url_is_relative_to_where_the_page_is_served():
    assert page_url("authors/v.md", "papers/k.md") == "../../papers/k/"
    assert page_url("authors/v.md", "authors/w-wa.md") == "../w-wa/"
    assert page_url("papers/index.md", "papers/k.md") == "k/"


# ---------------------------------------------------------------- the built site


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.in_article = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article":
            self.in_article += 1
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and self.in_article and a.get("href"):
            self.hrefs.append(a["href"])

    def handle_endtag(self, tag):
        if tag == "article":
            self.in_article -= 1


def parse(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = empty_site(tmp_path_factory.mktemp("authors"))
    (root / "notes" / "attention.md").write_text('---\ntitle: "Attention"\n---\n\nProse.\n')
    names = [f"Ada {n}" for n in V_NAMES] + [f"Given{i:03d} Wang" for i in range(45)]
    names += ["<img src=x onerror=alert(1)>", "Conan O'Brien", "Łukasz Kaiser", "Émile Ünal", "Malcolm X", "王 芳"]
    for i in range(0, len(names), 5):
        group = names[i : i + 5]
        (root / "papers" / f"p{i:04d}.yaml").write_text(
            "\n".join(["title: " + json.dumps(f"Paper {i}"), "authors:", *[f"  - {json.dumps(n)}" for n in group]])
            + "\nyear: 2020\ntopics: [attention]\nsummary: [A point.]\n",
            encoding="utf-8",
        )
    (root / "papers" / "bare.yaml").write_text("title: No authors\nyear: 2021\ntopics: [attention]\nsummary: [x]\n")
    site = build(root, root / "site")  # --strict: a Markdown link to a missing page or anchor fails here
    from tlnotes import load

    return site, build_index(load(root))


def resolve(site: Path, page: Path, href: str) -> tuple[Path, str]:
    url = urljoin("http://x/" + page.relative_to(site).as_posix(), href)
    path, _, anchor = url.removeprefix("http://x/").partition("#")
    target = site / unquote(path)
    return (target / "index.html" if not path or path.endswith("/") else target), unquote(anchor)


def test_every_author_link_on_every_paper_page_lands_on_the_entry(built):
    site, idx = built
    checked = 0
    for paper in (site / "papers").glob("*/index.html"):
        for href in parse(paper).hrefs:
            if "authors/" not in href:
                continue
            target, anchor = resolve(site, paper, href)
            assert target.is_file(), (paper, href)
            assert anchor in parse(target).ids and anchor in idx.authors, (paper, href)
            assert target.parent.name == idx.authors[anchor].page
            checked += 1
    assert checked == sum(len(a.keys) for a in idx.authors.values())


def test_every_link_on_author_pages_resolves(built):
    site, idx = built
    assert sorted(p.parent.name for p in (site / "authors").glob("*/index.html")) == sorted(idx.author_pages)
    for stem in idx.author_pages:
        page = site / "authors" / stem / "index.html"
        links = parse(page)
        assert set(idx.author_pages[stem].authors) <= links.ids
        for href in links.hrefs:
            if href.startswith(("http:", "https:")):
                continue
            target, anchor = resolve(site, page, href)
            assert target.is_file(), (stem, href)
            assert not anchor or anchor in parse(target).ids, (stem, href)
    index = parse(site / "authors" / "index.html")
    assert {resolve(site, site / "authors" / "index.html", h)[0].parent.name for h in index.hrefs} >= set(idx.author_pages)


def test_author_link_agrees_with_the_built_page(built):
    site, idx = built
    for a in idx.authors.values():
        link = author_link(a.id, idx.author_page_of[a.id], "papers/k.md")
        assert idx.author_page_of[a.id] == a.page
        assert link == f"../../authors/{a.page}/#{a.id}"
        assert a.id in parse(site / "authors" / a.page / "index.html").ids
    assert author_id("<img src=x onerror=alert(1)>") in idx.authors
    html = (site / "authors" / idx.authors[author_id("<img src=x onerror=alert(1)>")].page / "index.html").read_text()
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
