"""Issue 10: what YAML or the file system would silently accept, the loader refuses.

Each class is tested with several variants; every problem must be located,
never an `internal-error`, and one bad value must not hide the file's others.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import VALID

# VALID has 11 lines; a field appended to it is on line 12
NEXT = 12


def problems(kb):
    probs = kb.load().problems
    assert not [p for p in probs if p.code == "internal-error"], [str(p) for p in probs]
    return probs


def errors_at(kb, line):
    return [p for p in problems(kb) if p.severity == "error" and p.line == line]


# ---------------------------------------------------------------- 1. impossible dates and huge numbers


@pytest.mark.parametrize(
    "added",
    [
        "2024-02-30",
        "2023-13-01",
        "2023-00-10",
        "2024-02-30T10:00:00",
        "2024-02-30 10:00:00Z",
        "2024-01-01T25:00:00",
        "2024-01-01 10:61:00",
        "2024-01-01T10:00:00.5+99:00",
        "2024-2-3",
        "'20170101'",
        "20170101",
        '"2024-02-30"',
        "!!timestamp 2024-02-30",
        "!!timestamp 2024-01-01T25:00:00",
        "2023-08-18T10:00:00Z",  # a timestamp is not a date
    ],
)
def test_impossible_or_malformed_date_is_located_and_hides_nothing(kb, added):
    kb.record("k", VALID.replace("year: 2017", "year: 1066") + f"added: {added}\n")
    probs = problems(kb)
    date = [p for p in probs if p.line == NEXT]
    assert len(date) == 1 and date[0].column == 8 and "date" in date[0].message, [str(p) for p in probs]
    assert any(p.code == "range" and p.line == 5 for p in probs)  # the other error is still there
    assert "k" not in kb.load().papers


@pytest.mark.parametrize("added", ["2024-02-29", "'2023-08-18'", '"2023-08-18"'])
def test_real_dates_pass(kb, added):
    import datetime as dt

    kb.record("k", VALID + f"added: {added}\n")
    k = kb.load()
    assert k.problems == [] and isinstance(k.papers["k"].added, dt.date)


N5000 = "1" * 5000


@pytest.mark.parametrize(
    "text, line, col",
    [
        (VALID.replace("year: 2017", f"year: {N5000}"), 5, 7),
        (VALID.replace("year: 2017", f"year: !!int {N5000}"), 5, 7),
        (VALID.replace("title: Attention Is All You Need", f"title: {N5000}"), 1, 8),
        (VALID.replace("  - Self-attention only.", f"  - {N5000}"), 9, 5),
        (VALID.replace('arxiv: "1706.03762"', f"arxiv: {N5000}"), 11, 10),
    ],
)
def test_number_of_5000_digits(kb, text, line, col):
    kb.record("k", text + "venue: 12\n")
    probs = problems(kb)
    assert any((p.line, p.column, p.severity) == (line, col, "error") for p in probs), [str(p)[:200] for p in probs]
    assert any(p.line == NEXT for p in probs)  # venue: 12 still reported
    assert all(len(p.message) < 400 for p in probs)


@pytest.mark.parametrize(
    "front",
    [
        "updated: 2023-13-01",
        "updated: 2024-02-30T10:00:00",
        "created: !!timestamp 2024-02-30",
        "weight: " + "9" * 5000,
        "seen: 2024-01-01T25:00:00",
    ],
)
def test_note_front_matter_odd_values_never_crash(kb, run, front):
    (kb.root / "notes" / "x.md").write_text(f"---\ntitle: X\n{front}\n---\n\nbody\n")
    k = kb.load()
    assert not [p for p in k.problems if p.code == "internal-error"]
    assert "x" in k.topics
    for args in (["check", kb.root], ["export", "bibtex", kb.root]):
        r = run(*args)
        assert r.code == 0 and "Traceback" not in r.out + r.err


def test_note_front_matter_huge_title_number_located(kb):
    (kb.root / "notes" / "x.md").write_text("---\ntitle: " + "7" * 5000 + "\n---\n")
    probs = [p for p in problems(kb) if p.file == "notes/x.md"]
    assert len(probs) == 1 and probs[0].line == 2 and probs[0].code == "front-matter"


def test_check_command_no_traceback_on_bad_front_matter_date(kb):
    (kb.root / "notes" / "x.md").write_text("---\ntitle: X\nupdated: 2023-13-01\n---\n")
    kb.record("k", VALID + "added: 2024-02-30\n")
    proc = subprocess.run([sys.executable, "-m", "tlnotes", "check", str(kb.root)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert f"papers/k.yaml:{NEXT}:8: error:" in proc.stdout


# ---------------------------------------------------------------- 2. YAML oddities


@pytest.mark.parametrize(
    "year",
    ["0x7e1", "03741", "0o3741", "2_017", "33:37", "+2017", "!!int 0x7e1", "!!int 2_017", "0b11111100001", "2017.0", "-2017"],
)
def test_year_is_plain_decimal_digits(kb, year):
    kb.record("k", VALID.replace("year: 2017", f"year: {year}") + "venue: []\n")
    probs = problems(kb)
    year_probs = [p for p in probs if p.line == 5]
    assert len(year_probs) == 1 and year_probs[0].column == 7 and year_probs[0].severity == "error", [str(p) for p in probs]
    assert "without quotes" not in year_probs[0].message
    assert any(p.line == NEXT for p in probs)


@pytest.mark.parametrize(
    "text, line, col",
    [
        (VALID + "title: Again\n", NEXT, 1),
        (VALID.replace("year: 2017", "year: 2017\nyear: 2018"), 6, 1),
        (VALID.replace('  arxiv: "1706.03762"', '  arxiv: "1706.03762"\n  arxiv: "1810.04805"'), NEXT, 3),
        (VALID.replace("  - Self-attention only.", "  - {a: [x], a: [y]}"), 9, 14),
        (VALID.replace("  - Self-attention only.", "  - top:\n      - {deep: [x], deep: [y]}"), 10, 21),
        (VALID + "links: {code: 'https://a.org'}\n", NEXT, 1),
        ("{title: a, title: b}\n", 1, 12),
    ],
)
def test_duplicate_keys_at_any_depth(kb, text, line, col):
    kb.record("k", text + "venue: 7\n" if not text.startswith("{") else text)
    probs = problems(kb)
    dup = [p for p in probs if p.code == "duplicate-key"]
    assert len(dup) == 1 and (dup[0].line, dup[0].column) == (line, col), [str(p) for p in probs]
    assert "k" not in kb.load().papers
    if not text.startswith("{"):
        assert any(p.code == "type" and "venue" in p.message for p in probs)  # not hidden


def test_duplicate_keys_in_note_front_matter(kb):
    (kb.root / "notes" / "x.md").write_text("---\ntitle: A\ndescription: d\ntitle: B\n---\n")
    (kb.root / "notes" / "y.md").write_text("---\ntitle: Y\nextra:\n  a: 1\n  a: 2\n---\n")
    probs = {p.file: p for p in problems(kb)}
    assert probs["notes/x.md"].code == "duplicate-key" and (probs["notes/x.md"].line, probs["notes/x.md"].column) == (4, 1)
    assert probs["notes/y.md"].code == "duplicate-key" and probs["notes/y.md"].line == 5
    assert "x" not in kb.load().topics


@pytest.mark.parametrize(
    "text, line",
    [
        (VALID.replace("title: Attention", "title: &t Attention"), 1),
        (VALID.replace("title: Attention Is All You Need", "title: &t Attention\nvenue: *t"), 1),
        (VALID.replace("authors:\n", "authors: &a\n"), 2),
        (VALID.replace("  - Self-attention only.", "  - [&x a, *x]"), 9),
        (VALID.replace("title: Attention", "title: !!str &t Attention"), 1),
        (VALID.replace("title: Attention Is All You Need", "title:\n  &t Attention"), 2),
        (VALID.replace("year: 2017", "year: 2017\nvenue: {k: &v x, l: *v}"), 6),
        (VALID.replace("title: Attention Is All You Need", "title:\r  &t Attention"), 2),
    ],
)
def test_every_anchor_and_alias_refused(kb, text, line):
    kb.raw("k.yaml", text.encode())
    probs = problems(kb)
    alias = [p for p in probs if p.code == "yaml-alias"]
    assert len(alias) == 1 and alias[0].line == line, [str(p) for p in probs]


def test_anchor_in_note_front_matter(kb):
    (kb.root / "notes" / "x.md").write_text("---\ntitle: &t X\ndescription: *t\n---\n")
    probs = [p for p in problems(kb) if p.file == "notes/x.md"]
    assert [p.code for p in probs] == ["yaml-alias"] and probs[0].line == 2


@pytest.mark.parametrize(
    "text",
    [
        VALID.replace("Attention Is All You Need", "Q&A *is* all & you * need"),
        VALID.replace("  - Self-attention only.", "  - beats *most* baselines, *fast*\n  - \"&quoted\"\n  - '*also*'"),
        VALID + "notes: |\n  *emphasis* and &amp;\n  & more\n",
    ],
)
def test_ampersands_and_stars_in_text_are_fine(kb, text):
    kb.record("k", text)
    assert kb.load().problems == []


INVISIBLE = [
    "\u200b",
    "\u200b\u200c\u200d",
    "\u2060\ufeff",
    "\u3164",
    "\u00ad",
    "\u2800",
    "\u115f\u1160",
    "\u180e",
    "\u034f",
    "\ufe0f",
    "\U000e0041",
    " \u3000 ",
]


@pytest.mark.parametrize("blank", INVISIBLE)
@pytest.mark.parametrize("field, line, col", [("title", 1, 8), ("author", 3, 5), ("venue", NEXT, 8), ("bullet", 9, 5)])
def test_text_needs_a_visible_character(kb, blank, field, line, col):
    quoted = '"' + blank + '"'
    text = {
        "title": VALID.replace("Attention Is All You Need", quoted),
        "author": VALID.replace("Ashish Vaswani", quoted),
        "venue": VALID + f"venue: {quoted}\n",
        "bullet": VALID.replace("Self-attention only.", quoted),
    }[field]
    kb.record("k", text)
    probs = problems(kb)
    assert [(p.line, p.column, p.code) for p in probs if p.severity == "error"] == [(line, col, "empty")], [str(p) for p in probs]


def test_note_title_needs_a_visible_character(kb):
    (kb.root / "notes" / "x.md").write_text('---\ntitle: "\u200b\u2060"\n---\n')
    assert [p.code for p in problems(kb)] == ["front-matter"]


def test_visible_text_with_invisible_characters_passes(kb):
    kb.record("k", VALID.replace("Attention Is All You Need", "Atten\u200btion \u00e9t\u00e9 \u4e2d\u6587"))
    assert kb.load().problems == []


# ---------------------------------------------------------------- 3. symlinks and special files


@pytest.fixture
def outside(tmp_path):
    d = tmp_path / "outside"
    d.mkdir()
    (d / "secret.yaml").write_text(VALID.replace("Attention Is All You Need", "Secret"))
    (d / "secret.md").write_text("---\ntitle: Secret\n---\nsecret\n")
    (d / "dir").mkdir()
    (d / "dir" / "leak.md").write_text("---\ntitle: Leak\n---\n")
    return d


@pytest.mark.parametrize(
    "link, target",
    [
        ("papers/s.yaml", "secret.yaml"),
        ("notes/s.md", "secret.md"),
        ("notes/sub/s.md", "secret.md"),
        ("docs/s.md", "secret.md"),
        ("docs/deep/s.md", "secret.md"),
        ("notes/leaky", "dir"),
        ("docs/leaky", "dir"),
    ],
)
def test_symlink_out_of_the_kb_refused(kb, outside, link, target):
    path = kb.root / link
    path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside / target, path)
    k = kb.load()
    probs = [p for p in k.problems if p.code == "symlink-outside"]
    assert len(probs) == 1 and probs[0].file == link and str(outside / target) in probs[0].message, [str(p) for p in k.problems]
    assert "s" not in k.papers and "s" not in k.topics and "leak" not in k.topics


def test_symlink_via_relative_dots_refused(kb, outside):
    os.symlink("../../outside/secret.yaml", kb.root / "papers" / "s.yaml")
    assert [p.code for p in problems(kb)] == ["symlink-outside"]


def test_symlink_inside_the_kb_followed(kb):
    (kb.root / "archive").mkdir()
    (kb.root / "archive" / "a.yaml").write_text(VALID)
    (kb.root / "archive" / "t.md").write_text("---\ntitle: T\n---\n")
    os.symlink("../archive/a.yaml", kb.root / "papers" / "a.yaml")
    os.symlink(kb.root / "archive" / "t.md", kb.root / "notes" / "t.md")
    (kb.root / "docs").mkdir()
    os.symlink("../archive/t.md", kb.root / "docs" / "t.md")
    k = kb.load()
    assert k.problems == [] and "a" in k.papers and "t" in k.topics


@pytest.mark.parametrize("link", ["papers/gone.yaml", "notes/gone.md", "docs/gone.md"])
def test_dangling_symlink_reported(kb, link):
    (kb.root / "docs").mkdir(exist_ok=True)
    os.symlink(kb.root / "nowhere", kb.root / link)
    probs = problems(kb)
    assert len(probs) == 1 and probs[0].file == link and probs[0].code == "symlink-broken"


def test_symlink_loop_in_notes_terminates(kb):
    os.symlink("..", kb.root / "notes" / "loop")
    os.symlink("loop2", kb.root / "notes" / "loop1")
    os.symlink("loop1", kb.root / "notes" / "loop2")
    probs = problems(kb)
    assert "attention" in kb.load().topics and all(p.file.startswith("notes/loop") for p in probs)


@pytest.mark.parametrize(
    "name, severity",
    [
        ("papers/x.yaml", "warning"),
        ("notes/x.md", "warning"),
        ("notes/sub/y.md", "warning"),
        ("docs/x.md", "error"),
    ],
)
def test_fifo_is_never_opened(kb, name, severity):
    path = kb.root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
    # a hang would be a failure, not a stuck test run
    proc = subprocess.run(
        [sys.executable, "-m", "tlnotes", "check", "--format", "json", str(kb.root)], capture_output=True, text=True, timeout=60
    )
    import json

    found = [p for p in json.loads(proc.stdout) if p["file"] == name]
    assert [(p["code"], p["severity"]) for p in found] == [("not-a-file", severity)], proc.stdout + proc.stderr
    assert proc.returncode == (1 if severity == "error" else 0)


def test_unix_socket_skipped(kb):
    import socket

    s = socket.socket(socket.AF_UNIX)
    try:
        s.bind(str(kb.root / "notes" / "s.md"))
        assert [(p.code, p.severity) for p in problems(kb)] == [("not-a-file", "warning")]
    finally:
        s.close()


# ---------------------------------------------------------------- 4. reserved names


@pytest.mark.parametrize("path", ["papers/index.yaml", "notes/index.md", "notes/attention/index.md", "notes/a/b/index.md"])
def test_reserved_names_refused(kb, path):
    p = kb.root / path
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(VALID if path.endswith(".yaml") else "---\ntitle: Index\n---\n")
    k = kb.load()
    probs = [x for x in k.problems if x.severity == "error"]
    assert len(probs) == 1 and probs[0].file == path and "reserved" in probs[0].message and probs[0].code == "reserved"
    assert "index" not in k.papers and "index" not in k.topics


# ---------------------------------------------------------------- 5. file and folder names


BAD_NAMES = ["a\n", "a ", "Abc", "b" * 81, "a\u2028b", "\n"]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_record_file_names(kb, name):
    kb.record(name)
    probs = problems(kb)
    assert [p.code for p in probs if p.severity == "error"] == ["bad-key"]
    assert name not in kb.load().papers
    assert all("\n" not in str(p) and "\u2028" not in str(p) for p in probs)


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_note_file_names(kb, name):
    (kb.root / "notes" / f"{name}.md").write_text("---\ntitle: X\n---\n")
    probs = problems(kb)
    assert [p.code for p in probs] == ["bad-topic-id"] and all("\n" not in str(p) for p in probs)


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_folder_names_under_notes(kb, run, name):
    kb.note("inner", "Inner", folder=name)
    probs = problems(kb)
    assert [p.code for p in probs] == ["bad-folder"] and probs[0].file == f"notes/{name}", [str(p) for p in probs]
    assert "inner" not in kb.load().topics
    r = run("check", kb.root)
    assert r.code == 1 and len(r.out.strip().splitlines()) == 1  # no forged line


def test_longest_names_pass(kb):
    kb.record("k" * 80)
    kb.note("t" * 80, "Long", folder="f" * 80)
    k = kb.load()
    assert k.problems == [] and "k" * 80 in k.papers and "t" * 80 in k.topics


def test_hidden_folder_under_notes_still_ignored(kb):
    kb.note("junk", "Junk", folder=".Trash Folder")
    assert kb.load().problems == []


@pytest.mark.parametrize("brk", ["\u0085", "\u2028", "\u2029"])
def test_lines_are_counted_as_an_editor_counts_them(kb, brk):
    """YAML also breaks lines at NEL, LS and PS; a problem is still reported at the file's own line."""
    kb.record(
        "k", f'title: "a{brk}b"\nauthors: [A]\nyear: 0x7e1\ntopics: [attention]\nvenue: "c{brk}d"\nsummary: [x]\ntitel: y\n'
    )
    found = {p.code: p.line for p in kb.load().problems}
    assert found["unknown-field"] == 7 and found["type"] == 3, found
    kb.record("k", f"title: T\nauthors: [A]\nyear: 2020\ntopics: [attention]\n# a{brk} comment\n")
    assert [(p.code, p.line) for p in kb.load().errors] == [("yaml-syntax", 5)]
