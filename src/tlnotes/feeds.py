"""Atom feeds of the papers most recently added: the whole KB's and one per topic.

Pure: from the `Index` to XML text. ElementTree writes the XML, so every title,
author and summary is escaped text, whatever it holds. Absolute URLs come
from the site's `site_url`; without one, links are relative to the feed and
ids are `urn:tlnotes:` names (a feed reader resolves the links against the
feed's own address).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable
from functools import partial

from . import safe
from .index import Index
from .model import Bullet, Paper

ATOM = "http://www.w3.org/2005/Atom"
FEED = "feed.xml"
MAX_ENTRIES = 50
EPOCH = dt.date(1970, 1, 1)  # `updated` of a feed with no dated paper: Atom requires one, and no clock may be read
ET.register_namespace("", ATOM)


def topic_feed(tid: str) -> str:
    return f"topics/{tid}/{FEED}"


def recent(papers: list[Paper]) -> list[Paper]:
    """The papers with an `added` date, newest first, at most MAX_ENTRIES; undated ones cannot say when they came."""
    dated = [p for p in papers if p.added is not None]
    return sorted(dated, key=lambda p: (p.added, p.key), reverse=True)[:MAX_ENTRIES]


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _lines(bullets: tuple[Bullet, ...], depth: int = 0) -> list[str]:
    out = []
    for b in bullets:
        out.append(f"{'  ' * depth}- {' '.join(b.text.split())}")
        out.extend(_lines(b.children, depth + 1))
    return out


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        el.text = safe.plain(text)
    return el


def feed(idx: Index, path: str, title: str, page: str, papers: list[Paper], site_name: str, site_url: str = "") -> str:
    """An Atom feed at `path` of `papers`' most recent, for the page `page` (a URL path from the site root)."""
    base = site_url.rstrip("/") + "/" if site_url else ""
    up = "../" * path.count("/")

    def url(target: str) -> str:
        return base + target if base else up + target

    def ident(target: str) -> str:
        return base + target if base else f"urn:tlnotes:{target}"

    entries = recent(papers)
    root = ET.Element(f"{{{ATOM}}}feed")
    _sub(root, "title", title)
    _sub(root, "id", ident(path))
    _sub(root, "updated", _stamp(max((p.added for p in entries if p.added), default=EPOCH)))
    _sub(root, "link", rel="self", type="application/atom+xml", href=url(path))
    _sub(root, "link", rel="alternate", type="text/html", href=url(page))
    author = _sub(root, "author")  # an entry without authors takes the feed's: Atom needs one for each
    _sub(author, "name", site_name)
    _sub(root, "generator", "tlnotes")
    for p in entries:
        assert p.added is not None
        entry = _sub(root, "entry")
        _sub(entry, "title", p.title)
        _sub(entry, "id", ident(f"papers/{p.key}/"))
        _sub(entry, "link", rel="alternate", type="text/html", href=url(f"papers/{p.key}/"))
        _sub(entry, "published", _stamp(p.added))
        _sub(entry, "updated", _stamp(p.added))
        for name in p.named_authors:
            _sub(_sub(entry, "author"), "name", name)
        for tid in p.topics:
            if tid in idx.kb.topics:
                _sub(entry, "category", term=tid, label=safe.plain(idx.kb.topics[tid].title))
        if p.summary:
            _sub(entry, "summary", "\n".join(_lines(p.summary)), type="text")
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def feeds(idx: Index, site_name: str, site_url: str = "") -> dict[str, str]:
    """The site's feed (`feed.xml`) and one per topic beside its page, even empty: every topic page links one."""
    return {path: make(idx) for path, make in feed_makers(idx, site_name, site_url).items()}


def feed_makers(idx: Index, site_name: str, site_url: str = "") -> dict[str, Callable[[Index], str]]:
    """Each feed's path and what makes it from the index, one at a time (rerender.py)."""
    out: dict[str, Callable[[Index], str]] = {FEED: partial(_site_feed, site_name, site_url)}
    for tid in idx.kb.topics:
        out[topic_feed(tid)] = partial(_topic_feed, tid, site_name, site_url)
    return out


def _site_feed(site_name: str, site_url: str, idx: Index) -> str:
    return feed(idx, FEED, site_name, "", list(idx.kb.papers.values()), site_name, site_url)


def _topic_feed(tid: str, site_name: str, site_url: str, idx: Index) -> str:
    topic = idx.kb.topics[tid]
    papers = idx.by_topic.get(tid, [])
    return feed(idx, topic_feed(tid), f"{topic.title} · {site_name}", f"topics/{tid}/", papers, site_name, site_url)
