"""`tlnotes update`: completing records in place, against the local fake APIs of test_add."""

from __future__ import annotations

import http.server
import json
import threading
import time
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tests.test_add import API, FEED_HEAD, FakeAPIs
from tlnotes import sources
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


FAIL, SILENT = "Fails", "Silent"  # in a searched title or a DOI: HTTP 500, or no answer in time


class UpdateAPIs(FakeAPIs):
    """test_add's arXiv and Crossref, plus the searches by title and OpenAlex at /openalex/works."""

    def do_GET(self):
        url = urlsplit(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        searched = q.get("search_query") or q.get("query.title") or q.get("filter") or unquote(url.path)
        if "search_query" in q or "query.title" in q or url.path.startswith("/openalex/") or "10.5555/" in searched:
            FakeAPIs.requests.append({"path": url.path, "query": q, "at": time.monotonic()})
            if FAIL.lower() in searched.lower():
                return self._send(500, b"internal error", "text/plain")
            if SILENT.lower() in searched.lower():
                time.sleep(3)
                return self._send(200, b"", "text/plain")
        if "search_query" in q:  # every paper the fixtures know: the client must pick the exact title
            entries = "".join(f.read_text() for f in sorted((API / "arxiv").glob("*.xml")))
            return self._send(200, (FEED_HEAD + entries + "</feed>\n").encode(), "application/atom+xml")
        if url.path == "/works" and "query.title" in q:
            items = [json.loads(f.read_text())["message"] for f in sorted((API / "crossref").glob("*.json"))]
            items.append({"DOI": "10.9999/near", "title": ["Deep learning in neural networks: an overview"]})
            return self._send(200, json.dumps({"message": {"items": items}}).encode(), "application/json")
        if url.path == "/openalex/works":
            doi = q.get("filter", "").removeprefix("doi:").lower()
            f = API / "openalex" / (doi.replace("/", "_") + ".json")
            body = f.read_bytes() if f.exists() else b'{"meta": {"count": 0}, "results": []}'
            return self._send(200, body, "application/json")
        return super().do_GET()


@pytest.fixture(scope="module")
def update_server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), UpdateAPIs)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.fixture
def kbu(kb, update_server, monkeypatch):
    monkeypatch.setenv("TLNOTES_ARXIV_API", update_server + "/api/query")
    monkeypatch.setenv("TLNOTES_CROSSREF_API", update_server)
    monkeypatch.setenv("TLNOTES_OPENALEX_API", update_server + "/openalex")
    monkeypatch.setenv("TLNOTES_TIMEOUT", "1")
    monkeypatch.setattr(sources, "ARXIV_INTERVAL", 0.2)
    FakeAPIs.requests.clear()
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
    # OpenAlex: published in 2024, a year after the preprint
    expected = expected.replace("year: 2023\n", 'year: 2024\nvenue: "Transactions on Machine Learning Research"\n')
    assert after == expected
    # the key still says 2023: check suggests `tlnotes rename`, and nothing else
    assert [p.code for p in kbu.load().problems] == ["key-year"]
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


# ---------------------------------------------------------------- DOI records: authors from Crossref

DEEP = "title: Deep learning\n{authors}year: 2015\ntopics: [attention]\nsummary: [x]\nvenue: Nature\nlinks:\n  doi: {doi}\n"
LECUN = ("Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton")


@pytest.mark.parametrize(
    "authors",
    ["authors: [LeCun, others]\n", "authors: [LeCun, Bengio, Hinton]\n", "authors: []\n", "", "authors: [Yann LeCun, others]\n"],
)
def test_doi_records_get_their_authors_from_crossref(kbu, authors):
    path = kbu.record("lecun", DEEP.format(authors=authors, doi="10.1038/nature14539"))
    assert run(kbu, "--write") == 0
    assert kbu.load().papers["lecun"].authors == LECUN
    assert path.read_text().startswith("title: Deep learning\n") and "venue: Nature\n" in path.read_text()
    assert any(unquote(r["path"]) == "/works/10.1038/nature14539" for r in FakeAPIs.requests)


@pytest.mark.parametrize("title", ["Shallow learning", "Deep learning revisited", "Learning, deep"])
def test_doi_title_mismatch_is_reported(kbu, capsys, title):
    path = kbu.record(
        "lecun", DEEP.format(authors="authors: [LeCun, others]\n", doi="10.1038/nature14539").replace("Deep learning", title)
    )
    before = path.read_bytes()
    assert run(kbu, "--write") == 1
    err = capsys.readouterr().err
    assert "mismatch" in err and "10.1038/nature14539" in err and "papers/lecun.yaml" in err
    assert path.read_bytes() == before


