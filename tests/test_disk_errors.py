"""Broken disks: every command fails with one line naming the path, exit 1, nothing half-written.

Tests run as root, so `chmod` does not stop a write: read-only and full disks
are simulated by making the low-level calls fail, /dev/full gives a real
ENOSPC, and a regular file where a folder should be gives ENOTDIR.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import tempfile

import pytest

from tests.conftest import REPO

BIB = """@article{smith2020, title = {A Study of Things}, author = {Smith, Jane and Doe, John}, year = {2020}}
"""
NOTES = "## Attention\n- A Study of Things (smith, 2020) - it studies things\n"


def leftovers(root):
    """Temporary files our writes left behind anywhere under root."""
    return [p for p in root.rglob("*") if p.name.startswith(".") and p.name.endswith(".tmp")]


def one_clean_error(r, *names):
    """Exit 1, one message line naming the path, no traceback."""
    assert r.code == 1, (r.code, r.err)
    assert "Traceback" not in r.err
    lines = [line for line in r.err.splitlines() if line.startswith("tlnotes ")]
    assert lines, r.err
    assert any(all(str(n) in line for n in names) for line in lines), r.err


def snapshot(root):
    return {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "in.bib").write_text(BIB)
    (tmp_path / "in.md").write_text(NOTES)
    return tmp_path


def commands(kb, inputs):
    """Every command that writes, as (name, argv, the path it writes)."""
    return [
        ("new", ["new", "smith2020thing", "--dir", kb.root], kb.root / "papers" / "smith2020thing.yaml"),
        ("import notes", ["import", "notes", inputs / "in.md", "--dir", kb.root], kb.root / "papers"),
        ("import bibtex", ["import", "bibtex", inputs / "in.bib", "--topic", "attention", "--dir", kb.root], kb.root / "papers"),
        ("export", ["export", "bibtex", kb.root, "-o", inputs / "out.bib"], inputs / "out.bib"),
        ("schema", ["schema", "-o", inputs / "schema.json"], inputs / "schema.json"),
        ("init", ["init", inputs / "fresh"], inputs / "fresh"),
    ]


# ---------------------------------------------------------------- real failures


@pytest.mark.parametrize(
    "argv",
    [["export", "bibtex", "{kb}", "-o", "{out}"], ["schema", "-o", "{out}"], ["export", "bibtex", "{kb}", "--output", "{out}/"]],
)
def test_output_onto_a_directory(kb, run, tmp_path, argv):
    out = tmp_path / "out"
    (out / "keep").mkdir(parents=True)
    r = run(*[a.format(kb=kb.root, out=out) for a in argv])
    one_clean_error(r, out, "Is a directory")
    assert (out / "keep").is_dir() and leftovers(tmp_path) == []


@pytest.mark.parametrize("argv", [["export", "bibtex", "{kb}", "-o", "/dev/full"], ["schema", "-o", "/dev/full"]])
def test_output_onto_a_full_device_keeps_the_device(kb, run, argv):
    kb.record("k")
    r = run(*[a.format(kb=kb.root) for a in argv])
    one_clean_error(r, "/dev/full", "No space left on device")
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode), "/dev/full was replaced by a regular file"
    assert not [n for n in os.listdir("/dev") if n.startswith(".full.")]


def test_output_onto_a_character_device_is_written_into(kb, run):
    assert run("schema", "-o", "/dev/null").code == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.parametrize("where", ["schema", "export", "init", "new", "import notes", "import bibtex"])
def test_a_file_where_a_folder_should_be(kb, run, inputs, where):
    blocker = inputs / "blocker"
    blocker.write_text("precious\n")
    argv = {
        "schema": ["schema", "-o", blocker / "schema.json"],
        "export": ["export", "bibtex", kb.root, "-o", blocker / "deeper" / "out.bib"],
        "init": ["init", blocker / "kb"],
    }.get(where)
    if argv is None:  # the KB's own folders are files
        for sub in ("papers", "notes"):
            target = kb.root / sub
            for p in sorted(target.rglob("*"), reverse=True):
                p.unlink() if p.is_file() else p.rmdir()
            target.rmdir()
        (kb.root / "papers").write_text("precious\n")
        (kb.root / "notes").mkdir()
        (kb.root / "notes" / "attention.md").write_text("---\ntitle: Attention\n---\n")
        blocker = kb.root / "papers"
        argv = {
            "new": ["new", "k", "--dir", kb.root],
            "import notes": ["import", "notes", inputs / "in.md", "--dir", kb.root],
            "import bibtex": ["import", "bibtex", inputs / "in.bib", "--topic", "attention", "--dir", kb.root],
        }[where]
    r = run(*argv)
    one_clean_error(r, blocker, "Not a directory")
    assert blocker.read_text() == "precious\n" and leftovers(inputs) == []


def test_build_site_dir_onto_a_file(kb, run, tmp_path):
    kb.record("k")
    (kb.root / "docs").mkdir()
    (kb.root / "mkdocs.yml").write_text("site_name: t\nplugins: [tlnotes]\n")
    site = tmp_path / "site-file"
    site.write_text("precious\n")
    r = run("build", kb.root, "--site-dir", site)
    one_clean_error(r, site)
    assert site.read_text() == "precious\n"


def test_stdout_on_a_full_disk(kb):
    """`tlnotes schema > /dev/full`: one line, exit 1, no "Exception ignored" at exit."""
    exe = REPO / ".venv" / "bin" / "tlnotes"
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "tlnotes"]
    kb.record("k", "title: [")  # so that `check` prints something
    for argv in (["schema"], ["export", "bibtex", str(kb.root)], ["check", str(kb.root)]):
        with open("/dev/full", "w") as full:
            proc = subprocess.run([*cmd, *argv], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
        assert proc.returncode == 1, (argv, proc.stderr)
        assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr, proc.stderr
        assert "No space left on device" in proc.stderr


# ---------------------------------------------------------------- simulated read-only and full disks


def _fail(exc):
    def raiser(*args, **kwargs):
        raise exc

    return raiser


FAILURES = {
    "read-only (mkstemp)": ("tempfile.mkstemp", lambda: PermissionError(errno.EACCES, "Permission denied")),
    "full (fsync)": ("os.fsync", lambda: OSError(errno.ENOSPC, "No space left on device")),
    "read-only (replace)": ("os.replace", lambda: PermissionError(errno.EROFS, "Read-only file system")),
    "read-only (link)": ("os.link", lambda: OSError(errno.EROFS, "Read-only file system")),
}


REPLACING = {"export", "schema"}  # these replace their output (os.replace); the others create (os.link)


@pytest.mark.parametrize(
    ("failure", "which"),
    [
        (f, w)
        for f in FAILURES
        for w in ["new", "import notes", "import bibtex", "export", "schema", "init"]
        if not (f == "read-only (link)" and w in REPLACING) and not (f == "read-only (replace)" and w not in REPLACING)
    ],
)
def test_simulated_disk_failures(kb, run, inputs, monkeypatch, failure, which):
    kb.record("k")
    (inputs / "out.bib").write_text("old bib\n")
    (inputs / "schema.json").write_text("old schema\n")
    before = snapshot(kb.root)
    name, argv, target = next(c for c in commands(kb, inputs) if c[0] == which)
    dotted, make = FAILURES[failure]
    module, attr = dotted.rsplit(".", 1)
    monkeypatch.setattr({"os": os, "tempfile": tempfile}[module], attr, _fail(make()))
    r = run(*argv)
    assert r.code == 1, r.err
    assert "Traceback" not in r.err
    message = [line for line in r.err.splitlines() if line.startswith("tlnotes ")]
    assert message and make().strerror in message[-1], r.err
    if target.suffix:  # a single file: the message names it and its old content is intact
        assert str(target) in message[-1]
    assert leftovers(inputs) == [] and leftovers(kb.root) == []
    assert snapshot(kb.root) == before  # nothing written, nothing lost
    assert (inputs / "out.bib").read_text() == "old bib\n" and (inputs / "schema.json").read_text() == "old schema\n"
    assert not (inputs / "fresh").exists() or not any(p.is_file() for p in (inputs / "fresh").rglob("*"))


# ---------------------------------------------------------------- reading


@pytest.mark.parametrize("source", ["import", "notes", "bibtex"])
@pytest.mark.parametrize("bad", ["missing", "directory"])
def test_unreadable_input_file(kb, run, tmp_path, source, bad):
    path = tmp_path / f"input.{'md' if source == 'notes' else 'bib'}"
    if bad == "directory":
        path.mkdir()
    kind = "notes" if source == "notes" else "bibtex"
    r = run("import", kind, path, "--dir", kb.root)
    one_clean_error(r, path)


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "{f}"],
        ["new", "k", "--dir", "{f}"],
        ["export", "bibtex", "{f}"],
        ["import", "notes", "{f}", "--dir", "{f}"],
        ["build", "{f}"],
        ["links", "{f}"],
    ],
)
def test_kb_dir_that_is_a_file(run, tmp_path, argv):
    f = tmp_path / "kb"
    f.write_text("precious\n")
    r = run(*[a.format(f=f) for a in argv])
    assert r.code in (1, 2) and "Traceback" not in r.err
    assert f"{f}: not a directory" in r.err and f.read_text() == "precious\n"


# ---------------------------------------------------------------- temporary files


@pytest.mark.parametrize("gitignore", ["template", "repository"])
def test_gitignore_matches_temporary_files(run, tmp_path, monkeypatch, gitignore):
    """A write killed before its cleanup leaves `.<name>.<random>.tmp`; git must not offer to commit it."""
    kb = tmp_path / "kb"
    assert run("init", kb).code == 0
    if gitignore == "repository":
        (kb / ".gitignore").write_bytes((REPO / ".gitignore").read_bytes())
    left = []
    real_unlink = os.unlink
    monkeypatch.setattr(os, "unlink", lambda p, *a, **k: left.append(p))  # the cleanup never runs
    assert run("new", "k", "--dir", kb).code == 0
    monkeypatch.setattr(os, "unlink", real_unlink)
    assert left and all(os.path.basename(p).endswith(".tmp") for p in left)
    subprocess.run(["git", "init", "-q", str(kb)], check=True)
    rel = [os.path.relpath(p, kb) for p in left if os.path.exists(p)]
    assert rel
    ignored = subprocess.run(["git", "-C", str(kb), "check-ignore", *rel], capture_output=True, text=True)
    assert ignored.stdout.split() == rel
    shown = subprocess.run(
        ["git", "-C", str(kb), "status", "--porcelain", "--untracked-files=all"], capture_output=True, text=True
    )
    assert ".tmp" not in shown.stdout and "papers/k.yaml" in shown.stdout
