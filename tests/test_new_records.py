"""records: the one new-record type, the writer made from schema.FIELDS, "same paper", plan_add without the CLI."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import VALID
from tlnotes import schema
from tlnotes.records import KnownPapers, NewRecord, RecordError, plan_add, write_new_records

text = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(schema.has_visible)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    title=text.map(lambda s: " ".join(s.split()) or "x"),
    authors=st.lists(text, min_size=1, max_size=4),
    bullets=st.lists(text, max_size=3),
    venue=st.none() | text,
    notes=st.none() | text.filter(lambda t: not set(t) & set("@[]<>")),  # no citation or link: their checks are elsewhere,
)
def test_what_the_writer_writes_loads_back_as_written(kb, title, authors, bullets, venue, notes):
    """Any text YAML can hold: quotes, colons, `#`, NEL, LS, DEL, `yes`, numbers."""
    # what check asks of single-line fields; the writer must carry the rest (quotes, `#`, `: `, NEL, DEL, `yes`)
    authors = [" ".join(a.split()) for a in authors if " ".join(a.split()) not in ("", "others")] or ["A"]
    venue = " ".join(venue.split()) if venue else None
    rec = NewRecord(
        title,
        authors,
        2020,
        {"arxiv": "1706.03762"},
        venue=venue,
        key="k",
        topics=["attention"],
        summary=[b for b in bullets if b.strip()],
    )
    rec.extra = {"notes": notes} if notes else {}
    (kb.root / "papers" / "k.yaml").write_text(rec.text("2024-02-29"), encoding="utf-8")
    k = kb.load()
    assert k.errors == [], (rec.text(), k.errors)
    paper = k.papers["k"]
    assert paper.title == title and list(paper.authors) == authors and paper.venue == venue and paper.notes == notes
    assert [b.text for b in paper.summary] == [b.strip() for b in bullets if b.strip()]
    assert str(paper.added) == "2024-02-29" and paper.links == {"arxiv": "1706.03762"}


def test_the_writer_follows_fields_order_and_quotes_what_yaml_would_misread():
    rec = NewRecord(
        "T",
        ["Ada", "others"],
        2017,
        {"doi": "10.1/x"},
        venue="V",
        category="cs.CL",
        key="k",
        topics=["attention", "yes", "null"],
        related=["b"],
    )
    lines = rec.text().splitlines()
    assert lines[0] == schema.SCHEMA_LINE
    names = [line.split(":")[0] for line in lines[1:] if not line.startswith(" ")]
    assert names == [f.name for f in schema.FIELDS if f.name in names]  # schema.FIELDS order
    assert '  - "yes"' in lines and '  - "null"' in lines and "  - attention" in lines and "category: cs.CL" in lines


def test_the_new_template_is_made_from_fields_and_check_says_what_to_fill(kb, run):
    assert run("new", "smith2024x", "--dir", kb.root).code == 0
    written = (kb.root / "papers" / "smith2024x.yaml").read_text()
    assert written == schema.template()
    for f in schema.FIELDS:
        assert (f"\n{f.name}:" in written) == (f.required or f.in_template is True), f.name
        assert (f"\n# {f.name}:" in written) == (f.in_template == "commented"), f.name
    missing = {p.message.split(":")[0] for p in kb.load().errors if p.file == "papers/smith2024x.yaml"}
    assert {"title", "authors", "year", "topics"} <= missing


def test_same_paper_is_one_rule_for_the_loader_and_the_importers(kb):
    """arXiv id, DOI, the paper's own URL (pdf, url) or title; a shared code repository is not the same paper."""
    kb.record("a", VALID + "  pdf: https://example.org/paper.pdf\n  code: https://github.com/x/y\n")
    other = VALID.replace("Attention Is All You Need", "Another paper").replace('arxiv: "1706.03762"', 'arxiv: "1810.04805"')
    kb.record("b", other + "  code: https://github.com/x/y\n")
    assert kb.load().errors == []
    known = KnownPapers(kb.load())
    assert known.find({"pdf": "https://example.org/paper.pdf/"}, "") == "a"
    assert known.find({"code": "https://github.com/x/y"}, "") is None
    kb.record(
        "c",
        other.replace("1810.04805", "2001.00001").replace("Another paper", "Third") + "  url: https://example.org/paper.pdf\n",
    )
    dup = [p for p in kb.load().errors if p.code == "duplicate"]
    assert [p.file for p in dup] == ["papers/c.yaml"] and "URL https://example.org/paper.pdf" in dup[0].message


def fetcher(records, calls):
    def fetch_arxiv(ids):
        calls.append(ids)
        return {i: records[i] for i in ids if i in records}

    return fetch_arxiv


def test_plan_add_is_a_library_call_checked_before_the_network(kb):
    kb.record("vaswani2017attention")
    calls: list = []
    paper = NewRecord("BERT", ["Jacob Devlin", "others"], 2018, {"arxiv": "1810.04805"}, abstract="We introduce BERT.")
    fetch = fetcher({"1810.04805": paper}, calls)
    with pytest.raises(RecordError, match="already in the knowledge base as papers/vaswani2017attention.yaml"):
        plan_add(kb.load(), ["1706.03762v3", "1810.04805"], fetch_arxiv=fetch)
    assert calls == []  # refused before any request
    with pytest.raises(RecordError, match="unknown topic 'atention'; the closest is `attention`"):
        plan_add(kb.load(), ["1810.04805"], topics=["atention"], fetch_arxiv=fetch)
    with pytest.raises(RecordError, match="reserved"):
        plan_add(kb.load(), ["1810.04805"], key="index", fetch_arxiv=fetch)
    (planned,) = plan_add(kb.load(), ["arxiv:1810.04805"], topics=["attention"], summary=["Masked LM."], fetch_arxiv=fetch)
    assert planned.key == "devlin2018bert" and planned.topics == ["attention"] and calls == [["1810.04805"]]
    (path,) = write_new_records(kb.root, [planned], added="2024-01-01")
    k = kb.load()
    assert k.errors == [] and k.papers["devlin2018bert"].notes == "Abstract: We introduce BERT."


def test_plan_add_refuses_metadata_that_would_not_pass_check(kb):
    bad = NewRecord("\u200b", ["A"], 2020, {"arxiv": "2001.00001"})
    with pytest.raises(RecordError, match="not a valid record"):
        plan_add(kb.load(), ["2001.00001"], fetch_arxiv=fetcher({"2001.00001": bad}, []))
    with pytest.raises(RecordError, match="arXiv knows no paper with this id"):
        plan_add(kb.load(), ["2001.00002"], fetch_arxiv=fetcher({}, []))


def test_write_new_records_rechecks_under_the_lock_and_writes_all_or_none(kb):
    a = NewRecord("Paper A", ["A"], 2020, {"arxiv": "2001.00001"}, key="a2020paper", topics=["attention"])
    b = NewRecord("Paper B", ["B"], 2020, {"arxiv": "2001.00002"}, key="b2020paper", topics=["attention"])
    kb.record("meanwhile", VALID.replace("1706.03762", "2001.00002").replace("Attention Is All You Need", "Paper B"))
    with pytest.raises(RecordError, match="already in the knowledge base as papers/meanwhile.yaml"):
        write_new_records(kb.root, [a, b])
    assert not (kb.root / "papers" / "a2020paper.yaml").exists()  # nothing written
