"""Generated pages converted by one Markdown instance (mkdocs_pages.py) are the pages MkDocs converts one by one."""

from __future__ import annotations

import functools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO, record
from tests.test_incremental import files_of
from tlnotes import mkdocs_pages, mkdocs_plugin
from tlnotes.render import RAW_CLOSE, RAW_OPEN

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


# ---------------------------------------------------------------- pages of headings between raw blocks (`Headings`)

PERMALINKS = {"toc": {"permalink": True}, "pymdownx.arithmatex": {"generic": True}}
CONFIGS = {
    "the repository's": PERMALINKS,
    "other toc options": {"toc": {"permalink": "#", "toc_depth": "2-3", "permalink_title": "Link"}},
    "a base level": {"toc": {"baselevel": 2, "anchorlink": True}},
}


def mkdocs_config(mdx: dict):
    """This repository's mkdocs.yml with `mdx` as its extensions' options, and the plugin's extension."""
    from mkdocs.config import load_config

    config = load_config(config_file=str(REPO / "mkdocs.yml"), site_dir="/nonexistent-site")
    config["mdx_configs"] = {**config["mdx_configs"], **mdx}
    config.markdown_extensions.append(mkdocs_plugin.Prerendered())
    return config


@functools.cache
def permalinks_config():
    return mkdocs_config(PERMALINKS)


def converted(page) -> tuple:
    """What MkDocs keeps of a page's conversion."""

    def items(toc) -> list:
        return [(item.title, item.url, item.level, items(item.children)) for item in toc]

    links = {file.src_uri: anchors for file, anchors in (page.links_to_anchors or {}).items()}
    return page.content, items(page.toc), page._title_from_render, page.present_anchor_ids, links


def both_ways(config, text: str, shared=None) -> tuple[tuple, tuple]:
    """`text` as a page converted by MkDocs, and on a shared instance."""
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    shared = shared or mkdocs_pages.SharedMarkdown(config)
    out = []
    for make in (lambda file: Page(None, file, config), lambda file: mkdocs_pages.GeneratedPage(None, file, config, shared)):
        file, other = (File(src, None, config.site_dir, config.use_directory_urls) for src in ("papers/x.md", "papers/y.md"))
        file.content_string, other.content_string = text, "# Y\n"
        page = make(file)
        page.read_source(config)
        try:
            page.render(config, Files([file, other]))
        except AssertionError as exc:  # Python's HTML parser on some raw HTML (`<![`): MkDocs fails, and so must we
            out.append(("failed", str(exc)))
            continue
        out.append(converted(page))
    return out[0], out[1]


@pytest.fixture
def whole(monkeypatch):
    """Count the pages the shared instance converts whole."""
    seen = []
    real = mkdocs_pages.SharedMarkdown.get
    monkeypatch.setattr(mkdocs_pages.SharedMarkdown, "get", lambda self: seen.append(1) or real(self))
    return seen


@pytest.mark.parametrize("name", CONFIGS)
def test_every_generated_page_of_this_repository_converts_as_mkdocs_converts_it(name, whole):
    from tlnotes import load
    from tlnotes.render import render

    config = mkdocs_config(CONFIGS[name])
    shared = mkdocs_pages.SharedMarkdown(config)
    pages = render(load(REPO))
    papers = [path for path in pages if path.startswith("papers/") and path != "papers/index.md"]
    for path, text in pages.items():
        mine, theirs = both_ways(config, text, shared)
        assert mine == theirs, path
    # most paper pages are headings between raw blocks; those with notes are Markdown's to read
    assert len(pages) - len(whole) > 0.9 * len(papers)
    assert "## Summary" in shared.headings.known  # a section heading of every paper page, converted once


