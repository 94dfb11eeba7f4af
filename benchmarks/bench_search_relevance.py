"""Relevance of the site's search (Pagefind) next to Material's built-in search, on this repository's site, in one run.

    python benchmarks/bench_search_relevance.py

This repository's site is built twice into temporary folders:
(a) as it is: `mkdocs.yml` unchanged, search by Pagefind;
(b) the same with Material's own `search` plugin: a temporary copy of `mkdocs.yml` whose `plugins` list `search`
    before `tlnotes` (tlnotes pointed back at this repository with its `root` option, `docs_dir` made absolute).
Each is served by Python's http.server on 127.0.0.1 and searched in Chromium (Playwright) with every query of
`tests/search_queries.py`, QUERIES (the set `test_search_relevance` asserts) and HELD_OUT (written from the records,
never tuned on):
- Pagefind: open `/search/?q=QUERY`, wait for the result count, read the paper results in order, as `ranked()` in
  tests/test_browser.py does;
- Material: in one page (its index is loaded and built once, as for a reader who searches several times), click
  the header's `.md-search__input`, type the query, wait until the result list stops changing, scroll the list to
  load up to MATERIAL_DEPTH results, and read the result links in order, keeping paper pages (`/papers/KEY/`) and
  counting a page once. The `/` shortcut is not used: on this site tlnotes.js claims it for its own header box.
For each engine and set it prints the top-1 and top-3 rates (the paper meant is the first paper result, or among the
first three; issue 13's goal is top-3 >= 95% and top-1 >= 85%), then each query whose paper is not first, with the
rank it has (1 = first) or "-" when it is not among the results read, and the first paper result it got instead.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from tests.search_queries import HELD_OUT, QUERIES, rates  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from bench_search import serve  # noqa: E402  one way to serve a built site in the benchmarks

BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("TLNOTES_CHROMIUM", "/usr/bin/chromium")
MATERIAL_DEPTH = 30  # Material shows 10 results and loads more on scrolling; read at least this many
PAPER = re.compile(r"(?:^|/)papers/([^/#?]+)/")


def build(config: Path, out: Path) -> float:
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    start = time.perf_counter()
    r = subprocess.run(
        [str(BIN / "mkdocs"), "build", "--strict", "-f", str(config), "-d", str(out)],
        capture_output=True,
        text=True,
        env=env,
    )
    if r.returncode:
        sys.exit(f"bench_search_relevance: building with {config} failed:\n{r.stderr.strip()}")
    return time.perf_counter() - start


def material_config(tmp: Path) -> Path:
    """A copy of this repository's mkdocs.yml with Material's `search` plugin before `tlnotes`, written outside it."""
    cfg = yaml.safe_load((REPO / "mkdocs.yml").read_text())
    cfg["docs_dir"] = str((REPO / cfg.get("docs_dir", "docs")).resolve())
    plugins = [p for p in cfg["plugins"] if p != "tlnotes" and not (isinstance(p, dict) and "tlnotes" in p)]
    cfg["plugins"] = ["search", *plugins, {"tlnotes": {"root": str(REPO)}}]
    path = tmp / "mkdocs.yml"
    path.write_text(yaml.safe_dump(cfg, sort_keys=False))
    return path


def paper_keys(hrefs: list[str]) -> list[str]:
    keys: list[str] = []
    for h in hrefs:
        m = PAPER.search(h)
        if m and m.group(1) not in keys:
            keys.append(m.group(1))
    return keys


def pagefind_ranked(page, url: str, query: str) -> list[str]:
    page.goto(url + "search/?q=" + quote(query))
    page.locator("#tln-search-count:not(:empty)").wait_for(timeout=15000)
    hrefs = page.eval_on_selector_all("#tln-search-results li a", "els => els.map(e => e.getAttribute('href'))")
    return paper_keys(hrefs)  # a result's link carries ?highlight=WORDS


LINKS = "els => els.map(e => e.getAttribute('href'))"
ITEM_LINKS = ".md-search-result__item a.md-search-result__link"


def _settled(page, previous: list[str] | None = None, timeout: float = 15.0) -> list[str]:
    """The result links once they have not changed for 0.6 s (Material searches on every keystroke, in a worker)."""
    deadline = time.monotonic() + timeout
    last, stable = previous, 0
    while time.monotonic() < deadline:
        meta = page.locator(".md-search-result__meta").inner_text()
        hrefs = page.eval_on_selector_all(ITEM_LINKS, LINKS)
        if hrefs == last and meta and "Type to start searching" not in meta and "Initializing" not in meta:
            stable += 1
            if stable >= 3:
                return hrefs
        else:
            last, stable = hrefs, 0
        time.sleep(0.2)
    return last or []


def material_ranked(page, query: str) -> list[str]:
    box = page.locator(".md-search__input")
    box.click()
    box.press("Control+a")
    box.press("Backspace")
    page.locator(".md-search-result__item").first.wait_for(state="detached", timeout=15000)
    page.keyboard.type(query)
    hrefs = _settled(page)
    while page.locator(".md-search-result__item").count() < MATERIAL_DEPTH:
        count = page.locator(".md-search-result__item").count()
        page.locator(".md-search__scrollwrap").evaluate("el => el.scrollTo(0, el.scrollHeight)")
        time.sleep(0.3)
        if page.locator(".md-search-result__item").count() == count:
            break
        hrefs = page.eval_on_selector_all(ITEM_LINKS, LINKS)
    return paper_keys(hrefs)


def report(engine: str, name: str, queries: list[tuple[str, str]], results: dict[str, list[str]]) -> None:
    rank = {q: (results[q].index(k) if k in results[q] else None) for q, k in queries}
    top1, top3 = rates(rank)
    print(f"\n{engine}, {name} ({len(queries)} queries): top-1 {top1:.1%}, top-3 {top3:.1%}")
    for q, k in queries:
        r = rank[q]
        if r != 0:
            got = results[q][0] if results[q] else "no paper result"
            print(f"  {q!r:52} {k:30} rank {'-' if r is None else r + 1:>2}  first: {got}")


def main() -> None:
    from playwright.sync_api import sync_playwright

    sets = {"QUERIES": QUERIES, "HELD_OUT": HELD_OUT}
    everything = [q for s in sets.values() for q, _ in s]
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        seconds_a = build(REPO / "mkdocs.yml", tmp_path / "pagefind-site")
        seconds_b = build(material_config(tmp_path), tmp_path / "material-site")
        index = tmp_path / "material-site" / "search" / "search_index.json"
        print(f"built: Pagefind site {seconds_a:.1f} s, with Material's search {seconds_b:.1f} s", end="")
        print(f" (its search_index.json {index.stat().st_size / 1024:.0f} KB)")
        server_a, url_a = serve(tmp_path / "pagefind-site")
        server_b, url_b = serve(tmp_path / "material-site")
        results: dict[str, dict[str, list[str]]] = {"Pagefind": {}, "Material": {}}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            for q in everything:
                results["Pagefind"][q] = pagefind_ranked(page, url_a, q)
            page.goto(url_b)
            for q in everything:
                results["Material"][q] = material_ranked(page, q)
            context.close()
            browser.close()
        server_a.shutdown()
        server_b.shutdown()
    for engine, got in results.items():
        for name, queries in sets.items():
            report(engine, name, queries, got)
    if errors:
        print(f"\npage errors: {errors}")


if __name__ == "__main__":
    main()
