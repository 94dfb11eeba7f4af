"""`tlnotes links` against local HTTP servers: several ports stand for several hosts."""

from __future__ import annotations

import email.utils
import http.server
import json
import socket
import threading
import time
from collections import defaultdict
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from tlnotes import links, load
from tlnotes.links import Cache, Settings, title_matches

FEED = '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">{}</feed>'
ENTRY = (
    "<entry><id>http://arxiv.org/abs/{id}v1</id><published>2017-06-12T00:00:00Z</published>"
    "<title>{title}</title><author><name>A B</name></author></entry>"
)
ARXIV = {"1706.03762": "Attention Is All You\n Need", "2000.11111": "A Completely Different Paper"}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    counts: dict = defaultdict(int)
    active: dict = defaultdict(int)
    peak: dict = defaultdict(int)
    log: list = []
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def do_HEAD(self):
        self.handle_any(head=True)

    def do_GET(self):
        self.handle_any(head=False)

    def send(self, code, headers=None, body=b""):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not self.head:
            self.wfile.write(body)

    def handle_any(self, head):
        self.head = head
        port = self.server.server_address[1]
        url = urlsplit(self.path)
        key = (port, url.path)
        with self.lock:
            Handler.counts[key] += 1
            n = Handler.counts[key]
            Handler.log.append((time.monotonic(), port, self.command, url.path))
        try:
            self.route(url, n, head)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def route(self, url, n, head):
        p = url.path
        if p == "/ok":
            return self.send(200)
        if p == "/slow":
            key = (self.server.server_address[1], p)  # requests in flight, counted per path
            with self.lock:
                Handler.active[key] += 1
                Handler.peak[key] = max(Handler.peak[key], Handler.active[key])
            time.sleep(0.05)
            with self.lock:
                Handler.active[key] -= 1  # before answering: the client may send its next request at once
            return self.send(200)
        if p == "/head405":
            return self.send(405) if head else self.send(200)
        if p == "/temp":
            return self.send(302, {"Location": "/ok"})
        if p == "/perm":
            return self.send(301, {"Location": "/ok"})
        if p == "/perm308":
            return self.send(308, {"Location": "/moved-here"})
        if p == "/moved-here":
            return self.send(200)
        if p in ("/gone404", "/nothing"):
            return self.send(404)
        if p == "/gone410":
            return self.send(410)
        if p == "/loop":
            return self.send(302, {"Location": "/loop2"})
        if p == "/loop2":
            return self.send(302, {"Location": "/loop"})
        if p == "/error":
            return self.send(500)
        if p == "/flaky":
            return self.send(503) if n <= 2 else self.send(200)
        if p == "/limited":
            return self.send(429, {"Retry-After": "1"}) if n == 1 else self.send(200)
        if p == "/limited-date":
            when = email.utils.formatdate(time.time() + 1, usegmt=True)
            return self.send(429, {"Retry-After": when}) if n == 1 else self.send(200)
        if p == "/wall999":
            return self.send(999)
        if p == "/cf":
            return self.send(403, {"cf-mitigated": "challenge"})
        if p == "/forbidden":
            return self.send(403)
        if p == "/silent":
            time.sleep(5)
            return self.send(200)
        if p == "/endless":
            if head:
                return self.send(405)
            self.send_response(200)
            self.send_header("Content-Type", "application/pdf")
            self.end_headers()
            for _ in range(100000):  # a body that never ends, for a checker that would read it
                self.wfile.write(b"x" * 65536)
                time.sleep(0.01)
            return None
        if p == "/api/query":
            ids = parse_qs(url.query).get("id_list", [""])[0].split(",")
            body = FEED.format("".join(ENTRY.format(id=i, title=ARXIV[i]) for i in ids if i in ARXIV)).encode()
            return self.send(200, {"Content-Type": "application/atom+xml"}, body)
        if p.startswith("/handles/"):
            doi = unquote(p[len("/handles/") :])
            if doi == "10.1000/real":
                return self.send(
                    200, {"Content-Type": "application/json"}, json.dumps({"responseCode": 1, "handle": doi}).encode()
                )
            return self.send(404, {"Content-Type": "application/json"}, json.dumps({"responseCode": 100}).encode())
        return self.send(404)


@pytest.fixture(scope="module")
def hosts():
    servers = []
    for _ in range(3):
        srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        srv.daemon_threads = True
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
    yield [f"http://127.0.0.1:{s.server_address[1]}" for s in servers]
    for s in servers:
        s.shutdown()


