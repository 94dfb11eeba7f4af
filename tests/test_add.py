"""`tlnotes add`: against local fake arXiv and Crossref APIs serving the project's fixtures."""

from __future__ import annotations

import http.server
import json
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import yaml

from tests.conftest import VALID
from tlnotes import load
from tlnotes.sources import RateLimit, SourceError, fetch_arxiv, parse_ref

API = Path(__file__).parent / "fixtures" / "api"
FEED_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n  <title>arXiv Query</title>\n'
SLOW = "2000.00777"  # never answers in time
BROKEN = "2000.00500"  # server error
LIMITED = "2000.00429"  # rate limited


class FakeAPIs(http.server.BaseHTTPRequestHandler):
    """arXiv at /api/query, Crossref at /works/<doi>; records every request."""

    requests: list[dict] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        FakeAPIs.requests.append(
            {"path": url.path, "query": parse_qs(url.query), "at": time.monotonic(), "agent": self.headers.get("User-Agent", "")}
        )
        if url.path == "/api/query":
            ids = parse_qs(url.query).get("id_list", [""])[0].split(",")
            if SLOW in ids:
                time.sleep(3)
                return self._send(200, b"", "application/atom+xml")
            if BROKEN in ids:
                return self._send(500, b"internal error", "text/plain")
            if LIMITED in ids:
                return self._send(429, b"slow down", "text/plain", {"Retry-After": "30"})
            entries = []
            for aid in ids:
                f = API / "arxiv" / (aid.split("v")[0].replace("/", "_") + ".xml")
                if f.exists():
                    entries.append(f.read_text())
            return self._send(200, (FEED_HEAD + "".join(entries) + "</feed>\n").encode(), "application/atom+xml")
        if url.path.startswith("/works/"):
            doi = unquote(url.path[len("/works/") :])
            f = API / "crossref" / (doi.replace("/", "_") + ".json")
            if f.exists():
                return self._send(200, f.read_bytes(), "application/json")
            return self._send(404, b"Resource not found.", "text/plain")
        self._send(404, b"", "text/plain")

    def _send(self, code, body, ctype, headers=None):
        try:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture(scope="module")
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeAPIs)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.fixture
def apis(server, monkeypatch):
    monkeypatch.setenv("TLNOTES_ARXIV_API", server + "/api/query")
    monkeypatch.setenv("TLNOTES_CROSSREF_API", server)
    monkeypatch.setenv("TLNOTES_TIMEOUT", "1")
    monkeypatch.delenv("TLNOTES_CONTACT", raising=False)
    FakeAPIs.requests.clear()
    return FakeAPIs.requests


def papers(kb):
    return sorted(p.name for p in (kb.root / "papers").iterdir())


@pytest.mark.parametrize(
    "text, kind, ident",
    [
        ("arxiv:2305.01610", "arxiv", "2305.01610"),
        ("2305.01610", "arxiv", "2305.01610"),
        ("2305.01610v2", "arxiv", "2305.01610"),
        ("https://arxiv.org/abs/2305.01610", "arxiv", "2305.01610"),
        ("https://arxiv.org/abs/2305.01610v3", "arxiv", "2305.01610"),
        ("https://arxiv.org/pdf/2305.01610v1.pdf", "arxiv", "2305.01610"),
        ("http://arxiv.org/pdf/2305.01610", "arxiv", "2305.01610"),
        ("arXiv:hep-th/9901001v2", "arxiv", "hep-th/9901001"),
        ("doi:10.1038/nature14539", "doi", "10.1038/nature14539"),
        ("https://doi.org/10.1038/nature14539", "doi", "10.1038/nature14539"),
        ("http://dx.doi.org/10.1038/nature14539", "doi", "10.1038/nature14539"),
    ],
)
def test_refs(text, kind, ident):
    ref = parse_ref(text)
    assert (ref.kind, ref.id) == (kind, ident)


@pytest.mark.parametrize(
    "text", ["", "nature14539", "arxiv:12345", "https://example.org/abs/2305.01610", "doi:nature", "10.1038/x"]
)
def test_malformed_refs(text):
    with pytest.raises(SourceError, match="not a paper reference"):
        parse_ref(text)


