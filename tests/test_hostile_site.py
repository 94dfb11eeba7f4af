"""The hostile corpus (tests/fixtures/hostile) passes `check`, builds, and nothing in the built site can run.

The corpus holds records and notes written to plant live markup: citations
inside link destinations, links opened in one field and closed in another,
reference definitions in list items, blockquotes and on the next line, remote
images, entity-obfuscated schemes, Python-Markdown's own placeholder
characters. Every page of the built site is scanned with an HTML parser,
as a browser would read it; tests/test_browser.py opens the same site in
Chromium.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.conftest import REPO

CORPUS = REPO / "tests" / "fixtures" / "hostile"
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "background", "srcset", "data", "cite", "ping"}
LOADING = {"img", "script", "iframe", "frame", "embed", "object", "audio", "video", "source", "track", "link", "input"}
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data|file):", re.I)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def tlnotes(*args, cwd=None):
    exe = Path(sys.executable).parent / "tlnotes"
    return subprocess.run([str(exe), *map(str, args)], capture_output=True, text=True, timeout=600, cwd=cwd)


def build_corpus(dest: Path) -> Path:
    """A copy of the corpus, built; the site folder."""
    root = dest / "kb"
    shutil.copytree(CORPUS, root)
    r = tlnotes("build", root, "--site-dir", root / "site")
    assert r.returncode == 0, r.stderr
    return root / "site"


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    return build_corpus(tmp_path_factory.mktemp("hostile"))


class Scan(HTMLParser):
    """Everything in one page that could run script or load from elsewhere."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.found: list[str] = []
        self.depth_in_article = 0

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.depth_in_article += 1
        for name, value in attrs:
            value = value or ""
            bare = _INVISIBLE.sub("", value)
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name in URL_ATTRS and BAD_SCHEME.match(bare):
                self.found.append(f"<{tag} {name}={value[:60]!r}>")
            if (
                name in ("src", "srcset", "data", "poster")
                and tag in LOADING | {"img"}
                and (re.match(r"^[a-z][a-z0-9+.-]*:", bare, re.I) or bare.startswith(("//", "\\\\", "/\\")))
            ):
                self.found.append(f"<{tag} {name}={value[:60]!r}> loads from another host")
            rel = (dict(attrs).get("rel") or "").split()
            fetched = not {"canonical", "alternate"} & set(rel)  # a page's own address and its feed load nothing
            if tag == "link" and name == "href" and fetched and re.match(r"^(https?:)?//", bare, re.I):
                self.found.append(f"<link href={value[:60]!r}> loads from another host")
            if name == "style" and "url(" in value.replace(" ", "").lower():
                self.found.append(f"<{tag} style=url(...)>")
            if tag == "meta" and name == "http-equiv":
                self.found.append(f"<meta http-equiv={value!r}>")
        if self.depth_in_article and tag in {
            "script",
            "iframe",
            "frame",
            "object",
            "embed",
            "form",
            "style",
            "base",
            "meta",
            "link",
        }:
            self.found.append(f"<{tag}> inside the article")

    def handle_endtag(self, tag):
        if tag == "article" and self.depth_in_article:
            self.depth_in_article -= 1


def scan_site(site: Path) -> dict[str, list[str]]:
    out = {}
    for page in sorted(site.rglob("*.html")):
        s = Scan(str(page))
        s.feed(page.read_text(encoding="utf-8"))
        if s.found:
            out[str(page.relative_to(site))] = s.found
    return out


def test_the_corpus_passes_check():
    r = tlnotes("check", CORPUS)
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_page_type_was_built(hostile_site):
    for page in [
        "index.html",
        "papers/index.html",
        "years/index.html",
        "authors/index.html",
        "authors/l/index.html",
        "topics/index.html",
        "topics/hostile/index.html",
        "topics/nested/index.html",
        "papers/cross-field/index.html",
        "papers/classic00/index.html",
        "about/index.html",
    ]:
        assert (hostile_site / page).is_file(), page


def test_no_page_carries_live_markup_or_loads_from_elsewhere(hostile_site):
    assert scan_site(hostile_site) == {}


def test_the_payloads_are_still_there_as_text(hostile_site):
    """Defused, not dropped: a reader sees what the record says."""
    page = (hostile_site / "papers" / "classic00" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(" in page
    cross = (hostile_site / "papers" / "cross-field" / "index.html").read_text(encoding="utf-8")
    assert "javascript:alert(&#39;xf2&#39;)" in cross or "javascript:alert('xf2')" in cross
    # Python-Markdown's placeholder characters (\x02, \x03) show as U+FFFD and fetch nothing from its stash
    placeholders = (hostile_site / "papers" / "classic18" / "index.html").read_text(encoding="utf-8")
    assert "\ufffdwzxhzdk:0\ufffd placeholder" in placeholders and "\x02" not in placeholders


def test_the_scan_finds_what_it_looks_for(tmp_path):
    """The scanner itself: each kind of live markup on a page is reported."""
    site = tmp_path / "s"
    site.mkdir()
    (site / "a.html").write_text(
        '<article><a href=" jav&#x61;script:x">a</a><img src="//evil/x.png"><p onclick="x">p</p>'
        '<form action="data:text/html,x"></form></article><link rel="stylesheet" href="https://cdn/x.css">'
    )
    found = scan_site(site)["a.html"]
    assert len(found) == 6, found


def test_every_offline_command_on_the_corpus_answers_without_a_traceback(tmp_path):
    """check, build, export, and both importers fed with the corpus's own text, into a fresh knowledge base."""
    kb = tmp_path / "kb"
    shutil.copytree(CORPUS, kb)
    fresh = tmp_path / "fresh"
    assert tlnotes("init", fresh).returncode == 0
    bib = tmp_path / "corpus.bib"
    page = tmp_path / "page.md"
    page.write_text(
        "\n\n".join(p.read_text(encoding="utf-8") for p in sorted((CORPUS / "notes").rglob("*.md"))), encoding="utf-8"
    )
    runs = [
        ("check", kb),
        ("check", kb, "--format", "json"),
        ("build", kb, "--site-dir", tmp_path / "site"),
        ("export", "bibtex", kb, "-o", bib),
        ("import", "bibtex", bib, "--dir", fresh, "--topic", "attention"),
        ("import", "notes", page, "--dir", fresh),
        ("check", fresh),
        ("build", fresh, "--site-dir", tmp_path / "s2"),
    ]
    for args in runs:
        r = tlnotes(*args)
        assert "Traceback" not in r.stdout + r.stderr, (args, r.stderr[-2000:])
        assert r.returncode in (0, 1), (args, r.returncode, r.stderr[-2000:])
        if args[0] in ("check", "build", "export"):
            assert r.returncode == 0, (args, r.stderr[-2000:])