HOSTILE_PAGES = {
    "twice one heading": f"# T\n\n## Summary\n\n{RAW_OPEN}\n<p>a</p>\n{RAW_CLOSE}\n\n## Summary\n",
    "a relative link": "# T\n\n## See [y](y.md#top)\n",
    "a self link": "# T\n\n## Back [up](#t)\n",
    "raw HTML with an id": '# T <span id="s">x</span>\n',
    "an id of its own": "# T {#summary}\n\n## Summary\n",
    "an id twice by attr_list": "# A {#same}\n\n## B {#same}\n",
    "emphasis, code, math": "# *Very* `fast` $O(n^2)$ & co\n\n## \\*not\\* emphasis ##\n",
    "a tag": "# *Very* `fast` & <b\n",
    "no space": "#NoSpace\n\n####### seven\n\n#\n",
    "empty slugs": "# !!!\n\n## ???\n",
    "a title not first": f"{RAW_OPEN}\n<p>crumbs</p>\n{RAW_CLOSE}\n\n# Title\n",
    "a second h1": "## Sub\n\n# Not the title\n",
    "a paragraph": "# T\n\nsome *text*\n",
    "a setext heading": "# T\n\nTitle\n=====\n",
    "a definition": "# [T][r]\n\n[r]: https://example.org\n",
    "an abbreviation": "# The HTML page\n\n*[HTML]: Hyper Text\n",
    "a tab in a block": f"# T\n\n{RAW_OPEN}\n<pre>a\tb</pre>\n{RAW_CLOSE}\n",
    "a carriage return": f"# T\r\n\r\n{RAW_OPEN}\r\n<p>a</p>\r\n{RAW_CLOSE}\r\n",
    "a line of spaces in a block": f"# T\n\n{RAW_OPEN}\n<pre>a\n   \nb</pre>\n{RAW_CLOSE}\n",
    "a fence in a block": f"# T\n\n{RAW_OPEN}\n<pre>\n```\n# not a heading\n```\n</pre>\n{RAW_CLOSE}\n",
    "a block left open": f"# T\n\n{RAW_OPEN}\n<p>a</p>\n\n## After\n",
    "Markdown's placeholder characters": f"# T \x02wzxhzdk:0\x03\n\n{RAW_OPEN}\n<p>\x02a\x03</p>\n{RAW_CLOSE}\n",
    "indented": "    # code\n\n # one space\n",
    "nothing": "\n\n",
    "blocks only": f"{RAW_OPEN}\n<p>a</p>\n{RAW_CLOSE}\n{RAW_OPEN}\n<p>b</p>\n{RAW_CLOSE}\n",
}


@pytest.mark.parametrize("name", CONFIGS)
def test_a_hostile_page_converts_as_mkdocs_converts_it(name):
    config = mkdocs_config(CONFIGS[name])
    for case, text in HOSTILE_PAGES.items():
        mine, theirs = both_ways(config, text)
        assert mine == theirs, case


def test_only_pages_of_plain_headings_between_blocks_skip_markdown(whole):
    config = mkdocs_config(PERMALINKS)
    skipped = []
    for case, text in HOSTILE_PAGES.items():
        before = len(whole)
        both_ways(config, text)
        if len(whole) == before:
            skipped.append(case)
    # MkDocs reads a page's carriage returns as line ends before any converter sees them
    fast = ["emphasis, code, math", "no space", "a title not first", "a second h1", "a carriage return", "nothing"]
    assert sorted(skipped) == sorted([*fast, "blocks only"])


PIECES = st.one_of(
    st.tuples(st.integers(1, 7), st.text(st.sampled_from("ab Z1*_`$\\&#{}:.!-=<[]()^~é"), max_size=12)).map(
        lambda h: "#" * h[0] + h[1]
    ),
    st.lists(
        st.one_of(
            st.text(st.sampled_from('ab<>/"= \t#`~*\x02\x03'), max_size=10),
            st.sampled_from(["```", "~~~", "   ", '<p id="a">', "[l](y.md)", RAW_OPEN]),
        ),
        max_size=4,
    ).map(lambda lines: "\n".join([RAW_OPEN, *lines, RAW_CLOSE])),
    st.sampled_from(["", "text", "===", "[r]: https://x.org", "*[ab]: x", "  ", RAW_OPEN, RAW_CLOSE, "## {#a}"]),
)


@given(st.lists(PIECES, max_size=8), st.sampled_from(["\n", "\n\n"]))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_page_converts_as_mkdocs_converts_it(pieces, between):
    config = permalinks_config()
    text = between.join(pieces) + "\n"
    mine, theirs = both_ways(config, text)
    assert mine == theirs
