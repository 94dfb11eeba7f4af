"""feeds.py: Atom feeds of the most recently added papers, parsed back as a feed reader would."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.test_render import rec
from tlnotes import feeds
from tlnotes.index import build_index

A = "{http://www.w3.org/2005/Atom}"
HOSTILE = "<img src=x onerror=alert(1)> & ]]> \x07"


def parse(text: str) -> ET.Element:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == f"{A}feed"
    return root


def check_atom(root: ET.Element) -> None:
    """RFC 4287's required elements: feed id, title, updated; each entry id, title, updated; an author for each."""
    for tag in ("id", "title", "updated"):
        assert len(root.findall(A + tag)) == 1, tag
    feed_author = root.find(f"{A}author/{A}name") is not None
    for entry in root.findall(A + "entry"):
        for tag in ("id", "title", "updated"):
            assert len(entry.findall(A + tag)) == 1, tag
        assert feed_author or entry.find(f"{A}author/{A}name") is not None
        assert entry.find(f"{A}link[@rel='alternate']").get("href")


@pytest.fixture
def idx(kb):
    kb.note("empty", "Empty")
    for i in range(60):
        kb.record(f"p{i:02d}", rec(f"Paper {i}", extra=f"added: 2024-03-{i % 28 + 1:02d}\n"))
    kb.record("undated", rec("Undated paper"))
    kb.record("evil", rec(HOSTILE, authors=(HOSTILE,), summary=(HOSTILE,), extra="added: 2025-01-01\n"))
    kb.record("bare", "title: Bare\nyear: 2020\ntopics: [language-models]\nadded: 2024-12-31\n")
    k = kb.load()
    assert k.errors == []
    return build_index(k)


def test_site_feed_has_the_50_most_recently_added_newest_first_and_no_undated_paper(idx):
    root = parse(feeds.feeds(idx, "Test KB", "https://example.org/kb/")[feeds.FEED])
    check_atom(root)
    entries = root.findall(A + "entry")
    assert len(entries) == feeds.MAX_ENTRIES
    stamps = [e.findtext(A + "updated") for e in entries]
    assert stamps == sorted(stamps, reverse=True)
    assert stamps[0] == "2025-01-01T00:00:00Z" == root.findtext(A + "updated")
    titles = [e.findtext(A + "title") for e in entries]
    assert "Undated paper" not in titles
    first = entries[0]
    assert first.find(f"{A}link[@rel='alternate']").get("href") == "https://example.org/kb/papers/evil/"
    assert first.findtext(A + "id") == "https://example.org/kb/papers/evil/"
    assert first.findtext(A + "published") == "2025-01-01T00:00:00Z"
    assert root.find(f"{A}link[@rel='self']").get("href") == "https://example.org/kb/feed.xml"


def test_hostile_text_stays_text(idx):
    text = feeds.feeds(idx, "Test KB", "https://example.org/")[feeds.FEED]
    assert "<img" not in text  # escaped by the XML writer
    entry = parse(text).findall(A + "entry")[0]
    expected = HOSTILE.replace("\x07", "\ufffd")  # XML 1.0 cannot hold a control character
    assert entry.findtext(A + "title") == expected
    assert entry.findtext(f"{A}author/{A}name") == expected
    summary = entry.find(A + "summary")
    assert summary.get("type") == "text" and summary.text == f"- {expected}"
    assert list(entry.find(A + "summary")) == []  # no child elements: nothing parsed as markup


def test_paper_without_authors_uses_the_feeds_author(idx):
    root = parse(feeds.feeds(idx, "Test KB")[feeds.topic_feed("language-models")])
    check_atom(root)
    bare = [e for e in root.findall(A + "entry") if e.findtext(A + "title") == "Bare"]
    assert bare and bare[0].find(A + "author") is None and bare[0].find(A + "summary") is None
    assert root.findtext(f"{A}author/{A}name") == "Test KB"


def test_without_site_url_links_are_relative_to_the_feed_and_ids_are_urns(idx):
    files = feeds.feeds(idx, "Test KB", "")
    site = parse(files[feeds.FEED])
    topic = parse(files[feeds.topic_feed("attention")])
    assert site.find(f"{A}entry/{A}link").get("href").startswith("papers/")
    assert topic.find(f"{A}entry/{A}link").get("href").startswith("../../papers/")
    assert topic.find(f"{A}link[@rel='alternate']").get("href") == "../../topics/attention/"
    assert site.findtext(A + "id") == "urn:tlnotes:feed.xml"
    assert all(e.findtext(A + "id").startswith("urn:tlnotes:papers/") for e in site.findall(A + "entry"))


def test_every_topic_has_a_feed_even_with_no_papers(idx):
    files = feeds.feeds(idx, "Test KB", "https://example.org/")
    assert set(files) == {feeds.FEED, *(feeds.topic_feed(t) for t in idx.kb.topics)}
    empty = parse(files[feeds.topic_feed("empty")])
    check_atom(empty)
    assert empty.findall(A + "entry") == [] and empty.findtext(A + "updated") == "1970-01-01T00:00:00Z"
    attention = parse(files[feeds.topic_feed("attention")])
    assert {c.get("term") for c in attention.iter(A + "category")} >= {"attention"}
