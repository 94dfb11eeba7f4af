"""The MkDocs adapter and `tlnotes build`: real builds of small KBs."""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import REPO, VALID

ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")


def mkdocs(*args, cwd):
    exe = Path(sys.executable).parent / "mkdocs"
    return subprocess.run([str(exe), *args], cwd=cwd, capture_output=True, text=True, timeout=300, env=ENV)


def test_repository_builds_with_mkdocs_strict(tmp_path):
    r = mkdocs("build", "--strict", "--site-dir", str(tmp_path / "site"), cwd=REPO)
    assert r.returncode == 0, r.stderr
    site = tmp_path / "site"
    for page in [
        "index.html",
        "papers/index.html",
        "years/index.html",
        "authors/index.html",
        "topics/attention/index.html",
        "papers/vaswani2017attention/index.html",
        "about/index.html",
        "assets/tlnotes/tlnotes.js",
        "assets/tlnotes/katex/katex.min.js",  # fetched by tlnotes.js from beside itself, only where there is math
        "assets/tlnotes/katex/auto-render.min.js",
        "assets/tlnotes/katex/katex.min.css",
        "search/index.html",
        "pagefind/pagefind.js",
        "pagefind/pagefind-entry.json",
        "papers.bib",
    ]:
        assert (site / page).exists(), page
    assert not (REPO / "pagefind").exists()  # the index goes into the site, never into the working directory
    assert not (site / "search" / "search_index.json").exists()  # Material's lunr index is gone with its plugin
    paper = (site / "papers/vaswani2017attention/index.html").read_text()
    assert "katex" not in paper.lower()  # no page links KaTeX: tlnotes.js loads it where a page has math
    assert paper.count("data-pagefind-body") == 1 and 'data-pagefind-weight="10"' in paper
    words = searchable(paper)  # its own title and summary, not the titles it lists nor its BibTeX
    assert "Attention Is All You Need" in words and "sinusoidal position encodings" in words
    for elsewhere in ["Semi-supervised Sequence Learning", "Formal Algorithms", "Cited in", "inproceedings"]:
        assert elsewhere not in words
    assert 'data-pagefind-filter="author[data-value]" data-value="polosukhin"' in paper
    for listing in ["index.html", "papers/index.html", "authors/v/index.html", "years/index.html", "search/index.html"]:
        assert "data-pagefind-body" not in (site / listing).read_text(), listing
    from pybtex.database import parse_string

    assert "vaswani2017attention" in parse_string((site / "papers.bib").read_text(), "bibtex").entries
    assert 'href="papers.bib"' in (site / "index.html").read_text()


def test_paper_pages_stay_out_of_the_nav(site_kb, tmp_path):
    assert mkdocs("build", "--strict", "-d", str(tmp_path / "s"), cwd=site_kb.root).returncode == 0

    def nav(page):  # the primary navigation of a built page (pruned to its own section)
        return (tmp_path / "s" / page).read_text().split("md-nav--primary")[1].split("md-sidebar--secondary")[0]

    assert "attention/" in nav("topics/index.html") and "vaswani2017attention" not in nav("topics/index.html")
    assert "years/" in nav("papers/index.html") and "vaswani2017attention" not in nav("papers/index.html")
    assert "vaswani2017attention" not in nav("papers/vaswani2017attention/index.html")


@pytest.mark.parametrize("body", ["[gone](../papers/nope.md)", "[bad anchor](../papers/vaswani2017attention.md#no-such-anchor)"])
def test_strict_build_fails_on_a_broken_internal_link(site_kb, tmp_path, body):
    site_kb.note("attention", "Attention", body=f"See {body}.\n")
    r = mkdocs("build", "--strict", "-d", str(tmp_path / "s"), cwd=site_kb.root)
    assert r.returncode != 0 and ("nope.md" in r.stderr or "no-such-anchor" in r.stderr), r.stderr


def test_mkdocs_build_stops_on_kb_errors(site_kb, tmp_path):
    site_kb.record("bad", "title: [")
    r = mkdocs("build", "-d", str(tmp_path / "s"), cwd=site_kb.root)
    assert r.returncode != 0 and "papers/bad.yaml:1:9: error: YAML syntax error" in r.stderr  # at the end of the text


def test_tlnotes_build_checks_first_with_check_messages(site_kb, run):
    site_kb.record("bad", VALID.replace("year: 2017", "year: 1066"))
    check = run("check", site_kb.root)
    build = run("build", site_kb.root)
    assert build.code == 1 and check.out and check.out in build.out
    assert not (site_kb.root / "site").exists()


def test_tlnotes_build_writes_site(site_kb, run):
    r = run("build", site_kb.root)
    assert r.code == 0, r.err
    assert (site_kb.root / "site" / "papers" / "vaswani2017attention" / "index.html").exists()


def test_tlnotes_build_needs_the_plugin(site_kb, run):
    (site_kb.root / "mkdocs.yml").write_text((site_kb.root / "mkdocs.yml").read_text().replace("  - tlnotes\n", ""))
    r = run("build", site_kb.root)
    assert r.code == 1 and "add `- tlnotes`" in r.err


