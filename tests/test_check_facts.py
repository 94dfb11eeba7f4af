"""`check`'s fact warnings: a key's year against `year`, titles that are labels, arXiv venues without an id; aliases."""

from __future__ import annotations

import pytest

from tests.conftest import REPO
from tlnotes.load import key_year, label_title, load


def record(
    title: str = "Attention Is All You Need", year: int = 2017, venue: str | None = None, arxiv: str | None = "1706.03762"
):
    lines = [f"title: {title!r}", "authors:", "  - Ashish Vaswani", f"year: {year}"]
    if venue is not None:
        lines.append(f"venue: {venue!r}")
    lines += ["topics:", "  - attention", "summary:", "  - Self-attention only."]
    if arxiv:
        lines += ["links:", f'  arxiv: "{arxiv}"']
    return "\n".join(lines) + "\n"


def problems(kb, code: str):
    return [p for p in kb.load().problems if p.code == code]


# ---------------------------------------------------------------- key-year


def test_a_key_whose_year_differs_from_year_warns_at_the_year_line_with_the_rename_command(kb):
    kb.record("liu2023lost", record("Lost in the Middle: How Language Models Use Long Contexts", 2024, "TACL 2024", None))
    (p,) = problems(kb, "key-year")
    assert (p.file, p.line, p.column, p.severity) == ("papers/liu2023lost.yaml", 4, 7, "warning")
    assert "2023" in p.message and "2024" in p.message
    assert "`tlnotes rename liu2023lost liu2024lost`" in p.message


@pytest.mark.parametrize("key", ["gpt4", "llama2", "t5-11b", "vaswani2017attention", "bert-base", "x12345", "a20170"])
def test_keys_without_a_differing_year_do_not_warn(kb, key):
    kb.record(key, record())
    assert problems(kb, "key-year") == []


def test_key_year_reads_only_a_standalone_plausible_year():
    assert key_year("liu2023lost") == 2023
    assert key_year("gpt4") is None
    assert key_year("x12345") is None  # five digits: not a year
    assert key_year("model3000") is None  # not 18xx, 19xx or 20xx


def test_strict_check_fails_on_a_key_year_warning(kb, run):
    kb.record("smith2020x", record(year=2021))
    r = run("check", kb.root, "--strict")
    assert r.code == 1 and "[key-year]" in r.out


# ---------------------------------------------------------------- label-title

REAL_TITLES = [
    "GPT-4 Technical Report",
    "LLaMA: Open and Efficient Foundation Language Models",
    "Attention Is All You Need",
    "Mistral 7B",
    "Memorizing Transformers",
    "Llama 2: Open Foundation and Fine-Tuned Chat Models",
    "Text Embeddings Reveal (Almost) As Much As Text",
    "Summarizing, Simplifying, and Synthesizing Medical Evidence Using GPT-3 (with Varying Success)",
    "ChatDoctor: A Medical Chat Model Fine-Tuned on a Large Language Model Meta-AI (LLaMA) Using Medical Domain Knowledge",
    "BLOOM: A 176B-Parameter Open-Access Multilingual Language Model",
    "Scaling Laws for Neural Language Models",
    "T5: Exploring the Limits of Transfer Learning (2020 edition)",
    "OPT: Open Pre-trained Transformer Language Models",
]

LABELS = [
    "PubMedGPT (2.7B)",
    "AutoMoE",
    "GPT-4",
    "BioMedLM",
    "Galactica (120B)",
    "PaLM (540B)",
    "OPT (175B params)",
    "LLaMA (7B, 13B, 33B, 65B)",
    "Chinchilla (70B)",
    "Switch Transformer (1.6T)",
    "BLOOM (176 billion)",
    "Megatron-Turing NLG (530B)",
    "  Codex  ",
]


@pytest.mark.parametrize("title", REAL_TITLES)
def test_real_titles_pass(kb, title):
    assert label_title(title) is None
    kb.record("paper", record(title))
    assert problems(kb, "label-title") == []


@pytest.mark.parametrize("title", LABELS)
def test_labels_warn_at_the_title(kb, title):
    assert label_title(title) is not None
    kb.record("paper", record(title))
    (p,) = problems(kb, "label-title")
    assert (p.line, p.severity) == (1, "warning")
    assert "looks like a label" in p.message and "as the paper prints it" in p.message


def test_no_title_of_this_repository_looks_like_a_label():
    kb = load(REPO)
    assert [p for p in kb.problems if p.code == "label-title"] == []
    assert len(kb.papers) >= 394


# ---------------------------------------------------------------- arxiv-venue-no-id


@pytest.mark.parametrize(
    "venue", ["arXiv", "arXiv preprint", "CoRR", "arXiv:2301.00001", "arxiv preprint arXiv:2301.00001", "CoRR abs/2301.00001"]
)
def test_an_arxiv_venue_without_an_id_warns_at_the_venue(kb, venue):
    kb.record("paper", record(venue=venue, arxiv=None))
    (p,) = problems(kb, "arxiv-venue-no-id")
    assert (p.line, p.severity) == (5, "warning")
    assert "links.arxiv" in p.message


@pytest.mark.parametrize("venue", ["NeurIPS 2017", "Corpus Linguistics 2017", "Proceedings of Corrosion 2017", "ICLR 2024"])
def test_other_venues_or_a_record_with_an_id_do_not_warn(kb, venue):
    kb.record("paper", record(venue=venue, arxiv=None))
    kb.record("other", record("Another Paper Title", venue="arXiv", arxiv="2301.00001"))
    assert problems(kb, "arxiv-venue-no-id") == []


# ---------------------------------------------------------------- aliases


def test_an_alias_that_is_another_key_or_listed_twice_is_an_error(kb):
    kb.record("a2017", record("Paper A Title") + "aliases:\n  - b2017\n  - old\n")
    kb.record("b2017", record("Paper B Title", arxiv="1706.00001"))
    kb.record("c2017", record("Paper C Title", arxiv="1706.00002") + "aliases:\n  - old\n  - c2017\n")
    found = [(p.file, p.line, p.severity) for p in problems(kb, "alias-collision")]
    assert ("papers/a2017.yaml", 12, "error") in found  # b2017 is a record
    assert ("papers/c2017.yaml", 12, "error") in found  # old: a2017's already
    assert ("papers/c2017.yaml", 13, "error") in found  # its own key
    assert len(found) == 3


def test_an_alias_must_be_a_valid_key_and_is_in_the_json_schema(kb):
    from tlnotes.schema import json_schema

    kb.record("a2017", record() + "aliases:\n  - Not A Key\n")
    assert "format" in kb.codes()
    assert json_schema()["properties"]["aliases"]["items"]["pattern"]


def test_a_citation_or_related_entry_of_an_alias_is_reported_with_the_rename_hint(kb):
    kb.record("new2017", record() + "aliases:\n  - old2017\n")
    kb.record("other", record("Another Paper Title", arxiv="1706.00001") + "related:\n  - old2017\n")
    kb.note("attention", "Attention", body="See [@old2017].\n")
    found = {p.code: p for p in kb.load().problems if p.code in ("unknown-citation", "unknown-related")}
    for code in ("unknown-citation", "unknown-related"):
        assert "old2017 was renamed to new2017" in found[code].message
        assert "`tlnotes rename old2017 new2017`" in found[code].message
