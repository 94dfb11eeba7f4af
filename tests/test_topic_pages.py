"""Topic pages: the dense paper list with follow-ups nested, references with links and back-links, preview cards."""

from __future__ import annotations

import html
import re

from tests.test_render import audit, rec, to_html
from tlnotes.bibtex import entry, format_references
from tlnotes.index import build_index, newest_first
from tlnotes.model import Bullet, Paper
from tlnotes.render import follow_ups, render, render_paper, render_topic
from tlnotes.sanitize import clean

HOSTILE = "<img src=x onerror=alert(1)>"


def paper(key: str, year: int, related: tuple[str, ...] = (), **kw) -> Paper:
    return Paper(key=key, path=f"papers/{key}.yaml", title=key.upper(), authors=("Ada Lovelace",), year=year,
                 topics=("t",), related=related, summary=(Bullet("gist"),), **kw)  # fmt: skip


def shape(forest) -> list:
    """The forest as nested (key, [children]) for comparison."""
    return [(p.key, shape(kids)) for p, kids in forest]


def keys(forest) -> list[str]:
    return [k for p, kids in forest for k in (p.key, *keys(kids))]


def in_order(*papers: Paper) -> list[Paper]:
    return sorted(papers, key=newest_first)  # as idx.by_topic lists them


# ---------------------------------------------------------------- follow-ups


def test_follow_up_nests_under_the_older_paper_whichever_record_names_the_other():
    base, up, other = paper("base", 2017), paper("up", 2019, related=("base",)), paper("other", 2018)
    assert shape(follow_ups(in_order(base, up, other))) == [("other", []), ("base", [("up", [])])]
    base, up = paper("base", 2017, related=("up",)), paper("up", 2019)  # named from the other end
    assert shape(follow_ups(in_order(base, up))) == [("base", [("up", [])])]


def test_cycle_and_mutual_relations_show_each_paper_once():
    a, b, c = paper("a", 2018, ("b", "c")), paper("b", 2019, ("c", "a")), paper("c", 2020, ("a", "b"))
    forest = follow_ups(in_order(a, b, c))
    assert sorted(keys(forest)) == ["a", "b", "c"] and shape(forest) == [("a", [("b", []), ("c", [])])]


def test_a_paper_related_to_many_nests_once_under_the_one_it_names_first():
    older = [paper(f"o{i}", 2010 + i) for i in range(5)]
    late = paper("late", 2020, related=("o3", "o1"))
    forest = follow_ups(in_order(*older, late))
    assert keys(forest).count("late") == 1
    assert ("o3", [("late", [])]) in shape(forest)


def test_hub_with_many_follow_ups_and_follow_ups_in_time_order():
    hub = paper("hub", 2000)
    kids = [paper(f"k{i:04}", 2001 + i % 20, related=("hub",)) for i in range(300)]
    forest = follow_ups(in_order(hub, *kids))
    assert len(forest) == 1 and len(forest[0][1]) == 300
    years = [p.year for p, _ in forest[0][1]]
    assert years == sorted(years)


def test_a_long_chain_stops_nesting_at_max_depth():
    chain = [paper(f"c{i}", 2000 + i, related=(f"c{i - 1}",) if i else ()) for i in range(8)]
    forest = follow_ups(in_order(*chain))

    def depth(nodes) -> int:
        return 1 + max((depth(k) for _, k in nodes), default=0) if nodes else 0

    assert sorted(keys(forest)) == sorted(p.key for p in chain) and depth(forest) == 4  # root + MAX_NEST


def test_unrelated_and_outside_keys_are_ignored():
    a, b = paper("a", 2020, related=("elsewhere", "a")), paper("b", 2019)
    assert shape(follow_ups(in_order(a, b))) == [("a", []), ("b", [])]


def test_three_thousand_papers_in_one_topic_all_once():
    papers = [paper(f"p{i:04}", 1990 + i % 30, related=(f"p{(i * 7) % 3000:04}", f"p{(i + 1) % 3000:04}")) for i in range(3000)]
    forest = follow_ups(in_order(*papers))
    assert sorted(keys(forest)) == sorted(p.key for p in papers)


# ---------------------------------------------------------------- the topic page


def topic_html(kb, tid="attention") -> str:
    k = kb.load()
    assert not k.errors, k.errors
    return clean(to_html(render(k)[f"topics/{tid}.md"]))


def test_hostile_title_and_summary_stay_text_in_the_list_references_and_card(kb):
    kb.note("attention", "Attention", body="Cites [@k] and again [@k; @k].\n")
    kb.record("k", rec(HOSTILE, authors=(HOSTILE,), summary=(HOSTILE, HOSTILE), extra=f'venue: "{HOSTILE}"\n'))
    k = kb.load()
    for page in (render(k)["topics/attention.md"], render(k)["papers/k.md"]):
        assert audit(to_html(page)) == []
    page = topic_html(kb)
    assert "<img" not in page and html.escape(HOSTILE, quote=False) in page
    card = render_paper(k.papers["k"], build_index(k))
    assert 'data-title="&lt;img src=x onerror=alert(1)&gt;"' in card


def test_summary_collapsed_to_first_bullet_with_the_rest_inside_details(kb):
    kb.note("attention", "Attention", body="Prose comes first.\n")
    kb.record("k", rec("Paper K", summary=("First point.", "Second point.")))
    page = topic_html(kb)
    assert page.index("Prose comes first.") < page.index('<ul class="tln-tp">')
    item = re.search(r'<li class="tln-tp-item" data-key="k">(.*?)<details', page, re.S).group(1)
    assert 'href="../../papers/k/"' in item and "Paper K" in item  # the title link, outside the control that opens
    details = re.search(r'<details class="tln-tp-d">(.*?)</details>', page, re.S).group(1)
    summary = re.search(r"<summary>(.*?)</summary>", details, re.S).group(1)
    assert "<a" not in summary and "Lovelace, 2020" in summary
    assert "First point." in summary and "Second point." not in summary
    assert "Second point." in details.split("</summary>")[1]


