"""`render.raw` blocks: the MkDocs plugin passes them on unread (`mkdocs_plugin.Prerendered`), to the same page."""

from __future__ import annotations

import re

import markdown
import pytest

from tests.conftest import REPO, VALID
from tests.test_site import mkdocs
from tlnotes import load
from tlnotes.mkdocs_plugin import Prerendered, _Stash
from tlnotes.render import RAW_CLOSE, RAW_OPEN, render

EXTENSIONS = ["toc", "attr_list", "tables", "admonition", "pymdownx.arithmatex"]
CONFIGS = {"toc": {"permalink": True}, "pymdownx.arithmatex": {"generic": True}}


def html(page: str, prerendered: bool) -> str:
    body = page.split("\n---\n", 1)[-1]  # MkDocs reads the front matter itself
    extensions = [*EXTENSIONS, Prerendered()] if prerendered else EXTENSIONS
    out = markdown.markdown(body, extensions=extensions, extension_configs=CONFIGS)
    return re.sub(r">\s+<", "><", out).strip()


def test_every_page_of_this_repository_is_the_same_with_and_without_the_extension():
    """The extension is only a shortcut: Python-Markdown reading the raw blocks itself gives the same HTML."""
    pages = render(load(REPO))
    assert sum(RAW_OPEN in page for page in pages.values()) > len(pages) * 0.9
    for path, page in pages.items():
        assert html(page, prerendered=True) == html(page, prerendered=False), path


HOSTILE = f"{RAW_OPEN}\n<script>alert(1)</script>\n<img src=x onerror=alert(2)>\n{RAW_CLOSE}"


@pytest.mark.parametrize("where", ["title", "summary", "notes", "venue", "note"])
def test_record_and_note_text_cannot_open_a_raw_block(kb, where):
    """A stranger's record or note that writes the marker lines gets text, not a way past the escaping."""
    text = VALID
    quoted = HOSTILE.replace("\n", "\\n")
    if where == "title":
        text = text.replace("title: Attention Is All You Need", f'title: "{quoted}"')
    elif where == "summary":
        text = text.replace("  - Self-attention only.", f'  - "{quoted}"')
    elif where == "venue":
        text += f'venue: "{quoted}"\n'
    elif where == "notes":
        text += "notes: |\n" + "".join(f"  {line}\n" for line in HOSTILE.splitlines())
    assert where == "note" or text != VALID
    kb.record("k", text)
    kb.note("attention", "Attention", body=f"Before.\n\n{HOSTILE}\n\nAfter [@k].\n" if where == "note" else "")
    loaded = kb.load()
    if where in ("title", "venue"):  # a one-line field: `check` refuses the record, so no build gets it
        assert [p.message for p in loaded.errors] == [f"{where}: must be a {where} on one line"]
        return
    assert not loaded.errors, loaded.errors
    for path, page in render(loaded).items():
        out = html(page, prerendered=True)
        assert "<script" not in out and "<img" not in out, path
    assert "alert(1)" in html(render(loaded)["papers/k.md" if where != "note" else "topics/attention.md"], prerendered=True)


def test_an_unclosed_marker_is_left_to_markdown():
    lines = ["text", RAW_OPEN, "<p>open</p>", "more"]
    md = markdown.Markdown()
    assert _Stash(md).run(list(lines)) == lines


def test_a_block_is_stashed_whole_with_its_markers():
    md = markdown.Markdown()
    out = _Stash(md).run(["# T", RAW_OPEN, "<ul>", "<li>*not emphasis*</li>", "</ul>", RAW_CLOSE, "after"])
    assert out[0] == "# T" and out[-1] == "after" and len(out) == 5
    assert md.htmlStash.rawHtmlBlocks == [f"{RAW_OPEN}\n<ul>\n<li>*not emphasis*</li>\n</ul>\n{RAW_CLOSE}"]


@pytest.mark.parametrize(("anchor", "ok"), [("ashish-vaswani", True), ("no-such-author", False)])
def test_links_to_anchors_in_raw_blocks_are_still_checked(site_kb, tmp_path, anchor, ok):
    """MkDocs' own scan of raw HTML no longer sees the blocks; the plugin gives it their ids."""
    (site_kb.root / "docs" / "about.md").write_text(f"# About\n\n[Vaswani](authors/v.md#{anchor})\n")
    r = mkdocs("build", "--strict", "-d", str(tmp_path / "s"), cwd=site_kb.root)
    assert (r.returncode == 0) is ok, r.stderr
    if not ok:
        assert "no-such-author" in r.stderr
    else:
        built = (tmp_path / "s" / "papers" / "vaswani2017attention" / "index.html").read_text()
        assert RAW_OPEN not in built and "tlnotes:html" not in built  # the sanitiser drops the markers


PLACEHOLDERS = """Prose first.

<div class="mine">raw HTML of Markdown's own, stashed by it</div>

- an item

    <div>raw HTML in a list item</div>

- another

> <p>raw HTML in a quote</p>

    <div>indented: code, not HTML</div>

Inline <span>HTML</span> and `<code>`.
"""


def test_a_placeholder_paragraph_without_inline_patterns_is_the_paragraph_markdown_makes(monkeypatch):
    """`_Placeholder` only skips work: every page of this repository, and raw HTML of Markdown's own in lists,
    quotes and code, convert to the same HTML, byte for byte, with it and without it."""
    from tlnotes import mkdocs_plugin

    def convert(page: str) -> str:
        body = page.split("\n---\n", 1)[-1]
        return markdown.markdown(body, extensions=[*EXTENSIONS, Prerendered()], extension_configs=CONFIGS)

    pages = [*render(load(REPO)).values(), PLACEHOLDERS, f"{RAW_OPEN}\n<p>a</p>\n{RAW_CLOSE}\n- list\n\n{PLACEHOLDERS}"]
    taken = []
    real = mkdocs_plugin._Placeholder.run
    monkeypatch.setattr(
        mkdocs_plugin._Placeholder, "run", lambda self, parent, blocks: taken.append(1) or real(self, parent, blocks)
    )
    made = [convert(page) for page in pages]
    assert len(taken) > len(pages)  # it did take the placeholders
    monkeypatch.setattr(mkdocs_plugin._Placeholder, "test", lambda self, parent, block: False)
    assert [convert(page) for page in pages] == made
    assert '<div class="mine">' in made[-2] and "&lt;div&gt;indented" in made[-2]
