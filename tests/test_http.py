"""The HTTP helper on its own, against local servers on 127.0.0.1: deadlines, caps, retries, politeness."""

from __future__ import annotations

import email.utils
import gzip
import http.server
import socket
import threading
import time
import tracemalloc
from collections import defaultdict

import pytest
import requests

from tlnotes.http import (
    MAX_HOST_CONCURRENCY,
    Host,
    RateLimit,
    Retry,
    Unanswered,
    _is_dns_failure,
    fetch,
    http_session,
    retry_after,
)

BOMB = gzip.compress(b"\0" * (50 << 20), compresslevel=9)  # ~50 KB that inflates to 50 MB


class Server(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    counts: dict = defaultdict(int)
    hits: dict = defaultdict(list)
    active = 0
    peak = 0
    lock = threading.Lock()

    def log_message(self, *a):
        pass

    def do_GET(self):
        p = self.path
        with self.lock:
            Server.counts[p] += 1
            Server.hits[p].append(time.monotonic())
            n = Server.counts[p]
        try:
            if p == "/drip":
                self.close_connection = True
                for b in b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b" " * 1000:
                    self.wfile.write(bytes([b]))
                    self.wfile.flush()
                    time.sleep(0.1)
                return
            if p == "/large":
                return self.send(200, b" " * (2 << 20))
            if p == "/bomb":
                return self.send(200, BOMB, {"Content-Encoding": "gzip"})
            if p == "/flaky":
                return self.send(503 if n <= 2 else 200, b"done" if n > 2 else b"")
            if p in ("/after-seconds", "/after-date"):
                # an HTTP-date counts whole seconds: +2 s is 1 to 2 s from now
                when = "1" if p == "/after-seconds" else email.utils.formatdate(time.time() + 2, usegmt=True)
                return self.send(429, b"", {"Retry-After": when}) if n == 1 else self.send(200, b"done")
            if p.startswith("/slow"):
                with self.lock:
                    Server.active += 1
                    Server.peak = max(Server.peak, Server.active)
                time.sleep(0.05)
                with self.lock:
                    Server.active -= 1
                return self.send(200, b"")
            return self.send(404, b"no")
        except (BrokenPipeError, ConnectionResetError):
            pass

    def send(self, code, body, headers=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture(scope="module")
def base():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Server)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


@pytest.fixture
def server(base):
    Server.counts.clear()
    Server.hits.clear()
    Server.peak = Server.active = 0
    return base


def test_deadline_ends_a_dripping_answer(server):
    start = time.monotonic()
    with pytest.raises(Unanswered) as exc:
        fetch(http_session(), server + "/drip", 1.0, 1 << 20)
    assert exc.value.kind == "timeout" and str(exc.value) == "no answer within 1 s"
    assert time.monotonic() - start < 1 + 2.0  # the drip alone takes 100 s


@pytest.mark.parametrize("path, cap", [("/large", 1 << 20), ("/large", 64 << 10), ("/bomb", 1 << 20)])
def test_bodies_are_capped_decoded_without_holding_them(server, path, cap):
    tracemalloc.start()
    try:
        with pytest.raises(Unanswered) as exc:
            fetch(http_session(), server + path, 20.0, cap)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert exc.value.kind == "size" and "larger than" in str(exc.value)
    assert peak < 16 << 20, peak  # the bomb inflates to 50 MB


def test_a_body_under_the_cap_and_an_error_status(server):
    assert fetch(http_session(), server + "/large", 5.0, 4 << 20).body == b" " * (2 << 20)
    missing = fetch(http_session(), server + "/nothing", 5.0, 10)
    assert missing.status == 404 and missing.body == b""  # error bodies are never read


def test_retry_then_success(server):
    session = http_session()

    def once():
        answer = fetch(session, server + "/flaky", 5.0, 1 << 10)
        return answer, answer.status >= 500, None

    slept = []
    answer, tries = Retry(retries=3, backoff=0.1).run(once, sleep=slept.append)
    assert answer.status == 200 and answer.body == b"done" and tries == 3
    assert len(slept) == 2 and 0.05 <= slept[0] <= 0.15 and 0.1 <= slept[1] <= 0.3  # doubling, with jitter


@pytest.mark.parametrize("retries, calls", [(0, 1), (-1, 1), (-100, 1), (2, 3)])
def test_retries_count_and_never_crash(retries, calls):
    seen = []
    result, tries = Retry(retries, 0.0).run(lambda: (seen.append(1) or "x", True, None), sleep=lambda s: None)
    assert result == "x" and tries == calls == len(seen)


def test_a_result_that_is_not_transient_is_not_retried():
    seen = []
    assert Retry(5, 0.0).run(lambda: (seen.append(1) or "ok", False, 30.0)) == ("ok", 1) and len(seen) == 1


def test_retry_after_parsing():
    assert retry_after("5") == 5 and retry_after(" 5 ") == 5 and retry_after("0") == 0
    assert retry_after("3600") == 60 and retry_after("99999999999999999999") == 60  # capped
    assert 0 <= retry_after(email.utils.formatdate(time.time() + 10, usegmt=True)) <= 10
    assert retry_after(email.utils.formatdate(time.time() + 86400, usegmt=True)) == 60
    assert retry_after(email.utils.formatdate(time.time() - 86400, usegmt=True)) == 0  # already past
    assert retry_after("soon") is None and retry_after(None) is None and retry_after("") is None
    assert retry_after("-1") is None and retry_after("1.5") is None


@pytest.mark.parametrize("path", ["/after-seconds", "/after-date"])
def test_retry_after_is_waited_for_and_pauses_the_host(server, path):
    session, host = http_session(), Host(2, 0.0)

    def once():
        with host:
            answer = fetch(session, server + path, 5.0, 1 << 10)
        return answer, answer.status == 429, retry_after(answer.headers.get("Retry-After"))

    start = time.monotonic()
    answer, tries = Retry(retries=2, backoff=0.01).run(once, pause=host.pause)
    assert answer.status == 200 and tries == 2
    hits = Server.hits[path]
    assert hits[1] - hits[0] >= 0.5 and time.monotonic() - start < 10
    # the pause holds the whole host, not just the request that was told to wait
    host.pause(0.5)
    start = time.monotonic()
    with host:
        pass
    assert time.monotonic() - start >= 0.45


@pytest.mark.parametrize("limit, most", [(1, 1), (2, 2), (50, MAX_HOST_CONCURRENCY)])
def test_host_concurrency(server, limit, most):
    session_of = threading.local()
    host = Host(limit, 0.0)

    def one(i):
        if not hasattr(session_of, "s"):
            session_of.s = http_session()
        with host:
            fetch(session_of.s, f"{server}/slow?{i}", 5.0, 1 << 10)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert 1 <= Server.peak <= most and sum(len(v) for v in Server.hits.values()) == 16


def test_host_spacing():
    host = Host(4, 0.1)
    starts = []
    for _ in range(4):
        with host:
            starts.append(time.monotonic())
    assert min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.09


def test_rate_limit_waits_between_requests():
    now = [100.0]
    slept = []
    limit = RateLimit(3.0, clock=lambda: now[0], sleep=lambda s: (slept.append(s), now.__setitem__(0, now[0] + s)))
    limit.wait()
    now[0] += 1.0
    limit.wait()
    now[0] += 5.0
    limit.wait()
    assert slept == [2.0]


def test_dns_failure_is_told_from_a_refused_connection(server, monkeypatch):
    real = socket.getaddrinfo

    def fake_dns(host, *a, **k):  # nothing leaves the machine
        if host == "unknown.test":
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *a, **k)

    monkeypatch.setattr(socket, "getaddrinfo", fake_dns)
    with pytest.raises(Unanswered) as dns:
        fetch(http_session(), "http://unknown.test/x", 5.0, 10)
    assert dns.value.kind == "dns" and "Traceback" not in str(dns.value)
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(Unanswered) as refused:
        fetch(http_session(), f"http://127.0.0.1:{port}/", 5.0, 10)
    assert refused.value.kind == "connect" and "refused" in str(refused.value).lower()


def test_dns_failure_found_however_deeply_wrapped():
    inner = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    try:
        try:
            raise inner
        except OSError as e:
            raise requests.ConnectionError("wrapped") from e
    except requests.ConnectionError as exc:
        assert _is_dns_failure(exc)
    assert _is_dns_failure(requests.ConnectionError(OSError("x", inner)))
    assert not _is_dns_failure(requests.ConnectionError("Connection refused"))
    loop = ValueError("a")
    loop.__context__ = loop  # a cycle never hangs
    assert not _is_dns_failure(loop)
