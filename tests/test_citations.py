"""Pandoc-style citations: parsing, checking, rendering."""

from __future__ import annotations

import pytest

from tests.conftest import VALID
from tlnotes.citations import cited_keys, find_citations
from tlnotes.render import render


@pytest.mark.parametrize(
    "text, keys",
    [
        ("See [@vaswani2017attention].", ["vaswani2017attention"]),
        ("[@a; @b; @c]", ["a", "b", "c"]),
        ("[@key, sec. 3]", ["key"]),
        ("[see @key, pp. 33-35; also @other, ch. 1]", ["key", "other"]),
        ("[-@key]", ["key"]),
        ("As @smith2020 shows", ["smith2020"]),
        ("As @smith2020 [p. 4] shows", ["smith2020"]),
        ("pandoc keys: [@doe:2020.x#y$z%w&v-u+t?s<r>q~p/o]", ["doe:2020.x#y$z%w&v-u+t?s<r>q~p/o"]),
        ("punctuation must be internal: @doe:: and @x-", ["doe", "x"]),
        ("ends a sentence with @key.", ["key"]),
        ("braced @{https://example.com/bib?name=x&y=2}", ["https://example.com/bib?name=x&y=2"]),
        ("mail me at someone@example.org", []),
        ("`[@in_code]` and ``@also``", []),
        ("```\n[@fenced]\n```\n", []),
        ("~~~ python\n@fenced\n~~~\n", []),
        ("para\n\n    [@indented_code]\n", []),
        ("- item\n    [@continued_list]\n", ["continued_list"]),
        ("[a link](https://x.org/@user) and ![img](@x)", []),
        ("[not a citation] and [text](url)", []),
    ],
)
def test_citation_syntax(text, keys):
    assert cited_keys(text) == keys


def test_locator_and_prefix_and_suppressed_author():
    (c,) = find_citations("x [see @a, p. 3; -@b] y")
    assert [(i.key, i.prefix, i.locator, i.suppress_author) for i in c.items] == [
        ("a", "see", "p. 3", False),
        ("b", "", "", True),
    ]
    assert (c.line, c.column) == (1, 3)


def test_unknown_citation_is_an_error_at_its_location(kb):
    kb.record("vaswani2017attention")
    kb.note("attention", "Attention", body="Fine [@vaswani2017attention].\n\nBut [@vaswani2017atention] and\n`[@ignored]`.\n")
    probs = [p for p in kb.load().problems if p.code == "unknown-citation"]
    assert len(probs) == 1
    p = probs[0]
    assert (p.file, p.line, p.column) == ("notes/attention.md", 7, 5)
    assert "did you mean `vaswani2017attention`?" in p.message


def test_unknown_citation_in_record_notes(kb):
    kb.record("a", VALID + "notes: |\n  Builds on\n  [@nope] and [@a].\n")
    p = next(p for p in kb.load().problems if p.code == "unknown-citation")
    assert (p.file, p.line) == ("papers/a.yaml", 14)


def test_citation_renders_author_year_link_and_references(kb):
    kb.record("vaswani2017attention", VALID.replace("  - others", "  - Noam Shazeer\n  - others"))
    kb.note("attention", "Attention", body="Transformers [@vaswani2017attention, sec. 3] and @vaswani2017attention.\n")
    page = render(kb.load())["topics/attention.md"]
    # each citation carries an id, so its reference can link back to it
    assert "([Vaswani et al., 2017, sec. 3](../papers/vaswani2017attention.md){#cite-vaswani2017attention-a})" in page
    assert "[Vaswani et al. (2017)](../papers/vaswani2017attention.md){#cite-vaswani2017attention-b}" in page
    refs = page.split("## References")[1]
    assert "Ashish Vaswani, Noam Shazeer, and others. Attention Is All You Need. 2017." in refs  # the title as written
    assert "(../papers/vaswani2017attention.md)" in refs
    assert '<a class="tln-ref-link" href="https://arxiv.org/abs/1706.03762">' in refs
    assert refs.count('class="tln-backref"') == 2 and 'href="#cite-vaswani2017attention-b"' in refs


def test_unknown_citation_stays_visible_text(kb):
    kb.note("attention", "Attention", body="See [@ghost].\n")
    assert "(@ghost)" in render(kb.load())["topics/attention.md"]
