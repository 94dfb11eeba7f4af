"""The built site in a real browser: Playwright driving Debian's Chromium, headless.

Outside CI these tests skip, saying why, when Chromium or Playwright is
missing; in CI (CI=true) a missing browser is a failure, since .ci/run
installs it.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

import pytest

from tests.browser import REPO, build, contrast, empty_site, h1
from tests.search_queries import QUERIES, rates


def search(page, url: str, query: str):
    """The header box, as a reader uses it: the shortcut focuses it, Enter opens the search page with the results."""
    page.goto(url)
    page.keyboard.press("/")  # Material's shortcut
    assert page.evaluate("document.activeElement.classList.contains('tln-header-search__input')")
    page.keyboard.type(query)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    results = page.locator("#tln-search-results li a")
    results.first.wait_for(timeout=15000)
    return results


def ranked(page, url: str, query: str) -> list[str]:
    """Record keys of the paper results for `query` on the search page, best first."""
    page.goto(url + "search/?q=" + quote(query))
    page.locator("#tln-search-count:not(:empty)").wait_for(timeout=15000)
    hrefs = page.eval_on_selector_all("#tln-search-results li a", "els => els.map(e => e.getAttribute('href'))")
    paths = [urlsplit(h).path for h in hrefs]  # a result's link carries ?highlight=WORDS
    return [h.rstrip("/").split("/")[-1] for h in paths if "/papers/" in h]


def test_search_by_title_word_opens_the_paper(page, repo_url):
    results = search(page, repo_url, "Longformer")
    assert "papers/beltagy2020longformer/" in results.first.get_attribute("href")
    results.first.click()
    page.wait_for_url("**/papers/beltagy2020longformer/**")
    assert h1(page) == "Longformer: The Long-Document Transformer"
    assert page.problems == []


def test_search_by_author_finds_the_paper_page(page, repo_url):
    results = search(page, repo_url, "Polosukhin")
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    assert any("papers/vaswani2017attention/" in h for h in hrefs), hrefs
    results.nth(next(i for i, h in enumerate(hrefs) if "papers/vaswani2017attention/" in h)).click()
    page.wait_for_url("**/papers/vaswani2017attention/**")
    assert "Illia Polosukhin" in page.locator("article").inner_text()


def test_search_by_summary_words(page, repo_url):
    keys = ranked(page, repo_url, "undertrained")
    assert "liu2019roberta" in keys[:3] or "hoffmann2022training" in keys[:3], keys


def test_search_page_shows_title_authors_year_and_matching_words(page, repo_url):
    page.goto(repo_url + "search/?q=Longformer")
    first = page.locator("#tln-search-results li").first
    first.wait_for(timeout=15000)
    assert first.locator("a").inner_text() == "Longformer: The Long-Document Transformer"
    assert first.locator(".tln-search-meta").inner_text() == "Beltagy et al., 2020"
    assert "longformer" in first.locator(".tln-search-excerpt mark").first.inner_text().lower()
    assert "arXiv" not in first.locator(".tln-search-excerpt").inner_text()  # badges and BibTeX are not indexed
    assert page.input_value("#tln-search-input") == "Longformer"
    assert page.problems == []


def test_arrows_move_through_results(page, repo_url):
    page.goto(repo_url + "search/?q=attention")
    links = page.locator("#tln-search-results li a")
    links.nth(2).wait_for(timeout=15000)
    page.focus("#tln-search-input")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.getAttribute('href')") == links.nth(1).get_attribute("href")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "tln-search-input"


def test_header_box_suggests_as_you_type_and_the_result_marks_the_words(page, repo_url):
    """Material's suggestions and highlight went with its search plugin: the header box stands in for both."""
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(repo_url + "papers/vaswani2017attention/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requests if "pagefind" in u]  # nothing of search before the reader types
    page.keyboard.press("/")
    page.keyboard.type("longformer")
    first = page.locator("#tln-suggest li a").first
    first.wait_for(timeout=15000)
    assert first.inner_text() == "Longformer: The Long-Document Transformer"
    assert [u for u in requests if "pagefind" in u]
    assert "All" in page.locator(".tln-suggest__all a").inner_text()
    page.keyboard.press("Escape")
    assert page.locator("#tln-suggest").is_hidden()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "Longformer: The Long-Document Transformer"
    page.keyboard.press("Enter")
    page.wait_for_url("**/papers/beltagy2020longformer/?highlight=*")
    marks = page.locator("article mark.tln-highlight")
    marks.first.wait_for(timeout=10000)
    assert all(t.lower() == "longformer" for t in marks.all_inner_texts())
    assert page.locator("#bibtex + pre mark, .tln-badges mark").count() == 0  # not in the sections search ignores
    assert page.problems == []


def test_header_box_enter_opens_the_search_page_with_the_same_results(page, repo_url):
    results = search(page, repo_url, "scaling laws")
    page.locator("#tln-search-count:not(:empty)").wait_for(timeout=15000)
    assert results.count() >= 3
    assert page.locator("#tln-suggest").count() == 0  # the search page lists the results itself
    assert page.problems == []


def test_facets_write_the_query_and_the_query_sets_the_facets(page, repo_url):
    """Goal 2 from the UI: each control becomes a field of the query, so the URL carries the whole search."""
    from tlnotes import load

    kb = load(REPO)
    page.goto(repo_url + "search/?q=transformer")
    page.locator("#tln-search-count:not(:empty)").wait_for(timeout=15000)
    page.select_option("[data-field=year][data-part=from]", "2019")
    page.select_option("[data-field=year][data-part=to]", "2020")
    page.wait_for_url("**q=transformer+year%3A2019..2020")
    page.select_option("[data-field=topic]", "attention")
    page.wait_for_url("**year%3A2019..2020+topic%3Aattention")
    page.wait_for_function("document.querySelector('#tln-search-count').textContent.length > 0")
    page.wait_for_timeout(300)
    keys = [
        h.rstrip("/").split("/")[-1]
        for h in map(
            lambda h: urlsplit(h).path,
            page.eval_on_selector_all("#tln-search-results li a", "els => els.map(e => e.getAttribute('href'))"),
        )
        if "/papers/" in h
    ]
    assert keys
    for key in keys:
        assert 2019 <= kb.papers[key].year <= 2020 and "attention" in kb.papers[key].topics, key
    page.select_option("[data-field=topic]", "")
    page.wait_for_function("!new URLSearchParams(location.search).get('q').includes('topic:')")
    page.fill("[data-field=author]", "Beltagy")
    page.wait_for_url("**author%3Abeltagy*")
    page.locator("#tln-search-results li a[href*='beltagy2020longformer']").wait_for(timeout=15000)
    # and back: a shared URL sets the controls
    page.goto(repo_url + "search/?q=" + quote("author:vaswani year:2017..2018 topic:attention"))
    page.locator("#tln-search-count:not(:empty)").wait_for(timeout=15000)
    assert page.input_value("[data-field=author]") == "vaswani"
    assert page.input_value("[data-field=year][data-part=from]") == "2017"
    assert page.input_value("[data-field=year][data-part=to]") == "2018"
    assert page.input_value("[data-field=topic]") == "attention"
    assert page.problems == []


@pytest.mark.parametrize("scheme, palette", [("light", "default"), ("dark", "slate")])
def test_search_reads_in_both_palettes(browser, repo_url, scheme, palette):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.goto(repo_url + "search/?q=attention")
    pg.locator("#tln-search-results li a").first.wait_for(timeout=15000)
    assert pg.evaluate("document.body.getAttribute('data-md-color-scheme')") == palette
    bg = pg.evaluate("getComputedStyle(document.querySelector('.md-main')).backgroundColor")
    if "0, 0, 0, 0" in bg or bg == "transparent":
        bg = pg.evaluate("getComputedStyle(document.body).backgroundColor")
    for selector in ["#tln-search-results li a", ".tln-search-meta", ".tln-search-excerpt", "#tln-search-input"]:
        fg = pg.evaluate(f"getComputedStyle(document.querySelector('{selector}')).color")
        assert contrast(fg, bg) >= 4.5, (palette, selector, fg, bg)
    pg.goto(repo_url + "papers/")
    pg.keyboard.press("/")
    pg.keyboard.type("attention")
    pg.locator("#tln-suggest li a").first.wait_for(timeout=15000)
    box = pg.evaluate("getComputedStyle(document.getElementById('tln-suggest')).backgroundColor")
    link = pg.evaluate("getComputedStyle(document.querySelector('#tln-suggest a')).color")
    assert contrast(link, box) >= 4.5, (palette, link, box)
    context.close()


@pytest.mark.parametrize(
    "query, want, unwanted",
    [
        ("author:vaswani", {"vaswani2017attention"}, set()),
        ("attention author:Vaswani year:2017", {"vaswani2017attention"}, set()),
        ("transformer year:2019..2020", {"beltagy2020longformer"}, {"vaswani2017attention"}),
        ("year:2017 author:polosukhin", {"vaswani2017attention"}, set()),
        ("topic:attention year:2017", {"vaswani2017attention"}, {"beltagy2020longformer"}),
    ],
)
def test_fielded_queries_filter(page, repo_url, query, want, unwanted):
    from tlnotes import load

    kb = load(REPO)
    keys = ranked(page, repo_url, query)
    assert want <= set(keys) and not (unwanted & set(keys)), (query, keys)
    for key in keys:  # every result satisfies every field
        p = kb.papers[key]
        for token in query.split():
            field, _, value = token.partition(":")
            if field == "year" and ".." in value:
                lo, hi = value.split("..")
                assert int(lo) <= p.year <= int(hi), (query, key)
            elif field == "year" and value:
                assert p.year == int(value), (query, key)
            elif field == "author":
                assert any(a.casefold().endswith(value.casefold()) for a in p.named_authors), (query, key)
            elif field == "topic":
                assert value in p.topics, (query, key)
    assert page.problems == []


def test_search_relevance(page, repo_url):
    """Goal 1 of issue 13: the paper meant is among the first three paper results for 95% of the set, first for 85%."""
    rank: dict[str, int | None] = {}
    for query, key in QUERIES:
        keys = ranked(page, repo_url, query)
        rank[query] = keys.index(key) if key in keys else None
    top1, top3 = rates(rank)
    misses = {q: r for q, r in rank.items() if r != 0}
    print(f"\nsearch relevance, {len(QUERIES)} queries: top-1 {top1:.1%}, top-3 {top3:.1%}; not first: {misses}")
    assert top3 >= 0.95 and top1 >= 0.85, misses
    assert page.problems == []


@pytest.mark.parametrize(
    "query, first, also",
    [
        ("Burns 2022", {"burns2023discovering"}, set()),  # the record says 2023, when it was published: still found
        ("Burns 2018", {"rohrbach2018object", "hendricks2018women"}, {"burns2023discovering"}),  # that year first
        ("Vaswani 2017", {"vaswani2017attention"}, set()),
        ("attention is all you need zzzqx", {"vaswani2017attention"}, set()),  # a word no page has
        ("longformer 16x16 zzzqx", {"beltagy2020longformer", "dosovitskiy2021vit"}, set()),  # no page has them all
    ],
)
def test_bare_year_ranks_first_and_missing_words_still_find(page, repo_url, query, first, also):
    keys = ranked(page, repo_url, query)
    assert set(keys[: len(first)]) == first, (query, keys)
    assert also <= set(keys), (query, keys)
    assert page.problems == []


def test_explicit_year_stays_strict(page, repo_url):
    keys = ranked(page, repo_url, "Burns year:2022")
    assert keys == [], keys


def test_no_search_download_on_other_pages_and_nothing_from_other_hosts(page, repo_url):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(repo_url + "papers/vaswani2017attention/")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requests if "pagefind" in u or "search" in u], requests
    page.goto(repo_url + "search/?q=scaling")
    page.locator("#tln-search-results li").first.wait_for(timeout=15000)
    assert [u for u in requests if "pagefind" in u]
    assert all(u.startswith(repo_url) for u in requests), [u for u in requests if not u.startswith(repo_url)]


