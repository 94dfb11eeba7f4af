"""Paper metadata from the outside world: the arXiv API and Crossref.

Every base URL comes from the environment (`TLNOTES_ARXIV_API`,
`TLNOTES_CROSSREF_API`) so tests and mirrors can stand in, and every failure
becomes a `SourceError` with a sentence a curator can act on. Responses are
size-capped and parsed as untrusted data.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from .http import RateLimit, Unanswered, fetch, http_session, request_url, timeout, user_agent
from .ids import arxiv_id, arxiv_ref, quote_id, read_doi
from .model import TlnotesError
from .records import NewRecord

ARXIV_API = "http://export.arxiv.org/api/query"
CROSSREF_API = "https://api.crossref.org"
OPENALEX_API = "https://api.openalex.org"
ARXIV_INTERVAL = 3.0  # arXiv's terms: at most one request every three seconds
ARXIV_BATCH = 100  # ids per API call: half the calls (and waits) of 50, and the URL stays under 2 KB
MAX_RESPONSE = 10 << 20
MAX_AUTHORS = 5000  # the longest real author lists (particle physics) have about 3,000
ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV_NS = "{http://arxiv.org/schemas/atom}"


class SourceError(TlnotesError):
    """Something went wrong getting metadata; the message says what and what to do."""


class SourceUnreachable(SourceError):
    """The service itself failed (no answer, refused, HTTP 429 or 5xx): asking it again in this run is pointless."""


@dataclass(frozen=True)
class Ref:
    kind: str  # "arxiv" or "doi"
    id: str
    text: str  # as the curator wrote it


def parse_ref(text: str) -> Ref:
    """`arxiv:2305.01610`, `2305.01610v2`, an arxiv.org abs/pdf URL, `doi:10...` or a doi.org URL."""
    aid = arxiv_ref(text)
    if aid:
        return Ref("arxiv", aid, text)
    doi = read_doi(text.strip().rstrip("."), bare=False)  # a DOI pasted from a sentence keeps its full stop
    if doi:
        return Ref("doi", doi, text)
    raise SourceError(
        f"{text!r} is not a paper reference: give an arXiv id (arxiv:2305.01610, 2305.01610v2, "
        "an arxiv.org abs or pdf URL) or a DOI (doi:10.1038/nature14539, https://doi.org/...)"
    )


def clean(text: str | None) -> str:
    """Titles and names as one line: no line breaks, no double spaces."""
    return " ".join((text or "").split())


def get(session, url: str, what: str, seconds: float | None = None, **params) -> bytes:
    """The body of a GET within `seconds` in all and MAX_RESPONSE bytes; b"" on 404; SourceError otherwise."""
    seconds = timeout() if seconds is None else seconds
    shown = request_url(url, **params)
    try:
        answer = fetch(session, url, seconds, MAX_RESPONSE, headers={"User-Agent": user_agent()}, **params)
    except Unanswered as exc:
        if exc.kind == "timeout":
            raise SourceUnreachable(f"{what} ({shown}): {exc} (set TLNOTES_TIMEOUT to wait longer)") from None
        if exc.kind in ("dns", "connect"):
            raise SourceUnreachable(f"{what}: cannot connect to {shown} ({exc})") from None
        raise SourceUnreachable(f"{what} ({shown}): {exc}") from None
    if answer.status == 429:
        after = answer.headers.get("Retry-After")
        raise SourceUnreachable(
            f"{what} ({shown}): the server asks us to slow down (HTTP 429"
            + (f", retry after {after}" if after else "")
            + "); try again later"
        )
    if answer.status == 404:
        return b""
    if answer.status >= 500:
        raise SourceUnreachable(f"{what} ({shown}): the server answered HTTP {answer.status}; try again later")
    if answer.status >= 400:
        raise SourceError(f"{what} ({shown}): the server answered HTTP {answer.status}; try again later")
    return answer.body


# ---------------------------------------------------------------- arXiv


def fetch_arxiv(ids: list[str], session=None, limiter: RateLimit | None = None) -> dict[str, NewRecord]:
    """NewRecord of every id, in as few API calls as batches allow; unknown ids are missing from the result."""
    session = session or http_session()
    limiter = limiter or RateLimit(ARXIV_INTERVAL)
    out: dict[str, NewRecord] = {}
    for start in range(0, len(ids), ARXIV_BATCH):
        out.update(query_arxiv(ids[start : start + ARXIV_BATCH], session, limiter))
    return out


def query_arxiv(batch: list[str], session, limiter: RateLimit, seconds: float | None = None) -> dict[str, NewRecord]:
    """One arXiv API call for a batch of ids, after the limiter allows it; SourceError on failure."""
    limiter.wait()
    base = os.environ.get("TLNOTES_ARXIV_API", ARXIV_API)
    params = {"id_list": ",".join(batch), "max_results": len(batch)}
    return parse_arxiv_feed(get(session, base, "arXiv API", seconds, **params), request_url(base, **params))


def search_arxiv_title(title: str, session=None, limiter: RateLimit | None = None) -> list[NewRecord]:
    """Papers whose title contains this phrase (arXiv's `ti:` search); the caller decides which, if any, is it."""
    session = session or http_session()
    limiter = limiter or RateLimit(ARXIV_INTERVAL)
    limiter.wait()
    base = os.environ.get("TLNOTES_ARXIV_API", ARXIV_API)
    phrase = clean(re.sub(r'["\\]', " ", title))  # a quote would end the phrase early
    params = {"search_query": f'ti:"{phrase}"', "max_results": 10}
    return list(parse_arxiv_feed(get(session, base, "arXiv API", None, **params), request_url(base, **params)).values())


def parse_arxiv_feed(body: bytes, url: str = "") -> dict[str, NewRecord]:
    """Papers of an Atom feed by id; entries that do not describe a paper are left out."""
    if not body.strip():
        return {}
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise SourceError(f"arXiv API{f' ({url})' if url else ''}: the answer is not valid Atom XML ({exc})") from None
    out = {}
    for entry in root.findall(f"{ATOM}entry"):
        id_url = clean(entry.findtext(f"{ATOM}id"))
        aid = arxiv_id(id_url)
        title = clean(entry.findtext(f"{ATOM}title"))
        if not aid or not title or title.lower() == "error":
            continue  # the API's way of saying "no such paper"
        published = clean(entry.findtext(f"{ATOM}published"))
        year = int(published[:4]) if re.match(r"^\d{4}", published) else None
        authors = [clean(a.findtext(f"{ATOM}name")) for a in entry.findall(f"{ATOM}author")]
        authors = [a for a in authors if a]
        if year is None or not authors:
            continue
        links = {"arxiv": aid}
        doi = read_doi(clean(entry.findtext(f"{ARXIV_NS}doi")))  # a DOI that is not one is left out
        if doi:
            links["doi"] = doi
        cat = entry.find(f"{ARXIV_NS}primary_category")
        out[aid] = NewRecord(
            title,
            authors,
            year,
            links,
            abstract=clean(entry.findtext(f"{ATOM}summary")) or None,
            category=cat.get("term") if cat is not None else None,
        )
    return out


# ---------------------------------------------------------------- Crossref


def fetch_doi(doi: str, session=None) -> NewRecord | None:
    """Crossref's record of a DOI; None if Crossref does not know it; SourceError if it is unusable."""
    import json

    session = session or http_session()
    base = os.environ.get("TLNOTES_CROSSREF_API", CROSSREF_API).rstrip("/")
    url = f"{base}/works/{quote_id(doi)}"
    body = get(session, url, "Crossref")
    if not body:
        return None
    try:
        msg = json.loads(body)["message"]
    except (ValueError, KeyError, TypeError):
        msg = None
    if not isinstance(msg, dict):
        raise SourceError(f"Crossref ({url}): the answer is not the JSON it should be") from None
    title = _first_text(msg.get("title"))
    authors = []
    for a in _as_list(msg.get("author")):
        if isinstance(a, dict):
            parts = [p for p in (_text(a.get("given")), _text(a.get("family"))) if p]
            name = clean(" ".join(parts)) or _text(a.get("name"))
            if name:
                authors.append(name)
    year = None
    for key in ("published-print", "published-online", "issued", "created"):
        date = msg.get(key)
        parts = _as_list(date.get("date-parts")) if isinstance(date, dict) else []
        first = _as_list(parts[0]) if parts else []
        if first and type(first[0]) is int:
            year = first[0]
            break
    if not title or not authors or year is None:
        raise SourceError(f"Crossref ({url}): the record of {doi} lacks a title, authors or a year")
    venue = _first_text(msg.get("container-title"))
    abstract = _text(msg.get("abstract"))
    return NewRecord(
        title,
        authors,
        year,
        {"doi": _text(msg.get("DOI")) or doi},
        venue=venue,
        abstract=clean(re.sub(r"<[^>]+>", " ", abstract)) if abstract else None,
    )


def search_crossref_title(title: str, session=None) -> list[tuple[str, str]]:
    """(title, DOI) of Crossref's five best matches for a title; the caller decides which, if any, is it."""
    import json

    session = session or http_session()
    url = os.environ.get("TLNOTES_CROSSREF_API", CROSSREF_API).rstrip("/") + "/works"
    params = {"query.title": title, "rows": 5}
    body = get(session, url, "Crossref", None, **params)
    try:
        items = json.loads(body)["message"]["items"] if body else []
    except (ValueError, KeyError, TypeError):
        items = None
    if not isinstance(items, list):
        raise SourceError(f"Crossref ({request_url(url, **params)}): the answer is not the JSON it should be")
    found = [(_first_text(i.get("title")), read_doi(_text(i.get("DOI")) or "")) for i in items if isinstance(i, dict)]
    return [(t, d) for t, d in found if t and d]


# ---------------------------------------------------------------- OpenAlex


def fetch_venue(doi: str, session=None) -> dict:
    """{"venue", "year"} of the published version of a DOI (an arXiv one too) per OpenAlex; None where unknown.

    OpenAlex is open and needs no key, joins arXiv preprints to their published
    versions (Crossref does not), and gives a polite pool to a `mailto`.
    """
    import json

    session = session or http_session()
    url = os.environ.get("TLNOTES_OPENALEX_API", OPENALEX_API).rstrip("/") + "/works"
    params = {"filter": f"doi:{doi}"}
    if os.environ.get("TLNOTES_CONTACT"):
        params["mailto"] = os.environ["TLNOTES_CONTACT"]
    body = get(session, url, "OpenAlex", None, **params)
    try:
        results = json.loads(body)["results"] if body else []
    except (ValueError, KeyError, TypeError):
        results = None
    if not isinstance(results, list):
        raise SourceError(f"OpenAlex ({request_url(url, **params)}): the answer is not the JSON it should be")
    work = results[0] if results and isinstance(results[0], dict) else {}
    places = [work.get("primary_location"), *_as_list(work.get("locations"))]
    found = [p["source"] for p in places if isinstance(p, dict) and isinstance(p.get("source"), dict)]
    names = [_text(s.get("display_name")) for s in found if s.get("type") != "repository"]
    venues = [n for n in names if n and "arxiv" not in n.lower()]  # the preprint is not a venue
    year = work.get("publication_year")
    return {"venue": venues[0] if venues else None, "year": year if type(year) is int and venues else None}


def _text(value) -> str | None:
    return clean(value) or None if isinstance(value, str) else None


def _as_list(value) -> list:
    return value if isinstance(value, list) else []


def _first_text(value) -> str | None:
    """Crossref's lists of one string (`title`, `container-title`), or a plain string."""
    return _text(value[0] if isinstance(value, list) and value else value)
