"""markdown: the one reading of Markdown that check, citations, the sanitiser, links and the importer share."""

from __future__ import annotations

import pytest

from tlnotes.citations import find_citations
from tlnotes.markdown import autolinks, fences, leading_h1, links, mask_code, split_front_matter
from tlnotes.safe import block


@pytest.mark.parametrize("indent", ["", " ", "  ", "   "])
def test_a_fence_indented_up_to_three_spaces_is_code_to_everyone(indent):
    text = f"Before [@a].\n\n{indent}```python\n{indent}x = '@b' <script>\n{indent}```\n\nAfter [@c].\n"
    (f,) = fences(text)
    assert f.info == "python" and "@b" in f.content
    assert [i.key for c in find_citations(text) for i in c.items] == ["a", "c"]  # the citation scanner skips it
    assert "@b" not in mask_code(text) and len(mask_code(text)) == len(text)
    assert '<pre><code class="language-python">' in block(text)  # and the sanitiser renders it as code


def test_four_spaces_is_an_indented_block_not_a_fence():
    text = "Para.\n\n    ```\n    @b\n    ```\n"
    assert fences(text) == []
    assert "@b" not in mask_code(text)  # still code: an indented block


@pytest.mark.parametrize(
    "text,closed", [("```\na\n```\n", True), ("~~~~\na\n~~~\nb\n~~~~\n", True), ("```\nnever closed\n", False)]
)
def test_fences_close_with_the_same_character_at_least_as_long(text, closed):
    (f,) = fences(text)
    assert f.end == len(text)
    assert ("b" in f.content) == text.startswith("~~~~")


def test_front_matter_and_the_leading_title():
    front, body, first = split_front_matter("---\ntitle: T\n---\n\n# Heading\n\nText.\n")
    assert front == "title: T\n" and first == 4 and body.startswith("\n# Heading")
    assert leading_h1(body) == ("Heading", "\nText.\n")
    assert leading_h1("Text first.\n\n# Later\n")[0] is None
    assert split_front_matter("no front matter\n") == (None, "no front matter\n", 1)


def test_links_read_inline_definitions_and_autolinks_with_positions():
    text = (
        'See [a](https://x.org/a_(b) "t"), [rel](../p.md#s)\n\n- [d]: https://def.org\n\n> [q]:\n> <https://q.org/x>\n\n'
        "Auto <https://auto.org/p> and [open](javascript:x\n"
    )
    found = {(link.kind, link.dest, link.closed) for link in links(text)}
    assert ("inline", "https://x.org/a_(b)", True) in found and ("inline", "../p.md#s", True) in found
    assert ("definition", "https://def.org", True) in found and ("definition", "https://q.org/x", True) in found
    assert ("inline", "javascript:x", False) in found  # unclosed: runs to the paragraph's end
    assert (text.index("https://auto.org"), "https://auto.org/p") in autolinks(text)
    inline = [link for link in links(text) if link.dest == "../p.md#s"][0]
    assert text[inline.start : inline.start + 2] == "]("


def test_a_citation_followed_by_a_colon_midline_is_not_a_definition():
    assert [link for link in links("As [@key]: by sampling.\n") if link.kind == "definition"] == []
