"""The graph views in Chromium: drawn only when shown, nodes that navigate, nothing from elsewhere, feeds in the head."""

from __future__ import annotations

import json

import pytest

from tests.browser import build, contrast
from tests.test_render import rec

GRAPH_FILES = ("/graph/", "force-graph.min.js")


def requests_of(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    return seen


MEASURE = """box => {
  const c = box.querySelector('canvas');
  const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
  return {nodes: +box.dataset.nodes, painted, width: c.width, ms: +box.dataset.drawnMs};
}"""


def drawn(page, selector=".tln-graph", painted=1) -> dict:
    """The graph's canvas once it shows at least `painted` pixels: `data-state` says drawing began, and the
    layout's first frames may still be coming (force-graph paints on animation frames)."""
    page.wait_for_selector(f"{selector}[data-state='drawn']", timeout=15_000)
    page.wait_for_function(
        f"([sel, min]) => ({MEASURE})(document.querySelector(sel)).painted >= min", arg=[selector, painted], timeout=15_000
    )
    return page.eval_on_selector(selector, MEASURE)


def test_home_graph_waits_until_shown_then_draws(page, repo_url):
    seen = requests_of(page)
    page.goto(repo_url)
    page.wait_for_load_state("networkidle")
    assert not [u for u in seen if any(g in u for g in GRAPH_FILES)], "fetched before it was shown"
    assert page.eval_on_selector(".tln-graph", "b => b.dataset.state") == "waiting"
    page.get_by_role("button", name="Show the graph").click()
    result = drawn(page, painted=1001)
    assert result["nodes"] > 100 and result["painted"] > 1000, result
    assert [u for u in seen if u.endswith("/graph/index.json")]
    assert page.get_by_role("button", name="Show the graph").count() == 0
    assert all(u.startswith(repo_url) for u in seen), [u for u in seen if not u.startswith(repo_url)]
    assert page.problems == []


def test_home_graph_also_draws_when_scrolled_into_view(page, repo_url):
    page.goto(repo_url)
    page.locator(".tln-graph").scroll_into_view_if_needed()
    assert drawn(page)["painted"] > 0


def click_node(page, want) -> None:
    """Click, on screen, the first node `want(node)` holds for, once the layout has settled."""
    page.wait_for_selector(".tln-graph[data-settled]", timeout=30_000)
    x, y = page.eval_on_selector(
        ".tln-graph",
        f"""box => {{
          const fg = box.tlnGraph, n = fg.graphData().nodes.find({want});
          const p = fg.graph2ScreenCoords(n.x, n.y), r = box.getBoundingClientRect();
          return [r.left + p.x, r.top + p.y];
        }}""",
    )
    page.mouse.move(x, y)
    page.mouse.click(x, y)


def test_paper_page_shows_its_neighbourhood_and_a_node_navigates(page, repo_url):
    page.goto(repo_url + "papers/vaswani2017attention/")
    page.locator(".tln-graph").scroll_into_view_if_needed()
    result = drawn(page)
    assert result["nodes"] >= 3 and result["painted"] > 0
    with page.expect_navigation():
        click_node(page, "n => n.topic")
    assert "/topics/" in page.url
    assert page.problems == []


def test_pages_without_a_graph_fetch_nothing_of_it(page, repo_url):
    seen = requests_of(page)
    page.goto(repo_url + "papers/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".tln-graph").count() == 0
    assert not [u for u in seen if any(g in u for g in GRAPH_FILES)]


def test_feed_links_in_the_head(page, repo_url):
    page.goto(repo_url + "topics/attention/")
    seen = requests_of(page)
    page.goto(repo_url + "topics/attention/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in seen if "sitemap" in u]  # Material fetches one beside every link[rel=alternate]
    feeds = page.eval_on_selector_all(
        "head link[type='application/atom+xml']", "ls => ls.map(l => [l.relList.contains('alternate'), l.href])"
    )
    assert all(alternate for alternate, _ in feeds)
    hrefs = [href for _, href in feeds]
    assert hrefs == ["https://example.invalid/feed.xml", "https://example.invalid/topics/attention/feed.xml"]
    page.goto(repo_url + "papers/")
    assert page.locator("head link[type='application/atom+xml']").count() == 1
    response = page.request.get(repo_url + "topics/attention/feed.xml")
    assert response.ok and b"<feed" in response.body()


def test_keyboard_never_enters_the_graph(page, repo_url):
    page.goto(repo_url + "papers/vaswani2017attention/")
    page.locator(".tln-graph").scroll_into_view_if_needed()
    drawn(page)
    assert page.eval_on_selector(".tln-graph", "b => b.getAttribute('aria-label')")
    assert page.eval_on_selector_all(".tln-graph *", "els => els.filter(e => e.tabIndex >= 0).length") == 0
    for _ in range(80):
        page.keyboard.press("Tab")
        assert page.evaluate("!!document.activeElement.closest('.tln-graph')") is False


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1366, 390])
def test_readable_in_both_palettes_and_widths(browser, repo_url, scheme, width):
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
    page = context.new_page()
    try:
        page.goto(repo_url + "topics/attention/")
        page.locator(".tln-graph").scroll_into_view_if_needed()
        drawn(page)
        colors = page.eval_on_selector(
            ".tln-graph",
            """b => { const s = getComputedStyle(b), probe = document.createElement('span');
              b.appendChild(probe); const out = {};
              for (const v of ['text', 'topic', 'paper']) { probe.style.color = s.getPropertyValue('--tln-graph-' + v);
                out[v] = getComputedStyle(probe).color; }
              probe.remove(); out.bg = getComputedStyle(document.body).backgroundColor;
              out.box = b.getBoundingClientRect().width; return out; }""",
        )
        assert contrast(colors["text"], colors["bg"]) >= 4.5, colors
        assert contrast(colors["topic"], colors["bg"]) >= 3 and contrast(colors["paper"], colors["bg"]) >= 3, colors
        assert colors["box"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        context.close()


def test_hostile_label_is_text_in_the_tooltip(tmp_path, site_kb, serve, page):
    kb = site_kb
    evil = "<img src=x onerror=alert(1)>"
    kb.record("evil", rec(evil, authors=(evil,), extra="related: [good]\nadded: 2024-01-01\n"))
    kb.record("good", rec("Good paper"))
    url = serve(build(kb.root, tmp_path / "site"))
    page.goto(url + "papers/good/")
    page.locator(".tln-graph").scroll_into_view_if_needed()
    drawn(page)
    page.wait_for_selector(".tln-graph[data-settled]", timeout=30_000)
    x, y = page.eval_on_selector(
        ".tln-graph",
        """box => { const fg = box.tlnGraph, n = fg.graphData().nodes.find(n => n.label.startsWith('<img'));
          const p = fg.graph2ScreenCoords(n.x, n.y), r = box.getBoundingClientRect(); return [r.left + p.x, r.top + p.y]; }""",
    )
    page.mouse.move(x, y)
    page.wait_for_function("document.querySelector('.tln-graph').innerText.includes('<img')", timeout=5_000)
    assert page.locator(".tln-graph img").count() == 0
    assert page.problems == []
    feed = (tmp_path / "site" / "feed.xml").read_text()
    assert "<img" not in feed and json.dumps(evil)[1:-1] not in (tmp_path / "site" / "graph" / "index.json").read_text()
