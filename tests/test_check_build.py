"""The promise between the commands: if `tlnotes check` passes, `tlnotes build` passes.

Every problem a strict build would hit in a note (a relative link to no page
or heading, an absolute link, nesting Python-Markdown cannot take) is
reported by `check` at the note's or record's own line; pathological text
gets an error quickly, never a hang. The property is tested with hypothesis
over records and notes made of the Markdown constructs that break things.
"""

from __future__ import annotations

import json
import shutil
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import REPO, VALID
from tests.test_hostile_site import scan_site
from tlnotes import cli, load


def problems(kb, code="broken-link"):
    return [(p.file, p.line, p.column) for p in kb.load().problems if p.code == code]


# ---------------------------------------------------------------- links


GOOD = [
    "../papers/vaswani2017attention.md",
    "#prose",
    "../papers/vaswani2017attention.md#summary",
    "../about.md",
    "../about.md#contact",
    "attention.md",
    "language-models.md#prose",
    "../papers.bib",
    "../papers/index.md?q=x",
    "../authors/v.md#ashish-vaswani",
    "../years/index.md#y2017",
    "../index.md",
    "https://example.org/x.md",
    "mailto:a@b.org",
]
BAD = [
    "appendix.md",
    "#nope",
    "../papers/nope.md",
    "../papers/vaswani2017attention.md#no-such",
    "/abs/page.md",
    "../papers/",
    "../../outside.md",
    "fig.png",
    "attention.md#nope",
    "../about.md#nope",
    "topics/attention.md",
    "../authors/q.md",
    "a%20b.md",
]


@pytest.mark.parametrize("dest", GOOD)
def test_a_link_that_resolves_passes_check_and_builds(site_kb, dest, tmp_path, run):
    site_kb.note("attention", "Attention", body=f"## Prose\n\nSee [this]({dest}).\n")
    site_kb.note("language-models", "Language models", body="## Prose\n\nText.\n")
    assert problems(site_kb) == []
    r = run("build", site_kb.root, "--site-dir", tmp_path / "site")
    assert r.code == 0, r.err


@pytest.mark.parametrize("dest", BAD)
@pytest.mark.parametrize("form", ["inline", "image", "reference", "list-reference", "quote-reference", "next-line"])
def test_a_link_to_nowhere_in_a_note_is_an_error_at_its_line(site_kb, dest, form):
    text = {
        "inline": f"See [this]({dest}).",
        "image": f"See ![figure]({dest}).",
        "reference": f"See [this][r].\n\n[r]: {dest}",
        "list-reference": f"See [this][r].\n\n- [r]: {dest}",
        "quote-reference": f"See [this][r].\n\n> [r]: {dest}",
        "next-line": f"See [this][r].\n\n[r]:\n    {dest}",
    }[form]
    site_kb.note("attention", "Attention", body=f"## Prose\n\nFirst line.\n{text}\n")
    found = problems(site_kb)
    assert found and found[0][0] == "notes/attention.md", found
    line = 7 + text.split("\n").index(next(ln for ln in text.split("\n") if "[this]" in ln or "[r]:" in ln or dest in ln))
    assert line <= found[0][1] <= line + 3, (found, text)


@pytest.mark.parametrize("style", ["plain", "block", "quoted"])
def test_a_link_to_nowhere_in_a_record_is_an_error_at_the_record_line(site_kb, style):
    notes = {
        "plain": "notes: See [x](appendix.md).\n",
        "block": "notes: |\n  First line.\n  See [x](appendix.md).\n",
        "quoted": 'notes: "See [x](appendix.md)."\n',
    }[style]
    site_kb.record("k", VALID.replace("1706.03762", "1810.04805").replace("Attention Is All You Need", "Other") + notes)
    found = problems(site_kb)
    assert [f[0] for f in found] == ["papers/k.yaml"], found
    text = (site_kb.root / "papers" / "k.yaml").read_text().splitlines()
    line, col = found[0][1], found[0][2]
    assert text[line - 1][col - 1 :].startswith("(appendix.md)") or text[line - 1][col - 1 :].startswith("appendix.md"), (
        line,
        col,
        text,
    )


