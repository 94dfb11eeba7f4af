"""The reader's site, part "related": both sections with reasons, breadcrumbs, the sidebar, topic counts."""

from __future__ import annotations

import pytest

from tests.browser import contrast


def test_paper_page_has_breadcrumb_related_and_similar(page, repo_url):
    page.goto(repo_url + "papers/vaswani2017attention/")
    crumbs = page.locator("article .tln-breadcrumb a")
    assert crumbs.all_inner_texts()[0] == "Home" and crumbs.count() >= 2
    assert page.locator("article h2#related-papers").is_visible() and page.locator("article h2#similar-papers").is_visible()
    reasons = page.locator("#similar-papers ~ ul .tln-why").all_inner_texts()
    assert 1 <= len(reasons) <= 8 and all(r.strip() for r in reasons)
    assert any(r.startswith(("shares", "cited", "similar words")) for r in reasons)
    for stop in ("model", "language", "large"):
        assert not any(f"similar words: {stop}" in r or f", {stop}," in r for r in reasons)
    assert page.problems == []


def test_breadcrumb_by_keyboard(page, repo_url):
    page.goto(repo_url + "authors/v/")
    first = page.locator("article .tln-breadcrumb a").first
    first.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.rstrip("/") == repo_url.rstrip("/")


def test_home_shows_no_zero_counts_and_each_title_once(page, repo_url):
    page.goto(repo_url)
    assert "(0)" not in page.locator("article").inner_text()
    page.goto(repo_url + "topics/basics/")
    names = [t.strip() for t in page.locator(".md-nav--primary :is(a, label).md-nav__link:visible").all_inner_texts()]
    assert names.count("Basics") == 1
    assert "Transformers reading notes" not in names  # the home entry says Home; the sidebar's title says the name


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1366, 390])
def test_added_text_is_readable(browser, repo_url, scheme, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
    pg = context.new_page()
    pg.goto(repo_url + "papers/vaswani2017attention/")
    bg = pg.evaluate("getComputedStyle(document.querySelector('.md-main')).backgroundColor")
    if bg in ("rgba(0, 0, 0, 0)", "transparent"):
        bg = pg.evaluate("getComputedStyle(document.body).backgroundColor")
    for selector in (".tln-breadcrumb", ".tln-why"):
        el = pg.locator(f"article {selector}").first
        assert el.is_visible()
        fg = el.evaluate("e => getComputedStyle(e).color")
        assert contrast(fg, bg) >= 4.5, (selector, fg, bg)
        box = el.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width + 1
    context.close()
