"""Reading status (issue 11): status, read, rating and priority, from the record to the site."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest
import yaml

from tests.conftest import VALID
from tests.test_add import apis, server  # noqa: F401  (the local fake arXiv)
from tlnotes import load, schema
from tlnotes.records import NewRecord
from tlnotes.render import nav, page_paths, render

READING = "status: reading\nread: 2024-03-01\nrating: 4\npriority: high\n"


def problems(kb, extra: str):
    kb.record("vaswani2017attention", VALID + extra)
    return kb.load().problems


# ---------------------------------------------------------------- validation


def test_all_four_fields_load_into_the_paper(kb):
    assert problems(kb, READING) == []
    p = kb.load().papers["vaswani2017attention"]
    assert (p.status, p.read, p.rating, p.priority) == ("reading", dt.date(2024, 3, 1), 4, "high")


def test_absent_fields_are_none(kb):
    kb.record("vaswani2017attention")
    p = kb.load().papers["vaswani2017attention"]
    assert (p.status, p.read, p.rating, p.priority) == (None, None, None, None)


@pytest.mark.parametrize("field, words", [("status", schema.STATUSES), ("priority", schema.PRIORITIES)])
def test_every_word_accepted(kb, field, words):
    for word in words:
        assert problems(kb, f"{field}: {word}\n") == [], word


@pytest.mark.parametrize(
    "value, message",
    [
        ("done", "status: 'done' is not one of to-read, reading, read, skimmed"),
        ("Read", "status: 'Read' is not one of to-read, reading, read, skimmed; did you mean `read`?"),
        ("to read", "did you mean `to-read`?"),
        ("to_read", "did you mean `to-read`?"),
        ("skimed", "did you mean `skimmed`?"),
        ("'reading '", "did you mean `reading`?"),
        ("yes", "status: must be one of to-read, reading, read, skimmed, not true/false"),
        ("3", "status: must be one of to-read, reading, read, skimmed, not a number"),
        ("[read]", "status: must be one of to-read, reading, read, skimmed, not a list"),
        ("", "status: has no value"),
    ],
)
def test_bad_status_located_with_a_clear_message(kb, value, message):
    probs = problems(kb, f"status: {value}\n")
    assert len(probs) == 1, probs
    p = probs[0]
    assert message in p.message and p.severity == "error"
    assert (p.file, p.line) == ("papers/vaswani2017attention.yaml", VALID.count("\n") + 1)
    assert p.column == (9 if value else 8)


@pytest.mark.parametrize(
    "value, message",
    [
        ("urgent", "priority: 'urgent' is not one of high, normal, low"),
        ("High", "did you mean `high`?"),
        ("1", "priority: must be one of high, normal, low, not a number"),
    ],
)
def test_bad_priority(kb, value, message):
    probs = problems(kb, f"priority: {value}\n")
    assert [p.code for p in probs] in (["choice"], ["type"]) and message in probs[0].message


@pytest.mark.parametrize("value", ["1", "3", "5"])
def test_good_rating(kb, value):
    assert problems(kb, f"rating: {value}\n") == []


@pytest.mark.parametrize(
    "value, message",
    [
        ("0", "rating: 0 is outside 1 to 5"),
        ("6", "rating: 6 is outside 1 to 5"),
        ("-2", "rating: -2 is outside 1 to 5"),
        ("4.5", "rating: must be a whole number from 1 to 5, not 4.5"),
        ('"4"', "rating: must be a number, not text: write 4 without quotes"),
        ("great", "rating: must be a whole number from 1 to 5, not 'great'"),
        ("true", "rating: must be a whole number from 1 to 5, not true/false"),
        ("9" * 5000, "rating: must be a whole number from 1 to 5"),
        ("[4]", "rating: must be a whole number from 1 to 5, not a list"),
    ],
)
def test_bad_rating(kb, value, message):
    probs = problems(kb, f"rating: {value}\n")
    assert len(probs) == 1 and message in probs[0].message, probs
    assert probs[0].line == VALID.count("\n") + 1


@pytest.mark.parametrize(
    "value, message",
    [
        ("2024-02-30", "read: '2024-02-30' is not a real date"),
        ("2024-2-3", "read: must be a date such as 2023-08-18 (YYYY-MM-DD)"),
        ("yesterday", "read: must be a date such as 2023-08-18"),
        ("2024", "read: must be a date such as 2023-08-18"),
        ("2024-01-02T10:00:00", "read: must be a date such as 2023-08-18"),
    ],
)
def test_bad_read_date(kb, value, message):
    probs = problems(kb, f"read: {value}\n")
    assert len(probs) == 1 and message in probs[0].message, probs


def test_misspelt_field_name_suggested(kb):
    probs = problems(kb, "stauts: read\n")
    assert probs[0].code == "unknown-field" and "did you mean `status`?" in probs[0].message


# ---------------------------------------------------------------- JSON Schema, template, writer


def _validator():
    return jsonschema.Draft202012Validator(schema.json_schema(), format_checker=jsonschema.FormatChecker())


def test_json_schema_describes_the_four_fields():
    props = schema.json_schema()["properties"]
    assert props["status"]["enum"] == ["to-read", "reading", "read", "skimmed"]
    assert props["priority"]["enum"] == ["high", "normal", "low"]
    assert (props["rating"]["type"], props["rating"]["minimum"], props["rating"]["maximum"]) == ("integer", 1, 5)
    assert props["read"]["format"] == "date"
    assert not {"status", "read", "rating", "priority"} & set(schema.json_schema()["required"])


def test_json_schema_and_loader_both_accept(kb):
    data = {**yaml.safe_load(VALID), "status": "to-read", "read": "2024-01-02", "rating": 5, "priority": "low"}
    assert list(_validator().iter_errors(data)) == []
    kb.record("k", VALID + "status: to-read\nread: 2024-01-02\nrating: 5\npriority: low\n")
    assert kb.load().problems == []


def test_template_offers_the_fields(kb, run):
    assert run("new", "fresh", "--dir", kb.root).code == 0
    text = (kb.root / "papers" / "fresh.yaml").read_text()
    for name in ("status", "read", "rating", "priority"):
        assert f"\n# {name}:" in text, name  # offered as a comment: an empty field would be an error
    assert not [
        p
        for p in kb.load().errors
        if p.file == "papers/fresh.yaml" and p.message.split(":")[0] in ("status", "read", "rating", "priority")
    ]


@pytest.mark.parametrize(
    "extra",
    [
        {"status": "to-read"},
        {"status": "skimmed", "read": dt.date(2024, 5, 6), "rating": 1, "priority": "low"},
        {"status": "reading", "priority": "high"},
        {"rating": 5},
    ],
)
def test_writer_round_trip(kb, extra):
    rec = NewRecord(
        "A Paper on Things",
        ["Ada Lovelace"],
        2020,
        {"arxiv": "2001.00001"},
        topics=["attention"],
        summary=["A point."],
        key="lovelace2020paper",
        extra=extra,
    )
    kb.record("lovelace2020paper", rec.text("2024-01-01"))
    k = kb.load()
    assert k.problems == [], k.problems
    p = k.papers["lovelace2020paper"]
    for name, value in extra.items():
        assert getattr(p, name) == value, name
    written = yaml.safe_load((kb.root / "papers" / "lovelace2020paper.yaml").read_text())
    assert list(written)[-len(extra) :] == [f.name for f in schema.FIELDS if f.name in extra]  # after added, in FIELDS order


# ---------------------------------------------------------------- add


def test_add_with_status_priority_and_rating(kb, run, apis):  # noqa: F811
    r = run(
        "add",
        "2305.01610",
        "--topic",
        "attention",
        "--summary",
        "s",
        "--status",
        "to-read",
        "--priority",
        "high",
        "--rating",
        "3",
        "--dir",
        kb.root,
    )
    assert r.code == 0, r.err
    text = (kb.root / "papers" / "gurnee2023finding.yaml").read_text()
    assert "status: to-read\n" in text and "priority: high\n" in text and "rating: 3\n" in text
    p = load(kb.root).papers["gurnee2023finding"]
    assert (p.status, p.priority, p.rating) == ("to-read", "high", 3) and load(kb.root).problems == []


@pytest.mark.parametrize(
    "option, value, message",
    [
        ("--status", "done", "--status: 'done' is not one of to-read, reading, read, skimmed"),
        ("--status", "Reading", "did you mean `reading`?"),
        ("--status", "", "--status: '' is not one of"),
        ("--priority", "urgent", "--priority: 'urgent' is not one of high, normal, low"),
        ("--rating", "7", "--rating: 7 is outside 1 to 5"),
        ("--rating", "four", "--rating: must be a whole number from 1 to 5, not 'four'"),
        ("--rating", "9" * 5000, "--rating: must be a whole number from 1 to 5"),
    ],
)
def test_add_bad_option_refused_before_fetching(kb, run, apis, option, value, message):  # noqa: F811
    r = run("add", "2305.01610", option, value, "--dir", kb.root)
    assert r.code == 1 and message in r.err and "Traceback" not in r.err, r.err
    assert "metadata" not in r.err  # the option is wrong, not arXiv's answer
    assert list((kb.root / "papers").iterdir()) == [] and apis == []


# ---------------------------------------------------------------- import bibtex

BIB = """\
@article{a, title = {Reading Things}, author = {Lovelace, Ada}, year = {2020}, readstatus = {read}}
@article{b, title = {Skimming Things}, author = {Babbage, Charles}, year = {2021}, readstatus = {skimmed}}
@article{c, title = {Unread Things}, author = {Hopper, Grace}, year = {2022}}
@article{d, title = {Odd Things}, author = {Turing, Alan}, year = {2019}, readstatus = {whatever}}
@article{e, title = {Shouted Things}, author = {Noether, Emmy}, year = {2018}, ReadStatus = { Read }}
"""


def test_import_bibtex_maps_jabref_readstatus(kb, run, tmp_path):
    bib = tmp_path / "jabref.bib"
    bib.write_text(BIB)
    r = run("import", "bibtex", bib, "--topic", "attention", "--dir", kb.root)
    assert r.code == 0, r.err
    recs = {p.stem: yaml.safe_load(p.read_text()) for p in (kb.root / "papers").glob("*.yaml")}
    status = {k: v.get("status") for k, v in recs.items()}
    assert status == {
        "lovelace2020reading": "read",
        "babbage2021skimming": "skimmed",
        "hopper2022unread": None,
        "turing2019odd": None,
        "noether2018shouted": "read",
    }
    assert "status" not in recs["hopper2022unread"] and "status" not in recs["turing2019odd"]
    assert [p for p in load(kb.root).problems if p.severity == "error"] == []


# ---------------------------------------------------------------- site


def rec(title, status=None, topics=("attention",), year=2020, extra=""):
    lines = [
        f"title: {json.dumps(title)}",
        "authors: [Ada Lovelace]",
        f"year: {year}",
        f"topics: {json.dumps(list(topics))}",
        "summary: [A point.]",
    ]
    if status:
        lines.append(f"status: {status}")
    return "\n".join(lines) + "\n" + extra


@pytest.fixture
def queue_kb(kb):
    kb.record("unread", rec("Unread Paper", "to-read", extra="priority: low\n"))
    kb.record("urgent", rec("Urgent Paper", "to-read", topics=("attention", "language-models"), extra="priority: high\n"))
    kb.record("busy", rec("Busy Paper", "reading", topics=("language-models",)))
    kb.record("done", rec("Done Paper", "read", extra="read: 2024-03-01\nrating: 4\n"))
    kb.record("glanced", rec("Glanced Paper", "skimmed"))
    kb.record("plain", rec("Plain Paper <b>x</b>"))
    k = kb.load()
    assert k.problems == [], k.problems
    return k


def test_paper_page_shows_badge_read_date_rating(queue_kb):
    pages = render(queue_kb)
    done = pages["papers/done.md"]
    assert 'class="tln-status tln-status-read"' in done and ">Read<" in done
    assert "2024-03-01" in done and 'aria-label="rated 4 of 5"' in done
    urgent = pages["papers/urgent.md"]
    assert "tln-status-to-read" in urgent and ">To read<" in urgent and "high priority" in urgent.lower()
    assert "tln-status" not in pages["papers/plain.md"]


def test_table_has_status_filter_and_row_status(queue_kb):
    table = render(queue_kb)["papers/index.md"]
    assert 'id="tln-filter-status"' in table
    for word in ("to-read", "reading", "read", "skimmed"):
        assert f'<option value="{word}">' in table
    assert table.count('data-status="to-read"') == 2
    assert table.count("<tr ") - table.count("data-status=") == 1  # the paper with no status carries none


def test_queue_page_grouped_by_topic_high_priority_first(queue_kb):
    pages = render(queue_kb)
    q = pages["queue/index.md"]
    assert q.kind.name == "queue" and q.kind.in_nav
    attention, models = q.index("## Attention"), q.index("## Language models")
    assert attention < models
    first, second = q[attention:models], q[models:]
    assert first.index("Urgent Paper") < first.index("Unread Paper")
    assert "Urgent Paper" in second and "Busy Paper" in second
    for absent in ("Done Paper", "Glanced Paper", "Plain Paper"):
        assert absent not in q
    assert "queue/index.md" in pages["index.md"] and "queue/index.md" in page_paths(queue_kb)
    assert "queue/index.md" in json.dumps(nav(queue_kb))


def test_only_read_papers_still_get_an_empty_queue_page(kb):
    kb.record("done", rec("Done Paper", "read"))
    q = render(kb.load())["queue/index.md"]
    assert "Done Paper" not in q and "Nothing" in q


def test_nothing_about_status_without_statuses(kb):
    kb.record("plain", rec("Plain Paper"))
    kb.record("rated", rec("Rated Paper", extra="rating: 2\n"))
    k = kb.load()
    pages = render(k)
    assert "queue/index.md" not in pages and "queue/index.md" not in page_paths(k)
    assert "queue" not in json.dumps(nav(k)) and "queue" not in pages["index.md"].lower()
    assert "tln-filter-status" not in pages["papers/index.md"] and "data-status" not in pages["papers/index.md"]
    assert "tln-status" not in pages["papers/plain.md"]


def test_hostile_text_in_the_queue_is_inert(kb):
    kb.note("evil", "<script>alert(1)</script>")
    kb.record("evil", rec("<img src=x onerror=alert(1)> *t*", "to-read", topics=("evil",)))
    q = render(kb.load())["queue/index.md"]
    assert "<script>" not in q and "<img" not in q
