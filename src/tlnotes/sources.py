"""Paper metadata from the outside world: the arXiv API and Crossref.

Every base URL comes from the environment (`TLNOTES_ARXIV_API`,
`TLNOTES_CROSSREF_API`) so tests and mirrors can stand in, and every failure
becomes a `SourceError` with a sentence a curator can act on. Responses are
size-capped and parsed as untrusted data.
"""

from __future__ import annotations

import os
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from . import __version__
from .schema import ARXIV_ID, arxiv_id

ARXIV_API = "http://export.arxiv.org/api/query"
CROSSREF_API = "https://api.crossref.org"
ARXIV_INTERVAL = 3.0  # arXiv's terms: at most one request every three seconds
ARXIV_BATCH = 50
MAX_RESPONSE = 10 << 20
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"

_ARXIV_REF = re.compile(rf"^(?:arxiv:)?(?P<id>{ARXIV_ID})(?:v\d+)?$", re.I)
_DOI_REF = re.compile(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)(?P<doi>10\.\d{4,9}/\S+)$", re.I)


class SourceError(Exception):
    """Something went wrong getting metadata; the message says what and what to do."""


@dataclass(frozen=True)
class Ref:
    kind: str  # "arxiv" or "doi"
    id: str
    text: str  # as the curator wrote it


@dataclass
class Metadata:
    title: str
    authors: list[str]
    year: int
    links: dict[str, str]
    venue: str | None = None
    abstract: str | None = None
    category: str | None = None


def parse_ref(text: str) -> Ref:
    """`arxiv:2305.01610`, `2305.01610v2`, an arxiv.org abs/pdf URL, `doi:10...` or a doi.org URL."""
    t = text.strip()
    m = _ARXIV_REF.match(t)
    aid = m.group("id") if m else arxiv_id(t)
    if aid:
        return Ref("arxiv", aid, text)
    m = _DOI_REF.match(t)
    if m:
        return Ref("doi", m.group("doi").rstrip("."), text)
    raise SourceError(f"{text!r} is not a paper reference: give an arXiv id (arxiv:2305.01610, 2305.01610v2, "
                      "an arxiv.org abs or pdf URL) or a DOI (doi:10.1038/nature14539, https://doi.org/...)")


def clean(text: str | None) -> str:
    """Titles and names as one line: no line breaks, no double spaces."""
    return " ".join((text or "").split())


def user_agent(purpose: str | None = None) -> str:
    """An honest User-Agent: what we are, what for, and whom to write to (TLNOTES_CONTACT)."""
    contact = os.environ.get("TLNOTES_CONTACT", "").strip()
    notes = [n for n in (purpose, f"mailto:{contact}" if contact else None) if n]
    return f"tlnotes/{__version__}" + (f" ({'; '.join(notes)})" if notes else "")


def timeout() -> float:
    try:
        return float(os.environ.get("TLNOTES_TIMEOUT", "20"))
    except ValueError:
        return 20.0


class RateLimit:
    """At least `interval` seconds between the starts of two requests."""

    def __init__(self, interval: float, clock=time.monotonic, sleep=time.sleep):
        self.interval = interval
        self.clock = clock
        self.sleep = sleep
        self.last: float | None = None

    def wait(self) -> None:
        if self.last is not None:
            delay = self.last + self.interval - self.clock()
            if delay > 0:
                self.sleep(delay)
        self.last = self.clock()


def get(session, url: str, what: str, **params) -> bytes:
    import requests

    try:
        with session.get(url, params=params, timeout=timeout(), stream=True,
                         headers={"User-Agent": user_agent()}) as r:
            if r.status_code == 429:
                after = r.headers.get("Retry-After")
                raise SourceError(f"{what}: the server asks us to slow down (HTTP 429"
                                  + (f", retry after {after}" if after else "") + "); try again later")
            if r.status_code == 404:
                return b""
            if r.status_code >= 400:
                raise SourceError(f"{what}: the server answered HTTP {r.status_code}; try again later")
            body = b""
            for chunk in r.iter_content(64 << 10):
                body += chunk
                if len(body) > MAX_RESPONSE:
                    raise SourceError(f"{what}: the answer is larger than {MAX_RESPONSE >> 20} MiB; refusing it")
            return body
    except requests.Timeout:
        raise SourceError(f"{what}: no answer within {timeout():g} s (set TLNOTES_TIMEOUT to wait longer)") from None
    except requests.ConnectionError as exc:
        raise SourceError(f"{what}: cannot connect to {url} ({describe_error(exc)})") from None
    except requests.RequestException as exc:
        raise SourceError(f"{what}: {exc}") from None