def test_links_in_record_fields_are_never_relative(site_kb, tmp_path, run):
    """A title or bullet shows on many pages, so a relative link in it is text; the build never trips on it."""
    site_kb.record(
        "k",
        VALID.replace("1706.03762", "1810.04805")
        .replace("Attention Is All You Need", "See [x](nope.md)")
        .replace("Self-attention only.", "Also [y](#nope) and ![z](fig.png)"),
    )
    assert site_kb.load().errors == []
    assert run("build", site_kb.root, "--site-dir", tmp_path / "s").code == 0


# ---------------------------------------------------------------- bounds


PATHOLOGICAL = {
    "list nested 300 deep": "".join("    " * i + "- x\n" for i in range(300)),
    "ordered list nested 300 deep": "".join("    " * i + "1. x\n" for i in range(300)),
    "quotes and lists 200 deep": "".join("> " * i + "- x\n" for i in range(200)),
    "lists on one line": "- " * 1500 + "x\n",
    "thousands of stars": "*" * 3000 + "x" + "*" * 3000 + "\n",
    "nested emphasis": "*a _b " * 2000 + "\n",
    "40 KB of nested brackets": "[" * 20000 + "x" + "]" * 20000 + "\n",
    "unclosed brackets": "[a " * 10000 + "\n",
    "a paragraph of 300 KB": "word " * 60000 + "\n",
}


@pytest.mark.parametrize("name", PATHOLOGICAL)
def test_pathological_markdown_is_an_error_not_a_hang(site_kb, name, tmp_path):
    site_kb.note("attention", "Attention", body="Prose.\n\n" + PATHOLOGICAL[name])
    started = time.monotonic()
    errors = site_kb.load().errors
    assert time.monotonic() - started < 20
    assert [p.file for p in errors] == ["notes/attention.md"], errors
    assert errors[0].code in ("too-deep", "too-complex", "too-large") and errors[0].line >= 7


@pytest.mark.parametrize("name", ["list nested 300 deep", "thousands of stars", "40 KB of nested brackets"])
def test_pathological_markdown_in_record_notes_too(site_kb, name):
    site_kb.record(
        "k",
        VALID.replace("1706.03762", "1810.04805").replace("Attention Is All You Need", "Other")
        + f"notes: {json.dumps(PATHOLOGICAL[name])}\n",
    )
    assert [p.code for p in site_kb.load().errors] in (["too-deep"], ["too-complex"])