def test_hand_written_page_wins(site_kb, tmp_path):
    (site_kb.root / "docs" / "papers").mkdir()
    (site_kb.root / "docs" / "papers" / "vaswani2017attention.md").write_text("# My own page\n")
    r = mkdocs("build", "--strict", "-d", str(tmp_path / "s"), cwd=site_kb.root)
    assert r.returncode == 0, r.stderr
    assert "is hand-written; it is kept" in r.stderr
    assert "My own page" in (tmp_path / "s" / "papers" / "vaswani2017attention" / "index.html").read_text()


def test_serve_watches_records_and_notes(site_kb):
    from mkdocs.config import load_config

    config = load_config(str(site_kb.root / "mkdocs.yml"))
    plugin = config.plugins["tlnotes"]
    plugin.on_config(config)

    class FakeServer:
        watched: list[str] = []

        def watch(self, path, *a, **k):
            self.watched.append(path)

    server = FakeServer()
    plugin.on_serve(server, config, None)
    assert str(site_kb.root.resolve() / "papers") in server.watched
    assert str(site_kb.root.resolve() / "notes") in server.watched


def test_init_kb_builds(tmp_path, run):
    assert run("init", tmp_path / "kb").code == 0
    r = run("build", tmp_path / "kb")
    assert r.code == 0, r.err
    assert (tmp_path / "kb" / "site" / "papers" / "vaswani2017attention" / "index.html").exists()


@pytest.mark.parametrize("how", ["in a coroutine", "twice in a coroutine", "after a loop closed"])
def test_build_indexes_inside_a_running_event_loop(site_kb, tmp_path, run, how):
    """A build called where an event loop runs (Playwright's sync API, Jupyter, an async caller) still indexes."""
    import asyncio
    import concurrent.futures

    results: list = []

    async def build(*outs):
        for out in outs:
            results.append((out, run("build", site_kb.root, "--site-dir", out)))

    def caller():  # on a fresh thread: this one may have a loop running already (the browser tests' Playwright)
        if how == "in a coroutine":
            asyncio.run(build(tmp_path / "a"))
        elif how == "twice in a coroutine":
            asyncio.run(build(tmp_path / "a", tmp_path / "b"))
        else:
            asyncio.run(asyncio.sleep(0))
            results.append((tmp_path / "a", run("build", site_kb.root, "--site-dir", tmp_path / "a")))

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(caller).result(timeout=300)
    assert results
    for out, r in results:
        assert r.code == 0 and "Traceback" not in r.err, r.err
        assert (out / "pagefind" / "pagefind.js").is_file()


class _Searchable(HTMLParser):
    """The text Pagefind indexes on a page: inside `data-pagefind-body`, outside any `data-pagefind-ignore`."""

    VOID = {"br", "hr", "img", "input", "meta", "link", "wbr", "source", "area", "col", "embed", "track", "base"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[bool, bool]] = []  # (in the body, ignored) for each open element
        self.words: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        body, ignored = self.stack[-1] if self.stack else (False, False)
        if tag not in self.VOID:
            self.stack.append((body or "data-pagefind-body" in names, ignored or "data-pagefind-ignore" in names))

    def handle_endtag(self, tag):
        if tag not in self.VOID:
            self.stack.pop()

    def handle_data(self, data):
        if self.stack and self.stack[-1] == (True, False):
            self.words.append(data)


def searchable(html: str) -> str:
    parser = _Searchable()
    parser.feed(html)
    return " ".join(" ".join(parser.words).split())


def test_sections_that_repeat_other_pages_stay_out_of_search_whole():
    """Every element of an ignored section is ignored, not only the first after its heading: a related list after
    its one-line explanation once made every paper listing BERT a search result for BERT's title."""
    from tlnotes.mkdocs_plugin import for_search
    from tlnotes.sanitize import clean

    html = clean(
        '<h1 id="t">Own title</h1>\n<h2 id="summary">Summary</h2>\n<ul><li>own words</li></ul>\n'
        '<h2 id="related-papers">Related papers</h2>\n<p class="tln-why">why these</p>\n'
        '<ul>\n<li><a href="../b/">Their title one</a> — A, 2019</li>\n<li>nested<ul><li>their two</li></ul></li>\n</ul>\n'
        '<div hidden class="tln-card" data-gist="a > b < c d">x</div><p>their three<br>their four</p>\n'
        '<h2 id="similar-papers">Similar papers</h2><ul><li>their five</li></ul><p>their six</p>'
        '<h2 id="topics">Topics</h2><p>own topic</p><div><h2 id="bibtex">nested heading</h2></div><p>own tail</p>'
        '<h2 id="bibtex">BibTeX</h2>\n<pre class="tln-bibtex"><code>@article{their seven,\n<not a tag>}</code></pre>'
    )
    text = searchable(for_search(html, ""))
    assert "their" not in text and "why" not in text and "Related" not in text and "BibTeX" not in text, text
    assert text == "Own title Summary own words Topics own topic nested heading own tail"
    assert searchable(for_search(clean("<h1>A</h1><p>b</p>"), "")) == "A b"
