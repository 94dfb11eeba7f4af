"""The all-papers table (sort, filters in the URL, cards on a phone) and the papers-per-year chart, in a browser.

At 1366 and 390 px, in both palettes.
"""

from __future__ import annotations

import pytest

from tests.browser import contrast
from tests.conftest import REPO

WIDTHS = [1366, 390]
SCHEMES = ["light", "dark"]


@pytest.fixture(params=[(w, s) for w in WIDTHS for s in SCHEMES], ids=lambda p: f"{p[0]}px-{p[1]}")
def pg(request, browser):
    width, scheme = request.param
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda e: page.problems.append(f"pageerror: {e}"))
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.width = width
    yield page
    context.close()


def _years(page) -> list[int]:
    return [int(t) for t in page.locator("#tln-papers tbody tr:not([hidden]) td:nth-child(3)").all_inner_texts()]


def _titles(page) -> list[str]:
    return page.locator("#tln-papers tbody tr td:first-child").all_inner_texts()


def test_sort_by_year_both_ways_by_click_and_keyboard(pg, repo_url):
    pg.goto(repo_url + "papers/")
    year = pg.locator("#tln-papers th[data-col='year']")
    assert year.get_attribute("aria-sort") == "descending"  # the page's own order
    initial = _titles(pg)
    year.locator("button").click()
    asc = _years(pg)
    assert asc == sorted(asc) and asc[0] < asc[-1] and year.get_attribute("aria-sort") == "ascending"
    assert [y for y in asc if y < 2000] == sorted(y for y in asc if y < 2000)  # numeric: 1986 before 2017
    # stable: within a year, the page's order (title) is kept
    same = [t for t, y in zip(_titles(pg), asc, strict=True) if y == 2022]
    assert same == [t for t in initial if t in same]
    year.locator("button").focus()
    pg.keyboard.press("Enter")
    desc = _years(pg)
    assert desc == sorted(desc, reverse=True) and year.get_attribute("aria-sort") == "descending"
    title = pg.locator("#tln-papers th[data-col='title']")
    title.locator("button").focus()
    pg.keyboard.press("Space")
    titles = _titles(pg)
    assert titles == sorted(titles, key=str.casefold) or titles[0].casefold() <= titles[-1].casefold()
    assert title.get_attribute("aria-sort") == "ascending" and year.get_attribute("aria-sort") is None
    assert pg.problems == []


def test_filters_write_the_url_and_the_url_presets_them(pg, repo_url):
    pg.goto(repo_url + "papers/")
    pg.fill("#tln-filter-text", "longformer")
    pg.wait_for_url("**/papers/?text=longformer")
    pg.select_option("#tln-filter-year", "2020")
    pg.wait_for_url("**/papers/?text=longformer&year=2020")
    assert 1 <= pg.locator("#tln-papers tbody tr:not([hidden])").count() <= 3
    pg.fill("#tln-filter-text", "")
    pg.wait_for_url("**/papers/?year=2020")
    pg.goto(repo_url + "papers/?text=attention&topic=attention&year=2017")
    assert pg.input_value("#tln-filter-text") == "attention"
    assert pg.input_value("#tln-filter-topic") == "attention" and pg.input_value("#tln-filter-year") == "2017"
    assert set(_years(pg)) == {2017}
    pg.goto(repo_url + "papers/?q=roberta")  # an old link
    assert pg.input_value("#tln-filter-text") == "roberta"
    shown = pg.locator("#tln-papers tbody tr:not([hidden])").count()
    assert 1 <= shown < pg.locator("#tln-papers tbody tr").count()
    pg.select_option("#tln-filter-topic", "attention")
    pg.wait_for_url("**/papers/?text=roberta&topic=attention")  # q is read, never written
    assert pg.problems == []


def test_table_looks_like_materials_and_cards_under_600px(pg, repo_url):
    pg.goto(repo_url + "papers/")
    assert pg.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    cell = pg.locator("#tln-papers tbody tr td").first
    pad = float(cell.evaluate("e => getComputedStyle(e).paddingLeft").removesuffix("px"))
    first = pg.locator("#tln-papers tbody tr").first
    if pg.width >= 600:
        assert pad >= 8  # Material's padding, not 1 px
        assert pg.locator("#tln-papers").evaluate("e => getComputedStyle(e).borderTopStyle") == "solid"
        assert first.evaluate("e => getComputedStyle(e).display") == "table-row"
    else:
        assert first.evaluate("e => getComputedStyle(e).display") == "block"
        box = first.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= pg.width
        assert pg.locator("#tln-papers thead th button").first.is_visible()  # sorting works on a phone too
    # no title breaks mid-word: each line of a title cell ends at a space (or the title's end)
    broken = pg.evaluate(
        """() => [...document.querySelectorAll('#tln-papers tbody td:first-child a')].slice(0, 60).filter(a => {
            const text = a.firstChild, range = document.createRange(); let lastTop = null;
            for (let i = 0; i < text.length; i++) {
                range.setStart(text, i); range.setEnd(text, i + 1);
                const r = range.getClientRects()[0]; if (!r) continue;
                if (lastTop !== null && r.top > lastTop + 2 && !/\\s/.test(text.data[i - 1]) && !/[\\s\\-\\u2013\\u2014/]/.test(text.data[i - 1])) return true;
                lastTop = r.top;
            }
            return false;
        }).map(a => a.textContent)"""
    )
    assert broken == []
    # text contrast of a cell and a sort button on the page's background
    bg = pg.evaluate("getComputedStyle(document.querySelector('.md-main')).backgroundColor")
    if bg in ("rgba(0, 0, 0, 0)", "transparent"):
        bg = pg.evaluate("getComputedStyle(document.body).backgroundColor")
    for sel in ["#tln-papers tbody td:nth-child(2)", "#tln-papers th button", "#tln-papers tbody td:nth-child(4)"]:
        fg = pg.locator(sel).first.evaluate("e => getComputedStyle(e).color")
        assert contrast(fg, bg) >= 4.5, (sel, fg, bg)
    assert pg.problems == []


@pytest.mark.parametrize("width", [390, 600, 800, 1000, 1366])
def test_chart_labels_at_least_11px(browser, repo_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.goto(repo_url)
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.tln-chart')].filter(s => s.getBoundingClientRect().width > 0)
            .flatMap(s => [...s.querySelectorAll('text')].map(t =>
                parseFloat(getComputedStyle(t).fontSize) * s.getBoundingClientRect().width / s.viewBox.baseVal.width))"""
    )
    assert len(sizes) >= 4 and min(sizes) >= 11, (width, min(sizes))
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    context.close()


def test_chart_bar_links_to_its_year(pg, repo_url):
    from tlnotes import load
    from tlnotes.index import build_index

    idx = build_index(load(REPO))
    n = len(idx.by_year[2020])
    pg.goto(repo_url)
    narrow = pg.viewport_size["width"] < 600  # a row there shows "2020 57", and its name starts so
    bar = pg.get_by_role("link", name=f"2020{'' if narrow else ':'} {n} papers", exact=True)
    assert bar.count() == 1 and bar.is_visible()  # the other chart is hidden, and with it its links
    bar.click()
    pg.wait_for_url("**/years/#y2020")
    assert pg.locator("#y2020").is_visible()
    assert pg.problems == []
