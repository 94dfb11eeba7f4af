"""`tlnotes update`: completing records in place, against the local fake APIs of test_add."""

from __future__ import annotations

import pytest

from tests.test_add import FakeAPIs, apis, server  # noqa: F401  (fixtures)
from tlnotes.cli import main

HAYSTACK = "2305.01610"  # fixture: Gurnee, Nanda, Pauly; cs.LG; 2023

# Hand-written text in every shape YAML allows: comments, odd quoting, block scalars, flow lists, key order.
ODD = """\
# my own comment at the top
title:   'Finding Neurons in a Haystack: Case Studies with Sparse Probing'   # trailing comment
year: 2023
authors:   # only the first, for now
  - Gurnee
  - others
topics: [attention]   # flow
links:
  arxiv: "2305.01610"
summary:
  - "quoted: with colon"
  - 'single ''quoted'''
  - parent:
      - child
notes: |
  Block scalar,
    indented line kept.

  # not a comment, part of the block
related: []
"""


@pytest.fixture
def kbu(kb, apis):  # noqa: F811
    return kb


def run(kb, *args):
    return main(["update", "--dir", str(kb.root), *args])


def test_dry_run_shows_a_diff_and_writes_nothing(kbu, capsys):
    path = kbu.record("gurnee2023finding", ODD)
    before = path.read_bytes()
    assert run(kbu) == 0
    out = capsys.readouterr().out
    assert "papers/gurnee2023finding.yaml" in out and '+  - "Wes Gurnee"' in out and "-  - Gurnee" in out
    assert "+category: cs.LG" in out
    assert path.read_bytes() == before


def test_write_changes_only_what_it_updates_byte_for_byte(kbu):
    path = kbu.record("gurnee2023finding", ODD)
    assert run(kbu, "--write") == 0
    after = path.read_text()
    expected = ODD.replace(
        "authors:   # only the first, for now\n  - Gurnee\n  - others\n",
        'authors:\n  - "Wes Gurnee"\n  - "Neel Nanda"\n  - "Matthew Pauly"\n',
    ).replace('links:\n  arxiv: "2305.01610"\n', 'links:\n  arxiv: "2305.01610"\ncategory: cs.LG\n')
    assert after == expected
    assert kbu.load().problems == []
    assert run(kbu, "--write") == 0 and path.read_text() == expected  # nothing left to do


@pytest.mark.parametrize(
    "authors",
    ["authors: [Gurnee, Nanda, Pauly]\n", "authors:\n  - Wes Gurnee\n  - others\n", "authors: []\n", ""],
)
def test_incomplete_author_lists_are_completed(kbu, authors):
    text = f'title: "Finding Neurons in a Haystack: Case Studies with Sparse Probing"\n{authors}year: 2023\ntopics: [attention]\nsummary: [x]\nlinks: {{arxiv: "2305.01610"}}\ncategory: cs.LG\n'
    path = kbu.record("g", text)
    assert run(kbu, "--write") == 0
    assert kbu.load().papers["g"].authors == ("Wes Gurnee", "Neel Nanda", "Matthew Pauly")
    assert path.read_text().startswith('title: "Finding Neurons')


def test_complete_records_are_left_alone_and_keys_select(kbu, capsys):
    full = 'title: "Finding Neurons in a Haystack: Case Studies with Sparse Probing"\nauthors: [Wes Gurnee, others]\nyear: 2023\ntopics: [attention]\nlinks: {arxiv: "2305.01610"}\n'
    a = kbu.record("a", full)
    b = kbu.record(
        "b",
        full.replace("2305.01610", "2202.00002").replace(
            "Finding Neurons in a Haystack: Case Studies with Sparse Probing", "Names From Everywhere"
        ),
    )
    assert run(kbu, "a", "--write") == 0
    assert "Wes Gurnee, Neel Nanda" not in b.read_text() and "others" in b.read_text()
    assert "Matthew Pauly" in a.read_text()
    assert run(kbu, "nosuchkey") == 1
    assert "nosuchkey" in capsys.readouterr().err


@pytest.mark.parametrize("title", ["A Completely Different Paper", "Finding Neurons", "Haystack Neurons in Finding"])
def test_title_mismatch_is_reported_never_replaced(kbu, capsys, title):
    path = kbu.record(
        "g", f"title: {title}\nauthors: [Gurnee, others]\nyear: 2023\ntopics: [attention]\nlinks: {{arxiv: '2305.01610'}}\n"
    )
    before = path.read_bytes()
    assert run(kbu, "--write") == 1
    err = capsys.readouterr().err
    assert "mismatch" in err and "papers/g.yaml" in err and "Finding Neurons in a Haystack" in err
    assert path.read_bytes() == before


@pytest.mark.parametrize("aid", ["2000.00500", "2000.00429", "2000.00777"])  # HTTP 500, 429, silent server
def test_failing_api_writes_nothing_and_names_the_url(kbu, capsys, aid):
    ok = kbu.record("g", ODD)
    bad = kbu.record("b", ODD.replace("2305.01610", aid).replace("Finding Neurons in a Haystack", "Other"))
    before = ok.read_bytes(), bad.read_bytes()
    assert run(kbu, "--write") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "http://127.0.0.1:" in err[0] and "Traceback" not in err[0]
    assert (ok.read_bytes(), bad.read_bytes()) == before


def test_unreachable_api(kb, monkeypatch, capsys):
    monkeypatch.setenv("TLNOTES_ARXIV_API", "http://127.0.0.1:9/api/query")
    monkeypatch.setenv("TLNOTES_TIMEOUT", "1")
    path = kb.record("g", ODD)
    assert main(["update", "--dir", str(kb.root), "--write"]) == 1
    assert "127.0.0.1:9" in capsys.readouterr().err and path.read_text() == ODD


def test_cache_serves_offline_and_a_corrupt_cache_is_ignored(kbu, monkeypatch, capsys):
    path = kbu.record("g", ODD)
    assert run(kbu) == 0
    cache = kbu.root / ".tlnotes" / "update-cache.json"
    assert HAYSTACK in cache.read_text()
    calls = len(FakeAPIs.requests)
    monkeypatch.setenv("TLNOTES_ARXIV_API", "http://127.0.0.1:9/api/query")  # the network is gone
    assert run(kbu, "--offline", "--write") == 0
    assert len(FakeAPIs.requests) == calls and "Matthew Pauly" in path.read_text()
    for junk in [
        "{not json",
        "[]",
        '{"entries": {"arxiv:2305.01610": 5}}',
        '{"entries": {"arxiv:2305.01610": {"expires": 1e20, "record": 3}}}',
    ]:
        cache.write_text(junk)
        kbu.record("h", ODD.replace("Gurnee\n", "Nanda\n").replace("Finding", "Finding"))
        (kbu.root / "papers" / "g.yaml").unlink(missing_ok=True)
        assert run(kbu, "--offline") == 0  # nothing cached: nothing to do offline, no traceback
    capsys.readouterr()


def test_offline_without_cache_says_so(kbu, capsys):
    kbu.record("g", ODD)
    assert run(kbu, "--offline") == 0
    assert "not cached" in capsys.readouterr().err
    assert FakeAPIs.requests == []
