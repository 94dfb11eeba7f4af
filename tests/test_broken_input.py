"""No input file, however broken, produces a traceback: one located message each."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.conftest import VALID
from tlnotes.load import MAX_RECORD_BYTES


def single(kb):
    probs = kb.load().problems
    assert len(probs) == 1, [str(p) for p in probs]
    return probs[0]


def test_yaml_syntax_error_located(kb):
    kb.record("k", "title: [unclosed\nauthors: [a]\n")
    p = single(kb)
    assert p.code == "yaml-syntax" and p.line >= 1 and "YAML syntax error" in p.message


def test_bad_indentation_located(kb):
    kb.record("k", "title: x\nauthors:\n  - a\n - b\nyear: 2017\n")
    p = single(kb)
    assert p.code == "yaml-syntax" and p.line == 4


def test_tab_indentation(kb):
    kb.record("k", "title: x\nauthors:\n\t- a\n")
    p = single(kb)
    assert p.code == "yaml-syntax" and "tab" in p.message and p.line == 3


def test_non_utf8_bytes_located(kb):
    kb.raw("k.yaml", b"title: ok\nauthors:\n  - Ren\xe9 Magritte\n")
    p = single(kb)
    assert p.code == "encoding" and (p.line, p.column) == (3, 8) and "0xe9" in p.message


def test_utf8_bom_is_fine(kb):
    kb.raw("k.yaml", "\ufeff".encode() + VALID.encode())
    assert kb.load().problems == []


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
def test_empty_file(kb, text):
    kb.record("k", text)
    p = single(kb)
    assert p.code == "not-a-mapping" and "empty" in p.message


@pytest.mark.parametrize("text, what", [("- a\n- b\n", "a list"), ("just text\n", "text"), ("42\n", "a number")])
def test_not_a_mapping(kb, text, what):
    kb.record("k", text)
    p = single(kb)
    assert p.code == "not-a-mapping" and what in p.message


def test_two_documents(kb):
    kb.record("k", VALID + "---\n" + VALID)
    assert "more than one YAML document" in single(kb).message


def test_control_character(kb):
    kb.record("k", VALID.replace("Attention", "Atten\x07tion"))
    p = single(kb)
    assert p.code == "yaml-syntax" and p.line == 1


def test_huge_file_refused_without_reading_it(kb):
    path = kb.root / "papers" / "big.yaml"
    with path.open("wb") as fh:  # 50 MB, sparse: costs no disk
        fh.truncate(50 * 1000 * 1000)
    t = time.perf_counter()
    p = single(kb)
    assert p.code == "too-large" and "50.0 MB" in p.message
    assert time.perf_counter() - t < 5


def test_just_over_the_limit(kb):
    kb.raw("k.yaml", b"#" * (MAX_RECORD_BYTES + 1))
    assert single(kb).code == "too-large"


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
summary: [*i, *i, *i]
"""


def test_alias_bomb(kb):
    kb.record("k", BILLION_LAUGHS)
    t = time.perf_counter()
    p = single(kb)
    assert p.code == "yaml-alias" and (p.line, p.column) == (1, 4) and "aliases" in p.message  # the first anchor
    assert time.perf_counter() - t < 5


def test_deep_nesting(kb):
    kb.record("k", "summary: " + "[" * 900 + "]" * 900 + "\n")
    assert single(kb).code == "too-deep"


def test_unhashable_key(kb):
    kb.record("k", "? [a, b]\n: c\n")
    assert single(kb).code == "yaml-syntax"


def test_problems_in_many_files_reported_in_one_run_sorted(kb):
    kb.record("c", "title: [")
    kb.record("a", VALID.replace("year: 2017", "year: 1066").replace("titl", "titl"))
    kb.record("b", "")
    kb.raw("d.yaml", b"\xff\xfe")
    probs = kb.load().problems
    assert [p.file for p in probs] == ["papers/a.yaml", "papers/b.yaml", "papers/c.yaml", "papers/d.yaml"]


def test_no_traceback_from_the_command(kb):
    kb.record("a", BILLION_LAUGHS)
    kb.raw("b.yaml", b"\x00\x01\x02binary")
    kb.record("c", "title:\tx\n")
    kb.record("d", "- list\n")
    (kb.root / "notes" / "broken.md").write_bytes(b"---\ntitle: [\n---\nbody")
    proc = subprocess.run([sys.executable, "-m", "tlnotes", "check", str(kb.root)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    files = {line.split(":")[0] for line in proc.stdout.splitlines()}
    assert files == {"papers/a.yaml", "papers/b.yaml", "papers/c.yaml", "papers/d.yaml", "notes/broken.md"}