def test_add_arxiv_writes_a_checked_record(kb, run, apis):
    r = run(
        "add", "arxiv:2305.01610", "--topic", "attention", "--summary", "Probes single neurons for features.", "--dir", kb.root
    )
    assert r.code == 0, r.err
    path = kb.root / "papers" / "gurnee2023finding.yaml"
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=../schema/paper.schema.json\n")
    data = yaml.safe_load(text)
    assert list(data) == ["title", "authors", "year", "topics", "summary", "links", "category", "added", "notes"]
    assert data["category"] == "cs.LG"
    assert data["title"] == "Finding Neurons in a Haystack: Case Studies with Sparse Probing"
    assert data["authors"] == ["Wes Gurnee", "Neel Nanda", "Matthew Pauly"]
    assert data["year"] == 2023 and data["links"] == {"arxiv": "2305.01610"}
    assert data["notes"].startswith("Abstract: Despite rapid adoption")
    assert load(kb.root).problems == []
    assert len(apis) == 1 and apis[0]["query"]["id_list"] == ["2305.01610"]
    assert not [p for p in (kb.root / "papers").iterdir() if p.name.startswith(".")]  # no temp files left


def test_no_abstract_and_key_option(kb, run, apis):
    r = run(
        "add", "2305.01610v2", "--topic", "attention", "--summary", "x", "--key", "haystack", "--no-abstract", "--dir", kb.root
    )
    assert r.code == 0, r.err
    data = yaml.safe_load((kb.root / "papers" / "haystack.yaml").read_text())
    assert "notes" not in data


def test_without_topic_and_summary_written_and_check_says_what_to_fill(kb, run, apis):
    assert run("add", "https://arxiv.org/pdf/2305.01610v1.pdf", "--dir", kb.root).code == 0
    codes = {p.code for p in load(kb.root).problems if p.file == "papers/gurnee2023finding.yaml"}
    assert {"missing-field", "no-summary"} <= codes


def test_several_refs_one_batched_call(kb, run, apis):
    r = run(
        "add",
        "2305.01610",
        "arxiv:2101.00001",
        "https://arxiv.org/abs/2202.00002v3",
        "2303.00003",
        "hep-th/9901001",
        "--topic",
        "attention",
        "--summary",
        "s",
        "--dir",
        kb.root,
    )
    assert r.code == 0, r.err
    arxiv_calls = [q for q in apis if q["path"] == "/api/query"]
    assert len(arxiv_calls) == 1
    assert arxiv_calls[0]["query"]["id_list"] == ["2305.01610,2101.00001,2202.00002,2303.00003,hep-th/9901001"]
    recs = {p.stem: yaml.safe_load(p.read_text()) for p in (kb.root / "papers").glob("*.yaml")}
    many = recs["number12021paper"]
    assert len(many["authors"]) == 60 and many["authors"][0] == "Author Number1"
    names = recs["kaiser2022names"]
    assert names["authors"] == ["Łukasz Kaiser", "Gaël Varoquaux", "Baptiste Rozière", "李飞飞"]
    assert names["links"] == {"arxiv": "2202.00002", "doi": "10.1000/names.2022"}
    assert recs["lovelace2023title"]["title"] == "A Title That Was Broken Over Several Lines"
    assert recs["lovelace2023title"]["authors"] == ["Ada Lovelace"]
    assert recs["public1999old"]["links"] == {"arxiv": "hep-th/9901001"}
    assert load(kb.root).problems == []


def test_batches_respect_the_rate_limit(apis, monkeypatch):
    import tlnotes.sources as sources

    monkeypatch.setattr(sources, "ARXIV_BATCH", 2)
    got = fetch_arxiv(["2305.01610", "2101.00001", "2202.00002", "2303.00003"], limiter=RateLimit(0.5))
    assert set(got) == {"2305.01610", "2101.00001", "2202.00002", "2303.00003"}
    starts = [q["at"] for q in apis]
    assert len(starts) == 2 and starts[1] - starts[0] >= 0.45  # as seen by the server


def test_add_doi_from_crossref_with_polite_user_agent(kb, run, apis, monkeypatch):
    monkeypatch.setenv("TLNOTES_CONTACT", "curator@example.org")
    r = run("add", "doi:10.1038/nature14539", "--topic", "attention", "--summary", "A review.", "--dir", kb.root)
    assert r.code == 0, r.err
    data = yaml.safe_load((kb.root / "papers" / "lecun2015deep.yaml").read_text())
    assert data["authors"] == ["Yann LeCun", "Yoshua Bengio", "Geoffrey Hinton"] and data["venue"] == "Nature"
    assert data["year"] == 2015 and data["links"] == {"doi": "10.1038/nature14539"}
    assert apis[0]["path"] == "/works/10.1038%2Fnature14539" and "mailto:curator@example.org" in apis[0]["agent"]


