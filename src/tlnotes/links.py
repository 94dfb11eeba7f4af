"""`tlnotes links`: check every URL of the KB politely, and tell bot walls from broken links.

Each URL gets exactly one class:

- ok          2xx, also after temporary redirects
- redirected  reached through a permanent (301/308) redirect: the record should use the new URL
- broken      404/410, unknown host, redirect loop, an arXiv id or DOI that does not exist
- mismatch    an arXiv id that exists but names another paper
- transient   timeout, reset, 5xx, 429 after the retries
- blocked     a bot wall (999, 403 with cf-mitigated, 401/403 from hosts known to block bots)

arXiv ids go through the arXiv API in batches and DOIs through the doi.org
handle API, never through the publisher's page. Requests share a global
pool, each host has its own limit and spacing, transient failures are
retried with backoff (honoring Retry-After), and results are cached.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from .http import Deadline, Host, RateLimit, Retry, Unanswered, failure, fetch, http_session, retry_after, transient_status
from .ids import quote_id
from .markdown import autolinks, line_col, links, mask_code
from .model import KnowledgeBase, normalize_title
from .sources import ARXIV_BATCH, ARXIV_INTERVAL

OK, REDIRECTED, BROKEN, MISMATCH, TRANSIENT, BLOCKED = "ok", "redirected", "broken", "mismatch", "transient", "blocked"
CLASSES = (BROKEN, MISMATCH, TRANSIENT, BLOCKED, REDIRECTED, OK)
FAILING = {BROKEN, MISMATCH}
DOI_API = "https://doi.org/api/handles"
CACHE_FILE = ".tlnotes/links-cache.json"
TTL = {OK: 7 * 86400, REDIRECTED: 7 * 86400, BLOCKED: 30 * 86400}
MAX_REDIRECTS = 10
MAX_DOI_ANSWER = 1 << 20  # the handle API answers in a few hundred bytes
# hosts that answer robots with 401/403 whatever the page
BOT_WALLS = (
    "linkedin.com",
    "twitter.com",
    "x.com",
    "researchgate.net",
    "sciencedirect.com",
    "ieeexplore.ieee.org",
    "dl.acm.org",
    "jstor.org",
    "tandfonline.com",
    "onlinelibrary.wiley.com",
    "academic.oup.com",
    "pubs.acs.org",
    "medium.com",
    "quora.com",
    "facebook.com",
    "instagram.com",
)


@dataclass
class Result:
    url: str
    cls: str
    status: int | None = None
    final_url: str | None = None
    message: str = ""
    sources: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "url": self.url,
            "class": self.cls,
            "status": self.status,
            "final_url": self.final_url,
            "sources": self.sources,
            "message": self.message,
        }


@dataclass
class Settings:
    concurrency: int = 16
    per_host: int = 2
    host_limits: dict[str, int] = field(default_factory=dict)
    spacing: float = 0.05
    timeout: float = 10.0
    retries: int = 3
    backoff: float = 0.5
    arxiv_interval: float = ARXIV_INTERVAL
    arxiv_batch: int = ARXIV_BATCH

    @property
    def retry(self) -> Retry:
        return Retry(self.retries, self.backoff)


# ---------------------------------------------------------------- what to check


@dataclass
class Targets:
    urls: dict[str, list[str]] = field(default_factory=dict)  # url -> sources
    arxiv: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # id -> [(title, source)]
    dois: dict[str, list[str]] = field(default_factory=dict)  # doi -> sources


def collect(kb: KnowledgeBase) -> Targets:
    """Every URL, arXiv id and DOI of the KB with each place it appears, as `path:line` (from the loader's positions)."""
    t = Targets()
    for paper in kb.papers.values():
        for label, value in paper.links.items():
            where = f"{paper.path}:{kb.position(paper.path, ('links', label))[0]}"
            if label == "arxiv":
                t.arxiv.setdefault(value, []).append((paper.title, where))
            elif label == "doi":
                t.dois.setdefault(value, []).append(where)
            else:
                t.urls.setdefault(value, []).append(where)
        if paper.notes:
            for offset, url in markdown_urls(paper.notes):
                line, column = line_col(paper.notes, offset)
                t.urls.setdefault(url, []).append(f"{paper.path}:{kb.position(paper.path, ('notes',), line, column)[0]}")
    for topic in kb.topics.values():
        for offset, url in markdown_urls(topic.body):
            t.urls.setdefault(url, []).append(f"{topic.path}:{kb.position(topic.path, (), *line_col(topic.body, offset))[0]}")
    return t


def markdown_urls(text: str) -> list[tuple[int, str]]:
    """(offset, URL) of every http(s) link, definition and autolink outside code, as `markdown` reads them."""
    masked = mask_code(text)
    spans = [link for link in links(masked) if link.closed or link.kind == "definition"]
    found = [(link.start, link.dest) for link in spans]
    found += [(at, url) for at, url in autolinks(masked) if not any(s.start <= at < s.end for s in spans)]
    return sorted((at, url) for at, url in found if re.match(r"https?://", url, re.I))


# ---------------------------------------------------------------- checking one URL


class Checker:
    def __init__(self, settings: Settings, session_factory=None):
        self.s = settings
        self.hosts: dict[str, Host] = {}
        self.lock = threading.Lock()
        self.local = threading.local()
        self.session_factory = session_factory or http_session

    def session(self):
        if not hasattr(self.local, "session"):
            self.local.session = self.session_factory("link checker of a reading list")
        return self.local.session

    def host(self, url: str) -> Host:
        netloc = urlsplit(url).netloc.lower()
        with self.lock:
            if netloc not in self.hosts:
                name = netloc.split("@")[-1]
                limit = self.s.host_limits.get(name, self.s.host_limits.get(name.split(":")[0], self.s.per_host))
                self.hosts[netloc] = Host(limit, self.s.spacing)
            return self.hosts[netloc]

    def check(self, url: str) -> Result:
        """One URL, with retries of transient failures."""
        result, tries = self.s.retry.run(lambda: self._once(url), pause=self.host(url).pause)
        if result.cls == TRANSIENT and tries > 1:
            result.message += f" (after {tries} tries)"
        return result

    def _once(self, url: str) -> tuple[Result, bool, float | None]:
        """One try, redirects and the GET fallback included, within `timeout` seconds in all."""
        with Deadline(self.s.timeout) as deadline:
            result, wait = self._try(url, deadline)
        return result, result.cls == TRANSIENT, wait

    def _try(self, url: str, deadline: Deadline) -> tuple[Result, float | None]:
        import requests

        seen = {url}
        current = url
        permanent = True
        for _ in range(MAX_REDIRECTS + 1):
            scheme = urlsplit(current).scheme.lower()
            if scheme not in ("http", "https"):
                return Result(url, BROKEN, None, current, f"redirects to a non-http(s) URL: {current}"), None
            try:
                with self.host(current):
                    r = self._request(current)
            except (requests.RequestException, OSError) as exc:
                why = failure(exc, deadline, self.s.timeout)
                if why.kind == "timeout":
                    return Result(url, TRANSIENT, None, None, str(why)), None
                if why.kind == "dns":
                    return Result(url, BROKEN, None, None, f"unknown host {urlsplit(current).hostname}"), None
                if why.kind == "connect":
                    return Result(url, TRANSIENT, None, None, f"connection failed: {why}"), None
                return Result(url, BROKEN, None, None, f"bad URL: {why}"), None
            code = r.status_code
            if code in (301, 302, 303, 307, 308) and r.headers.get("Location"):
                nxt = urljoin(current, r.headers["Location"])
                permanent = permanent and code in (301, 308)
                if nxt in seen:
                    return Result(url, BROKEN, code, nxt, "redirect loop"), None
                seen.add(nxt)
                current = nxt
                continue
            return self._classify(url, current, r, permanent), retry_after(r.headers.get("Retry-After")) if code in (
                429,
                503,
            ) else None
        return Result(url, BROKEN, None, current, f"more than {MAX_REDIRECTS} redirects"), None

    def _request(self, url: str):
        """HEAD, then GET when HEAD is refused; the body is never downloaded."""
        session = self.session()
        timeout = (min(5.0, self.s.timeout), self.s.timeout)
        r = session.head(url, allow_redirects=False, timeout=timeout)
        r.close()
        if r.status_code >= 400 and r.status_code not in (429,):
            r = session.get(url, allow_redirects=False, timeout=timeout, stream=True)
            r.close()  # headers are all we need: a 2 GB PDF stays on the server
        return r

    def _classify(self, url: str, final: str, r, permanent: bool) -> Result:
        code = r.status_code
        moved = final != url
        host = (urlsplit(final).hostname or "").lower()
        if 200 <= code < 300:
            if moved and permanent:
                return Result(url, REDIRECTED, code, final, f"moved permanently: use {final}")
            return Result(url, OK, code, final if moved else None)
        if (
            code == 999
            or (code == 403 and r.headers.get("cf-mitigated"))
            or (code in (401, 403) and any(host == h or host.endswith("." + h) for h in BOT_WALLS))
        ):
            return Result(url, BLOCKED, code, final if moved else None, "the site blocks automated checks; check it in a browser")
        if transient_status(code):
            return Result(url, TRANSIENT, code, final if moved else None, f"HTTP {code}")
        if code in (404, 410):
            return Result(url, BROKEN, code, final if moved else None, f"HTTP {code}: not found")
        return Result(url, BROKEN, code, final if moved else None, f"HTTP {code}")


# ---------------------------------------------------------------- arXiv and DOIs


def title_matches(expected: str, got: str) -> bool:
    a, b = normalize_title(expected), normalize_title(got)
    if not a or not b:
        return False
    if a in b or b in a:
        return True
    return SequenceMatcher(None, a, b).ratio() >= 0.8


def check_arxiv(ids: dict[str, list[tuple[str, str]]], settings: Settings) -> dict[str, Result]:
    """Existence and title of each id through the arXiv API, in spaced batches over one connection."""
    from .sources import SourceError, query_arxiv

    session = http_session()
    limiter = RateLimit(settings.arxiv_interval)
    out: dict[str, Result] = {}
    order = list(ids)
    for start in range(0, len(order), max(1, settings.arxiv_batch)):
        batch = order[start : start + max(1, settings.arxiv_batch)]

        def once(batch=batch):
            try:
                return (query_arxiv(batch, session, limiter, settings.timeout), ""), False, None
            except SourceError as exc:
                return (None, str(exc)), True, None

        (found, error), _ = settings.retry.run(once)
        for aid in batch:
            url = f"https://arxiv.org/abs/{aid}"
            if found is None:
                out[aid] = Result(url, TRANSIENT, None, None, error)
            elif aid not in found:
                out[aid] = Result(url, BROKEN, 404, None, "no such arXiv id")
            else:
                got = found[aid].title
                wrong = [title for title, _ in ids[aid] if not title_matches(title, got)]
                if wrong:
                    out[aid] = Result(url, MISMATCH, 200, None, f"the arXiv id is {got!r}, not {wrong[0]!r}")
                else:
                    out[aid] = Result(url, OK, 200)
    return out


def check_doi(doi: str, checker: Checker) -> Result:
    """A DOI exists if the doi.org handle API knows it."""
    base = os.environ.get("TLNOTES_DOI_API", DOI_API).rstrip("/")
    url = f"https://doi.org/{doi}"
    api = f"{base}/{quote_id(doi)}"
    host = checker.host(api)

    def once() -> tuple[Result, bool, float | None]:
        try:
            with host:
                answer = fetch(checker.session(), api, checker.s.timeout, MAX_DOI_ANSWER)
        except Unanswered as exc:
            return Result(url, TRANSIENT, 200 if exc.kind == "size" else None, None, f"doi.org handle API: {exc}"), True, None
        result = _doi_result(url, answer.status, answer.body)
        wait = retry_after(answer.headers.get("Retry-After")) if transient_status(answer.status) else None
        return result, result.cls == TRANSIENT, wait

    return checker.s.retry.run(once, pause=host.pause)[0]


def _doi_result(url: str, status: int, body: bytes) -> Result:
    """What the handle API's answer says of the DOI."""
    if status == 404:
        return Result(url, BROKEN, 404, None, "no such DOI")
    if status != 200:
        return Result(url, TRANSIENT, status, None, f"doi.org handle API: HTTP {status}")
    try:
        answer = json.loads(body)
    except ValueError:
        answer = None
    code = answer.get("responseCode") if isinstance(answer, dict) else None
    if code == 1:
        return Result(url, OK, 200)
    if code in (100, 200):
        return Result(url, BROKEN, 404, None, "no such DOI")
    return Result(url, TRANSIENT, 200, None, f"doi.org handle API answered responseCode {code!r}")


# ---------------------------------------------------------------- cache


class Cache:
    """Results that are worth keeping, with an expiry each; broken and transient never stay."""

    def __init__(self, path: Path | None, max_age: float | None = None, now: float | None = None):
        self.path = path
        self.max_age = max_age
        self.now = now if now is not None else time.time()
        self.entries: dict[str, dict] = {}
        self.error: str | None = None  # why the results could not be saved
        if path and path.exists():
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                entries = data.get("entries", {}) if isinstance(data, dict) else {}
                self.entries = {k: v for k, v in entries.items() if isinstance(v, dict)} if isinstance(entries, dict) else {}
            except (OSError, ValueError, UnicodeDecodeError):
                self.entries = {}  # a corrupt cache is only a slower run

    def get(self, key: str) -> Result | None:
        e = self.entries.get(key)
        if not e or e.get("expires", 0) <= self.now:
            return None
        if self.max_age is not None and self.now - e.get("checked", 0) > self.max_age:
            return None
        return Result(e["url"], e["class"], e.get("status"), e.get("final_url"), e.get("message", ""))

    def put(self, key: str, r: Result) -> None:
        ttl = TTL.get(r.cls)
        if ttl is None:
            self.entries.pop(key, None)
            return
        jitter = random.uniform(0.8, 1.0)  # spread expiries so a big KB does not recheck everything on one day
        self.entries[key] = {
            "url": r.url,
            "class": r.cls,
            "status": r.status,
            "final_url": r.final_url,
            "message": r.message,
            "checked": self.now,
            "expires": self.now + ttl * jitter,
        }

    def save(self) -> None:
        """Keep the results; a cache that cannot be written costs the next run time, never this run's report."""
        if not self.path:
            return
        from .files import write_replace

        self.entries = {k: v for k, v in self.entries.items() if v.get("expires", 0) > self.now}
        try:
            write_replace(self.path, json.dumps({"version": 1, "entries": self.entries}, indent=1, sort_keys=True))
        except OSError as exc:
            self.error = f"{self.path}: cannot save the link cache ({exc.strerror or exc}); results are not kept"


# ---------------------------------------------------------------- the run


def run(kb: KnowledgeBase, settings: Settings, cache: Cache | None = None) -> list[Result]:
    targets = collect(kb)
    cache = cache or Cache(None)
    results: list[Result] = []
    todo_urls = []
    for url, sources in targets.urls.items():
        hit = cache.get(url)
        if hit:
            hit.sources = sources
            results.append(hit)
        else:
            todo_urls.append(url)
    todo_dois = []
    for doi, sources in targets.dois.items():
        hit = cache.get(f"doi:{doi.lower()}")
        if hit:
            hit.sources = sources
            results.append(hit)
        else:
            todo_dois.append(doi)
    todo_arxiv = {}
    for aid, uses in targets.arxiv.items():
        key = f"arxiv:{aid}|" + "|".join(sorted(normalize_title(t) for t, _ in uses))
        hit = cache.get(key)
        if hit:
            hit.sources = [s for _, s in uses]
            results.append(hit)
        else:
            todo_arxiv[aid] = uses

    checker = Checker(settings)
    todo_urls = _round_robin(todo_urls)
    with ThreadPoolExecutor(max_workers=max(1, settings.concurrency)) as pool:
        arxiv_future = pool.submit(check_arxiv, todo_arxiv, settings) if todo_arxiv else None
        url_futures = {url: pool.submit(checker.check, url) for url in todo_urls}
        doi_futures = {doi: pool.submit(check_doi, doi, checker) for doi in todo_dois}
        for url, fut in url_futures.items():
            r = fut.result()
            r.sources = targets.urls[url]
            cache.put(url, r)
            results.append(r)
        for doi, fut in doi_futures.items():
            r = fut.result()
            r.sources = targets.dois[doi]
            cache.put(f"doi:{doi.lower()}", r)
            results.append(r)
        if arxiv_future:
            for aid, r in arxiv_future.result().items():
                uses = todo_arxiv[aid]
                r.sources = [s for _, s in uses]
                cache.put(f"arxiv:{aid}|" + "|".join(sorted(normalize_title(t) for t, _ in uses)), r)
                results.append(r)
    cache.save()
    results.sort(key=lambda r: (CLASSES.index(r.cls), r.url))
    return results


def _round_robin(urls: list[str]) -> list[str]:
    """One URL per host in turn, so the pool's workers do not all queue on one host's limit."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(urlsplit(url).netloc.lower(), []).append(url)
    queues = list(by_host.values())
    out: list[str] = []
    for i in range(max((len(q) for q in queues), default=0)):
        out.extend(q[i] for q in queues if i < len(q))
    return out


# ---------------------------------------------------------------- reports


def report_text(results: list[Result]) -> str:
    out = []
    for cls in CLASSES:
        group = [r for r in results if r.cls == cls]
        if not group or cls == OK:
            continue
        out.append(f"{cls} ({len(group)}):")
        for r in group:
            detail = r.message or (f"HTTP {r.status}" if r.status else "")
            out.append(f"  {r.url}  {detail}".rstrip())
            for s in r.sources:
                out.append(f"    {s}")
    counts = ", ".join(f"{sum(r.cls == c for r in results)} {c}" for c in CLASSES)
    out.append(f"{len(results)} links: {counts}")
    return "\n".join(out) + "\n"


def report_json(results: list[Result]) -> str:
    return json.dumps([r.as_dict() for r in results], indent=2) + "\n"


def _escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value (file=, title=): `:` and `,` would end it, so they are escaped too."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def report_github(results: list[Result], strict: bool = False) -> str:
    """Workflow commands that annotate the record lines in a pull request."""
    out = []
    for r in results:
        if r.cls == OK:
            continue
        level = "error" if r.cls in FAILING or (strict and r.cls in (TRANSIENT, BLOCKED)) else "warning"
        for s in r.sources:
            path, _, line = s.rpartition(":")
            msg = _escape_data(f"{r.cls}: {r.url} {r.message}".strip())
            out.append(
                f"::{level} file={_escape_property(path)},line={_escape_property(line)},"
                f"title={_escape_property('link ' + r.cls)}::{msg}"
            )
    return "\n".join(out) + ("\n" if out else "")


def report_markdown(results: list[Result]) -> str:
    lines = ["## Link check", "", "| class | links |", "|---|---|"]
    for cls in CLASSES:
        lines.append(f"| {cls} | {sum(r.cls == cls for r in results)} |")
    bad = [r for r in results if r.cls != OK]
    if bad:
        lines += ["", "| class | URL | where | detail |", "|---|---|---|---|"]
        for r in bad:
            where = "<br>".join(r.sources)
            lines.append(f"| {r.cls} | {r.url.replace('|', '%7C')} | {where} | {r.message.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def parse_duration(text: str) -> float:
    """`3600`, `90m`, `12h`, `7d` as seconds."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text or "")
    if not m:
        raise ValueError(f"{text!r} is not a duration such as 3600, 90m, 12h or 7d")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
