"""Breadcrumbs of pages outside the nav, topic counts that include subtopics, and a nav without repeats."""

from __future__ import annotations

from tests.test_render import links, rec
from tlnotes.index import build_index
from tlnotes.mkdocs_plugin import _section_heads
from tlnotes.render import nav, render


def test_paper_breadcrumb_walks_its_first_topic(kb):
    kb.note("llm", "<img src=x onerror=alert(1)>")
    kb.note("scaling", "Scaling", folder="llm")
    kb.record("a", rec("A", topics=("scaling", "attention")))
    pages = render(kb.load())
    crumb = pages["papers/a.md"].split("\n# ")[0]
    assert "tln-breadcrumb" in crumb and links(crumb) == {"../../", "../../topics/llm/", "../../topics/scaling/"}
    assert crumb.index("llm/") < crumb.index("scaling/")
    assert "<img" not in crumb  # a hostile topic title stays text


def test_a_subtopic_has_the_same_breadcrumb_as_other_pages_and_a_top_topic_none(kb):
    kb.note("llm", "LLM")
    kb.note("scaling", "Scaling", folder="llm")
    kb.record("a", rec("A", topics=("scaling",)))
    pages = render(kb.load())
    crumb = pages["topics/scaling.md"].split("\n# ")[0]
    assert "tln-breadcrumb" in crumb and links(crumb) == {"../../", "../llm/"}  # Home › LLM
    assert "tln-breadcrumb" not in pages["topics/llm.md"].split("\n# ")[0]


def test_breadcrumb_of_author_pages_and_authorless_papers(kb):
    kb.record("b", rec("B").replace('authors:\n  - "Ada Lovelace"\n', ""))  # authors unknown
    kb.record("c", rec("C"))
    pages = render(kb.load())
    assert links(pages["authors/l.md"].split("\n# ")[0]) == {"../../", "../"}  # Home › Authors
    assert links(pages["papers/b.md"].split("\n# ")[0]) == {"../../", "../../topics/attention/"}


def test_topic_counts_include_subtopics(kb):
    kb.note("llm", "LLM")
    kb.note("scaling", "Scaling", folder="llm")
    kb.note("empty", "Empty")
    kb.record("a", rec("A", topics=("scaling", "llm")))
    kb.record("b", rec("B", topics=("scaling",)))
    pages = render(kb.load())
    home = pages["index.md"]
    assert "[LLM](topics/llm.md) (2 papers, 1 in this topic itself)" in home
    assert "[Scaling](topics/scaling.md) (2)" in home
    assert "[Empty](topics/empty.md) (no papers yet)" in home and "(0)" not in home
    assert "(2 papers, 1 in this topic itself)" in pages["topics/index.md"]


def test_topic_cycle_does_not_hang(kb):
    kb.note("p", "P")
    kb.note("q", "Q", folder="p")
    idx = build_index(kb.load())
    assert idx.papers_under == {"attention": 0, "language-models": 0, "p": 0, "q": 0}


def test_nav_names_home_once_and_heads_sections_with_their_topic(kb):
    kb.note("llm", "LLM")
    kb.note("scaling", "Scaling", folder="llm")
    entries = nav(kb.load())
    assert entries[0] == {"Home": "index.md"}
    assert "topics/llm.md" in _section_heads(entries) and "topics/scaling.md" not in _section_heads(entries)
