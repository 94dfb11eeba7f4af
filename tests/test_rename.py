"""`tlnotes rename OLD NEW`: a key changes everywhere it is named, byte for byte nowhere else."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO, VALID
from tlnotes.rename import recite

OTHER = """\
# a hand-written comment stays
title: 'Yet Another Paper'   # single-quoted, with a comment
authors: [Ann Author]
year: 2018
topics: [attention]
summary:
  - Builds on @vaswani2017attention.
related: [old2017, "x-paper"]   # flow style
notes: |
  Compare [@old2017, p. 3; -@x-paper] and @old2017's results.
  In code `@old2017` is not a citation; an email a@old2017 neither.

      @old2017 indented code
"""


def base(kb):
    kb.record("old2017", VALID + "related:\n  - x-paper\nnotes: 'Self: [@old2017].'\n")
    kb.record(
        "x-paper",
        VALID.replace("Attention Is All You Need", "Another Paper").replace("1706.03762", "1801.00001")
        + 'related:\n  - "old2017"  # double-quoted\n',
    )
    kb.note(
        "attention",
        "Attention",
        body="Cite [@old2017] and [see @old2017, sec. 2; @x-paper], @old2017 [p. 4] and @{old2017}.\n"
        "```\n[@old2017] in a fence\n```\n`@old2017` in a span; [link](https://e.org/@old2017).\n",
    )
    return kb


def files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_rename_rewrites_every_citation_and_related_entry_and_nothing_else(kb, run):
    base(kb)
    note_before = (kb.root / "notes/attention.md").read_text()
    r = run("rename", "old2017", "new2017", "--dir", kb.root)
    assert r.code == 0, r.err
    assert "papers/old2017.yaml -> papers/new2017.yaml; 5 citations in 2 notes, 1 related entry" in r.err
    assert not (kb.root / "papers/old2017.yaml").exists()
    note = (kb.root / "notes/attention.md").read_text()
    assert note == note_before.replace("[@old2017] and", "[@new2017] and").replace("see @old2017", "see @new2017").replace(
        ", @old2017 [p. 4] and @{old2017}", ", @new2017 [p. 4] and @{new2017}"
    )
    assert "[@old2017] in a fence" in note and "`@old2017` in a span" in note and "e.org/@old2017" in note
    other = (kb.root / "papers/x-paper.yaml").read_text()
    assert '  - "new2017"  # double-quoted\n' in other
    new = (kb.root / "papers/new2017.yaml").read_text()
    assert "notes: 'Self: [@new2017].'" in new
    assert new.endswith("aliases:\n  - old2017\n") or "aliases:\n  - old2017\n" in new
    assert run("check", kb.root, "--strict").code == 0


def test_rename_keeps_comments_quoting_and_flow_style(kb, run):
    base(kb)
    kb.record("other", OTHER.replace("1801", "x"))
    before = (kb.root / "papers/other.yaml").read_text()
    assert run("check", kb.root).code == 0
    assert run("rename", "old2017", "new2017", "--dir", kb.root).code == 0
    after = (kb.root / "papers/other.yaml").read_text()
    want = (
        before.replace("[old2017,", "[new2017,")
        .replace("[@old2017, p. 3", "[@new2017, p. 3")
        .replace("and @old2017's", "and @new2017's")
    )
    assert after == want
    assert "`@old2017`" in after and "a@old2017" in after and "    @old2017 indented code" in after


def test_dry_run_writes_nothing(kb, run):
    base(kb)
    before = files(kb.root)
    r = run("rename", "old2017", "new2017", "--dir", kb.root, "--dry-run")
    assert r.code == 0
    assert "would write papers/new2017.yaml" in r.out and "would remove papers/old2017.yaml" in r.out
    assert "dry run" in r.err
    assert files(kb.root) == before


@pytest.mark.parametrize(
    "old,new,says",
    [
        ("old2017", "New2017", "not a valid key"),
        ("old2017", "_x", "not a valid key"),
        ("old2017", "a/b", "not a valid key"),
        ("old2017", "index", "not a valid key"),
        ("old2017", "x" * 81, "not a valid key"),
        ("old2017", "x-paper", "exists"),
        ("nope", "new2017", "no record papers/nope.yaml"),
        ("old2017", "old2017", "the same"),
    ],
)
def test_refusals_are_one_line_exit_1_and_write_nothing(kb, run, old, new, says):
    base(kb)
    before = files(kb.root)
    r = run("rename", old, new, "--dir", kb.root)
    assert r.code == 1
    assert says in r.err and r.err.count("\n") == 1 and "Traceback" not in r.err
    assert files(kb.root) == before


def test_refuses_a_knowledge_base_with_errors(kb, run):
    base(kb)
    kb.record("broken", "title: [unclosed\n")
    before = files(kb.root)
    r = run("rename", "old2017", "new2017", "--dir", kb.root)
    assert r.code == 1 and "has 1 error" in r.err and "nothing written" in r.err
    assert files(kb.root) == before


def test_refuses_a_new_key_that_is_another_records_alias(kb, run):
    base(kb)
    assert run("rename", "x-paper", "y-paper", "--dir", kb.root).code == 0
    r = run("rename", "old2017", "x-paper", "--dir", kb.root)
    assert r.code == 1 and "old key of papers/y-paper.yaml" in r.err


def test_renaming_back_drops_the_alias_and_keeps_the_older_one(kb, run):
    base(kb)
    assert run("rename", "old2017", "mid2017", "--dir", kb.root).code == 0
    assert run("rename", "mid2017", "old2017", "--dir", kb.root).code == 0
    text = (kb.root / "papers/old2017.yaml").read_text()
    assert "aliases:\n  - mid2017\n" in text and "  - old2017\n" not in text.split("aliases:")[1]
    assert run("check", kb.root, "--strict").code == 0


def test_a_citation_of_the_old_key_merged_in_later_is_reported_then_rewritten_by_the_same_command(kb, run):
    base(kb)
    assert run("rename", "old2017", "new2017", "--dir", kb.root).code == 0
    kb.note("language-models", "Language models", body="A branch merged later cites [@old2017].\n")
    r = run("check", kb.root)
    assert r.code == 1 and "[unknown-citation]" in r.out and "`tlnotes rename old2017 new2017`" in r.out
    r = run("rename", "old2017", "new2017", "--dir", kb.root)
    assert r.code == 0 and "(already renamed from old2017); 1 citation in 1 note" in r.err
    assert r.out == "notes/language-models.md\n"
    assert "[@new2017]" in (kb.root / "notes/language-models.md").read_text()
    assert run("check", kb.root, "--strict").code == 0


def test_line_endings_and_bom_are_kept(kb, run):
    base(kb)
    note = kb.root / "notes/attention.md"
    note.write_bytes(b"\xef\xbb\xbf---\r\ntitle: Attention\r\n---\r\n\r\nSee [@old2017].\r\n")
    assert run("rename", "old2017", "new2017", "--dir", kb.root).code == 0
    assert note.read_bytes() == b"\xef\xbb\xbf---\r\ntitle: Attention\r\n---\r\n\r\nSee [@new2017].\r\n"


def test_a_new_key_pandoc_would_cut_short_is_braced():
    assert recite("See [@a2017] and @a2017.", "a2017", "b2017.") == ("See [@{b2017.}] and @{b2017.}.", 2)
    assert recite("[@{a2017}]", "a2017", "b-") == ("[@{b-}]", 1)


def test_a_plain_related_entry_that_yaml_would_read_as_another_type_is_quoted(kb, run):
    base(kb)
    kb.record("other", VALID.replace("Attention Is All", "Other").replace("1706", "1707") + "related:\n  - old2017\n")
    assert run("rename", "old2017", "true", "--dir", kb.root).code == 0
    assert (kb.root / "papers/other.yaml").read_text().endswith('related:\n  - "true"\n')
    assert run("check", kb.root, "--strict").code == 0


def test_a_failing_write_names_what_was_written(kb, run, monkeypatch):
    from tlnotes import files as files_mod

    base(kb)
    real = files_mod._write

    def failing(path, text, replace):
        if path.name == "attention.md":
            raise OSError(28, "No space left on device", str(path))
        return real(path, text, replace)

    monkeypatch.setattr(files_mod, "_write", failing)
    r = run("rename", "old2017", "new2017", "--dir", kb.root)
    assert r.code == 1 and "Traceback" not in r.err
    assert "No space left on device" in r.err and "attention.md" in r.err
    assert "written before the failure: papers/new2017.yaml" in r.err and "papers/old2017.yaml (to remove)" in r.err
    assert (kb.root / "papers/old2017.yaml").exists()


def test_the_repository_renamed_still_checks_and_builds_with_a_redirect(tmp_path, run):
    root = tmp_path / "kb"
    root.mkdir()
    for name in ("papers", "notes", "docs", "schema"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    before = run("check", root)
    assert before.code == 0
    r = run("rename", "vaswani2017attention", "vaswani2017attn", "--dir", root)
    assert r.code == 0, r.err
    after = run("check", root)
    assert after.code == 0 and after.out == before.out  # the same warnings, none new
    site = tmp_path / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run(
        [sys.executable, "-m", "tlnotes", "build", str(root), "--site-dir", str(site)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert build.returncode == 0, build.stderr
    page = (site / "papers/vaswani2017attn/index.html").read_text()
    assert "Attention Is All You Need" in page
    redirect = (site / "papers/vaswani2017attention/index.html").read_text()
    assert 'http-equiv="refresh" content="0; url=../vaswani2017attn/"' in redirect
    assert '<a href="../vaswani2017attn/">' in redirect
    assert "vaswani2017attention" not in (site / "sitemap.xml").read_text()


def test_the_search_query_sets_name_papers_by_their_current_keys():
    """A rename keeps the old key as an alias, not as a page: a query set still expecting it counts a hit as a miss."""
    from tests.search_queries import HELD_OUT, QUERIES

    stale = [(query, key) for query, key in QUERIES + HELD_OUT if not (REPO / "papers" / f"{key}.yaml").is_file()]
    assert stale == []