def describe_error(exc: Exception) -> str:
    """The readable core of a requests/urllib3 error message (`Connection refused`, not a repr chain)."""
    text = str(exc)
    m = re.search(r"\[Errno [-\d]+\] ([^'\")]+)", text)
    return m.group(1).strip() if m else text.split(":")[-1].strip()[:120] or "connection failed"


# ---------------------------------------------------------------- arXiv


def fetch_arxiv(ids: list[str], session=None, limiter: RateLimit | None = None) -> dict[str, Metadata]:
    """Metadata of every id, in as few API calls as batches allow; unknown ids are missing from the result."""
    import requests

    session = session or requests.Session()
    limiter = limiter or RateLimit(ARXIV_INTERVAL)
    out: dict[str, Metadata] = {}
    for start in range(0, len(ids), ARXIV_BATCH):
        out.update(query_arxiv(ids[start : start + ARXIV_BATCH], session, limiter))
    return out


def query_arxiv(batch: list[str], session, limiter: RateLimit) -> dict[str, Metadata]:
    """One arXiv API call for a batch of ids, after the limiter allows it; SourceError on failure."""
    limiter.wait()
    base = os.environ.get("TLNOTES_ARXIV_API", ARXIV_API)
    return parse_arxiv_feed(get(session, base, "arXiv API", id_list=",".join(batch), max_results=len(batch)))


def parse_arxiv_feed(body: bytes) -> dict[str, Metadata]:
    if not body.strip():
        return {}
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SourceError(f"arXiv API: the answer is not valid Atom XML ({exc})") from None
    out = {}
    for entry in root.findall(f"{ATOM}entry"):
        id_url = clean(entry.findtext(f"{ATOM}id"))
        m = re.search(rf"arxiv\.org/abs/({ARXIV_ID})(?:v\d+)?$", id_url)
        title = clean(entry.findtext(f"{ATOM}title"))
        if not m or not title or title.lower() == "error":
            continue  # the API's way of saying "no such paper"
        published = clean(entry.findtext(f"{ATOM}published"))
        year = int(published[:4]) if re.match(r"^\d{4}", published) else None
        authors = [clean(a.findtext(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author")]
        authors = [a for a in authors if a]
        if year is None or not authors:
            continue
        links = {"arxiv": m.group(1)}
        doi = clean(entry.findtext(f"{ARXIV_NS}doi"))
        if doi:
            links["doi"] = doi
        cat = entry.find(f"{ARXIV_NS}primary_category")
        out[m.group(1)] = Metadata(title, authors, year, links, abstract=clean(entry.findtext(f"{ATOM}summary")) or None,
                                   category=cat.get("term") if cat is not None else None)
    return out


# ---------------------------------------------------------------- Crossref


def fetch_doi(doi: str, session=None) -> Metadata | None:
    import json

    import requests

    session = session or requests.Session()
    base = os.environ.get("TLNOTES_CROSSREF_API", CROSSREF_API).rstrip("/")
    body = get(session, f"{base}/works/{doi}", "Crossref")
    if not body:
        return None
    try:
        msg = json.loads(body)["message"]
    except (ValueError, KeyError, TypeError):
        raise SourceError("Crossref: the answer is not the JSON it should be") from None
    title = clean((msg.get("title") or [""])[0])
    authors = []
    for a in msg.get("author") or []:
        name = clean(" ".join(p for p in (a.get("given"), a.get("family")) if p)) or clean(a.get("name"))
        if name:
            authors.append(name)
    year = None
    for key in ("published-print", "published-online", "issued", "created"):
        parts = (msg.get(key) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and parts[0][0]:
            year = int(parts[0][0])
            break
    if not title or not authors or year is None:
        raise SourceError(f"Crossref: the record of {doi} lacks a title, authors or a year")
    venue = clean((msg.get("container-title") or [""])[0]) or None
    return Metadata(title, authors, year, {"doi": msg.get("DOI", doi)}, venue=venue,
                    abstract=clean(re.sub(r"<[^>]+>", " ", msg.get("abstract") or "")) or None)
