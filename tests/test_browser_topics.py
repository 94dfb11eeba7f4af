"""Topic pages in a real browser: the dense paper list, nested follow-ups, references' links and back-links, preview cards.

Every test also checks that no request left the site and that the page raised no error.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser import contrast

BIG = "topics/high-performing-models/"  # 73 papers, with follow-ups
REFS = "topics/tool-use/"  # references with arXiv ids and URLs, and citations in its prose
SCHEMES = [("light", "default"), ("dark", "slate")]


def open_page(browser, url: str, scheme: str = "light", width: int = 1366, height: int = 900, **kw):
    context = browser.new_context(color_scheme=scheme, viewport={"width": width, "height": height}, **kw)
    pg = context.new_page()
    pg.problems, pg.hosts = [], set()
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(f"console: {m.text}"))
    pg.on("pageerror", lambda e: pg.problems.append(f"pageerror: {e} {e.stack}"))
    pg.on("request", lambda r: pg.hosts.add(urlsplit(r.url).hostname))
    pg.goto(url)
    return context, pg


def finish(context, pg) -> None:
    assert pg.problems == []
    assert pg.hosts <= {"127.0.0.1"}, pg.hosts  # nothing from another host, previews included
    context.close()


def background(pg) -> str:
    bg = pg.evaluate("getComputedStyle(document.querySelector('.md-main')).backgroundColor")
    if "0, 0, 0, 0" in bg or bg == "transparent":
        bg = pg.evaluate("getComputedStyle(document.body).backgroundColor")
    return bg


@pytest.mark.parametrize("scheme, palette", SCHEMES)
def test_first_screen_of_a_big_topic_shows_at_least_20_papers_readably(browser, repo_url, scheme, palette):
    context, pg = open_page(browser, repo_url + BIG, scheme)
    assert pg.evaluate("document.body.getAttribute('data-md-color-scheme')") == palette
    prose = pg.locator("article p").first.bounding_box()
    assert prose["y"] < pg.locator("ul.tln-tp").bounding_box()["y"]  # the note's prose first
    pg.evaluate("""() => {
        const list = document.querySelector('ul.tln-tp'), header = document.querySelector('.md-header');
        window.scrollTo(0, list.getBoundingClientRect().top + window.scrollY - header.offsetHeight);
    }""")
    visible = pg.evaluate("""() => {
        const top = document.querySelector('.md-header').offsetHeight;
        return [...document.querySelectorAll('li.tln-tp-item > details > summary, li.tln-tp-item > .tln-tp-line')]
            .filter(el => { const r = el.getBoundingClientRect(); return r.top >= top - 1 && r.bottom <= innerHeight + 1; })
            .length;
    }""")
    assert visible >= 20, visible
    bg = background(pg)
    for selector in [".tln-tp-title", ".tln-tp-by", ".tln-tp-gist", "li.tln-tp-item summary"]:
        fg = pg.evaluate(f"getComputedStyle(document.querySelector('{selector}')).color")
        assert contrast(fg, bg) >= 4.5, (palette, selector, fg, bg)
    finish(context, pg)


def test_a_summary_opens_with_the_keyboard_and_shows_the_rest(browser, repo_url):
    context, pg = open_page(browser, repo_url + BIG)
    item = pg.locator("li.tln-tp-item:has(ul.tln-tp-more)").first
    summary, more = item.locator("> details > summary"), item.locator("> details > ul.tln-tp-more")
    assert not more.is_visible()
    one_line = summary.bounding_box()["height"]
    summary.focus()
    pg.keyboard.press("Enter")
    assert more.is_visible() and item.locator("> details").get_attribute("open") is not None
    assert summary.bounding_box()["height"] > one_line  # the first bullet in full, no longer clipped
    pg.keyboard.press("Space")
    assert not more.is_visible()
    finish(context, pg)


def test_a_follow_up_is_nested_under_its_parent_once(browser, repo_url):
    context, pg = open_page(browser, repo_url + BIG)
    pairs = pg.evaluate("""() => [...document.querySelectorAll('ul.tln-tp-follow > li.tln-tp-item')].map(li =>
        [li.parentElement.closest('li.tln-tp-item').dataset.key, li.dataset.key])""")
    assert pairs, "no follow-up on the page"
    keys = pg.evaluate("[...document.querySelectorAll('li.tln-tp-item')].map(li => li.dataset.key)")
    assert len(keys) == len(set(keys)) == 73
    parent, child = pairs[0]
    child_box = pg.locator(f"li[data-key='{child}'] > a.tln-tp-title").bounding_box()
    parent_box = pg.locator(f"li[data-key='{parent}'] > a.tln-tp-title").bounding_box()
    assert child_box["x"] > parent_box["x"] and child_box["y"] > parent_box["y"]  # indented, below
    finish(context, pg)


@pytest.mark.parametrize("scheme, palette", SCHEMES)
def test_reference_links_and_back_links(browser, repo_url, scheme, palette):
    context, pg = open_page(browser, repo_url + REFS, scheme)
    refs = pg.locator("h2#references + ol")
    arxiv = refs.locator("a.tln-ref-link[href^='https://arxiv.org/abs/']").first
    assert arxiv.inner_text().startswith("arXiv:")
    back = refs.locator("a.tln-backref").first
    # its accessible name, as the browser computes it: the hidden text, not the arrow
    assert refs.get_by_role("link", name=re.compile(r"^Back to citation")).count() == refs.locator("a.tln-backref").count()
    target = back.get_attribute("href")
    back.focus()
    pg.keyboard.press("Enter")
    pg.wait_for_url("**" + target)
    cited = pg.locator(target)
    assert cited.evaluate("el => el.matches('a[href*=\"papers/\"]')")
    box = cited.bounding_box()
    assert 0 <= box["y"] <= 900
    bg = background(pg)
    for el in (arxiv, back):
        assert contrast(el.evaluate("e => getComputedStyle(e).color"), bg) >= 4.5
    finish(context, pg)


def card_title(pg) -> str:
    card = pg.locator("#tln-preview")
    card.wait_for(state="visible", timeout=10000)
    return card.locator(".tln-preview__title").inner_text()


@pytest.mark.parametrize("scheme, palette", SCHEMES)
def test_preview_on_hover_of_a_listed_paper(browser, repo_url, scheme, palette):
    context, pg = open_page(browser, repo_url + BIG, scheme)
    link = pg.locator("a.tln-tp-title").nth(3)
    link.hover()
    assert card_title(pg) == link.inner_text()
    meta = pg.locator("#tln-preview .tln-preview__meta").inner_text()
    assert meta and pg.locator("#tln-preview .tln-preview__gist").inner_text()
    card = pg.locator("#tln-preview")
    bg = card.evaluate("e => getComputedStyle(e).backgroundColor")
    for part in (".tln-preview__title", ".tln-preview__meta", ".tln-preview__gist"):
        assert contrast(card.locator(part).evaluate("e => getComputedStyle(e).color"), bg) >= 4.5, (palette, part)
    assert link.get_attribute("aria-describedby") == "tln-preview"
    pg.mouse.move(5, 5)
    card.wait_for(state="hidden")
    finish(context, pg)


def test_preview_on_keyboard_focus_of_a_citation(browser, repo_url):
    context, pg = open_page(browser, repo_url + REFS)
    citation = pg.locator("article a[id^='cite-']").first
    key = citation.get_attribute("id").removeprefix("cite-").rsplit("-", 1)[0]
    want = pg.locator(f"li.tln-tp-item[data-key='{key}'] a.tln-tp-title").inner_text()
    # Tab from the element just before the citation, as a reader moving through the page
    citation.evaluate("a => { const s = document.createElement('span'); s.tabIndex = 0; s.id = 't-before'; a.before(s); }")
    pg.locator("#t-before").focus()
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.id") == citation.get_attribute("id")
    assert card_title(pg) == want
    pg.keyboard.press("Escape")
    pg.locator("#tln-preview").wait_for(state="hidden")
    finish(context, pg)


@pytest.mark.parametrize("scheme, palette", SCHEMES)
def test_preview_on_touch_through_the_info_control_and_the_link_still_navigates(browser, repo_url, scheme, palette):
    context, pg = open_page(browser, repo_url + BIG, scheme, width=390, height=844, is_mobile=True, has_touch=True)
    assert pg.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    link = pg.locator("a.tln-tp-title").first
    info = pg.locator("a.tln-tp-title + button.tln-info").first
    assert info.get_attribute("aria-label").startswith("About this paper")
    info.tap()
    assert card_title(pg) == link.inner_text()
    assert info.get_attribute("aria-expanded") == "true"
    assert pg.locator("li.tln-tp-item > details").first.get_attribute("open") is None  # the tap did not toggle
    box = pg.locator("#tln-preview").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    info.tap()
    pg.locator("#tln-preview").wait_for(state="hidden")
    href = link.get_attribute("href")
    link.tap()
    pg.wait_for_url("**/papers/" + href.rstrip("/").split("/")[-1] + "/")
    finish(context, pg)


def test_phone_width_topic_with_references_does_not_overflow(browser, repo_url):
    context, pg = open_page(browser, repo_url + REFS, "dark", width=390, height=844, is_mobile=True, has_touch=True)
    assert pg.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 1
    summary = pg.locator("li.tln-tp-item > details > summary").first
    assert summary.bounding_box()["height"] < 3 * 0.7 * 20 * 1.45 + 8  # two clipped lines, not the whole bullet
    finish(context, pg)
