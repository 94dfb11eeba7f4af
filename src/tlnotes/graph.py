"""The KB as graphs of topics and papers, for the site's graph views.

Pure: from the `Index` to JSON text, no I/O. The site writes one file per
graph beside the pages (`extra_files`), and `tlnotes-graph.js` fetches a file
only when its graph is shown, so a page never pays for a graph it does not show.

Edges are the KB's own: a paper's topic tags, a record's `related` keys, the
papers a topic note cites, and a subtopic's parent. The format is compact
because the home graph holds every paper (at most 200 KB at 3,000 papers):
nodes are lists, edges are list indexes, never keys repeated::

    {"r": "../",                       # from this file to the site root
     "f": 5,                           # the node the graph is about (-1: none)
     "t": [[id, title, parent, [cited paper indexes]], ...],   # topics: nodes 0..T-1
     "p": [[key, label, [topic indexes], [related paper indexes]], ...]}  # papers: nodes T..

The home graph leaves paper labels empty (the key, `vaswani2017attention`, says
who and when): titles would double its size.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from functools import partial

from . import safe
from .index import Index
from .model import Paper

GRAPH_DIR = "graph"
HOME_GRAPH = f"{GRAPH_DIR}/index.json"
LABEL_CHARS = 48  # a label is a hover hint; the page it links to has the whole title


def topic_graph(tid: str) -> str:
    return f"{GRAPH_DIR}/topics/{tid}.json"


def paper_graph(key: str) -> str:
    return f"{GRAPH_DIR}/papers/{key}.json"


def _label(title: str) -> str:
    text = safe.plain(" ".join(title.split()))
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _to_root(path: str) -> str:
    return "../" * path.count("/")


def encode(
    idx: Index,
    path: str,
    topics: Iterable[str],
    papers: Iterable[str],
    focus: str | None = None,
    extra: Iterable[str] = (),
    labels: bool = True,
) -> str:
    """The graph of these topics and papers, with every edge of the KB between them, as JSON for `path`.

    `extra` are keys the focus paper links to beyond its record's `related` (its ranked neighbors).
    """
    kb = idx.kb
    tids = [t for t in dict.fromkeys(topics) if t in kb.topics]
    keys = [k for k in dict.fromkeys(papers) if k in kb.papers]
    t_at = {t: i for i, t in enumerate(tids)}
    p_at = {k: i for i, k in enumerate(keys)}

    def paper_row(p: Paper) -> list:
        related = list(p.related) + (list(extra) if p.key == focus else [])
        return [
            p.key,
            _label(p.title) if labels else "",
            [t_at[t] for t in dict.fromkeys(p.topics) if t in t_at],
            [p_at[k] for k in dict.fromkeys(related) if k in p_at and k != p.key],
        ]

    rows_t = []
    for t in tids:
        topic = kb.topics[t]
        parent = t_at.get(topic.parent, -1) if topic.parent else -1
        rows_t.append([t, _label(topic.title), parent, [p_at[k] for k in idx.citations.get(t, ()) if k in p_at]])
    f = t_at.get(focus, -1) if focus in t_at else (len(tids) + p_at[focus] if focus in p_at else -1)
    data = {"r": _to_root(path), "f": f, "t": rows_t, "p": [paper_row(kb.papers[k]) for k in keys]}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def graphs(idx: Index) -> dict[str, str]:
    """Every graph file of the site: the whole KB, each topic's and each paper's neighborhood."""
    return {path: make(idx) for path, make in graph_makers(idx).items()}


def graph_makers(idx: Index) -> dict[str, Callable[[Index], str]]:
    """Each graph file's path and what makes it from the index: one at a time, so a rebuild makes only those whose
    inputs changed (rerender.py)."""
    out: dict[str, Callable[[Index], str]] = {HOME_GRAPH: _home_graph}
    for tid in idx.kb.topics:
        out[topic_graph(tid)] = partial(_topic_graph, tid)
    for key in idx.kb.papers:
        out[paper_graph(key)] = partial(_paper_graph, key)
    return out


def _home_graph(idx: Index) -> str:
    return encode(idx, HOME_GRAPH, idx.kb.topics, (p.key for p in idx.papers_sorted()), labels=False)


def _topic_graph(tid: str, idx: Index) -> str:
    topic = idx.kb.topics[tid]
    near = [tid, *(c.id for c in idx.children.get(tid, ()))]
    if topic.parent:
        near.insert(0, topic.parent)
    keys = [p.key for p in idx.by_topic.get(tid, ())] + list(idx.citations.get(tid, ()))
    return encode(idx, topic_graph(tid), near, keys, focus=tid)


def _paper_graph(key: str, idx: Index) -> str:
    paper = idx.kb.papers[key]
    neighbors = idx.related.get(key, [])
    keys = [key, *neighbors]
    topics = [*paper.topics, *idx.cited_in.get(key, ())]
    return encode(idx, paper_graph(key), topics, keys, focus=key, extra=neighbors)


def figure(src: str, label: str, *, on_button: bool) -> str:
    """The placeholder a graph is drawn into: decorative, next to lists that already hold every link.

    `src` is the graph's data file as the page links it (`render.page_url`: relative to where the page is served).
    With `on_button` (the home page) the script adds a button, and the data waits for it or for the box to
    scroll into view; elsewhere scrolling into view is enough. Without JavaScript the box stays empty.
    """
    lazy = ' data-button=""' if on_button else ""
    return f'<div class="tln-graph" data-graph="{safe.attr(src)}"{lazy} role="img" aria-label="{safe.attr(label)}"></div>\n'
