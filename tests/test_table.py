"""The all-papers table and the papers-per-year chart, as rendered and sanitised HTML (no browser)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.test_render import rec, to_html
from tlnotes.index import build_index
from tlnotes.render import ALL_PAPERS, FILTER_SUMMARY, HOME, page_url, render, year_chart
from tlnotes.sanitize import clean

EVIL = "<img src=x onerror=alert(1)>"


def table_html(kb) -> str:
    return clean(to_html(render(kb.load())[ALL_PAPERS]))


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def test_hostile_title_and_summary_stay_text_in_the_table(kb):
    kb.record("evil", rec(EVIL, authors=(EVIL,), summary=(EVIL + " " + "word " * 5000,)))
    html = table_html(kb)
    assert not [t for t, _ in tags(html) if t in ("img", "script")]
    assert "&lt;img src=x onerror=alert(1)&gt;</a>" in html  # the title, as text
    row = next(a for t, a in tags(html) if t == "tr" and "data-text" in a)
    assert len(row["data-text"]) < FILTER_SUMMARY + 100  # a huge summary adds a bounded prefix, not 25,000 characters


def test_table_has_no_class_so_material_styles_it_and_says_its_order(kb):
    kb.record("a", rec("Paper A", year=2019))
    kb.record("b", rec("Paper B", year=2021))
    html = table_html(kb)
    table = next(a for t, a in tags(html) if t == "table")
    assert table == {"id": "tln-papers"}
    heads = [a for t, a in tags(html) if t == "th"]
    assert [h["data-col"] for h in heads] == ["title", "authors", "year", "topics"]  # no status column without status
    assert [h.get("aria-sort") for h in heads] == [None, None, "descending", None]
    assert "data-numeric" in heads[2]
    assert re.findall(r"<td>(\d{4})</td>", html) == ["2021", "2019"]  # the order aria-sort says


def test_a_row_does_not_repeat_what_it_shows(kb):
    kb.record("a", rec("Distinctive Heading Words", authors=("Ada Lovelace", "Alan Turing"), summary=("Short point.",)))
    row = next(a for t, a in tags(table_html(kb)) if t == "tr" and "data-text" in a)
    assert "distinctive" not in row["data-text"]  # the script reads the title from the row itself
    assert "ada lovelace" in row["data-text"] and "short point." in row["data-text"]  # shown only as "Lovelace & Turing"
    assert "data-year" not in row and "data-status" not in row


def test_status_column_only_for_papers_with_status(kb):
    kb.record("a", rec("Paper A", extra="status: reading\n"))
    kb.record("b", rec("Paper B"))
    html = table_html(kb)
    rows = [a for t, a in tags(html) if t == "tr" and "data-text" in a]
    assert sorted(r.get("data-status", "") for r in rows) == ["", "reading"]
    assert [a["data-col"] for t, a in tags(html) if t == "th"][-1] == "status"


def test_no_papers_no_rows_no_chart(kb):
    pages = render(kb.load())
    assert "<tbody>\n\n</tbody>" in pages[ALL_PAPERS] and "0 papers" in pages[ALL_PAPERS]
    assert year_chart(build_index(kb.load())) == "" and "tln-chart" not in pages[HOME]


def test_rows_stay_small_at_3000_papers(kb):
    for i in range(3000):
        kb.record(f"p{i}", rec(f"Paper number {i} about attention", authors=("Ada Lovelace", "Alan Turing", "Grace Hopper")))
    md = render(kb.load())[ALL_PAPERS]
    assert len(md.encode()) / 3000 < 260  # bytes per row, with a 10-character summary: the markup is what is counted


def test_chart_bars_link_to_their_year_with_a_name(kb):
    kb.record("a", rec("A", year=2001))
    kb.record("b", rec("B", year=2020))
    kb.record("c", rec("C", year=2020))
    html = clean(year_chart(build_index(kb.load())))
    links = [a for t, a in tags(html) if t == "a"]
    # both charts, each a link per year that has papers; none for the empty years between
    assert sorted((a["href"], a["aria-label"]) for a in links) == sorted(
        [("years/#y2001", "2001: 1 paper"), ("years/#y2020", "2020: 2 papers")]  # the wide chart's columns
        + [("years/#y2001", "2001 1 paper"), ("years/#y2020", "2020 2 papers")]  # the narrow one's rows show "2020 2"
    )
    svgs = [a for t, a in tags(html) if t == "svg"]
    assert [s["class"] for s in svgs] == ["tln-chart tln-chart-wide", "tln-chart tln-chart-narrow"]
    assert all("viewbox" in s and "width" not in s for s in svgs)  # it scales with the page
    assert "<text" in html and "2020" in html


def test_chart_labels_never_crowd_a_long_span(kb):
    kb.record("a", rec("A", year=1900))
    kb.record("b", rec("B", year=2024))
    html = year_chart(build_index(kb.load()))
    wide = html.split("</svg>")[0]
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)"', wide)]
    assert len(xs) >= 5 and min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= 13 * 3


def test_page_url_from_an_index_page():
    assert page_url(HOME, "years/index.md") == "years/"
    assert page_url(ALL_PAPERS, "papers/k.md") == "k/"
