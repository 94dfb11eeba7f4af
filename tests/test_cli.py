"""The `tlnotes` command: output formats, exit codes, schema, new, init."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import jsonschema
import pytest
import yaml

from tests.conftest import REPO, VALID
from tlnotes import load, schema

LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning): (?P<msg>.+) \[(?P<code>[a-z-]+)\]$")


def test_check_clean_exits_0(kb, run):
    kb.record("k")
    r = run("check", kb.root)
    assert r.code == 0 and r.out == "" and "1 papers, 2 topics: 0 errors, 0 warnings" in r.err


def test_check_reports_in_text_format_sorted(kb, run):
    kb.record("b", VALID.replace("year: 2017", "year: 1066"))
    kb.record("a", VALID.replace("title:", "titel:"))
    r = run("check", kb.root)
    assert r.code == 1
    lines = r.out.splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m["file"], int(m["line"])) for m in parsed] == sorted((m["file"], int(m["line"])) for m in parsed)
    assert {m["code"] for m in parsed if m["file"] == "papers/a.yaml"} == {"unknown-field", "missing-field"}
    assert [m["code"] for m in parsed if m["file"] == "papers/b.yaml"] == ["range"]


def test_check_json_format(kb, run):
    kb.record("a", VALID.replace("year: 2017", "year: 1066"))
    kb.record(
        "b", VALID.replace("summary:\n  - Self-attention only.\n", "").replace("1706", "1810").replace("Attention", "Other")
    )
    r = run("check", kb.root, "--format", "json")
    assert r.code == 1
    data = json.loads(r.out)
    assert [set(d) for d in data] == [{"file", "line", "column", "severity", "code", "message"}] * 2
    assert data[0] == {
        "file": "papers/a.yaml",
        "line": 5,
        "column": 7,
        "severity": "error",
        "code": "range",
        "message": f"year: year 1066 is outside 1900..{data[0]['message'].split('..')[1]}",
    }
    assert data[1]["severity"] == "warning"
    strict = json.loads(run("check", kb.root, "--format", "json", "--strict").out)
    assert {d["severity"] for d in strict} == {"error"}


def test_check_defaults_to_current_directory(kb, run, monkeypatch):
    kb.record("k", "title: [")
    monkeypatch.chdir(kb.root)
    assert run("check").code == 1


@pytest.mark.parametrize("args", [["check", "--nope"], ["check", "--format", "xml"], ["frobnicate"], []])
def test_usage_errors_exit_2(run, args):
    assert run(*args).code == 2


def test_check_not_a_kb_exits_2(tmp_path, run):
    r = run("check", tmp_path)
    assert r.code == 2 and "not a tlnotes knowledge base" in r.err
    assert run("check", tmp_path / "missing").code == 2


def test_console_script_runs_without_traceback(kb):
    kb.record("k", "title: [")
    exe = REPO / ".venv" / "bin" / "tlnotes"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "tlnotes"]
    proc = subprocess.run([*cmd, "check", str(kb.root)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and proc.stdout.startswith("papers/k.yaml:") and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- schema


def test_schema_is_draft_2020_12_and_matches_fields(run):
    r = run("schema")
    s = json.loads(r.out)
    assert s["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(s)
    assert set(s["properties"]) == {f.name for f in schema.FIELDS}
    assert s["required"] == ["title", "year", "topics"]  # authors: a no-authors warning
    assert s["additionalProperties"] is False


def test_repository_schema_file_is_current(run):
    assert (REPO / "schema" / "paper.schema.json").read_text() == run("schema").out


def _validator():
    return jsonschema.Draft202012Validator(schema.json_schema(), format_checker=jsonschema.FormatChecker())


def test_every_repository_record_valid_under_the_json_schema():
    v = _validator()
    files = sorted((REPO / "papers").glob("*.yaml"))
    assert files
    for path in files:
        data = yaml.safe_load(path.read_text())
        data = {k: (str(v_) if k == "added" else v_) for k, v_ in data.items()}
        assert list(v.iter_errors(data)) == [], path


@pytest.mark.parametrize(
    "mutation",
    [
        {"titel": "x"},
        {"year": "2017"},
        {"authors": [""]},  # an empty list is valid now (a no-authors warning)
        {"topics": "attention"},
        {"links": {"arxiv": "1706.03762v1"}},
        {"links": {"pdf": "ftp://x"}},
        {"links": {"Bad": "https://x"}},
        {"summary": [{"a": ["x"], "b": ["y"]}]},
        {"related": ["Bad Key"]},
        {"status": "done"},
        {"status": "Read"},
        {"status": True},
        {"priority": "urgent"},
        {"rating": 0},
        {"rating": 6},
        {"rating": 4.5},
        {"rating": "4"},
        {"read": "2024-02-30"},
        {"read": "yesterday"},
    ],
)
def test_json_schema_rejects_what_the_loader_rejects(kb, mutation):
    data = yaml.safe_load(VALID)
    data.update(mutation)
    assert list(_validator().iter_errors(data)), mutation
    kb.record("k", yaml.safe_dump(data))
    assert kb.load().errors, mutation


def test_schema_output_file(tmp_path, run):
    out = tmp_path / "s.json"
    assert run("schema", "-o", out).code == 0
    assert json.loads(out.read_text())["title"] == "tlnotes paper record"


# ---------------------------------------------------------------- new


def test_new_writes_template_with_schema_line(kb, run):
    r = run("new", "smith2020thing", "--dir", kb.root)
    assert r.code == 0
    text = (kb.root / "papers" / "smith2020thing.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../schema/paper.schema.json\n")
    assert (kb.root / "schema" / "paper.schema.json").exists()
    # the template is valid YAML that check explains field by field
    problems = load(kb.root).problems
    fields = {p.message.split(":")[0] for p in problems if p.file == "papers/smith2020thing.yaml"}
    assert {"title", "authors", "year", "topics"} <= fields


def test_new_never_overwrites(kb, run):
    path = kb.record("k")
    before = path.read_bytes()
    r = run("new", "k", "--dir", kb.root)
    assert r.code == 1 and "already exists" in r.err and path.read_bytes() == before


@pytest.mark.parametrize("key", ["Bad", "../escape", "a/b", "", ".hidden", "x y"])
def test_new_refuses_invalid_key(kb, run, key):
    r = run("new", key, "--dir", kb.root)
    assert r.code == 1 and "not a valid key" in r.err
    assert sorted(p.name for p in (kb.root / "papers").iterdir()) == []
    assert not (kb.root / "escape.yaml").exists()


@pytest.mark.parametrize("key", ["evil\n", "k\n", "a" * (schema.MAX_KEY_LENGTH + 1), "a" * 300, "k\r", "k\x00"])
def test_new_refuses_keys_the_loader_would_refuse(kb, run, key):
    r = run("new", key, "--dir", kb.root)
    assert r.code == 1 and "not a valid key" in r.err and "Traceback" not in r.err
    assert list((kb.root / "papers").iterdir()) == []


@pytest.mark.parametrize("key", sorted(schema.RESERVED_IDS) + [k.upper() for k in sorted(schema.RESERVED_IDS)])
def test_new_refuses_reserved_keys(kb, run, key):
    r = run("new", key, "--dir", kb.root)
    assert r.code == 1 and "Traceback" not in r.err
    assert list((kb.root / "papers").iterdir()) == []


def test_new_accepts_the_longest_key(kb, run):
    key = "a" * schema.MAX_KEY_LENGTH
    assert run("new", key, "--dir", kb.root).code == 0
    assert not [p for p in load(kb.root).problems if p.code in ("bad-key", "reserved")]


def test_new_keeps_an_existing_schema_file(kb, run):
    (kb.root / "schema").mkdir()
    (kb.root / "schema" / "paper.schema.json").write_text("{}")
    assert run("new", "k", "--dir", kb.root).code == 0
    assert (kb.root / "schema" / "paper.schema.json").read_text() == "{}"


# ---------------------------------------------------------------- init


def test_init_creates_a_kb_that_passes_check(tmp_path, run):
    target = tmp_path / "new-kb"
    assert run("init", target).code == 0
    for name in ("mkdocs.yml", "papers", "notes", "schema/paper.schema.json"):
        assert (target / name).exists(), name
    kb = load(target)
    assert kb.problems == [] and len(kb.papers) == 1 and len(kb.topics) == 1
    assert run("check", target, "--strict").code == 0
    assert yaml.safe_load((target / "mkdocs.yml").read_text())["site_name"]


def test_init_refuses_an_existing_kb(tmp_path, run):
    target = tmp_path / "kb"
    (target / "papers").mkdir(parents=True)
    (target / "mkdocs.yml").write_text("mine\n")
    r = run("init", target)
    assert r.code == 1 and "nothing written" in r.err
    assert (target / "mkdocs.yml").read_text() == "mine\n" and not (target / "notes").exists()


def test_init_into_existing_unrelated_folder(tmp_path, run):
    (tmp_path / "README.md").write_text("mine")
    assert run("init", tmp_path).code == 0
    assert (tmp_path / "README.md").read_text() == "mine"


# ---------------------------------------------------------------- this repository


def test_this_repository_passes_check_strict(run):
    r = run("check", REPO, "--strict")
    assert r.code == 0, r.out