@pytest.fixture
def env(hosts, monkeypatch):
    monkeypatch.setenv("TLNOTES_ARXIV_API", hosts[2] + "/api/query")
    monkeypatch.setenv("TLNOTES_DOI_API", hosts[2] + "/handles")
    Handler.counts.clear()
    Handler.peak.clear()
    Handler.log.clear()
    real = socket.getaddrinfo

    def fake_dns(host, *a, **k):  # "unknown.test" has no address; nothing leaves the machine
        if host == "unknown.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *a, **k)

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    return hosts


FAST = Settings(timeout=1.0, retries=2, backoff=0.05, arxiv_interval=0.0)


def make_kb(kb, urls: dict[str, str], arxiv=None, doi=None, title="Attention Is All You Need"):
    """One record per URL label, plus a note linking to the first URL."""
    for i, (name, url) in enumerate(urls.items()):
        extra = ""
        if i == 0 and arxiv:
            extra += f'  arxiv: "{arxiv}"\n'
        if i == 0 and doi:
            extra += f'  doi: "{doi}"\n'
        kb.record(
            name,
            f'title: "{title if i == 0 else name}"\nauthors: [A B]\nyear: 2017\ntopics: [attention]\n'
            f'summary: [s]\nlinks:\n  url: "{url}"\n{extra}',
        )
    return kb


def by_url(results):
    return {r.url: r for r in results}


CASES = [
    ("/ok", "ok", None),
    ("/head405", "ok", None),
    ("/temp", "ok", None),
    ("/perm", "redirected", "/ok"),
    ("/perm308", "redirected", "/moved-here"),
    ("/gone404", "broken", None),
    ("/gone410", "broken", None),
    ("/loop", "broken", None),
    ("/error", "transient", None),
    ("/flaky", "ok", None),
    ("/limited", "ok", None),
    ("/limited-date", "ok", None),
    ("/wall999", "blocked", None),
    ("/cf", "blocked", None),
    ("/forbidden", "broken", None),
]


def test_every_class(kb, env):
    make_kb(kb, {f"r{i}": env[i % 2] + path for i, (path, _, _) in enumerate(CASES)})
    results = by_url(links.run(kb.load(), FAST))
    for i, (path, cls, final) in enumerate(CASES):
        r = results[env[i % 2] + path]
        assert r.cls == cls, (path, r)
        if final:
            assert r.final_url == env[i % 2] + final and final in r.message
        assert r.sources == [f"papers/r{i}.yaml:7"]


def test_unknown_host_is_broken(kb, env):
    make_kb(kb, {"a": "http://unknown.test/page"})
    (r,) = links.run(kb.load(), FAST)
    assert r.cls == "broken" and "unknown host" in r.message


def test_retry_after_is_honoured_and_flaky_recovers(kb, env):
    make_kb(kb, {"a": env[0] + "/limited", "b": env[1] + "/flaky"})
    start = time.monotonic()
    results = by_url(links.run(kb.load(), FAST))
    assert results[env[0] + "/limited"].cls == "ok" and results[env[1] + "/flaky"].cls == "ok"
    hits = [t for t, port, _, path in Handler.log if path == "/limited"]
    assert hits[1] - hits[0] >= 0.95 and time.monotonic() - start < 10


def test_endless_body_is_not_downloaded(kb, env):
    make_kb(kb, {"a": env[0] + "/endless"})
    start = time.monotonic()
    (r,) = links.run(kb.load(), FAST)
    assert r.cls == "ok" and time.monotonic() - start < 5


def test_silent_server_costs_timeout_times_tries(kb, env):
    make_kb(kb, {"a": env[0] + "/silent"})
    start = time.monotonic()
    (r,) = links.run(kb.load(), Settings(timeout=0.5, retries=1, backoff=0.01))
    assert r.cls == "transient" and "no answer" in r.message
    assert time.monotonic() - start < 0.5 * 2 * 2 + 1.5


def test_per_host_limit_and_spacing(kb, env):
    make_kb(kb, {f"r{i}": f"{env[0]}/slow?n={i}" for i in range(12)})
    links.run(kb.load(), Settings(concurrency=16, per_host=2, spacing=0.05))
    port = int(env[0].rsplit(":", 1)[1])
    assert 1 <= Handler.peak[(port, "/slow")] <= 2
    starts = sorted(t for t, p, _, path in Handler.log if p == port and path == "/slow")
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    # 50 ms apart as sent; arrival times jitter when the machine is busy, so the mean holds and no gap collapses
    assert len(starts) == 12 and sum(gaps) / len(gaps) >= 0.045 and min(gaps) >= 0.02, gaps


def test_host_limit_is_capped_at_8(kb, env):
    make_kb(kb, {f"r{i}": f"{env[1]}/slow?n={i}" for i in range(30)})
    host = env[1].split("//")[1]
    links.run(kb.load(), Settings(concurrency=32, host_limits={host: 50}, spacing=0.0))
    # more than the default 2 at once, never more than 8 however high the asked limit
    assert 3 <= Handler.peak[(int(env[1].rsplit(":", 1)[1]), "/slow")] <= 8


