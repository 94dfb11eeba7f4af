"""Each rule of the record format, with a passing and a failing case."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import VALID


def only(kb, code):
    probs = [p for p in kb.load().problems if p.code == code]
    assert probs, f"expected a {code!r} problem, got {[str(p) for p in kb.load().problems]}"
    return probs[0]


def test_valid_record_loads_with_all_fields(kb):
    kb.record(
        "vaswani2017attention",
        VALID
        + """\
venue: NeurIPS 2017
related: []
added: 2023-08-18
notes: |
  Free *Markdown*.
""",
    )
    k = kb.load()
    assert k.problems == []
    p = k.papers["vaswani2017attention"]
    assert p.title == "Attention Is All You Need"
    assert p.authors == ("Ashish Vaswani", "others") and p.et_al and p.named_authors == ("Ashish Vaswani",)
    assert p.year == 2017 and p.topics == ("attention",)
    assert p.links == {"arxiv": "1706.03762"}
    assert p.added == dt.date(2023, 8, 18) and p.venue == "NeurIPS 2017"
    assert p.notes.startswith("Free")


@pytest.mark.parametrize("name", ["Vaswani2017", "_x", "a b", "-lead", "ünï"])
def test_key_must_be_valid(kb, name):
    kb.record(name)
    prob = only(kb, "bad-key")
    assert prob.file == f"papers/{name}.yaml" and name not in kb.load().papers


@pytest.mark.parametrize("name", ["a", "vaswani2017attention", "x.y_z-1", "0abc"])
def test_key_valid(kb, name):
    kb.record(name)
    assert kb.load().problems == [] and name in kb.load().papers


@pytest.mark.parametrize("field", ["title", "year", "topics"])  # authors: a warning, see below
def test_required_fields(kb, field):
    lines = VALID.splitlines(keepends=True)
    # drop the field and its indented continuation lines
    out, skip = [], False
    for line in lines:
        if line.startswith(f"{field}:"):
            skip = True
            continue
        if skip and line.startswith(" "):
            continue
        skip = False
        out.append(line)
    kb.record("k", "".join(out))
    prob = only(kb, "missing-field")
    assert f"`{field}`" in prob.message and prob.severity == "error"


def test_unknown_field_suggests(kb):
    kb.record("k", VALID.replace("title:", "titel:"))
    msgs = [p.message for p in kb.load().problems]
    assert any("unknown field 'titel'" in m and "did you mean `title`?" in m for m in msgs)
    prob = only(kb, "unknown-field")
    assert (prob.line, prob.column) == (1, 1)


def test_title_must_be_text(kb):
    kb.record("k", VALID.replace("title: Attention Is All You Need", "title: 1984"))
    prob = only(kb, "type")
    assert "title" in prob.message and "quotes" in prob.message and prob.line == 1


@pytest.mark.parametrize(
    "authors, ok",
    [
        ("[A B]", True),
        ("[A B, C D, others]", True),
        ("[]", False),
        ("[others]", False),
        ("[A B, others, C D]", False),
        ("A B", False),
        ("[A B, '']", False),
    ],
)
def test_authors(kb, authors, ok):
    kb.record("k", VALID.replace("authors:\n  - Ashish Vaswani\n  - others", f"authors: {authors}"))
    assert (kb.load().problems == []) == ok


@pytest.mark.parametrize(
    "year, ok",
    [
        ("1900", True),
        ("2017", True),
        (str(dt.date.today().year + 1), True),
        ("1899", False),
        (str(dt.date.today().year + 2), False),
        ('"2017"', False),
        ("true", False),
        ("2017.5", False),
    ],
)
def test_year(kb, year, ok):
    kb.record("k", VALID.replace("year: 2017", f"year: {year}"))
    assert (kb.load().problems == []) == ok


def test_year_as_text_hint(kb):
    kb.record("k", VALID.replace("year: 2017", 'year: "2017"'))
    assert "without quotes" in only(kb, "type").message


def test_topics_required_nonempty_and_known(kb):
    kb.record("k", VALID.replace("topics:\n  - attention", "topics: []"))
    assert "empty" in kb.codes()


def test_unknown_topic_names_closest(kb):
    kb.record("k", VALID.replace("  - attention\nsummary", "  - attenton\nsummary"))
    prob = only(kb, "unknown-topic")
    assert "`attention`" in prob.message and (prob.line, prob.column) == (7, 5)


def test_unknown_topic_far_from_everything_still_names_closest(kb):
    kb.record("k", VALID.replace("  - attention\nsummary", "  - zzz\nsummary"))
    assert "the closest is `" in only(kb, "unknown-topic").message


def test_summary_nesting_any_depth(kb):
    kb.record(
        "k",
        VALID.replace(
            "summary:\n  - Self-attention only.",
            """summary:
  - top
  - parent:
      - child with $O(n^2)$ math
      - grandparent:
          - leaf""",
        ),
    )
    k = kb.load()
    assert k.problems == []
    s = k.papers["k"].summary
    assert s[0].text == "top" and s[1].text == "parent"
    assert s[1].children[1].children[0].text == "leaf"


def test_summary_bullet_with_colon_explains(kb):
    kb.record("k", VALID.replace("  - Self-attention only.", "  - result: it works"))
    prob = only(kb, "format")
    assert "quote" in prob.message and prob.line == 9


def test_summary_multikey_mapping(kb):
    kb.record("k", VALID.replace("  - Self-attention only.", "  - {a: [x], b: [y]}"))
    assert "exactly one key" in only(kb, "format").message


def test_missing_summary_is_a_warning_and_strict_makes_it_an_error(kb, run):
    kb.record("k", VALID.replace("summary:\n  - Self-attention only.\n", ""))
    prob = only(kb, "no-summary")
    assert prob.severity == "warning"
    assert "k" in kb.load().papers
    assert run("check", kb.root).code == 0
    r = run("check", kb.root, "--strict")
    assert r.code == 1 and "error: no summary" in r.out


@pytest.mark.parametrize(
    "links, ok",
    [
        ('{arxiv: "1706.03762"}', True),
        ('{arxiv: "hep-th/9901001"}', True),
        ('{arxiv: "math.GT/0309136"}', True),
        ('{arxiv: "1706.03762v2"}', False),
        ("{arxiv: 1706.03762}", False),
        ('{arxiv: "https://arxiv.org/abs/1706.03762"}', False),
        ('{doi: "10.1038/nature14539"}', True),
        ('{doi: "https://doi.org/10.1038/nature14539"}', False),
        ('{doi: "nature14539"}', False),
        ("{pdf: https://example.org/a.pdf, code: http://github.com/x/y, blog: https://b.example}", True),
        ("{pdf: ftp://example.org/a.pdf}", False),
        ("{code: github.com/x}", False),
        ("{url: 'javascript:alert(1)'}", False),
        ('{"Bad Label": https://example.org}', False),
        ("[https://example.org]", False),
    ],
)
def test_links(kb, links, ok):
    kb.record("k", VALID.replace('links:\n  arxiv: "1706.03762"', f"links: {links}"))
    assert (kb.load().problems == []) == ok, kb.load().problems


def test_arxiv_version_message(kb):
    kb.record("k", VALID.replace('"1706.03762"', '"1706.03762v5"'))
    assert "without its version: 1706.03762" in only(kb, "format").message


def test_related(kb):
    kb.record("a", VALID + "related: [b]\n")
    kb.record("b", VALID.replace("Attention Is All", "Another").replace("1706.03762", "1810.04805") + "related: [a]\n")
    assert kb.load().problems == []


def test_related_unknown_suggests(kb):
    kb.record("vaswani2017attention")
    kb.record(
        "b", VALID.replace("Attention Is All", "Another").replace("1706.03762", "1810.04805") + "related: [vaswani2017atention]\n"
    )
    prob = only(kb, "unknown-related")
    assert "`vaswani2017attention`" in prob.message and prob.file == "papers/b.yaml" and (prob.line, prob.column) == (12, 11)


def test_related_to_itself(kb):
    kb.record("a", VALID + "related: [a]\n")
    assert "related-self" in kb.codes()


def test_related_to_broken_record_is_not_reported_missing(kb):
    kb.record("a", VALID + "related: [b]\n")
    kb.record("b", "title: [oops")
    codes = kb.codes()
    assert "yaml-syntax" in codes and "unknown-related" not in codes


@pytest.mark.parametrize("added, ok", [("2023-08-18", True), ('"2023-08-18"', True), ("yesterday", False), ("2023-13-01", False)])
def test_added(kb, added, ok):
    kb.record("k", VALID + f"added: {added}\n")
    assert (kb.load().problems == []) == ok


def test_notes_must_be_text(kb):
    kb.record("k", VALID + "notes: [a, b]\n")
    assert "type" in kb.codes()


@pytest.mark.parametrize("field, value", [("arxiv", "1706.03762"), ("doi", "10.1000/ABC.x")])
def test_duplicate_identifiers_name_both_files(kb, field, value):
    base = VALID.replace('arxiv: "1706.03762"', f'{field}: "{value}"')
    kb.record("a", base)
    kb.record("b", base.replace("Attention Is All You Need", "Some other title").replace(value, value.lower()))
    prob = only(kb, "duplicate")
    assert "papers/a.yaml" in prob.message and prob.file == "papers/b.yaml" and prob.line == 11


def test_duplicate_titles_normalized(kb):
    kb.record("a")
    kb.record("b", VALID.replace("Attention Is All You Need", "attention is all you need!").replace("1706.03762", "1810.04805"))
    prob = only(kb, "duplicate")
    assert "title" in prob.message and "papers/a.yaml" in prob.message and prob.line == 1


def test_yml_extension_and_stray_files(kb):
    kb.raw("x.yml", VALID.encode())
    kb.raw("README.md", b"hi")
    assert {"wrong-extension", "stray-file"} <= set(kb.codes())


NO_AUTHORS = [
    pytest.param("title: A Paper\nyear: 2020\ntopics: [attention]\nsummary: [x]\n", (), id="absent"),
    pytest.param("title: A Paper\nauthors: []\nyear: 2020\ntopics: [attention]\nsummary: [x]\n", ("authors",), id="empty-flow"),
    pytest.param(
        "title: A Paper\nyear: 2020\nauthors: []\ntopics: [attention]\nsummary: [x]\nlinks: {arxiv: '2001.00001'}\n",
        ("authors",),
        id="empty-later",
    ),
]


@pytest.mark.parametrize("text, at", NO_AUTHORS)
def test_record_without_authors_is_a_warning_and_strict_fails(kb, text, at):
    """An offline import of a bare link knows no authors: valid, but `check` says so (part 3 of issue 12)."""
    from tlnotes.cli import main
    from tlnotes.model import WARNING

    kb.record("anon2020paper", text)
    k = kb.load()
    assert [p.code for p in k.problems] == ["no-authors"]
    assert k.problems[0].severity == WARNING and "authors" in k.problems[0].message
    assert k.papers["anon2020paper"].authors == ()
    assert main(["check", str(kb.root)]) == 0
    assert main(["check", str(kb.root), "--strict"]) == 1


@pytest.mark.parametrize(
    "authors, code",
    [("authors: [others]", "format"), ("authors:", "empty"), ("authors: Ada Lovelace", "type"), ("authors: ['']", "format")],
)
def test_authors_still_checked_when_present(kb, authors, code):
    kb.record("x", f"title: A Paper\n{authors}\nyear: 2020\ntopics: [attention]\nsummary: [x]\n")
    codes = [p.code for p in kb.load().problems]
    assert "no-authors" not in codes and codes, codes


def test_json_schema_does_not_require_authors():
    from tlnotes import schema

    js = schema.json_schema()
    assert "authors" not in js["required"] and {"title", "year", "topics"} <= set(js["required"])
    assert "minItems" not in js["properties"]["authors"]
    assert "authors:" in schema.template()  # `tlnotes new` still asks for them