@pytest.mark.parametrize("doi", ["10.5555/Fails", "10.5555/Silent"])
def test_failing_crossref_writes_nothing(kbu, capsys, doi):
    ok = kbu.record("g", ODD)
    bad = kbu.record("lecun", DEEP.format(authors="authors: [LeCun, others]\n", doi=doi))
    before = ok.read_bytes(), bad.read_bytes()
    assert run(kbu, "--write") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "http://127.0.0.1:" in err[0] and "Crossref" in err[0]
    assert (ok.read_bytes(), bad.read_bytes()) == before


def test_a_doi_crossref_does_not_know_is_left_alone(kbu, capsys):
    path = kbu.record("lecun", DEEP.format(authors="authors: [LeCun, others]\n", doi="10.1234/unknown"))
    before = path.read_bytes()
    assert run(kbu, "--write") == 0
    assert path.read_bytes() == before and "10.1234/unknown" in capsys.readouterr().err


# ---------------------------------------------------------------- a missing arXiv id or DOI, by exact title


def noid(title: str, authors: str = "") -> str:
    return f"title: {json.dumps(title, ensure_ascii=False)}\n{authors}year: 2023\ntopics: [attention]\nsummary: [x]\n"


@pytest.mark.parametrize(
    "title, authors",
    [
        ("Finding Neurons in a Haystack: Case Studies with Sparse Probing", "authors: [Gurnee, others]\n"),
        ("finding neurons in a HAYSTACK — case studies with sparse probing!", "authors: [Wes Gurnee, others]\n"),
        ("Finding Neurons in a Haystack: case studies with sparse probing", ""),
    ],
)
def test_a_missing_arxiv_id_is_found_by_exact_title(kbu, title, authors):
    path = kbu.record("g", noid(title, authors))
    assert run(kbu, "--write") == 0
    p = kbu.load().papers["g"]
    assert p.links.get("arxiv") == HAYSTACK and p.authors == ("Wes Gurnee", "Neel Nanda", "Matthew Pauly")
    assert p.category == "cs.LG" and path.read_text().startswith(noid(title)[:20])
    searches = [r for r in FakeAPIs.requests if "search_query" in r["query"]]
    assert len(searches) == 1 and searches[0]["query"]["search_query"].startswith('ti:"')


@pytest.mark.parametrize(
    "title, authors",
    [
        ("Finding Neurons in a Haystack", "authors: [Gurnee]\n"),  # a prefix is another paper
        ("Finding Neurons in a Haystack: Case Studies with Sparse Probing", "authors: [Smith, others]\n"),  # other first author
        ("Finding Neurons in a Haystack: Case Studies with Sparse Probing", "authors: [Neel Nanda]\n"),  # second author first
        ("Neurons Finding in a Haystack: Case Studies with Sparse Probing", ""),
    ],
)
def test_a_near_title_or_another_first_author_finds_nothing(kbu, title, authors):
    path = kbu.record("g", noid(title, authors))
    before = path.read_bytes()
    assert run(kbu, "--write") == 0
    assert path.read_bytes() == before


def test_arxiv_searches_keep_the_interval(kbu):
    kbu.record("a", noid("Unknown Paper One"))
    kbu.record("b", noid("Unknown Paper Two"))
    kbu.record("c", noid("Unknown Paper Three"))
    assert run(kbu) == 0
    at = [r["at"] for r in FakeAPIs.requests if r["path"] == "/api/query"]
    assert len(at) == 3 and all(b - a >= sources.ARXIV_INTERVAL * 0.9 for a, b in zip(at, at[1:], strict=False))


@pytest.mark.parametrize("title", ["Deep learning", "DEEP LEARNING.", "deep-learning"])
def test_a_missing_doi_is_found_by_exact_title(kbu, title):
    kbu.record(
        "lecun",
        f"title: {title}\nauthors: [Yann LeCun, Yoshua Bengio, Geoffrey Hinton]\nyear: 2015\ntopics: [attention]\nvenue: Nature\n",
    )
    assert run(kbu, "--write") == 0
    assert kbu.load().papers["lecun"].links.get("doi") == "10.1038/nature14539"
    rows = [r["query"] for r in FakeAPIs.requests if "query.title" in r["query"]]
    assert rows and rows[0]["rows"] == "5"


