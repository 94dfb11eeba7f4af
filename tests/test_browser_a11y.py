"""Accessibility of every page type, in both palettes and at desktop and phone widths (issue 14, goal 9).

axe-core (vendored from npm in tests/vendor/axe-core) runs in Chromium on each page: no serious or
critical violation. Landmarks and keyboard reach are checked on their own, since axe cannot press Tab.
"""

from __future__ import annotations

from pathlib import Path

import pytest

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

# one page of each type this repository's site has
PAGE_TYPES = {
    "home": "",
    "all papers": "papers/",
    "paper": "papers/vaswani2017attention/",
    "topic": "topics/attention/",
    "topics index": "topics/",
    "years": "years/",
    "authors index": "authors/",
    "author letter": "authors/v/",
    "search": "search/?q=attention",
    "hand-written": "about/",
}
WIDTHS = {"desktop": (1366, 900), "phone": (390, 844)}


def violations(pg) -> list[str]:
    pg.add_script_tag(content=AXE.read_text())
    found = pg.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes'][:3]]} {v['nodes'][0].get('failureSummary', '')[:300]}"
        for v in found
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_axe_violation_on_any_page_type(browser, repo_url, scheme, width):
    w, h = WIDTHS[width]
    context = browser.new_context(color_scheme=scheme, viewport={"width": w, "height": h}, is_mobile=width == "phone")
    pg = context.new_page()
    problems = {}
    for name, path in PAGE_TYPES.items():
        pg.goto(repo_url + path)
        if path.startswith("search/"):
            pg.locator("#tln-search-results li a").first.wait_for(timeout=15000)
        pg.wait_for_load_state("networkidle")
        found = violations(pg)
        if found:
            problems[name] = found
    context.close()
    assert problems == {}, problems


def test_landmarks_on_every_page_type(page, repo_url):
    for name, path in PAGE_TYPES.items():
        page.goto(repo_url + path)
        for landmark in ["header", "main", "nav", "footer"]:
            assert page.locator(landmark).count() >= 1, (name, landmark)
        assert page.locator("main h1").count() == 1, name
        assert page.evaluate("document.documentElement.lang") == "en", name


def tab_reach(page, limit: int = 600) -> list[str]:
    """Descriptions of what Tab focuses, in order, from the top of the page, until focus comes round again."""
    seen: list[str] = []
    where: set[int] = set()
    page.locator("body").focus()
    for _ in range(limit):
        page.keyboard.press("Tab")
        at, what = page.evaluate(
            "(() => { const e = document.activeElement; if (!e || e === document.body) return [-1, ''];"
            " return [Array.prototype.indexOf.call(document.querySelectorAll('*'), e),"
            " e.tagName + '#' + (e.id || '') + '[' + (e.dataset.field || e.getAttribute('aria-label') || '') + ']'] })()"
        )
        if at in where:
            break
        where.add(at)
        seen.append(what)
    return seen


@pytest.mark.parametrize(
    "path, controls",
    [
        ("search/?q=attention", ["INPUT#tln-search-input", "SELECT#[topic]", "SELECT#[year]", "INPUT#[author]"]),
        ("papers/", ["INPUT#tln-filter-text", "SELECT#tln-filter-topic", "SELECT#tln-filter-year"]),
        ("", ["INPUT#["]),  # the header's search box
    ],
)
def test_every_control_is_reachable_by_keyboard(page, repo_url, path, controls):
    page.goto(repo_url + path)
    if path.startswith("search/"):
        page.locator("#tln-search-results li a").first.wait_for(timeout=15000)
    reached = tab_reach(page)
    for control in controls:
        assert any(r.startswith(control) for r in reached), (control, reached[:40])
    focus_ring = page.evaluate(
        "(() => { const e = document.activeElement; return e === document.body ? 'body' :"
        " e.tagName + '.' + e.className + ' ' + getComputedStyle(e).outlineStyle })()"
    )
    assert not focus_ring.endswith(" none"), focus_ring  # what has focus shows it