def test_topic_to_paper_to_related_to_author(page, repo_url):
    page.goto(repo_url + "topics/high-performing-models/")
    page.locator("article a[href*='papers/vaswani2017attention/']").first.click()
    page.wait_for_url("**/papers/vaswani2017attention/")
    related = page.locator("#related-papers ~ ul a").first
    related_href = related.get_attribute("href")
    related.click()
    page.wait_for_url("**" + related_href.strip(".").rstrip("/").split("/")[-1] + "/")
    author = page.locator("article p a[href*='authors/']").first
    name = author.inner_text()
    author.click()
    page.wait_for_url("**/authors/*/#*")
    anchor = page.url.split("#", 1)[1]
    heading = page.locator(f"[id='{anchor}'] h2")
    assert heading.inner_text().strip().rstrip("¶").strip() == name
    assert page.problems == []


def test_all_papers_table_filters(page, repo_url):
    from tlnotes import load
    from tlnotes.index import build_index

    kb = load(REPO)
    idx = build_index(kb)
    page.goto(repo_url + "papers/")
    rows = page.locator("#tln-papers tbody tr")
    visible = page.locator("#tln-papers tbody tr:not([hidden])")
    assert rows.count() == len(kb.papers) and visible.count() == len(kb.papers)
    page.fill("#tln-filter-text", "longformer")
    assert 1 <= visible.count() < len(kb.papers)
    assert "Longformer" in page.locator("#tln-papers tbody tr:not([hidden]) td:first-child").all_inner_texts()[0] or any(
        "Longformer" in t for t in visible.all_inner_texts()
    )
    page.fill("#tln-filter-text", "")
    page.select_option("#tln-filter-topic", "attention")
    assert visible.count() == len(idx.by_topic["attention"])
    page.select_option("#tln-filter-year", "2017")
    expected = [p for p in idx.by_topic["attention"] if p.year == 2017]
    assert visible.count() == len(expected) >= 1
    assert "Attention Is All You Need" in " ".join(visible.all_inner_texts())
    assert page.locator("#tln-filter-count").inner_text() == f"{len(expected)} paper{'s' * (len(expected) != 1)}"
    page.goto(repo_url + "papers/?q=roberta")
    assert 1 <= visible.count() < len(kb.papers)
    assert page.problems == []


