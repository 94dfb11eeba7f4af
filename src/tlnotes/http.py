"""Talking HTTP, politely and within bounds: the one home of sessions, deadlines, capped reads,
retries, per-host politeness and error messages, for `sources` (add) and `links` (checking).

Servers are untrusted: a request ends at a wall-clock deadline whatever the
server drips, a body is refused once its decoded size passes a cap, and every
failure becomes a short sentence, never a repr chain.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import random
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from . import __version__

MAX_HOST_CONCURRENCY = 8
MAX_RETRY_AFTER = 60.0  # a server asking for longer is asked again after a minute

T = TypeVar("T")


def user_agent(purpose: str | None = None) -> str:
    """An honest User-Agent: what we are, what for, and whom to write to (TLNOTES_CONTACT)."""
    contact = os.environ.get("TLNOTES_CONTACT", "").strip()
    notes = [n for n in (purpose, f"mailto:{contact}" if contact else None) if n]
    return f"tlnotes/{__version__}" + (f" ({'; '.join(notes)})" if notes else "")


def timeout() -> float:
    """Seconds a request may take in all (TLNOTES_TIMEOUT, default 20)."""
    try:
        seconds = float(os.environ.get("TLNOTES_TIMEOUT", "20"))
    except ValueError:
        return 20.0
    return seconds if 0 < seconds < float("inf") else 20.0


# ---------------------------------------------------------------- the deadline


class Deadline:
    """A wall-clock limit on everything the requests made inside it do.

    requests and urllib3 only bound each socket read, so a server that drips
    one byte at a time never times out. Connections opened or used inside a
    Deadline are registered with it (see `_Watched`), and a timer shuts them
    down when the time is up: the blocked read returns and the request fails.
    """

    _local = threading.local()

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.expired = False
        self._conns: list = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> Deadline:
        self._outer = getattr(Deadline._local, "current", None)
        Deadline._local.current = self
        self._timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self._timer.cancel()
        Deadline._local.current = self._outer

    @classmethod
    def watch(cls, conn) -> None:
        """Put a connection the current thread is using under the current deadline, if any."""
        dl = getattr(cls._local, "current", None)
        if dl is not None:
            with dl._lock:
                dl._conns.append(conn)
                if dl.expired:
                    _shut(conn)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for conn in self._conns:
                _shut(conn)


def _shut(conn) -> None:
    sock = getattr(conn, "sock", None)
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def http_session(purpose: str | None = None):
    """A requests Session whose connections obey `Deadline`, with our User-Agent."""
    import requests
    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

    class _Watched(HTTPConnection):  # before HTTPSConnection in _HTTPS's MRO, so super() still reaches it
        def connect(self):
            Deadline.watch(self)
            return super().connect()

        def getresponse(self, *a, **k):
            Deadline.watch(self)
            return super().getresponse(*a, **k)

    class _HTTP(_Watched, HTTPConnection):
        pass

    class _HTTPS(_Watched, HTTPSConnection):
        pass

    class _Pool(HTTPConnectionPool):
        ConnectionCls = _HTTP

    class _SPool(HTTPSConnectionPool):
        ConnectionCls = _HTTPS

    class _Adapter(HTTPAdapter):
        def init_poolmanager(self, *a, **k):
            super().init_poolmanager(*a, **k)
            self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _SPool}

        def proxy_manager_for(self, *a, **k):
            manager = super().proxy_manager_for(*a, **k)
            manager.pool_classes_by_scheme = {"http": _Pool, "https": _SPool}
            return manager

    session = requests.Session()
    session.mount("http://", _Adapter())
    session.mount("https://", _Adapter())
    session.headers["User-Agent"] = user_agent(purpose)
    return session


# ---------------------------------------------------------------- reading


class TooLarge(Exception):
    """An answer over its byte cap."""


def read_capped(response, limit: int) -> bytes:
    """The decoded body, refused once it passes `limit` bytes.

    urllib3 (>= 2.6) inflates at most one chunk's worth per read, so a gzip
    bomb is refused after `limit` bytes, never inflated whole.
    """
    body = bytearray()
    for chunk in response.iter_content(64 << 10):
        body += chunk
        if len(body) > limit:
            raise TooLarge(f"the answer is larger than {_size(limit)}; refusing it")
    return bytes(body)


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n >> 10} KiB"


def request_url(url: str, **params) -> str:
    """The URL a GET with these query parameters goes to, for messages."""
    import requests

    return requests.Request("GET", url, params=params).prepare().url or url  # prepare() always sets it


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes  # empty for HTTP errors (>= 400): their bodies are never read


class Unanswered(Exception):
    """No usable answer. `kind` is timeout, dns, connect, size or other; str() says why in a few words."""

    def __init__(self, reason: str, kind: str):
        super().__init__(reason)
        self.kind = kind


def failure(exc: BaseException, deadline: Deadline, seconds: float) -> Unanswered:
    """What a requests/urllib3/socket error means, as the callers need to tell apart."""
    import requests

    if deadline.expired or isinstance(exc, requests.Timeout):
        return Unanswered(f"no answer within {seconds:g} s", "timeout")
    if isinstance(exc, requests.ConnectionError) and _is_dns_failure(exc):
        return Unanswered(describe_error(exc), "dns")
    if isinstance(exc, (requests.ConnectionError, OSError)):
        return Unanswered(describe_error(exc), "connect")
    return Unanswered(describe_error(exc), "other")


def fetch(session, url: str, seconds: float, limit: int, headers: dict | None = None, **params) -> Answer:
    """One GET within `seconds` in all, its body capped at `limit` decoded bytes; Unanswered otherwise."""
    import requests

    with Deadline(seconds) as dl:
        try:
            with session.get(url, params=params or None, timeout=seconds, stream=True, headers=headers) as r:
                body = read_capped(r, limit) if r.status_code < 400 else b""
                return Answer(r.status_code, dict(r.headers), body)
        except TooLarge as exc:
            raise Unanswered(str(exc), "size") from None
        except (requests.RequestException, OSError) as exc:
            raise failure(exc, dl, seconds) from None


def describe_error(exc: BaseException) -> str:
    """The readable core of a requests/urllib3 error message (`Connection refused`, not a repr chain)."""
    text = str(exc)
    m = re.search(r"\[Errno [-\d]+\] ([^'\")]+)", text)
    return m.group(1).strip() if m else text.split(":")[-1].strip()[:120] or "connection failed"


def _is_dns_failure(exc: BaseException) -> bool:
    """Whether a connection error comes from a name that does not resolve.

    requests wraps urllib3's NameResolutionError, which wraps socket.gaierror:
    walk every cause, context, `reason` and exception argument to find it.
    """
    todo: list = [exc]
    seen: set[int] = set()
    while todo:
        e = todo.pop()
        if not isinstance(e, BaseException) or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, socket.gaierror) or type(e).__name__ == "NameResolutionError":
            return True
        todo += [e.__cause__, e.__context__, getattr(e, "reason", None), *e.args]
    return False


# ---------------------------------------------------------------- retrying


def transient_status(code: int) -> bool:
    """Statuses worth asking again: the server is busy, down or asks us to slow down."""
    return code == 429 or code >= 500


def retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP-date), capped at MAX_RETRY_AFTER."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, min((when - dt.datetime.now(dt.UTC)).total_seconds(), MAX_RETRY_AFTER))


@dataclass(frozen=True)
class Retry:
    """How often and how patiently a transient failure is tried again."""

    retries: int = 3
    backoff: float = 0.5  # seconds before the first retry; doubles each time, with jitter

    def delay(self, attempt: int, asked: float | None = None) -> float:
        """Seconds to wait before retry number `attempt` (1-based): backoff or what the server asked."""
        return max(asked or 0.0, self.backoff * (2 ** (attempt - 1)) * (0.5 + random.random()))

    def run(
        self, once: Callable[[], tuple[T, bool, float | None]], pause: Callable[[float], None] | None = None, sleep=time.sleep
    ) -> tuple[T, int]:
        """Call `once` -> (result, transient, seconds the server asked) until it is not transient or the
        retries are spent; the last result and the number of tries. `pause` tells the host to wait too."""
        attempt = 0
        while True:
            result, transient, asked = once()
            if not transient or attempt >= max(0, self.retries):
                return result, attempt + 1
            attempt += 1
            if asked and pause:
                pause(asked)  # the whole host backs off, not just this request
            sleep(self.delay(attempt, asked))


# ---------------------------------------------------------------- politeness


class Host:
    """One host's gate: how many requests at once, how far apart, and a shared back-off."""

    def __init__(self, limit: int, spacing: float):
        self.slots = threading.Semaphore(max(1, min(limit, MAX_HOST_CONCURRENCY)))
        self.lock = threading.Lock()
        self.next_start = 0.0
        self.spacing = spacing
        self.paused_until = 0.0

    def __enter__(self):
        self.slots.acquire()
        while True:
            with self.lock:
                now = time.monotonic()
                start = max(self.next_start, self.paused_until, now)
                if start <= now:
                    self.next_start = now + self.spacing
                    return self
            time.sleep(min(start - now, 1.0))

    def __exit__(self, *exc):
        self.slots.release()

    def pause(self, seconds: float) -> None:
        """The host said slow down: nobody talks to it for `seconds`."""
        with self.lock:
            self.paused_until = max(self.paused_until, time.monotonic() + seconds)


class RateLimit:
    """At least `interval` seconds between the starts of two requests (arXiv's terms)."""

    def __init__(self, interval: float, clock=time.monotonic, sleep=time.sleep):
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self.last: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            if self.last is not None:
                delay = self.last + self.interval - self.clock()
                if delay > 0:
                    self.sleep(delay)
            self.last = self.clock()