def test_arxiv_batch_and_mismatch(kb, env):
    make_kb(kb, {"good": env[0] + "/ok"}, arxiv="1706.03762")
    kb.record(
        "wrong",
        'title: "Attention Is All You Need Too"\nauthors: [A]\nyear: 2020\ntopics: [attention]\nsummary: [s]\n'
        'links:\n  arxiv: "2000.11111"\n',
    )
    kb.record(
        "missing",
        'title: "Missing"\nauthors: [A]\nyear: 2020\ntopics: [attention]\nsummary: [s]\nlinks:\n  arxiv: "2000.99999"\n',
    )
    results = by_url(links.run(kb.load(), FAST))
    assert results["https://arxiv.org/abs/1706.03762"].cls == "ok"
    assert results["https://arxiv.org/abs/2000.11111"].cls == "mismatch"
    assert "A Completely Different Paper" in results["https://arxiv.org/abs/2000.11111"].message
    assert results["https://arxiv.org/abs/2000.99999"].cls == "broken"
    calls = [e for e in Handler.log if e[3] == "/api/query"]
    assert len(calls) == 1  # one batch for three ids


def test_arxiv_batches_spaced(kb, env, monkeypatch):
    for i in range(5):
        kb.record(
            f"p{i}",
            f'title: "P{i}"\nauthors: [A]\nyear: 2020\ntopics: [attention]\nsummary: [s]\nlinks:\n  arxiv: "2000.0000{i}"\n',
        )
    links.run(kb.load(), Settings(arxiv_batch=2, arxiv_interval=0.3, timeout=1))
    calls = [t for t, _, _, path in Handler.log if path == "/api/query"]
    assert len(calls) == 3 and min(b - a for a, b in zip(calls, calls[1:], strict=False)) >= 0.25  # 0.3 s, less arrival jitter


def test_dois_through_the_handle_api(kb, env):
    make_kb(kb, {"a": env[0] + "/ok"}, doi="10.1000/real")
    kb.record("b", 'title: "B"\nauthors: [A]\nyear: 2020\ntopics: [attention]\nsummary: [s]\nlinks:\n  doi: "10.1000/fake"\n')
    results = by_url(links.run(kb.load(), FAST))
    assert results["https://doi.org/10.1000/real"].cls == "ok"
    assert results["https://doi.org/10.1000/fake"].cls == "broken"


def test_urls_in_notes_deduplicated_with_all_sources(kb, env):
    url = env[0] + "/gone404"
    make_kb(kb, {"a": url})
    kb.note("attention", "Attention", body=f"See [this]({url}) and <{url}>.\n\n`[not]({env[0]}/nothing)`\n")
    (r,) = links.run(kb.load(), FAST)
    assert r.sources == ["notes/attention.md:5", "papers/a.yaml:7"] or sorted(r.sources) == sorted(
        ["notes/attention.md:5", "notes/attention.md:5", "papers/a.yaml:7"]
    )


def test_cache(kb, env, tmp_path):
    make_kb(kb, {"a": env[0] + "/ok", "b": env[0] + "/gone404", "c": env[0] + "/wall999"})
    path = tmp_path / "cache.json"
    links.run(kb.load(), FAST, Cache(path))
    first = len(Handler.log)
    results = by_url(links.run(kb.load(), FAST, Cache(path)))
    again = [e for e in Handler.log[first:]]
    assert [e[3] for e in again if e[2] in ("HEAD", "GET")] == ["/gone404", "/gone404"]  # only the broken one again
    assert results[env[0] + "/ok"].cls == "ok" and results[env[0] + "/wall999"].cls == "blocked"
    entries = json.loads(path.read_text())["entries"]
    now = time.time()
    assert 0.79 * 7 * 86400 < entries[env[0] + "/ok"]["expires"] - now <= 7 * 86400 + 5
    assert 0.79 * 30 * 86400 < entries[env[0] + "/wall999"]["expires"] - now <= 30 * 86400 + 5
    assert env[0] + "/gone404" not in entries
    assert Cache(path, max_age=0.0, now=now + 10).get(env[0] + "/ok") is None