def test_paper_without_summary_or_authors_and_a_huge_summary(kb):
    kb.note("attention", "Attention")
    kb.record("bare", "title: Bare\nyear: 2020\ntopics:\n  - attention\n")
    kb.record("huge", rec("Huge", summary=("word " * 20000,)))
    page = topic_html(kb)
    bare = re.search(r'<li class="tln-tp-item" data-key="bare">(.*?)</li>', page, re.S).group(1)
    assert "<details" not in bare and "authors unknown, 2020" in bare
    assert page.count("word") == 20000  # all of it, clipped by CSS, not cut


def test_note_with_no_papers(kb):
    kb.note("attention", "Attention")
    page = topic_html(kb)
    assert "No papers are tagged with this topic yet." in page and "tln-tp" not in page and "References" not in page


def test_follow_up_is_nested_in_the_page(kb):
    kb.note("attention", "Attention")
    kb.record("base", rec("Base", year=2017))
    kb.record("up", rec("Up", year=2019, extra="related:\n  - base\n"))
    page = topic_html(kb)
    item = re.search(r'<li class="tln-tp-item" data-key="base">.*?</details>(.*?)</li>\s*</ul>\s*</li>', page, re.S)
    assert item and 'class="tln-tp-follow"' in item.group(1) and 'data-key="up"' in item.group(1)
    assert page.count('data-key="up"') == 1


# ---------------------------------------------------------------- references


def test_reference_title_as_written_year_once_links_and_lettered_back_links(kb):
    kb.note("attention", "Attention", body="First [@k]. Then @k again, and [see @k, p. 2].\n")
    kb.record(
        "k",
        rec(
            "Longformer: The Long-Document Transformer",
            year=2017,
            extra='venue: NeurIPS 2017\nlinks:\n  arxiv: "2004.05150"\n  doi: 10.1000/x123\n  url: https://example.org/lf\n',
        ),
    )
    page = topic_html(kb)
    refs = page[page.index('id="references"') :]
    text = re.sub(r"<[^>]+>", "", refs.split("<li>")[1].split("<a ")[0])  # the formatted reference, before its links
    assert text == "Ada Lovelace. Longformer: The Long-Document Transformer. In NeurIPS. 2017. "
    assert '<a class="tln-ref-link" href="https://arxiv.org/abs/2004.05150">arXiv:2004.05150</a>' in refs
    assert '<a class="tln-ref-link" href="https://doi.org/10.1000/x123">doi:10.1000/x123</a>' in refs
    assert '<a class="tln-ref-link" href="https://example.org/lf">example.org/lf</a>' in refs
    for letter in "abc":
        assert f'id="cite-k-{letter}"' in page[: page.index('id="references"')]
        assert re.search(
            rf'<a class="tln-backref" href="#cite-k-{letter}"><span aria-hidden="true">↩<sup>{letter}</sup></span>'
            rf'<span class="tln-sr">Back to citation \({letter}\) of [^<]+</span></a>',
            refs,
        )
    assert "URL:" not in refs


def test_single_citation_back_link_is_unlettered_and_ids_are_unique(kb):
    kb.note("attention", "Attention", body="Only [@k].\n")
    kb.record("k", rec("Paper K"))
    page = topic_html(kb)
    assert (
        '<a class="tln-backref" href="#cite-k-a"><span aria-hidden="true">↩</span>'
        '<span class="tln-sr">Back to citation of Lovelace, 2020</span></a>'
    ) in page
    ids = re.findall(r'id="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_many_citations_of_one_key_get_letters_beyond_z(kb):
    kb.note("attention", "Attention", body=" ".join("[@k]" for _ in range(28)) + "\n")
    kb.record("k", rec("Paper K"))
    page = topic_html(kb)
    assert 'id="cite-k-z"' in page and 'id="cite-k-aa"' in page and 'id="cite-k-ab"' in page
    assert page.count('class="tln-backref"') == 28


def test_hostile_label_in_the_back_link_name_stays_an_attribute(kb):
    kb.note("attention", "Attention", body="[@k]\n")
    kb.record("k", rec("T", authors=("![x](javascript:alert(1))",)))
    raw = to_html(render(kb.load())["topics/attention.md"])
    assert audit(raw) == [] and 'href="javascript' not in raw and "<img" not in raw


def test_paper_page_bibtex_is_unchanged_by_the_reference_style(kb):
    kb.record("k", rec("Longformer: The Long-Document Transformer", extra="venue: NeurIPS 2020\n"))
    k = kb.load()
    p = k.papers["k"]
    assert "booktitle = {NeurIPS 2020}" in entry(p)
    assert html.escape(entry(p)) in render_paper(p, build_index(k))
    assert format_references([p]) == [("k", "Ada Lovelace. Longformer: The Long-Document Transformer. In NeurIPS. 2020.")]


def test_render_topic_is_pure_and_repeatable(kb):
    kb.note("attention", "Attention", body="[@k] [@k]\n")
    kb.record("k", rec("K"))
    k = kb.load()
    idx = build_index(k)
    assert render_topic(k.topics["attention"], idx) == render_topic(k.topics["attention"], idx)