def test_doi_url_and_organisation_author(kb, run, apis):
    assert run("add", "https://doi.org/10.5555/consortium", "--topic", "attention", "--summary", "s", "--dir", kb.root).code == 0
    data = yaml.safe_load((kb.root / "papers" / "theexampleconsortium2020report.yaml").read_text())
    assert data["title"] == "A Report by a Consortium" and data["authors"] == ["The Example Consortium"]


@pytest.mark.parametrize(
    "ref, message",
    [
        ("2000.09999", "arXiv knows no paper with this id"),
        ("doi:10.9999/missing", "Crossref knows no paper with this id"),
        (BROKEN, "HTTP 500"),
        (LIMITED, "HTTP 429, retry after 30"),
        (SLOW, "no answer within 1 s"),
        ("not-a-ref", "not a paper reference"),
    ],
)
def test_failures_write_nothing(kb, run, apis, ref, message):
    r = run("add", ref, "--topic", "attention", "--summary", "s", "--dir", kb.root)
    assert r.code == 1 and message in r.err and "Traceback" not in r.err
    assert papers(kb) == []


def test_connection_refused(kb, run, apis, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("TLNOTES_ARXIV_API", f"http://127.0.0.1:{port}/api/query")
    r = run("add", "2305.01610", "--dir", kb.root)
    assert r.code == 1 and "cannot connect" in r.err and papers(kb) == []


def test_one_bad_ref_among_several_writes_nothing(kb, run, apis):
    r = run("add", "2305.01610", "2000.09999", "--topic", "attention", "--summary", "s", "--dir", kb.root)
    assert r.code == 1 and papers(kb) == []


@pytest.mark.parametrize("ref", ["2305.01610v3", "https://arxiv.org/abs/2305.01610"])
def test_same_arxiv_id_in_any_version_refused_before_fetching(kb, run, apis, ref):
    kb.record("mine", VALID.replace('arxiv: "1706.03762"', 'arxiv: "2305.01610"'))
    r = run("add", ref, "--dir", kb.root)
    assert r.code == 1 and "already in the knowledge base as papers/mine.yaml" in r.err
    assert papers(kb) == ["mine.yaml"] and apis == []


def test_same_title_refused_after_fetching(kb, run, apis):
    kb.record(
        "mine", VALID.replace("Attention Is All You Need", '"Finding neurons in a haystack: case studies with sparse probing"')
    )
    assert "mine" in load(kb.root).papers
    r = run("add", "2305.01610", "--dir", kb.root)
    assert r.code == 1 and "papers/mine.yaml" in r.err and papers(kb) == ["mine.yaml"]


def test_existing_key_never_overwritten(kb, run, apis):
    path = kb.record("taken", "title: [broken")
    r = run("add", "2305.01610", "--key", "taken", "--dir", kb.root)
    assert r.code == 1 and "already exists" in r.err and path.read_text() == "title: [broken"


def test_unknown_topic_refused(kb, run, apis):
    r = run("add", "2305.01610", "--topic", "attenton", "--dir", kb.root)
    assert r.code == 1 and "closest is `attention`" in r.err and papers(kb) == [] and apis == []


def test_arxiv_error_entry_for_malformed_ids_is_not_a_paper():
    from tlnotes.sources import parse_arxiv_feed

    feed = (
        FEED_HEAD + "<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id><title>Error</title>"
        "<summary>incorrect id format for 1234</summary></entry></feed>"
    ).encode()
    assert parse_arxiv_feed(feed) == {}
    with pytest.raises(SourceError, match="not valid Atom"):
        parse_arxiv_feed(b"<feed><unclosed>")


def test_crossref_json_garbage(kb, run, server, monkeypatch, tmp_path):
    monkeypatch.setenv("TLNOTES_CROSSREF_API", server + "/api/query?x=")  # answers with Atom, not JSON
    monkeypatch.setenv("TLNOTES_TIMEOUT", "1")
    r = run("add", "doi:10.1038/nature14539", "--dir", kb.root)
    assert r.code == 1 and papers(kb) == []
    _ = json  # the module is used by the fake server's fixtures


def test_unicode_stays_readable_in_the_written_file(kb, run, apis):
    assert run("add", "2202.00002", "--topic", "attention", "--summary", "s", "--dir", kb.root).code == 0
    text = (kb.root / "papers" / "kaiser2022names.yaml").read_text(encoding="utf-8")
    assert '"Łukasz Kaiser"' in text and '"李飞飞"' in text and "\\u" not in text
