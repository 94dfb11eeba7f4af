"""Topic notes: ids, front matter, nesting."""

from __future__ import annotations

from tests.conftest import VALID


def test_topics_loaded_with_front_matter(kb):
    t = kb.load().topics["attention"]
    assert t.title == "Attention" and t.path == "notes/attention.md" and t.body.strip() == "Some prose."
    assert t.body_line == 4


def test_nested_folders_and_parent(kb):
    kb.note("llms", "LLMs")
    kb.note("prompting", "Prompting", folder="llms")
    kb.note("deeper", "Deeper", folder="llms/more")
    topics = kb.load().topics
    assert topics["prompting"].path == "notes/llms/prompting.md"
    assert topics["prompting"].parent == "llms"
    assert topics["deeper"].parent is None  # no note called "more"
    assert topics["llms"].parent is None


def test_topic_from_nested_folder_usable_by_records(kb):
    kb.note("prompting", "Prompting", folder="llms")
    kb.record("k", VALID.replace("  - attention\n", "  - prompting\n"))
    assert kb.load().problems == []


def test_duplicate_topic_id_names_both(kb):
    kb.note("attention", "Again", folder="other")
    probs = kb.load().problems
    assert len(probs) == 1 and probs[0].code == "duplicate-topic"
    assert probs[0].file == "notes/other/attention.md" and "notes/attention.md" in probs[0].message


def test_title_falls_back_to_first_heading(kb):
    (kb.root / "notes" / "x.md").write_text("# The X topic\n\nprose\n")
    k = kb.load()
    assert k.problems == [] and k.topics["x"].title == "The X topic"


def test_missing_title(kb):
    (kb.root / "notes" / "x.md").write_text("prose only\n")
    assert [p.code for p in kb.load().problems] == ["missing-title"]


def test_front_matter_errors_located(kb):
    (kb.root / "notes" / "x.md").write_text("---\ntitle: ok\ndescription: [\n---\nprose\n")
    (kb.root / "notes" / "y.md").write_text("---\n- a list\n---\n")
    (kb.root / "notes" / "z.md").write_text("---\ntitle: [1, 2]\n---\n")
    probs = {p.file: p for p in kb.load().problems}
    assert probs["notes/x.md"].code == "yaml-syntax" and probs["notes/x.md"].line >= 3
    assert probs["notes/y.md"].code == "front-matter"
    assert probs["notes/z.md"].code == "front-matter"


def test_bad_topic_file_name(kb):
    (kb.root / "notes" / "Bad Name.md").write_text("---\ntitle: x\n---\n")
    assert [p.code for p in kb.load().problems] == ["bad-topic-id"]


def test_hidden_folders_ignored(kb):
    (kb.root / "notes" / ".obsidian").mkdir()
    (kb.root / "notes" / ".obsidian" / "junk.md").write_text("no title")
    assert kb.load().problems == []
