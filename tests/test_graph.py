"""graph.py: the graph data of the home, topic and paper pages, and the placeholders that fetch it."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from tests.test_render import rec, to_html
from tlnotes import graph
from tlnotes.index import build_index
from tlnotes.render import Site, extra_files, render
from tlnotes.sanitize import clean

HOSTILE = "<img src=x onerror=alert(1)>"


def nodes(data: dict) -> dict[str, int]:
    """Node index by `t:<topic id>` / `p:<key>`, as tlnotes-graph.js numbers them."""
    T = len(data["t"])
    out = {f"t:{t[0]}": i for i, t in enumerate(data["t"])}
    out.update({f"p:{p[0]}": T + i for i, p in enumerate(data["p"])})
    return out


def edges(data: dict) -> set[tuple[str, str]]:
    """Every edge as a pair of names, in the direction the file stores it."""
    names = {i: n for n, i in nodes(data).items()}
    T = len(data["t"])
    out = set()
    for i, t in enumerate(data["t"]):
        if t[2] >= 0:
            out.add((names[i], names[t[2]]))
        out.update((names[i], names[T + p]) for p in t[3])
    for i, p in enumerate(data["p"]):
        out.update((names[T + i], names[t]) for t in p[2])
        out.update((names[T + i], names[T + q]) for q in p[3])
    return out


@pytest.fixture
def kb3(kb):
    kb.note("prompting", "Prompting", folder="language-models", body="Builds on [@a].\n")
    kb.record("a", rec("Paper A", year=2019, topics=("attention", "language-models"), extra="related: [c]\n"))
    kb.record("b", rec(HOSTILE, authors=(HOSTILE,), year=2021, topics=("attention",)))
    kb.record("c", rec("Paper C", year=2018, topics=("prompting",)))
    k = kb.load()
    assert k.errors == []
    return build_index(k)


def test_home_graph_has_every_topic_and_paper_and_every_kind_of_edge(kb3):
    data = json.loads(graph.graphs(kb3)[graph.HOME_GRAPH])
    assert set(nodes(data)) == {"t:attention", "t:language-models", "t:prompting", "p:a", "p:b", "p:c"}
    assert edges(data) == {
        ("p:a", "t:attention"),
        ("p:a", "t:language-models"),
        ("p:b", "t:attention"),
        ("p:c", "t:prompting"),
        ("p:a", "p:c"),  # related
        ("t:prompting", "p:a"),  # cited in the note
        ("t:prompting", "t:language-models"),  # subtopic
    }
    assert data["r"] == "../" and data["f"] == -1
    assert all(p[1] == "" for p in data["p"])  # the home graph's papers are labeled by key


def test_topic_and_paper_graphs_are_neighbourhoods_with_their_focus(kb3):
    files = graph.graphs(kb3)
    topic = json.loads(files[graph.topic_graph("prompting")])
    assert set(nodes(topic)) == {"t:language-models", "t:prompting", "p:a", "p:c"}  # parent, itself, tagged and cited
    assert nodes(topic)["t:prompting"] == topic["f"] and topic["r"] == "../../"
    paper = json.loads(files[graph.paper_graph("c")])
    assert set(nodes(paper)) >= {"p:c", "t:prompting", "p:a"}  # its topic, the paper that lists it as related
    assert nodes(paper)["p:c"] == paper["f"]
    assert ("p:c", "p:a") in edges(paper) or ("p:a", "p:c") in edges(paper)
    assert dict((p[0], p[1]) for p in paper["p"])["a"] == "Paper A"


def test_hostile_title_is_data_in_json_and_never_markup_on_the_page(kb3):
    files = graph.graphs(kb3)
    data = json.loads(files[graph.paper_graph("b")])
    assert [p[1] for p in data["p"] if p[0] == "b"] == [HOSTILE[: graph.LABEL_CHARS]]  # text, for the script to escape
    page = clean(to_html(render(kb3.kb, Site("T"), kb3)["papers/b.md"]))
    assert 'data-graph="../../graph/papers/b.json"' in page
    assert "<img" not in page.split('class="tln-graph"')[1].split("</div>")[0]


def test_placeholders_point_at_their_data_relative_to_the_served_page(kb3):
    pages = render(kb3.kb, Site("T"), kb3)
    files = extra_files(kb3.kb, Site("T"), kb3)
    for path, src in [("index.md", "graph/index.json"), ("topics/attention.md", "../../graph/topics/attention.json")]:
        html = clean(to_html(pages[path]))
        assert f'data-graph="{src}"' in html, path
        served = {"index.md": "", "topics/attention.md": "topics/attention/"}[path]
        target = (Path("/site") / served / src).resolve().relative_to("/site").as_posix()
        assert target in files
    assert 'role="img"' in html and 'aria-label="' in html
    assert "data-button" in clean(to_html(pages["index.md"]))  # home: on a button or when scrolled to


def test_a_topic_with_no_papers_and_an_empty_kb_get_no_graph(kb):
    kb.note("empty", "Empty")
    k = kb.load()
    pages = render(k, Site("T"))
    assert "tln-graph" not in pages["topics/empty.md"]
    assert "tln-graph" not in pages["index.md"]  # no papers: nothing to draw
    assert json.loads(graph.graphs(build_index(k))[graph.topic_graph("empty")])["p"] == []


def test_paper_without_authors_or_summary_and_a_huge_summary(kb):
    kb.record("bare", "title: Bare\nyear: 2020\ntopics: [attention]\n")
    kb.record("huge", rec("Huge " * 500, summary=("word " * 20000,)))
    idx = build_index(kb.load())
    files = graph.graphs(idx)
    labels = {p[0]: p[1] for p in json.loads(files[graph.paper_graph("huge")])["p"]}
    assert len(labels["huge"]) == graph.LABEL_CHARS and labels["huge"].endswith("…")
    assert len(files[graph.paper_graph("huge")]) < 1000  # the summary never reaches the graph
    assert json.loads(files[graph.paper_graph("bare")])["p"][0][0] == "bare"


def test_home_graph_of_3000_papers_is_at_most_200_kb(tmp_path):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    from make_kb import make_kb

    from tlnotes import load

    idx = build_index(load(make_kb(tmp_path / "kb", 3000)))
    files = graph.graphs(idx)
    home = files[graph.HOME_GRAPH].encode()
    assert len(home) <= 200_000, len(home)
    data = json.loads(home)
    assert len(data["p"]) == 3000 and len(data["t"]) == 40
    assert max(len(v.encode()) for k, v in files.items() if k.startswith("graph/papers/")) < 4_000
