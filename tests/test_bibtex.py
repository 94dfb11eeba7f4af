"""BibTeX export: entry types, escaping, and a pybtex round trip of every record."""

from __future__ import annotations

import pytest
from pybtex.database import parse_string
from pybtex.richtext import Text

from tests.conftest import REPO
from tlnotes import load
from tlnotes.bibtex import bibliography, entry, latex
from tlnotes.index import display_name
from tlnotes.model import Paper


def decoded(latex_text: str) -> str:
    return Text.from_latex(latex_text).render_as("text")


def person(p) -> str:
    return display_name(decoded(str(p)))


def paper(**kw) -> Paper:
    base = dict(key="k", path="papers/k.yaml", title="A Title", authors=("Ada Lovelace",), year=2020, topics=("t",))
    base.update(kw)
    return Paper(**base)


@pytest.mark.parametrize(
    "venue, kind, field",
    [
        (None, "misc", None),
        ("NeurIPS 2017", "inproceedings", "booktitle"),
        ("Proceedings of ACL", "inproceedings", "booktitle"),
        ("Nature", "article", "journal"),
        ("Journal of Machine Learning Research", "article", "journal"),
        ("Blog post", "misc", "howpublished"),
    ],
)
def test_entry_types(venue, kind, field):
    e = parse_string(entry(paper(venue=venue)), "bibtex").entries["k"]
    assert e.type == kind
    if field:
        assert e.fields[field] == venue


def test_arxiv_doi_url_and_et_al():
    text = entry(
        paper(authors=("Ada Lovelace", "others"), links={"arxiv": "hep-th/9901001", "doi": "10.1000/x_y", "code": "https://g/x"})
    )
    e = parse_string(text, "bibtex").entries["k"]
    assert (
        e.fields["eprint"] == "hep-th/9901001" and e.fields["archivePrefix"] == "arXiv" and e.fields["primaryClass"] == "hep-th"
    )
    assert e.fields["doi"] == "10.1000/x_y" and e.fields["url"] == "https://arxiv.org/abs/hep-th/9901001"
    assert "author = {Ada Lovelace and others}" in " ".join(text.split())


def test_primary_class_from_the_record_category():
    e = parse_string(entry(paper(links={"arxiv": "1706.03762"}, category="cs.CL")), "bibtex").entries["k"]
    assert e.fields["primaryClass"] == "cs.CL"
    assert "primaryClass" not in parse_string(entry(paper(links={"arxiv": "1706.03762"})), "bibtex").entries["k"].fields


def test_capitals_protected_and_specials_escaped():
    title = "BERT and GPT-3: 50% of $O(n^2)$ & #1 {x} ~ under_score for T5 on ImageNet"
    text = entry(paper(title=title, authors=("Łukasz Kaiser", "Meta AI", "Le, Quoc")))
    assert "{BERT}" in text and "{GPT-3:}" in text and "{T5}" in text and "{ImageNet}" in text and "{$O(n^2)$}" in text
    assert r"50\%" in text and r"\&" in text and r"\#1" in text and r"\_" in text and r"{\L}ukasz" in text
    assert "{Meta AI}" in text
    e = parse_string(text, "bibtex").entries["k"]
    assert decoded(e.fields["title"]).replace("\\{", "{").replace("\\}", "}") != ""
    assert [person(p) for p in e.persons["author"]] == ["Łukasz Kaiser", "Meta AI", "Quoc Le"]


def test_latex_escapes_every_special():
    assert latex("\\{}&%$#_~^") == r"\textbackslash{}\{\}\&\%\$\#\_\textasciitilde{}\textasciicircum{}"
    assert latex("Rozière") == r"Rozi{\`e}re"


def test_round_trip_of_every_record_in_this_repository():
    kb = load(REPO)
    assert kb.papers
    data = parse_string(bibliography(kb), "bibtex")
    assert list(data.entries) == sorted(kb.papers)
    for key, e in data.entries.items():
        p = kb.papers[key]
        assert decoded(e.fields["title"]) == p.title, key
        assert int(e.fields["year"]) == p.year, key
        names = [person(x) for x in e.persons["author"]]
        assert names == [display_name(a) for a in p.authors], key


def test_export_command(kb, run, tmp_path):
    kb.record("vaswani2017attention")
    r = run("export", "bibtex", kb.root)
    assert r.code == 0 and r.out.startswith("@misc{vaswani2017attention,")
    out = tmp_path / "out.bib"
    assert run("export", "bibtex", kb.root, "-o", out).code == 0
    assert parse_string(out.read_text(), "bibtex").entries["vaswani2017attention"].fields["eprint"] == "1706.03762"


def test_export_with_broken_records_exits_1_and_says_so(kb, run):
    kb.record("good")
    kb.record("bad", "title: [")
    r = run("export", "bibtex", kb.root)
    assert r.code == 1 and "@misc{good," in r.out and "left out" in r.err


@pytest.mark.parametrize("venue", [None, "NeurIPS 2020", "Nature", "Some Workshop"])
@pytest.mark.parametrize("links", [{}, {"arxiv": "2001.00001"}, {"doi": "10.1/x"}])
def test_record_without_authors_exports_valid_bibtex_and_formats(venue, links):
    """No author field rather than an empty one; pybtex parses it and formats the reference."""
    from tlnotes.bibtex import format_references

    p = Paper(
        key="anon2020paper",
        path="papers/anon2020paper.yaml",
        title="A Paper on Things",
        authors=(),
        year=2020,
        topics=("t",),
        venue=venue,
        links=links,
    )
    text = entry(p)
    db = parse_string(text, "bibtex")
    e = db.entries["anon2020paper"]
    assert not e.persons.get("author") and "author" not in {k.lower() for k in e.fields}
    assert e.fields["year"] == "2020"
    ((key, formatted),) = format_references([p])
    assert key == "anon2020paper" and "a paper on things" in formatted.casefold()
    assert text.startswith("@misc{") and (venue is None or venue.removesuffix(" 2020") in formatted)
    assert formatted.count("2020") == 1  # a venue with the year does not say it twice