def test_just_within_the_bounds_builds(site_kb, tmp_path, run):
    from tlnotes.sitecheck import MAX_BRACKETS, MAX_EMPHASIS, MAX_NESTING

    body = (
        "".join("    " * i + "- x\n" for i in range(MAX_NESTING))
        + "\n"
        + "[a " * MAX_BRACKETS
        + "\n\n"
        + "*" * (MAX_EMPHASIS // 2)
        + "x"
        + "*" * (MAX_EMPHASIS // 2)
        + "\n"
    )
    site_kb.note("attention", "Attention", body=body)
    assert site_kb.load().errors == []
    started = time.monotonic()
    assert run("build", site_kb.root, "--site-dir", tmp_path / "s").code == 0
    assert time.monotonic() - started < 60


# ---------------------------------------------------------------- the property


PIECES = [
    "word",
    "Word",
    " ",
    " ",
    " ",
    "\n",
    "\n\n",
    "- ",
    "    ",
    "  ",
    "> ",
    "1. ",
    "# ",
    "## Heading\n",
    "* ",
    "*",
    "_",
    "**",
    "`",
    "```\n",
    "~~~\n",
    "$",
    "$$",
    "\\",
    "[",
    "]",
    "(",
    ")",
    "](",
    "!",
    "<",
    ">",
    "&",
    "&#x61;",
    "{",
    "}",
    ":",
    "|",
    "[@vaswani2017attention]",
    "@vaswani2017attention",
    "[-@vaswani2017attention]",
    "[see @vaswani2017attention, p. 3]",
    "[ok](../papers/vaswani2017attention.md)",
    "[ok](#heading)",
    "[ok](../about.md)",
    "[ok](https://example.org/a_(b))",
    "[bad](nope.md)",
    "[bad](#nope)",
    "![img](https://other.host/p.png)",
    "![img](fig.png)",
    "[r]: ",
    "[r]",
    "[x][r]",
    "javascript:alert(1)",
    "data:text/html,x",
    "<script>",
    "<img src=x onerror=alert(1)>",
    "{: onclick=x}",
    "\u0002",
    "\u200b",
    "é",
    "---\n",
    "!!! note\n",
    "| a | b |\n|---|---|\n",
    "<https://example.org>",
    "\t",
    "[",
    "]:",
]
markdown_text = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
one_line = markdown_text.map(lambda s: " ".join(s.split()) or "x")


@st.composite
def knowledge_bases(draw):
    q = json.dumps
    title = draw(one_line)
    authors = draw(st.lists(one_line, min_size=1, max_size=3))
    bullets = draw(st.lists(st.one_of(one_line, st.tuples(one_line, st.lists(one_line, min_size=1, max_size=2))), max_size=3))
    lines = [f"title: {q(title)}", "authors:", *[f"  - {q(a)}" for a in authors], "year: 2020", "topics: [attention]"]
    if bullets:
        lines.append("summary:")
        for b in bullets:
            if isinstance(b, tuple):
                lines.append(f"  - {q(b[0])}:")
                lines += [f"      - {q(c)}" for c in b[1]]
            else:
                lines.append(f"  - {q(b)}")
    if draw(st.booleans()):
        lines.append(f"venue: {q(draw(one_line))}")
    if draw(st.booleans()):
        lines.append(f"notes: {q(draw(markdown_text) or 'x')}")
    return "\n".join(lines) + "\n", draw(markdown_text), draw(one_line)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(case=knowledge_bases())
@example(
    case=(
        'title: "[r]: word"\nauthors: [x]\nyear: 2020\ntopics: [attention]\n',  # a citation after a `]`
        "word[-@vaswani2017attention][-@vaswani2017attention] and !@vaswani2017attention",
        "x",
    )
)
def test_check_passing_implies_build_passing(case, tmp_path_factory):
    record, note, note_title = case
    root = tmp_path_factory.mktemp("prop")
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "docs").mkdir()
    (root / "docs" / "about.md").write_text("# About\n")
    (root / "papers").mkdir()
    (root / "notes").mkdir()
    (root / "papers" / "vaswani2017attention.yaml").write_text(VALID)
    (root / "papers" / "k.yaml").write_text(record, encoding="utf-8")
    (root / "notes" / "attention.md").write_text(
        f"---\ntitle: {json.dumps(note_title)}\n---\n\n## Heading\n\n{note}\n", encoding="utf-8"
    )
    kb = load(root)
    assert not [p for p in kb.problems if p.code == "internal-error"], kb.problems
    if kb.errors:
        return
    code = cli.main(["build", str(root), "--site-dir", str(root / "site")])
    assert code == 0, (record, note, note_title)
    assert scan_site(root / "site") == {}


def test_hand_written_pages_are_checked_for_links_too(site_kb, tmp_path, run):
    (site_kb.root / "docs" / "guide.md").write_text(
        "---\ntitle: Guide\n---\n\n# Guide\n\nSee [nothing](nope.md), "
        "[the paper](papers/vaswani2017attention.md) and [@not-a-citation].\n"
    )
    assert problems(site_kb) == [("docs/guide.md", 7, 15)]  # at the destination
    (site_kb.root / "docs" / "guide.md").write_text("# Guide\n\nSee [the paper](papers/vaswani2017attention.md#summary).\n")
    assert site_kb.load().errors == []
    assert run("build", site_kb.root, "--site-dir", tmp_path / "s").code == 0


def test_an_unclosed_destination_is_text_not_a_broken_link(site_kb, tmp_path, run):
    site_kb.note("attention", "Attention", body="A [dangling](appendix.md and more text.\n")
    assert site_kb.load().errors == []
    assert run("build", site_kb.root, "--site-dir", tmp_path / "s").code == 0