@pytest.mark.parametrize("title", ["Deep learning in neural networks", "Deep", "Learning deep"])
def test_a_near_title_gets_no_doi(kbu, title):
    path = kbu.record("x", f"title: {title}\nauthors: [Someone Else]\nyear: 2015\ntopics: [attention]\nvenue: Nature\n")
    before = path.read_bytes()
    assert run(kbu, "--write") == 0 and path.read_bytes() == before


@pytest.mark.parametrize("title", ["Search Fails Here", "Search Silent Here"])
def test_failing_searches_write_nothing(kbu, capsys, title):
    ok = kbu.record("g", ODD)
    bad = kbu.record("x", noid(title, "authors: [Someone Else]\n"))
    before = ok.read_bytes(), bad.read_bytes()
    assert run(kbu, "--write") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "http://127.0.0.1:" in err[0] and "Traceback" not in err[0]
    assert (ok.read_bytes(), bad.read_bytes()) == before


# ---------------------------------------------------------------- the venue of the published version, from OpenAlex


def test_a_missing_venue_comes_from_openalex_with_a_later_year(kbu):
    path = kbu.record("g", ODD)
    assert run(kbu, "--write") == 0
    p = kbu.load().papers["g"]
    assert p.venue == "Transactions on Machine Learning Research" and p.year == 2024  # arXiv 2023, venue 2024
    assert path.read_text().startswith("# my own comment at the top\n")
    asked = [r["query"]["filter"] for r in FakeAPIs.requests if r["path"] == "/openalex/works"]
    assert asked == ["doi:10.48550/arXiv.2305.01610"]


@pytest.mark.parametrize("year, expected", [(2015, 2015), (2016, 2016), (2014, 2015)])
def test_a_doi_record_gets_its_venue_and_never_an_earlier_year(kbu, year, expected):
    kbu.record(
        "lecun",
        DEEP.format(authors="authors: [Yann LeCun, others]\n", doi="10.1038/nature14539")
        .replace("venue: Nature\n", "")
        .replace("2015", str(year)),
    )
    assert run(kbu, "--write") == 0
    p = kbu.load().papers["lecun"]
    assert p.venue == "Nature" and p.year == expected


@pytest.mark.parametrize("venue", ["Science", "NeurIPS"])
def test_a_different_venue_is_reported_not_replaced(kbu, capsys, venue):
    path = kbu.record(
        "lecun", DEEP.format(authors="authors: [Yann LeCun, others]\n", doi="10.1038/nature14539").replace("Nature", venue)
    )
    kbu.record("same", DEEP.format(authors="authors: [Yann LeCun, others]\n", doi="10.1038/nature14539"))
    assert run(kbu, "--write") == 0
    err = capsys.readouterr().err
    assert f"venue is '{venue}'" in err and "'Nature'" in err and "papers/same.yaml" not in err
    assert f"venue: {venue}\n" in path.read_text()


def test_a_preprint_only_gets_no_venue(kbu):
    path = kbu.record(
        "b",
        'title: Names From Everywhere\nauthors: [Someone Else, others]\nyear: 2022\ntopics: [attention]\nlinks: {arxiv: "2202.00002"}\ncategory: cs.CL\n',
    )
    assert run(kbu, "--write") == 0
    assert "venue" not in path.read_text()


@pytest.mark.parametrize("doi", ["10.5555/Fails", "10.5555/Silent"])
def test_failing_openalex_writes_nothing(kbu, capsys, doi):
    bad = kbu.record("x", f"title: Whatever\nauthors: [Someone Else]\nyear: 2015\ntopics: [attention]\nlinks: {{doi: '{doi}'}}\n")
    before = bad.read_bytes()
    assert run(kbu, "--write") == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "http://127.0.0.1:" in err[0]
    assert bad.read_bytes() == before


@pytest.mark.parametrize(
    "text",
    [
        "title: T\nyear: 2023\ntopics: [a]\n",  # authors inserted right where year is replaced
        "title: T\nyear: 2023\ntopics: [a]\nlinks: {arxiv: '2305.01610'}\n",
        "year: 2023\ntitle: T\ntopics: [a]\n",  # hand-made key order
        "title: T\nauthors: [X]\nyear: 2023  # c\ntopics: [a]\n",
    ],
)
def test_edit_of_neighbouring_fields_keeps_each_whole(text):
    import yaml

    from tlnotes.update import edit

    values = {"authors": ["A B", "C D"], "year": 2024, "venue": "V", "category": "cs.LG"}
    data = yaml.safe_load(edit(text, values))
    assert {k: data[k] for k in values} == values and data["title"] == "T" and data["topics"] == ["a"]
