"""Hostile and slow servers, hostile metadata and hostile disks for `add` and `links` (issue 10).

One local server plays every part: the path prefix says how it misbehaves
(`/drip-head/...` drips the status line and headers, `/bomb/...` answers with
a gzip bomb, ...), so the same server stands in for arXiv, Crossref, the DOI
handle API and plain links.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import http.server
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import KB, REPO
from tests.test_ids import HOSTILE_DOIS as ID_HOSTILE_DOIS
from tlnotes import cli, ids, links, load, schema
from tlnotes.records import NewRecord as Candidate
from tlnotes.records import make_key
from tlnotes.sources import SourceError, fetch_doi, parse_ref

DRIP = 0.2  # seconds between two bytes of a dripping server
BOMB = gzip.compress(b"\0" * (200 << 20), compresslevel=9)  # ~200 KB that inflates to 200 MB
ATOM_HEAD = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom">'
GOOD_ENTRY = (
    "<entry><id>http://arxiv.org/abs/{id}v1</id><published>2017-06-12T00:00:00Z</published>"
    "<title>A Good Title</title><author><name>Ada Lovelace</name></author></entry>"
)
GOOD_CROSSREF = {
    "message": {
        "title": ["A Good Title"],
        "author": [{"given": "Ada", "family": "Lovelace"}],
        "issued": {"date-parts": [[2020, 1, 1]]},
        "DOI": "10.1234/good",
    }
}


class Hostile(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: list[str] = []  # raw request paths, as the server received them
    payload: bytes = b"{}"  # what /json/... answers
    atom: bytes = b""  # what /atom/... answers
    delay: float = 0.0  # how long /atom/... waits before answering

    def log_message(self, *a):
        pass

    def do_HEAD(self):
        self.answer(head=True)

    def do_GET(self):
        self.answer(head=False)

    def raw(self, data: bytes, pause: float = 0.0):
        for i in range(len(data)) if pause else [None]:
            self.wfile.write(data if i is None else data[i : i + 1])
            self.wfile.flush()
            if pause:
                time.sleep(pause)

    def answer(self, head: bool):
        Hostile.seen.append(self.path)
        p = self.path
        try:
            if p.startswith("/drip-head"):
                self.close_connection = True
                return self.raw(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: "
                    + b"p" * 200
                    + b"\r\nContent-Length: 2\r\n\r\n{}",
                    DRIP,
                )
            if p.startswith("/drip-body"):
                self.close_connection = True
                self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
                return None if head else self.raw(b" " * 100000, DRIP)
            if p.startswith("/endless"):
                self.close_connection = True
                self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")
                while not head:
                    self.wfile.write(b" " * 65536)
                return None
            if p.startswith("/large"):  # 30 MB with a Content-Length, sent in pieces (the test measures memory)
                self.raw(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % (30 << 20))
                for _ in range(0 if head else 30 * 16):
                    self.wfile.write(b" " * 65536)
                return None
            if p.startswith("/bomb"):
                return self.send(200, BOMB, {"Content-Type": "application/json", "Content-Encoding": "gzip"}, head)
            if p.startswith("/json"):
                return self.send(200, Hostile.payload, {"Content-Type": "application/json"}, head)
            if p.startswith("/atom"):
                time.sleep(Hostile.delay)
                return self.send(200, Hostile.atom, {"Content-Type": "application/atom+xml"}, head)
            if p.startswith("/rec"):
                return self.send(404, b"{}", {"Content-Type": "application/json"}, head)
            return self.send(200, b"", {}, head)
        except (BrokenPipeError, ConnectionResetError, OSError):
            return None

    def send(self, code, body, headers, head):
        self.send_response(code)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)


@pytest.fixture(scope="module")
def base():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.fixture
def hostile(base, monkeypatch):
    monkeypatch.setenv("TLNOTES_TIMEOUT", "1")
    monkeypatch.delenv("TLNOTES_CONTACT", raising=False)
    Hostile.seen.clear()
    Hostile.payload = json.dumps(GOOD_CROSSREF).encode()
    Hostile.atom = (ATOM_HEAD + GOOD_ENTRY.format(id="2001.00001") + "</feed>").encode()
    Hostile.delay = 0.0
    return base


def papers(kb) -> list[str]:
    return sorted(p.name for p in (kb.root / "papers").iterdir()) if (kb.root / "papers").is_dir() else []


def timed(fn, *args):
    start = time.monotonic()
    out = fn(*args)
    return out, time.monotonic() - start


# ---------------------------------------------------------------- 1. a deadline for every request


@pytest.mark.parametrize("prefix", ["/drip-head", "/drip-body"])
@pytest.mark.parametrize("ref, api", [("2001.00001", "arxiv"), ("doi:10.1234/good", "crossref")])
def test_add_ends_at_the_deadline_against_a_dripping_server(kb, run, hostile, monkeypatch, prefix, ref, api):
    monkeypatch.setenv("TLNOTES_ARXIV_API", hostile + prefix + "/api/query")
    monkeypatch.setenv("TLNOTES_CROSSREF_API", hostile + prefix)
    r, took = timed(run, "add", ref, "--dir", kb.root)
    assert took < 1 + 2.0, took  # 1 s deadline, a generous margin; without one this takes a minute
    assert r.code == 1 and "within 1 s" in r.err and hostile + prefix in r.err and "Traceback" not in r.err
    assert papers(kb) == []


@pytest.mark.parametrize("prefix", ["/drip-head", "/drip-body"])
@pytest.mark.parametrize("what", ["url", "doi", "arxiv"])
def test_links_ends_at_the_deadline_against_a_dripping_server(kb, run, hostile, monkeypatch, prefix, what):
    monkeypatch.setenv("TLNOTES_ARXIV_API", hostile + prefix + "/api/query")
    monkeypatch.setenv("TLNOTES_DOI_API", hostile + prefix + "/handles")
    link = {"url": f'url: "{hostile}{prefix}/page"', "doi": 'doi: "10.1234/x"', "arxiv": 'arxiv: "2001.00001"'}[what]
    kb.record("a", f"title: A Paper\nauthors: [A B]\nyear: 2020\ntopics: [attention]\nsummary: [s]\nlinks:\n  {link}\n")
    r, took = timed(run, "links", kb.root, "--timeout", "1", "--retries", "0", "--no-cache", "--format", "json")
    assert took < 1 + 2.0, took
    (res,) = json.loads(r.out)
    if what == "url" and prefix == "/drip-body":
        assert res["class"] == "ok"  # the headers came in time, and the body is never read
    else:
        assert res["class"] == "transient" and "within 1 s" in res["message"], res


# ---------------------------------------------------------------- 2. bodies are streamed and capped


@pytest.mark.parametrize("prefix", ["/endless", "/large", "/bomb"])
@pytest.mark.parametrize("ref", ["2001.00001", "doi:10.1234/good"])
def test_add_refuses_huge_answers_without_holding_them(kb, run, hostile, monkeypatch, prefix, ref):
    monkeypatch.setenv("TLNOTES_TIMEOUT", "20")
    monkeypatch.setenv("TLNOTES_ARXIV_API", hostile + prefix + "/api/query")
    monkeypatch.setenv("TLNOTES_CROSSREF_API", hostile + prefix)
    tracemalloc.start()
    try:
        r = run("add", ref, "--dir", kb.root)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert r.code == 1 and "larger than" in r.err and hostile + prefix in r.err, r.err
    assert peak < 40 << 20, peak  # the cap is 10 MiB; the bomb inflates to 200 MB
    assert papers(kb) == []


@pytest.mark.parametrize("prefix", ["/endless", "/large", "/bomb"])
def test_links_caps_the_doi_answer_and_never_reads_plain_bodies(kb, run, hostile, monkeypatch, prefix):
    monkeypatch.setenv("TLNOTES_DOI_API", hostile + prefix + "/handles")
    kb.record(
        "a",
        f"title: A\nauthors: [A B]\nyear: 2020\ntopics: [attention]\nsummary: [s]\nlinks:\n"
        f'  url: "{hostile}{prefix}/page.pdf"\n  doi: "10.1234/x"\n',
    )
    tracemalloc.start()
    try:
        (r, took) = timed(run, "links", kb.root, "--timeout", "10", "--retries", "0", "--no-cache", "--format", "json")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    got = {d["url"]: d for d in json.loads(r.out)}
    assert got[f"{hostile}{prefix}/page.pdf"]["class"] == "ok"
    doi = got["https://doi.org/10.1234/x"]
    assert doi["class"] == "transient" and "larger than" in doi["message"], doi
    assert peak < 40 << 20 and took < 10


# ---------------------------------------------------------------- 3. answers of the wrong shape


def crossref(message) -> bytes:
    return json.dumps({"message": message}).encode()


GOOD = GOOD_CROSSREF["message"]
BAD_CROSSREF = [
    json.dumps([1, 2]).encode(),
    json.dumps("message").encode(),
    json.dumps({"message": None}).encode(),
    crossref([GOOD]),
    crossref({**GOOD, "title": {"en": "A title"}}),
    crossref({**GOOD, "title": [["nested"]]}),
    crossref({**GOOD, "title": ["   \n\t "]}),
    crossref({**GOOD, "issued": {"date-parts": [["twenty"]]}}),
    crossref({**GOOD, "issued": {"date-parts": "2020"}}),
    crossref({**GOOD, "issued": {"date-parts": [[99999]]}}),
    crossref({**GOOD, "issued": {"date-parts": [[True]]}}),
    crossref({**GOOD, "issued": [2020]}),
    crossref({**GOOD, "author": ["Ada Lovelace", "Alan Turing"]}),
    crossref({**GOOD, "author": {"given": "Ada"}}),
    crossref({**GOOD, "author": [{"given": ["Ada"], "family": {"x": 1}}]}),
    crossref({**GOOD, "author": [{"family": "x"}] * 10000}),
    crossref({**GOOD, "container-title": {"x": 1}, "abstract": ["a"]}),
    crossref({**GOOD, "DOI": "10.1234/../../x"}),
    crossref({**GOOD, "DOI": ["10.1234/good"]}),
    b"\xff\xfe not json",
]


@pytest.mark.parametrize("payload", BAD_CROSSREF)
def test_crossref_answers_of_the_wrong_shape(kb, run, hostile, monkeypatch, payload):
    monkeypatch.setenv("TLNOTES_CROSSREF_API", hostile + "/json")
    Hostile.payload = payload
    r = run("add", "doi:10.1234/good", "--topic", "attention", "--dir", kb.root)
    assert "Traceback" not in r.err
    if r.code == 0:  # a shape that still says something usable must give a valid record
        assert [p for p in load(kb.root).problems if p.severity == "error"] == []
    else:
        assert r.code == 1 and r.err.count("\n") == 1 and ("10.1234/good" in r.err or "10.1234%2Fgood" in r.err), r.err
        assert papers(kb) == []


def entry(**parts) -> str:
    fields = {
        "id": "<id>http://arxiv.org/abs/2001.00001v1</id>",
        "published": "<published>2020-01-01T00:00:00Z</published>",
        "title": "<title>A Good Title</title>",
        "authors": "<author><name>Ada Lovelace</name></author>",
    }
    fields.update(parts)
    return "<entry>" + "".join(fields.values()) + "</entry>"


BAD_ATOM = [
    ATOM_HEAD + "</feed>",
    ATOM_HEAD + entry(id="") + "</feed>",
    ATOM_HEAD + entry(id="<id>http://arxiv.org/abs/2001.00002v1</id>") + "</feed>",
    ATOM_HEAD + entry(published="<published>MMXX</published>") + "</feed>",
    ATOM_HEAD + entry(published="<published>0001-01-01</published>") + "</feed>",
    ATOM_HEAD + entry(published="<published>9999-01-01</published>") + "</feed>",
    ATOM_HEAD + entry(title="<title> \n\t </title>") + "</feed>",
    ATOM_HEAD + entry(authors="") + "</feed>",
    ATOM_HEAD + entry(authors="<author><name>  </name></author>") + "</feed>",
    ATOM_HEAD + entry(authors="<author><name>A B</name></author>" * 10000) + "</feed>",
    ATOM_HEAD + entry(doi='<arxiv:doi xmlns:arxiv="http://arxiv.org/schemas/atom">10.1/../x</arxiv:doi>') + "</feed>",
    ATOM_HEAD
    + entry(cat='<arxiv:primary_category xmlns:arxiv="http://arxiv.org/schemas/atom" term="no such thing!"/>')
    + "</feed>",
    ATOM_HEAD + entry(x="<title>second title</title>") + "</feed>",
    "<feed><unclosed>",
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><feed xmlns="http://www.w3.org/2005/Atom">&a;</feed>',
    "[1, 2, 3]",
]


@pytest.mark.parametrize("atom", BAD_ATOM)
def test_arxiv_answers_of_the_wrong_shape(kb, run, hostile, monkeypatch, atom):
    monkeypatch.setenv("TLNOTES_ARXIV_API", hostile + "/atom/api/query")
    Hostile.atom = atom.encode()
    r = run("add", "2001.00001", "--topic", "attention", "--dir", kb.root)
    assert "Traceback" not in r.err
    if r.code == 0:
        assert [p for p in load(kb.root).problems if p.severity == "error"] == []
    else:
        assert r.code == 1 and r.err.count("\n") == 1 and "2001.00001" in r.err, r.err
        assert papers(kb) == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4),
    max_leaves=12,
)
FIELDS = st.sampled_from(
    [
        "title",
        "author",
        "issued",
        "published-print",
        "container-title",
        "abstract",
        "DOI",
        "given",
        "family",
        "name",
        "date-parts",
    ]
)
MESSAGE = st.dictionaries(FIELDS, JSON | st.lists(st.dictionaries(FIELDS, JSON, max_size=4), max_size=3), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(JSON, MESSAGE.map(lambda m: {"message": m}), MESSAGE.map(lambda m: {"message": {**GOOD, **m}})))
def test_random_crossref_shapes_never_crash_and_what_is_written_loads(hostile, monkeypatch, body):
    monkeypatch.setenv("TLNOTES_CROSSREF_API", hostile + "/json")
    Hostile.payload = json.dumps(body).encode()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "kb"
        root.mkdir()
        KB(root)
        err = io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(["add", "doi:10.1234/good", "--topic", "attention", "--summary", "s", "--dir", str(root)])
        assert code in (0, 1) and "Traceback" not in err.getvalue()
        written = list((root / "papers").iterdir())
        assert len(written) == (1 if code == 0 else 0)
        problems = load(root).problems
        # what `add` writes passes `check`; a source's own title may still read as a label, which `check` says
        assert [p for p in problems if p.code != "label-title"] == [] and all(p.severity == "warning" for p in problems)


# ---------------------------------------------------------------- 4. keys always valid


def cand(author: str, title: str, year: int = 2020) -> Candidate:
    return Candidate(title, [author], year, {}, "", 0)


@pytest.mark.parametrize(
    "author, title",
    [
        ("Ada " + "x" * 300, "Title"),
        ("Ada Lovelace", "y" * 300),
        ("z" * 250, "w" * 250 + " more"),
        ("Ada " + "ł" * 300, "Ünïcödé " * 50),
        ("", ""),
        ("!!!", "???"),
    ],
)
def test_make_key_is_always_a_valid_key(author, title):
    taken: set[str] = set()
    keys = []
    for _ in range(30):  # collisions still get b, c, ... and stay valid
        key = make_key(cand(author, title), taken)
        assert schema.KEY_RE.fullmatch(key) and key not in schema.RESERVED_IDS, key
        assert key not in taken
        taken.add(key)
        keys.append(key)
    assert keys[1] == keys[0] + "b" and keys[2] == keys[0] + "c"


def test_make_key_never_takes_a_reserved_name(monkeypatch):
    import tlnotes.records as imp

    monkeypatch.setattr(imp, "_key_word", lambda title: "")
    monkeypatch.setattr(schema, "RESERVED_IDS", frozenset({"index", "ada2020"}))
    key = make_key(cand("Ada Ada", "t"), set())
    assert key != "ada2020" and schema.KEY_RE.fullmatch(key)


def test_add_with_a_giant_family_name_writes_a_valid_key(kb, run, hostile, monkeypatch):
    monkeypatch.setenv("TLNOTES_CROSSREF_API", hostile + "/json")
    Hostile.payload = crossref({**GOOD, "author": [{"given": "Ada", "family": "L" * 300}], "title": ["W" * 300]})
    r = run("add", "doi:10.1234/good", "--topic", "attention", "--summary", "s", "--dir", kb.root)
    assert r.code == 0, r.err
    (name,) = papers(kb)
    # a 300-letter one-word title is rightly a label-title warning; nothing else
    assert len(name) <= schema.MAX_KEY_LENGTH + len(".yaml")
    assert [p.code for p in load(kb.root).problems] == ["label-title"]


@pytest.mark.parametrize(
    "key, message",
    [("index", "reserved"), ("a" * 81, "longer than 80"), ("Bad Key", "not a valid key"), ("a\n", "not a valid key")],
)
def test_add_key_refuses_reserved_and_long_keys(kb, run, hostile, key, message):
    r = run("add", "2001.00001", "--key", key, "--dir", kb.root)
    assert r.code == 1 and message in r.err and papers(kb) == [] and Hostile.seen == []


# ---------------------------------------------------------------- 5. DOIs cannot steer a request


# the table of tests/test_ids.py: every form a DOI could take to steer a request
HOSTILE_DOIS = ID_HOSTILE_DOIS


@pytest.mark.parametrize("doi", HOSTILE_DOIS)
def test_check_refuses_doi_that_could_steer_a_request(kb, doi):
    kb.record(
        "a", f"title: A Paper\nauthors: [A B]\nyear: 2020\ntopics: [attention]\nsummary: [s]\nlinks:\n  doi: {json.dumps(doi)}\n"
    )
    assert "format" in kb.codes()
    if doi.strip() != doi and ids.is_doi(doi.strip()):
        assert parse_ref("doi:" + doi).id == doi.strip()  # a REF pasted with trailing white space is trimmed
        return
    with pytest.raises(SourceError):
        parse_ref("doi:" + doi)


@pytest.mark.parametrize(
    "doi",
    [
        "10.1038/nature14539",
        "10.1002/(SICI)1097-4636(199706)35:4<453::AID-JBM6>3.0.CO;2-I",
        "10.1000.10/x.y",
        "10.48550/arXiv.1706.03762",
        "10.1234/a/b.c",
    ],
)
def test_real_dois_still_pass(kb, doi):
    kb.record(
        "a", f"title: A Paper\nauthors: [A B]\nyear: 2020\ntopics: [attention]\nsummary: [s]\nlinks:\n  doi: {json.dumps(doi)}\n"
    )
    assert kb.codes() == []
    assert parse_ref("doi:" + doi).id == doi


@pytest.mark.parametrize("doi", HOSTILE_DOIS[:7])
def test_requests_keep_doi_in_one_path_segment(hostile, monkeypatch, doi):
    monkeypatch.setenv("TLNOTES_CROSSREF_API", hostile + "/rec")
    monkeypatch.setenv("TLNOTES_DOI_API", hostile + "/rec/handles")
    assert fetch_doi(doi) is None  # 404 from the stand-in
    links.check_doi(doi, links.Checker(links.Settings(retries=0, timeout=2)))
    assert len(Hostile.seen) == 2
    for prefix, path in zip(("/rec/works/", "/rec/handles/"), Hostile.seen, strict=False):
        assert path.startswith(prefix) and "/" not in path[len(prefix) :] and "?" not in path and "#" not in path, path


# ---------------------------------------------------------------- 6. two adds at once


def test_two_adds_of_the_same_paper_at_once_write_one_record(kb, hostile, monkeypatch):
    Hostile.delay = 1.0  # both processes are waiting for arXiv at the same time
    env = {
        **os.environ,
        "TLNOTES_ARXIV_API": hostile + "/atom/api/query",
        "TLNOTES_TIMEOUT": "10",
        "PYTHONPATH": str(REPO / "src"),
    }
    cmd = [sys.executable, "-m", "tlnotes", "add", "--topic", "attention", "--summary", "s", "--dir", str(kb.root)]
    procs = [
        subprocess.Popen(cmd + [ref], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for ref in ("arxiv:2001.00001", "2001.00001v2")
    ]
    results = [(p.wait(timeout=60), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert sorted(code for code, _ in results) == [0, 1], results
    assert any("already in the knowledge base" in err for _, err in results)
    assert len(papers(kb)) == 1 and not any("Traceback" in err for _, err in results)


# ---------------------------------------------------------------- 7. hostile disks


def many_atom(n: int) -> bytes:
    entries = "".join(GOOD_ENTRY.format(id=f"2001.0000{i}").replace("A Good Title", f"Title {i}") for i in range(1, n + 1))
    return (ATOM_HEAD + entries + "</feed>").encode()


@pytest.mark.parametrize("fail_at, err", [(1, errno.EROFS), (2, errno.ENOSPC), (3, errno.ENOSPC), (2, errno.EIO)])
def test_a_failed_write_removes_what_add_wrote(kb, run, hostile, monkeypatch, fail_at, err):
    import tlnotes.files as files

    monkeypatch.setenv("TLNOTES_ARXIV_API", hostile + "/atom/api/query")
    Hostile.atom = many_atom(3)
    real = files.tempfile.mkstemp
    calls = []

    def mkstemp(*a, **k):
        calls.append(1)
        if len(calls) == fail_at:
            raise OSError(err, os.strerror(err))
        return real(*a, **k)

    monkeypatch.setattr(files.tempfile, "mkstemp", mkstemp)
    r = run("add", "2001.00001", "2001.00002", "2001.00003", "--topic", "attention", "--summary", "s", "--dir", kb.root)
    assert r.code == 1 and os.strerror(err) in r.err and "papers/" in r.err and "Traceback" not in r.err
    assert r.err.count("\n") == 1 and papers(kb) == [] and r.out == ""


def test_papers_is_a_file(kb, run, hostile, monkeypatch):
    monkeypatch.setenv("TLNOTES_ARXIV_API", hostile + "/atom/api/query")
    (kb.root / "papers").rmdir()
    (kb.root / "papers").write_text("not a folder")
    r = run("add", "2001.00001", "--topic", "attention", "--summary", "s", "--dir", kb.root)
    assert r.code == 1 and "papers" in r.err and "Traceback" not in r.err
    assert (kb.root / "papers").read_text() == "not a folder"


def test_dev_full(kb, run, hostile, monkeypatch):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    import tlnotes.files as files

    monkeypatch.setenv("TLNOTES_ARXIV_API", hostile + "/atom/api/query")
    real_fdopen = os.fdopen

    def full(fd, *a, **k):  # every write goes to /dev/full, as on a full disk
        os.dup2(os.open("/dev/full", os.O_WRONLY), fd)
        return real_fdopen(fd, *a, **k)

    monkeypatch.setattr(files.os, "fdopen", full)
    r = run("add", "2001.00001", "--topic", "attention", "--summary", "s", "--dir", kb.root)
    assert r.code == 1 and "No space left" in r.err and papers(kb) == []


# ---------------------------------------------------------------- 8. links reports even when the cache cannot be saved


@pytest.mark.parametrize("blocker", ["file", "dir"])
def test_links_reports_when_the_cache_cannot_be_saved(kb, run, hostile, blocker):
    kb.record("a", f'title: A\nauthors: [A B]\nyear: 2020\ntopics: [attention]\nsummary: [s]\nlinks:\n  url: "{hostile}/ok"\n')
    if blocker == "file":
        (kb.root / ".tlnotes").write_text("a file where the cache folder goes")
    else:
        (kb.root / links.CACHE_FILE).mkdir(parents=True)
    r = run("links", kb.root, "--timeout", "2", "--retries", "0")
    assert r.code == 0 and "1 links: " in r.out and "1 ok" in r.out
    assert links.CACHE_FILE in r.err and "Traceback" not in r.err


def test_github_annotations_cannot_be_forged():
    evil = "notes/a,b\n::error file=forged.md,line=1::pwned:%0A/x.md:3"
    r = links.Result("https://e.org/x\n::error::y", "broken", 404, None, "not found\r\n::warning::z", [evil])
    out = links.report_github([r])
    assert out.count("\n") == 1, out
    assert out.startswith(
        "::error file=notes/a%2Cb%0A%3A%3Aerror file=forged.md%2Cline=1%3A%3Apwned%3A%250A/x.md,"
        "line=3,title=link broken::broken: https://e.org/x%0A::error::y not found%0D%0A::warning::z"
    ), out


def test_a_folder_with_a_comma_never_reaches_an_annotation(kb, run, hostile):
    """Two defences: the loader refuses the folder name, and the report escapes whatever path it gets."""
    kb.note("odd", "Odd", folder="a,b:c", body=f"[x]({hostile}/rec/gone)\n")
    assert "bad-folder" in [p.code for p in kb.load().errors]
    r = run("links", kb.root, "--format", "github", "--no-cache", "--retries", "0")
    assert [x for x in r.out.splitlines() if x] == [] and "error(s) in the knowledge base" in r.err
