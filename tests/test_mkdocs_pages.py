"""Generated pages converted by one Markdown instance (mkdocs_pages.py) are the pages MkDocs converts one by one."""

from __future__ import annotations

import pytest

from tests.conftest import record
from tests.test_incremental import files_of
from tlnotes import mkdocs_pages, mkdocs_plugin

# what one page's Markdown could leave behind for the next: a link definition, heading ids, math, a footnote-like
# reference, raw HTML with an id
NOTES = {
    "p1": '### Detail\n\nSee [the source][ref] and $a^2$.\n\n[ref]: https://example.org/one\n\n<span id="mine">x</span>\n',
    "p2": "### Detail\n\nNot defined here: [the source][ref].\n\n### Detail\n\nTwice, $b_1$.\n",
    "p3": "### Summary\n\nA heading named like the page's own section.\n",
}


@pytest.fixture
def noted(kb_root):
    for key, notes in NOTES.items():
        body = record(f"Paper number {key[1:]}", ["attention"], 2017)
        (kb_root / "papers" / f"{key}.yaml").write_text(
            body + "notes: |\n" + "".join(f"  {line}\n" for line in notes.splitlines())
        )
    return kb_root


@pytest.fixture
def conversions(monkeypatch, build_in_process):
    """Count the pages converted on a shared instance."""
    seen = []
    real = mkdocs_pages.GeneratedPage.render

    def counted(self, config, files):
        seen.append(self.file.src_uri)
        return real(self, config, files)

    monkeypatch.setattr(mkdocs_pages.GeneratedPage, "render", counted)
    return seen


def test_one_instance_converts_the_pages_one_instance_per_page_converts(noted, tmp_path, run, monkeypatch, conversions):
    r = run("build", noted, "--site-dir", tmp_path / "shared", "--jobs", "1")
    assert r.code == 0, r.err
    assert {"papers/p1.md", "papers/p2.md", "papers/p3.md"} <= set(conversions)
    assert not any(src.startswith("topics/") for src in conversions)  # pages in the nav are MkDocs' own
    monkeypatch.setattr(mkdocs_plugin, "shareable", lambda config: False)
    r = run("build", noted, "--site-dir", tmp_path / "each", "--jobs", "1")
    assert r.code == 0, r.err
    shared, each = files_of(tmp_path / "shared"), files_of(tmp_path / "each")
    assert shared.keys() == each.keys()
    assert [path for path in shared if shared[path] != each[path]] == []
    p1 = (tmp_path / "shared" / "papers" / "p1" / "index.html").read_text()
    p2 = (tmp_path / "shared" / "papers" / "p2" / "index.html").read_text()
    assert 'href="https://example.org/one"' in p1
    assert "https://example.org/one" not in p2 and "[the source][ref]" in p2  # the definition stayed with p1
    assert 'id="detail"' in p2 and 'id="detail_1"' in p2 and 'id="detail_1"' not in p1  # ids counted per page
    p3 = (tmp_path / "shared" / "papers" / "p3" / "index.html").read_text()
    assert 'id="summary_1"' in p3


def test_links_to_anchors_of_shared_pages_are_checked(noted, tmp_path, run, monkeypatch, conversions):
    """MkDocs checks links to anchors with the ids each page's conversion found (`tlnotes check` finds such links
    first; here they reach MkDocs behind its back)."""
    links = "[a](papers/p1.md#detail), [b](papers/p3.md#summary_1), [c](papers/p2.md#detail_1), [d](papers/p1.md#nowhere)"

    def with_links(self, markdown, page, config, files):
        return markdown + "\n\n" + links + "\n" if page.file.src_uri == "about.md" else markdown

    monkeypatch.setattr(mkdocs_plugin.TlnotesPlugin, "on_page_markdown", with_links, raising=False)
    shared = run("build", noted, "--site-dir", tmp_path / "shared", "--jobs", "1")
    assert shared.code == 1 and "papers/p1.md" in conversions
    said = [line for line in shared.err.splitlines() if "anchor" in line]
    assert len(said) == 1 and "'#nowhere'" in said[0], shared.err
    monkeypatch.setattr(mkdocs_plugin, "shareable", lambda config: False)
    each = run("build", noted, "--site-dir", tmp_path / "each", "--jobs", "1")
    assert [line for line in each.err.splitlines() if "anchor" in line] == said


@pytest.mark.parametrize("extension", ["pymdownx.superfences", "markdown.extensions.smarty"])
def test_a_site_with_another_extension_converts_each_page_by_itself(kb_root, run, conversions, extension):
    config = kb_root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - attr_list\n", f"  - attr_list\n  - {extension}\n"))
    r = run("build", kb_root, "--jobs", "1")
    assert r.code == 0, r.err
    assert conversions == []
    assert (kb_root / "site" / "papers" / "p1" / "index.html").is_file()


def test_a_paper_page_the_user_nav_names_keeps_the_nav_title(kb_root, run, conversions):
    config = kb_root / "mkdocs.yml"
    config.write_text(config.read_text() + "nav:\n  - Home: index.md\n  - The first paper: papers/p1.md\n")
    r = run("build", kb_root, "--jobs", "1")
    assert r.code == 0, r.err
    assert "papers/p1.md" not in conversions and "papers/p2.md" in conversions
    assert "The first paper" in (kb_root / "site" / "index.html").read_text()