def test_cli_formats_and_exit_codes(kb, env, run):
    make_kb(kb, {"a": env[0] + "/ok", "b": env[0] + "/gone404", "c": env[1] + "/wall999"})
    r = run("links", kb.root, "--timeout", "1", "--retries", "1")
    assert r.code == 1 and "broken (1):" in r.out and "papers/b.yaml:7" in r.out and "3 links:" in r.out
    assert (kb.root / ".tlnotes" / "links-cache.json").exists()
    data = json.loads(run("links", kb.root, "--format", "json", "--no-cache").out)
    assert {d["class"] for d in data} == {"ok", "broken", "blocked"}
    assert set(data[0]) == {"url", "class", "status", "final_url", "sources", "message"}
    gh = run("links", kb.root, "--format", "github").out
    assert f"::error file=papers/b.yaml,line=7,title=link broken::broken: {env[0]}/gone404" in gh
    assert "::warning file=papers/c.yaml,line=7" in gh
    md = run("links", kb.root, "--format", "markdown").out
    assert md.startswith("## Link check") and "| broken | 1 |" in md


def test_blocked_and_transient_fail_only_with_strict(kb, env, run):
    make_kb(kb, {"a": env[0] + "/ok", "c": env[1] + "/wall999"})
    assert run("links", kb.root, "--no-cache").code == 0
    assert run("links", kb.root, "--no-cache", "--strict").code == 1


def test_usage_errors(kb, run):
    assert run("links", kb.root, "--max-age", "soon").code == 2
    assert run("links", kb.root, "--host-limit", "nohost").code == 2


def test_title_matching():
    assert title_matches("Attention is all you need", "Attention Is All You\n Need")
    assert title_matches("BERT", "BERT: Pre-training of Deep Bidirectional Transformers")
    assert not title_matches("Attention is all you need", "Deep residual learning for image recognition")


def test_repository_collects_every_link():
    from tests.conftest import REPO

    kb = load(REPO)
    t = links.collect(kb)
    assert len(t.arxiv) >= 280 and t.dois and t.urls
    assert all(":" in s for sources in t.urls.values() for s in sources)


def test_collect_reports_each_link_at_its_own_line(kb):
    """From the loader's positions, not a substring search: a DOI naming the arXiv id sits above it."""
    kb.record(
        "k",
        """\
title: Attention Is All You Need
authors: [Ashish Vaswani]
year: 2017
topics: [attention]
summary: [x]
links:
  doi: 10.48550/arXiv.1706.03762
  arxiv: "1706.03762"
  code: https://example.org/1706.03762
notes: |
  First line names https://example.org/plain as text.

  Then [a link](https://example.org/plain) on line three of the notes.
""",
    )
    from tlnotes.links import collect

    t = collect(kb.load())
    assert t.dois == {"10.48550/arXiv.1706.03762": ["papers/k.yaml:7"]}
    assert t.arxiv == {"1706.03762": [("Attention Is All You Need", "papers/k.yaml:8")]}
    assert t.urls["https://example.org/1706.03762"] == ["papers/k.yaml:9"]
    assert t.urls["https://example.org/plain"] == ["papers/k.yaml:13"]


@pytest.mark.parametrize(
    "option, value",
    [
        ("--retries", "-1"),
        ("--retries", "-100"),
        ("--retries", "x"),
        ("--retries", "1.5"),
        ("--timeout", "0"),
        ("--timeout", "-1"),
        ("--timeout", "nan"),
        ("--timeout", "inf"),
        ("--timeout", "soon"),
        ("--concurrency", "0"),
        ("--concurrency", "-3"),
        ("--concurrency", "two"),
        ("--per-host", "0"),
        ("--per-host", "-1"),
        ("--per-host", "1e9x"),
    ],
)
def test_bad_numbers_are_usage_errors(kb, run, option, value):
    make_kb(kb, {"a": "http://127.0.0.1:9/never"})  # a refused port: nothing is ever asked of the network
    r = run("links", kb.root, "--no-cache", option, value)
    assert r.code == 2 and option in r.err and "Traceback" not in r.err, r
    last = r.err.strip().splitlines()[-1]  # argparse's usage line, then one line saying what is wrong
    assert last.startswith(f"tlnotes links: error: argument {option}") and value in last, r.err
    assert not (kb.root / links.CACHE_FILE).exists()


def test_zero_retries_is_one_try(kb, env, run):
    kb.record(
        "p",
        'title: "Attention Is All You Need"\nauthors: [A]\nyear: 2017\ntopics: [attention]\nsummary: [s]\nlinks:\n  arxiv: "1706.03762"\n',
    )
    r = run("links", kb.root, "--no-cache", "--retries", "0", "--timeout", "1", "--format", "json")
    assert r.code == 0 and "Traceback" not in r.err
    assert len([e for e in Handler.log if e[3] == "/api/query"]) == 1


def test_one_arxiv_batch_and_interval_for_add_and_links():
    from tlnotes import sources

    assert Settings().arxiv_batch == sources.ARXIV_BATCH == 100
    assert Settings().arxiv_interval == sources.ARXIV_INTERVAL >= 3.0  # arXiv's terms
