"""Metadata from the source for `import notes` and `import bibtex`: local fake arXiv and Crossref servers only."""

from __future__ import annotations

import socket
import time

import pytest
import yaml

from tests import test_add
from tests.test_add import BROKEN, LIMITED, SLOW
from tlnotes import load, records
from tlnotes.records import NewRecord

server, apis = test_add.server, test_add.apis  # the fake arXiv and Crossref of test_add, as fixtures here

PAGE = """\
# Probing

- [Sparse probing neurons](https://arxiv.org/abs/2305.01610) (gurnee et al., 2022) - finds single neurons
- [A Paper With Sixty Authors](https://arxiv.org/abs/2101.00001) (Number1 et al., 2021) - many hands
- [Names From Everywhere](https://arxiv.org/abs/2202.00002v2) (Kaiser, 2022)
- [A title that was broken over several lines](https://arxiv.org/pdf/2303.00003) (Lovelace 2023) - broken title
- [Deep learning](https://doi.org/10.1038/nature14539) (LeCun et al., 2015) - the review
"""


def write_page(tmp_path, text=PAGE, name="probing.md"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def recs(kb):
    return {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in (kb.root / "papers").glob("*.yaml")}


def arxiv_calls(requests):
    return [q for q in requests if q["path"] == "/api/query"]


def refused_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def lack_lines(err):
    return [line for line in err.splitlines() if "lack metadata" in line]


def test_one_batched_call_and_the_source_wins(kb, run, apis, tmp_path):
    r = run("import", "notes", write_page(tmp_path), "--dir", kb.root)
    assert r.code == 0, r.err
    calls = arxiv_calls(apis)
    assert len(calls) == 1
    assert sorted(calls[0]["query"]["id_list"][0].split(",")) == sorted(["2305.01610", "2101.00001", "2202.00002", "2303.00003"])
    assert [q["path"] for q in apis if q["path"].startswith("/works/")] == ["/works/10.1038%2Fnature14539"]
    got = recs(kb)
    neurons = got["gurnee2023finding"]
    assert neurons["title"] == "Finding Neurons in a Haystack: Case Studies with Sparse Probing"
    assert neurons["year"] == 2023 and neurons["authors"][:2] == ["Wes Gurnee", "Neel Nanda"]
    assert neurons["summary"] == ["finds single neurons"]  # the line's own words
    assert "Cited in the source notes as" in neurons["notes"] and "Sparse probing neurons" in neurons["notes"]
    assert neurons["category"]
    assert len(got["number12021paper"]["authors"]) == 60
    assert got["lovelace2023title"]["title"] == "A Title That Was Broken Over Several Lines"
    assert "Cited in the source notes as" not in (got["lovelace2023title"].get("notes") or "")  # same title, case aside
    assert got["kaiser2022names"]["links"]["doi"] == "10.1000/names.2022"
    lecun = got["lecun2015deep"]
    assert lecun["venue"] == "Nature" and lecun["authors"] == ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"]
    note = (kb.root / "notes" / "probing.md").read_text(encoding="utf-8")
    for key in got:
        assert f"[@{key}]" in note
    assert not [p for p in load(kb.root).problems if p.severity == "error"]
    assert lack_lines(r.err) == []


@pytest.mark.parametrize(
    "arxiv, crossref, lacking",
    [
        (BROKEN, None, 4),  # arXiv answers HTTP 500
        (LIMITED, None, 4),  # arXiv answers HTTP 429
        (SLOW, None, 4),  # arXiv never answers within TLNOTES_TIMEOUT
        ("refused", None, 4),  # nothing listens
        (None, "refused", 1),  # arXiv fine, Crossref unreachable
        ("refused", "refused", 5),  # no network at all
    ],
)
def test_failing_sources_import_from_the_lines(kb, run, apis, server, monkeypatch, tmp_path, arxiv, crossref, lacking):
    text = PAGE
    if arxiv in (BROKEN, LIMITED, SLOW):  # the fake server fails the whole batch that holds this id
        text += f"- [Failing paper](https://arxiv.org/abs/{arxiv}) (Doe, 2020)\n"
        lacking += 1
    elif arxiv == "refused":
        monkeypatch.setenv("TLNOTES_ARXIV_API", refused_url() + "/api/query")
    if crossref == "refused":
        monkeypatch.setenv("TLNOTES_CROSSREF_API", refused_url())
    start = time.monotonic()
    r = run("import", "notes", write_page(tmp_path, text), "--dir", kb.root)
    assert time.monotonic() - start < 30  # a hang, not a timing test
    assert r.code == 0, r.err
    assert "Traceback" not in r.err
    lines = lack_lines(r.err)
    assert len(lines) == 1 and f"{lacking} records lack metadata" in lines[0], r.err
    got = recs(kb)
    assert len(got) == 5 + (arxiv in (BROKEN, LIMITED, SLOW))
    if arxiv:  # from the line alone
        assert got["gurnee2023sparse"]["title"] == "Sparse probing neurons"
        assert got["gurnee2023sparse"]["summary"] == ["finds single neurons"]
    else:
        assert "gurnee2023finding" in got
    assert not [p for p in load(kb.root).problems if p.severity == "error"]


def test_offline_makes_no_request(kb, run, apis, tmp_path):
    r = run("import", "notes", write_page(tmp_path), "--offline", "--dir", kb.root)
    assert r.code == 0, r.err
    assert apis == []
    got = recs(kb)
    assert set(got) >= {"gurnee2023sparse", "lecun2015deep"} and got["lecun2015deep"].get("venue") is None
    assert lack_lines(r.err) == []  # offline was asked for: nothing to apologise for


def test_dry_run_looks_up_but_writes_nothing(kb, run, apis, tmp_path):
    r = run("import", "notes", write_page(tmp_path), "--dry-run", "--dir", kb.root)
    assert r.code == 0, r.err
    assert "would write papers/gurnee2023finding.yaml" in r.out
    assert recs(kb) == {}


def test_duplicates_found_only_after_the_look_up(kb, run, apis, tmp_path):
    kb.record(
        "names",
        """\
title: Some Other Wording Of Names
authors: [Łukasz Kaiser]
year: 2022
topics: [attention]
summary: [s]
links:
  doi: "10.1000/names.2022"
""",
    )
    kb.record(
        "sixty",
        """\
title: A paper with sixty authors
authors: [Author Number1]
year: 2021
topics: [attention]
summary: [s]
""",
    )
    text = PAGE + "- [Neurons again, under another name](https://arxiv.org/abs/2305.01610v1) (Gurnee, 2023)\n"
    text = text.replace("[A Paper With Sixty Authors]", "[Sixty people wrote it]")
    r = run("import", "notes", write_page(tmp_path, text), "--dir", kb.root)
    assert r.code == 0, r.err
    got = recs(kb)
    assert set(got) == {"names", "sixty", "gurnee2023finding", "lovelace2023title", "lecun2015deep"}
    assert "already in the knowledge base as papers/names.yaml" in r.err
    assert "already in the knowledge base as papers/sixty.yaml" in r.err
    note = (kb.root / "notes" / "probing.md").read_text(encoding="utf-8")
    assert "[@names]" in note and "[@sixty]" in note  # the note cites the records the KB has
    assert not [p for p in load(kb.root).problems if p.severity == "error"]


def test_same_paper_by_arxiv_id_and_doi_in_one_page_becomes_one_record(kb, run, apis, tmp_path):
    text = "# Names\n\n- [Names](https://arxiv.org/abs/2202.00002) (Kaiser, 2022) - first\n"
    text += "- [Names From Everywhere](https://doi.org/10.1000/names.2022) (Kaiser et al., 2022) - second\n"
    r = run("import", "notes", write_page(tmp_path, text, "names.md"), "--dir", kb.root)
    assert r.code == 0, r.err
    got = recs(kb)
    assert list(got) == ["kaiser2022names"]
    note = (kb.root / "notes" / "names.md").read_text(encoding="utf-8")
    assert note.count("[@kaiser2022names]") == 2


# ---------------------------------------------------------------- records.enrich itself


def test_enrich_fills_what_the_line_could_not_tell():
    calls = []

    def fetch_arxiv(ids):
        calls.append(list(ids))
        return {i: NewRecord(f"Paper {i}", ["Ada Lovelace"], 2020, {"arxiv": i}, category="cs.LG") for i in ids}

    recs_ = [NewRecord("grad-cam++", [], None, {"arxiv": f"2001.{n:05d}"}, "a gradient method", 3) for n in range(250)]
    report = records.enrich(recs_, fetch_arxiv=fetch_arxiv, fetch_doi=lambda doi: None)
    assert len(calls) == 1 and len(calls[0]) == 250  # sources.fetch_arxiv batches per 100 under one rate limit
    assert all(r.year == 2020 and r.authors == ["Ada Lovelace"] and r.rest == "a gradient method" for r in recs_)
    assert recs_[0].category == "cs.LG" and report.lacking == 0


def test_enrich_batches_against_the_server(apis, monkeypatch):
    import tlnotes.sources as sources

    monkeypatch.setattr(sources, "ARXIV_BATCH", 2)
    monkeypatch.setattr(sources, "ARXIV_INTERVAL", 0.2)
    ids = ["2305.01610", "2101.00001", "2202.00002", "2303.00003", "hep-th/9901001"]
    recs_ = [NewRecord("x", [], None, {"arxiv": i}) for i in ids]
    report = records.enrich(recs_)
    assert len(arxiv_calls(apis)) == 3 and report.lacking == 0
    assert all(r.year and r.authors for r in recs_)


def test_same_id_twice_is_asked_once():
    calls = []

    def fetch_arxiv(ids):
        calls.append(list(ids))
        return {}

    recs_ = [NewRecord("a", [], None, {"arxiv": "2001.00001"}), NewRecord("b", [], None, {"arxiv": "2001.00001"})]
    report = records.enrich(recs_, fetch_arxiv=fetch_arxiv, fetch_doi=lambda d: None)
    assert calls == [["2001.00001"]] and report.lacking == 2  # the source knows neither


def test_no_year_after_enrichment_is_skipped_with_its_line(kb):
    recs_ = {
        "anonNonegrad": NewRecord("grad-cam++", [], None, {"arxiv": "1710.11063"}, "", 7),
        "doe2020kept": NewRecord("Kept paper", ["Jane Doe"], 2020, {}, "", 8, topics=["attention"], summary=["s"]),
    }
    report = records.enrich(list(recs_.values()), offline=True)
    assert report.offline and report.line() is None
    done = records.finalize(recs_, kb.load())
    assert list(done.papers) == ["doe2020kept"]
    assert done.skipped == [(7, "'grad-cam++' skipped: no year (run without --offline, or add it by hand)")]
    assert done.renamed["anonNonegrad"] is None


def test_a_source_answer_that_is_not_a_paper_does_not_stop_the_others():
    def fetch_doi(doi):
        if doi == "10.1/bad":
            raise records_source_error("Crossref: the record of 10.1/bad lacks a title, authors or a year")
        return NewRecord("Good", ["A B"], 2019, {"doi": doi}, venue="J")

    recs_ = [NewRecord("x", ["Q"], 2018, {"doi": "10.1/bad"}), NewRecord("y", ["Q"], 2018, {"doi": "10.1/good"})]
    report = records.enrich(recs_, fetch_arxiv=lambda ids: {}, fetch_doi=fetch_doi)
    assert recs_[1].venue == "J" and recs_[1].title == "Good" and report.lacking == 1


def records_source_error(message):
    from tlnotes.sources import SourceError

    return SourceError(message)


# ---------------------------------------------------------------- import bibtex

BIB = """\
@article{noauthor,
  title = {Sparse probing},
  year = {2023},
  eprint = {2305.01610},
  archivePrefix = {arXiv},
}
@article{others,
  title = {Deep learning},
  author = {others},
  journal = {Nature},
  year = {2015},
  doi = {10.1038/nature14539},
}
@misc{noyear,
  title = {Names},
  url = {https://arxiv.org/abs/2202.00002},
}
@misc{nothing,
  title = {A paper nobody can find},
  year = {2020},
}
@article{complete,
  title = {Complete already},
  author = {Doe, Jane},
  year = {2019},
  eprint = {2303.00003},
}
"""


def test_bibtex_entries_without_authors_are_completed(kb, run, apis, tmp_path):
    bib = tmp_path / "lib.bib"
    bib.write_text(BIB, encoding="utf-8")
    r = run("import", "bibtex", bib, "--topic", "attention", "--dir", kb.root)
    assert r.code == 0, r.err
    got = recs(kb)
    assert got["gurnee2023finding"]["authors"][:2] == ["Wes Gurnee", "Neel Nanda"]
    assert got["lecun2015deep"]["authors"] == ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"]
    assert got["kaiser2022names"]["year"] == 2022
    assert "'nothing' skipped: no authors" in r.err
    # an entry that has its authors is left to its own metadata: only incomplete entries are looked up
    assert got["doe2019complete"]["title"] == "Complete already"
    ids = arxiv_calls(apis)[0]["query"]["id_list"][0].split(",")
    assert sorted(ids) == ["2202.00002", "2305.01610"]
    assert not [p for p in load(kb.root).problems if p.severity == "error"]


def test_bibtex_offline_and_unreachable(kb, run, apis, monkeypatch, tmp_path):
    bib = tmp_path / "lib.bib"
    bib.write_text(BIB, encoding="utf-8")
    r = run("import", "bibtex", bib, "--topic", "attention", "--offline", "--dir", kb.root, "--dry-run")
    assert apis == [] and "Traceback" not in r.err
    assert "'Names' skipped: no year (run without --offline, or add it by hand)" in r.err
    monkeypatch.setenv("TLNOTES_ARXIV_API", refused_url() + "/api/query")
    monkeypatch.setenv("TLNOTES_CROSSREF_API", refused_url())
    r = run("import", "bibtex", bib, "--topic", "attention", "--dir", kb.root)
    assert "Traceback" not in r.err
    assert len(lack_lines(r.err)) == 1 and "3 records lack metadata" in r.err
    assert "doe2019complete" in recs(kb)


def test_citations_follow_the_final_keys():
    renamed = {"anon2020grad": "selvaraju2018grad", "anonx": None, "anony": None}
    urls = {"anonx": "https://arxiv.org/abs/1710.11063", "anony": None}
    text = "- Grad [@anon2020grad]\n- X [@anonx]\n- Y [@anony]\n- Z [@kept; @anonx]\n- `[@anonx]` in code"
    assert records.recite(text, renamed, urls) == (
        "- Grad [@selvaraju2018grad]\n- X <https://arxiv.org/abs/1710.11063>\n- Y \n"
        "- Z [@kept] <https://arxiv.org/abs/1710.11063>\n- `[@anonx]` in code"
    )
