"""Author pages in a browser: a few screens each, links land on the entry and unfold it, readable in both palettes."""

from __future__ import annotations

import pytest

from tests.browser import contrast
from tlnotes import load
from tlnotes.index import build_index

SCREEN = 900
SCREENS = 4


@pytest.fixture(scope="module")
def idx():
    from tests.browser import REPO

    return build_index(load(REPO))


def test_every_author_page_is_at_most_four_screens_tall(browser, repo_url, idx):
    context = browser.new_context(viewport={"width": 1366, "height": SCREEN})
    page = context.new_page()
    heights = {}
    for stem in idx.author_pages:
        page.goto(f"{repo_url}authors/{stem}/")
        heights[stem] = page.evaluate("document.documentElement.scrollHeight")
    context.close()
    tallest = max(heights, key=heights.__getitem__)
    assert heights[tallest] <= SCREENS * SCREEN, (tallest, heights[tallest])


def test_an_author_on_a_paper_page_lands_on_their_unfolded_entry(page, repo_url, idx):
    page.goto(repo_url + "papers/vaswani2017attention/")
    author = page.locator("article p a[href*='authors/']").nth(1)  # not the first: its page may start with them
    name = author.inner_text()
    author.click()
    page.wait_for_url("**/authors/*/#*")
    anchor = page.url.split("#", 1)[1]
    entry = page.locator(f"[id='{anchor}']")
    assert entry.locator("h2").inner_text() == name
    assert entry.locator("details").get_attribute("open") is not None  # tlnotes-authors.js unfolded it
    assert entry.locator(".tln-author-papers a[href*='vaswani2017attention']").is_visible()
    box = entry.bounding_box()
    assert box is not None and 0 <= box["y"] < SCREEN / 2  # scrolled to, below the sticky header
    header = page.locator(".md-header").bounding_box()
    assert header is not None and box["y"] >= header["height"] - 1
    assert page.problems == []


def test_coauthor_links_land_on_the_coauthor(page, repo_url, idx):
    vaswani = idx.authors["ashish-vaswani"]
    page.goto(f"{repo_url}authors/{vaswani.page}/#ashish-vaswani")
    links = page.locator("[id='ashish-vaswani'] .tln-coauthors a")
    assert links.count() == min(8, len(vaswani.coauthors))
    expected = [idx.authors[c].name for c, _ in vaswani.coauthors[:8]]
    assert links.all_inner_texts() == expected
    last = min(8, len(vaswani.coauthors)) - 1  # the last shown: on another page than Vaswani's, in this KB
    target = vaswani.coauthors[last][0]
    links.nth(last).click()
    page.wait_for_url(f"**/authors/{idx.authors[target].page}/#{target}")
    entry = page.locator(f"[id='{target}']")
    assert entry.locator("h2").inner_text() == expected[last]
    assert entry.locator("details").get_attribute("open") is not None
    assert entry.locator(".tln-author-papers a[href*='vaswani2017attention']").count() == 1  # the paper they share
    assert page.problems == []


def test_keyboard_unfolds_an_entry(page, repo_url, idx):
    page.goto(f"{repo_url}authors/{idx.authors['ashish-vaswani'].page}/")
    summary = page.locator("[id='ashish-vaswani'] summary")
    summary.focus()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    assert page.locator("[id='ashish-vaswani'] details").get_attribute("open") is not None
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.tln-author-papers') !== null")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1366, 390])
def test_entries_readable_in_both_palettes_and_widths(browser, repo_url, idx, scheme, width):
    context = browser.new_context(viewport={"width": width, "height": SCREEN}, color_scheme=scheme)
    page = context.new_page()
    page.goto(f"{repo_url}authors/{idx.authors['ashish-vaswani'].page}/#ashish-vaswani")
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing sideways at 390 px
    bg = page.evaluate("getComputedStyle(document.querySelector('.md-main')).backgroundColor")
    if bg in ("rgba(0, 0, 0, 0)", "transparent"):
        bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    for selector in [".tln-author-name", ".tln-count", ".tln-coauthors", ".tln-coauthors a"]:
        for el in page.locator(f".tln-author:not(:target) {selector}").all()[:3]:
            fg = el.evaluate("e => getComputedStyle(e).color")
            assert contrast(fg, bg) >= 4.5, (scheme, width, selector, fg, bg)
    # the entry a link lands on is marked; its text stays readable on the mark
    target = page.locator(".tln-author:target summary")
    mark = target.evaluate("e => getComputedStyle(e).backgroundColor")
    fg = page.locator(".tln-author:target .tln-author-name").evaluate("e => getComputedStyle(e).color")
    assert mark != bg
    assert contrast(fg, _over(mark, bg)) >= 4.5
    context.close()


def _over(rgba: str, bg: str) -> str:
    """A translucent colour as seen over `bg`."""
    parts = [float(v) for v in rgba[rgba.index("(") + 1 : rgba.index(")")].split(",")]
    base = [float(v) for v in bg[bg.index("(") + 1 : bg.index(")")].split(",")][:3]
    alpha = parts[3] if len(parts) > 3 else 1.0
    mixed = [round(c * alpha + b * (1 - alpha)) for c, b in zip(parts[:3], base, strict=True)]
    return f"rgb({mixed[0]}, {mixed[1]}, {mixed[2]})"