def test_math_renders_with_katex_fetched_only_where_there_is_math(page, repo_url):
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(repo_url + "topics/attention/")  # the basics note on attention writes its formulas in $...$
    page.locator(".arithmatex .katex").first.wait_for(timeout=10000)
    assert [u for u in requests if "katex.min.js" in u]
    requests.clear()
    for path in ["", "papers/", "search/?q=attention"]:
        page.goto(repo_url + path)
        page.wait_for_load_state("networkidle")
        assert page.locator(".arithmatex").count() == 0, path
    assert not [u for u in requests if "katex" in u], requests
    assert page.problems == []


def test_home_chart_readable_and_phone_width(browser, repo_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    pg = context.new_page()
    for path in ["", "papers/", "papers/vaswani2017attention/", "topics/high-performing-models/", "search/?q=attention"]:
        pg.goto(repo_url + path)
        overflow = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
    pg.goto(repo_url)
    assert pg.locator("svg.tln-chart rect").count() >= 1
    context.close()


def test_dark_palette_toggle(page, repo_url):
    page.goto(repo_url)
    before = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    page.locator("label.md-header__button[for^='__palette']:visible").first.click()
    after = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    assert {before, after} == {"default", "slate"}


HOSTILE = [
    "<script>alert('title')</script>",
    "<img src=x onerror=alert('img')>",
    "<iframe src=\"javascript:alert('iframe')\"></iframe>",
    "[click me](javascript:alert('link'))",
    "<svg onload=alert('svg')>",
]


@pytest.fixture(scope="session")
def hostile_url(tmp_path_factory, serve, browser):
    root = empty_site(tmp_path_factory.mktemp("hostile"))
    q = json.dumps
    (root / "notes" / "evil.md").write_text(
        f"---\ntitle: {q(HOSTILE[0])}\ndescription: {q(HOSTILE[1])}\n---\n\n" + "\n\n".join(HOSTILE) + "\n\nSee [@evil0].\n"
    )
    for i, payload in enumerate(HOSTILE):
        other = HOSTILE[(i + 1) % len(HOSTILE)]
        (root / "papers" / f"evil{i}.yaml").write_text(
            f"title: {q(payload + f' number {i}')}\nauthors: [{q(other)}, {q('Ada ' + payload)}]\nyear: {2000 + i}\n"
            f"venue: {q(payload)}\ntopics: [evil]\nsummary:\n  - {q(payload)}\n  - {q(other + ' *still* `fine`')}\n"
            f"notes: {q(payload)}\nrelated: [evil{(i + 1) % len(HOSTILE)}]\n"
        )
    return serve(build(root, root / "site"))


def test_hostile_text_never_runs(page, hostile_url):
    site_pages = ["", "papers/", "years/", "authors/", "topics/", "topics/evil/"] + [
        f"papers/evil{i}/" for i in range(len(HOSTILE))
    ]
    for path in site_pages:
        page.goto(hostile_url + path)
        page.wait_for_load_state("load")
    page.goto(hostile_url + "papers/evil0/")
    for href in page.eval_on_selector_all("article a[href*='authors/']", "els => els.map(e => e.href)"):
        page.goto(href)  # the author pages show the hostile names too
    page.goto(hostile_url + "papers/evil0/")
    assert h1(page) == "<script>alert('title')</script> number 0"
    results = search(page, hostile_url, "number")  # every hostile title has it
    assert results.count() >= 1
    results.first.hover()  # the rendered results, with their highlighted snippets, are in the page now
    page.wait_for_timeout(300)
    for path in ["papers/evil1/", "papers/evil2/", "papers/evil3/"]:
        page.goto(hostile_url + path)
        assert page.locator("a[href^='javascript' i], [onerror], [onload], iframe, article script").count() == 0
    assert page.problems == [], page.problems


def test_bibtex_block_has_a_copy_button(page, repo_url):
    page.goto(repo_url + "papers/vaswani2017attention/")
    block = page.locator("pre.tln-bibtex")
    assert "@inproceedings{vaswani2017attention," in block.inner_text()
    page.locator(".md-code__button, .md-clipboard").first.wait_for(timeout=10000)


@pytest.fixture(scope="session")
def corpus_url(tmp_path_factory, serve, browser):
    from tests.test_hostile_site import build_corpus

    return serve(build_corpus(tmp_path_factory.mktemp("corpus")))


def test_the_hostile_corpus_never_runs_navigates_or_loads_from_elsewhere(browser, corpus_url):
    """Every page type of tests/fixtures/hostile in Chromium: no dialog, no navigation, no console error,
    no request to any host but the site's own, and no link in the article that a click would run."""
    from tests.test_hostile_site import CORPUS

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    problems: list[str] = []
    origin = corpus_url.rstrip("/")
    pg.on("console", lambda m: m.type == "error" and problems.append(f"console: {m.text}"))
    pg.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    pg.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    pg.on("request", lambda r: r.url.startswith(origin) or problems.append(f"request to another host: {r.url}"))
    keys = sorted(p.stem for p in (CORPUS / "papers").glob("*.yaml"))
    paths = [
        "",
        "papers/",
        "years/",
        "authors/",
        "authors/l/",
        "authors/other/",
        "topics/",
        "topics/hostile/",
        "topics/deep/",
        "topics/nested/",
        "about/",
        *[f"papers/{k}/" for k in keys],
    ]
    for path in paths:
        navigations: list[str] = []
        listener = lambda frame, seen=navigations: frame == pg.main_frame and seen.append(frame.url)  # noqa: E731
        pg.on("framenavigated", listener)
        response = pg.goto(corpus_url + path)
        assert response is not None and response.ok, path
        pg.wait_for_timeout(150)  # time for a late script, a refresh or an error to happen
        pg.remove_listener("framenavigated", listener)
        assert navigations == [corpus_url + path], (path, navigations)
        schemes = pg.eval_on_selector_all(  # an SVG link (the year chart's bars) has no .protocol: resolve its href
            "article a[href], article area[href]",
            "els => els.map(e => new URL(e.getAttribute('href'), document.baseURI).protocol)",
        )
        assert set(schemes) <= {"http:", "https:", "mailto:"}, (path, set(schemes))
        live = pg.locator(
            "article script, article iframe, article object, article embed, article form, "
            "article [onerror], article [onload], article [onclick], article [onmouseover]"
        )
        assert live.count() == 0, path
    # clicking every article link of a paper page runs nothing either
    pg.goto(corpus_url + "papers/cross-field/")
    for link in pg.locator("article a[href]").all():
        href = link.get_attribute("href") or ""
        if href.startswith(("http:", "https:", "mailto:")):
            continue  # another site: the click would leave, which is what a link is for
        link.click(no_wait_after=True)
        pg.wait_for_timeout(300)  # a navigation the click started settles before the next one
        pg.wait_for_load_state("load")
        for attempt in range(3):
            try:
                pg.goto(corpus_url + "papers/cross-field/")
                break
            except Exception as exc:  # a late navigation of the click may still interrupt this one
                if "interrupted by another navigation" not in str(exc) or attempt == 2:
                    raise
    assert problems == [], problems
    context.close()


@pytest.fixture(scope="session")
def status_url(tmp_path_factory, serve, browser):
    """A small KB with reading status: two to-read (one high priority), one reading, one read, one with none."""
    root = empty_site(tmp_path_factory.mktemp("status"))
    for tid, title in [("attention", "Attention"), ("scaling", "Scaling")]:
        (root / "notes" / f"{tid}.md").write_text(f"---\ntitle: {title}\n---\n\nProse.\n")
    for key, title, topic, extra in [
        ("later", "Later Paper", "attention", "status: to-read\npriority: low\n"),
        ("urgent", "Urgent Paper", "attention", "status: to-read\npriority: high\n"),
        ("busy", "Busy Paper", "scaling", "status: reading\n"),
        ("done", "Done Paper", "attention", "status: read\nread: 2024-03-01\nrating: 4\n"),
        ("plain", "Plain Paper", "scaling", ""),
    ]:
        (root / "papers" / f"{key}.yaml").write_text(
            f"title: {title}\nauthors: [Ada Lovelace]\nyear: 2020\ntopics: [{topic}]\nsummary: [A point.]\n{extra}"
        )
    return serve(build(root, root / "site"))


def test_status_badge_and_read_date_on_the_paper_page(page, status_url):
    page.goto(status_url + "papers/done/")
    badge = page.locator("article .tln-status")
    assert badge.is_visible() and badge.inner_text() == "Read"
    assert "read 2024-03-01" in page.locator("article .tln-reading").inner_text()
    assert page.locator("article .tln-rating").get_attribute("aria-label") == "rated 4 of 5"
    page.goto(status_url + "papers/plain/")
    assert page.locator("article .tln-status, article .tln-reading").count() == 0
    assert page.problems == []


def test_status_filter_narrows_the_table_and_presets_from_the_url(page, status_url):
    page.goto(status_url + "papers/")
    visible = page.locator("#tln-papers tbody tr:not([hidden])")
    assert visible.count() == 5
    page.select_option("#tln-filter-status", "to-read")
    assert sorted(visible.locator("td:first-child").all_inner_texts()) == ["Later Paper", "Urgent Paper"]
    assert page.locator("#tln-filter-count").inner_text() == "2 papers"
    page.select_option("#tln-filter-topic", "scaling")
    assert visible.count() == 0
    page.select_option("#tln-filter-status", "")
    assert sorted(visible.locator("td:first-child").all_inner_texts()) == ["Busy Paper", "Plain Paper"]
    page.goto(status_url + "papers/?status=reading")
    assert page.locator("#tln-filter-status").input_value() == "reading"
    assert visible.locator("td:first-child").all_inner_texts() == ["Busy Paper"]
    page.goto(status_url + "papers/?status=bogus")  # an unknown preset filters nothing out
    assert visible.count() == 5
    assert page.problems == []


def test_queue_page_linked_from_home_lists_by_topic(page, status_url):
    page.goto(status_url + "papers/")  # Material prunes the nav to the open section: Papers holds the queue
    assert page.locator("nav.md-nav a[href$='queue/']").count() >= 1
    page.goto(status_url)
    page.locator("article a", has_text="Reading queue").click()
    page.wait_for_url("**/queue/")
    assert h1(page) == "Reading queue"
    headings = [h.rstrip("¶").strip() for h in page.locator("article h2").all_inner_texts()]
    assert headings == ["Attention", "Scaling"]
    attention = page.locator("article h2 + p + ul").first.locator("li").all_inner_texts()
    assert [t.split(" — ")[0] for t in attention] == ["Urgent Paper", "Later Paper"]
    text = page.locator("article").inner_text()
    assert "Busy Paper" in text and "Done Paper" not in text and "Plain Paper" not in text
    assert page.problems == []


def test_no_status_no_queue_on_the_repository_site(page, repo_url):
    page.goto(repo_url + "papers/")
    assert page.locator("#tln-filter-status").count() == 0
    assert page.goto(repo_url + "queue/").status == 404


def test_status_facet_on_the_search_page(page, status_url):
    page.goto(status_url + "search/?q=paper")
    page.locator("#tln-search-count:not(:empty)").wait_for(timeout=15000)
    assert page.locator("#tln-search-results li a").count() == 5
    page.select_option("[data-field=status]", "to-read")
    page.wait_for_url("**q=paper+status%3Ato-read")
    page.wait_for_function("document.querySelectorAll('#tln-search-results li a').length === 2")
    titles = sorted(page.locator("#tln-search-results li a").all_inner_texts())
    assert titles == ["Later Paper", "Urgent Paper"]
    assert page.problems == []


def test_no_status_facet_without_status(page, repo_url):
    page.goto(repo_url + "search/")
    assert page.locator("[data-field=status]").count() == 0
