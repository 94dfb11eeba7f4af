"""Similar papers: known answers on small KBs, and the hostile ones (no text, one paper, twins, stop words only)."""

from __future__ import annotations

from tests.test_render import rec
from tlnotes.index import build_index
from tlnotes.render import render
from tlnotes.similar import MAX_SIMILAR, STOP_WORDS, words


def test_words_drop_stop_words_numbers_and_plurals():
    assert words("Large Language Models are Retrievers of 2 Documents") == ["retriever", "document"]
    assert {"model", "language", "large"} <= STOP_WORDS
    assert words("$O(n^2)$ attention `code` [link](https://x.org/retrieval)") == ["attention", "link"]


def test_similar_words_are_the_reason(kb):
    kb.record("rag", rec("Retrieval augmented generation", topics=("attention",), summary=("Retrieval from a corpus.",)))
    kb.record("realm", rec("Retrieval augmented pretraining", topics=("language-models",), summary=("Corpus lookups.",)))
    kb.record("other", rec("Sparse mixtures of experts", topics=("language-models",), summary=("Routing tokens.",)))
    idx = build_index(kb.load())
    [s] = idx.similar["rag"]
    assert s.key == "realm" and s.reason.startswith("similar words: ")
    assert "retrieval" in s.reason and "augmented" in s.reason
    assert idx.similar["other"] == []  # nothing alike: nothing shown, never padded


def test_co_citation_in_one_paragraph(kb):
    kb.note("survey", "Survey", body="Both [@a; @b] matter.\n\nAlone: [@c].\n")
    for key in "abc":
        kb.record(key, rec(f"Paper {key}", topics=("language-models",)))
    for i in range(20):  # the topic is broad: it alone does not make papers alike
        kb.record(f"x{i}", rec(f"Filler {i}", topics=("language-models",)))
    idx = build_index(kb.load())
    assert [s.key for s in idx.similar["a"]] == ["b"]
    assert idx.similar["a"][0].reason == "cited in one paragraph of Survey"
    assert idx.similar["c"] == []


def test_hostile_kbs(kb):
    kb.record("only", rec("The of and").replace('summary:\n  - "A point."\n', ""))  # no summary at all
    assert build_index(kb.load()).similar == {"only": []}  # one paper, a title of only stop words
    kb.record("twin", rec("And the of").replace('summary:\n  - "A point."\n', ""))
    kb.record("t1", rec("Identical twin paper", topics=("language-models",), summary=("Same words here.",)))
    kb.record("t2", rec("Identical twin papers", topics=("language-models",), summary=("Same words here.",)))
    idx = build_index(kb.load())
    assert [s.key for s in idx.similar["t1"]] == ["t2"] and [s.key for s in idx.similar["t2"]] == ["t1"]
    assert all(s.key != key for key, ss in idx.similar.items() for s in ss)  # never itself


def test_at_most_max_similar_and_hand_picked_not_repeated(kb):
    kb.note("niche", "Niche")
    for i in range(12):
        kb.record(f"n{i}", rec(f"Quantum annealing paper {i}", topics=("niche",), extra="related: [n1]\n" if i == 0 else ""))
    for i in range(150):
        kb.record(f"f{i}", rec(f"Filler {i}", topics=("language-models",)))
    idx = build_index(kb.load())
    keys = [s.key for s in idx.similar["n0"]]
    assert len(keys) == MAX_SIMILAR and "n1" not in keys and "n0" not in keys


def test_hostile_title_reaches_the_page_escaped(kb):
    hostile = "<img src=x onerror=alert(1)> Quantum annealing"
    kb.record("a", rec(hostile, summary=("Quantum annealing schedules.",)))
    kb.record("b", rec("Quantum annealing again", summary=("Quantum annealing schedules.",)))
    kb.note("evil", "<script>alert(1)</script>", body="[@a; @b]\n")
    pages = render(kb.load())
    page = pages["papers/b.md"]
    assert "## Similar papers" in page and "<img" not in page and "<script>" not in page
