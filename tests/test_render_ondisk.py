"""`tlnotes render`: the site's sources on disk, built by MkDocs without the plugin, ProperDocs and Zensical."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tlnotes.ondisk import MANIFEST, write_site

BIN = Path(sys.executable).parent
ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1", NO_COLOR="1")


def record(key: str, title: str, topics=("attention",), year: int = 2017, related=()) -> str:
    rel = "".join(f"\n  - {r}" for r in related)
    return (
        f'title: "{title}"\nauthors:\n  - Ada Lovelace\n  - Alan Turing\nyear: {year}\ntopics:\n'
        + "".join(f"  - {t}\n" for t in topics)
        + "summary:\n  - Scales as $O(n)$.\n"
        + (f"related:{rel}\n" if related else "")
    )


@pytest.fixture
def site(site_kb):
    site_kb.note("sub", "A subtopic", folder="attention", body="Cites [@vaswani2017attention].\n")
    site_kb.record("lovelace2018one", record("lovelace2018one", "One Paper", topics=("attention", "sub"), year=2018))
    site_kb.record("turing2019two", record("turing2019two", "Two Paper", topics=("language-models",), year=2019))
    return site_kb


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def pages(site_dir: Path) -> set[str]:
    return {p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*.html") if "pagefind" not in p.parts}


def build(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    done = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def test_rendered_sources_build_strict_without_the_plugin_into_the_same_pages(site, run):
    assert run("build", site.root).code == 0
    with_plugin = pages(site.root / "site")
    result = run("render", site.root)
    assert result.code == 0, result.err
    assert "wrote" in result.err and "Traceback" not in result.err
    out = site.root / ".tlnotes" / "render"
    config = (out / "mkdocs.yml").read_text()
    assert "tlnotes" not in config.split("plugins:")[1].split("\n")[0]  # the plugin is gone: `plugins: []`
    build([str(BIN / "mkdocs"), "build", "--strict", "-q", "-f", "mkdocs.yml"], out)
    assert pages(out / "site") == with_plugin
    paper = (out / "site" / "papers" / "lovelace2018one" / "index.html").read_text()
    assert "One Paper" in paper and "tlnotes.css" in paper
    about = (out / "site" / "about" / "index.html").read_text()
    assert "Hand-written." in about and ">About<" in about  # the hand-written page is in the nav too


def test_properdocs_builds_the_repository_config_with_the_plugin_in_strict_mode(site):
    """ProperDocs (the maintained fork of MkDocs 1.x) loads the plugin by its `mkdocs.plugins` entry point."""
    build([str(BIN / "properdocs"), "build", "--strict", "-q", "-f", "mkdocs.yml"], site.root)
    built = site.root / "site"
    assert "One Paper" in (built / "papers" / "lovelace2018one" / "index.html").read_text()
    assert (built / "pagefind" / "pagefind.js").is_file()  # on_post_build ran: search
    assert (built / "papers.bib").is_file() and (built / "feed.xml").is_file()


def test_zensical_builds_the_rendered_sources(site, run):
    assert run("render", site.root).code == 0
    out = site.root / ".tlnotes" / "render"
    build([str(BIN / "zensical"), "build", "-f", "mkdocs.yml"], out)
    built = out / "site"
    assert "One Paper" in (built / "papers" / "lovelace2018one" / "index.html").read_text()
    assert "A subtopic" in (built / "topics" / "sub" / "index.html").read_text()
    assert (built / "papers.bib").is_file() and (built / "assets" / "tlnotes" / "tlnotes.js").is_file()


def test_a_second_run_writes_nothing_and_an_edit_rewrites_only_what_shows_it(site, run):
    out = site.root / ".tlnotes" / "render"
    first = write_site(site.load(), site.root)
    assert first.written and not first.removed
    again = write_site(site.load(), site.root)
    assert again.written == [] and again.unchanged == len(first.written)
    site.record("turing2019two", record("turing2019two", "Two Paper Renamed", topics=("language-models",), year=2019))
    edited = write_site(site.load(), site.root)
    assert "docs/papers/turing2019two.md" in edited.written
    assert "docs/papers/index.md" in edited.written  # the all-papers table shows its title
    assert "mkdocs.yml" not in edited.written and not any(p.startswith("docs/assets/") for p in edited.written)
    assert len(edited.written) < len(first.written) / 2
    assert "Two Paper Renamed" in (out / "docs" / "papers" / "turing2019two.md").read_text()


def test_a_deleted_record_loses_its_page_and_files_tlnotes_did_not_write_stay(site, run):
    out = site.root / ".tlnotes" / "render"
    write_site(site.load(), site.root)
    mine = out / "docs" / "papers" / "notes-of-mine.txt"
    mine.write_text("keep me")
    (site.root / "papers" / "turing2019two.yaml").unlink()
    result = write_site(site.load(), site.root)
    assert "docs/papers/turing2019two.md" in result.removed
    assert not (out / "docs" / "papers" / "turing2019two.md").exists()
    assert mine.read_text() == "keep me"
    assert "docs/papers/turing2019two.md" not in json.loads((out / MANIFEST).read_text())


def test_a_hand_written_page_wins_over_the_generated_one(site, run):
    (site.root / "docs" / "papers").mkdir()
    (site.root / "docs" / "papers" / "turing2019two.md").write_text("# Mine\n\nWritten by hand.\n")
    result = run("render", site.root)
    assert result.code == 0 and "1 generated page(s) left to docs/'s own" in result.err
    text = (site.root / ".tlnotes" / "render" / "docs" / "papers" / "turing2019two.md").read_text()
    assert text == "# Mine\n\nWritten by hand.\n"


def test_randomised_edits_end_byte_identical_to_a_fresh_render(site, tmp_path):
    """Whatever sequence of edits came before, the incremental output equals a render into an empty folder."""
    rng = random.Random(15)
    keys = ["vaswani2017attention", "lovelace2018one", "turing2019two"]
    out = site.root / ".tlnotes" / "render"
    for step in range(12):
        action = rng.choice(["edit", "add", "delete", "note", "hand"])
        if action == "edit" and keys:
            key = rng.choice(keys)
            site.record(key, record(key, f"Edited {step}", topics=(rng.choice(["attention", "sub", "language-models"]),)))
        elif action == "add":
            key = f"new{step}2020x"
            site.record(key, record(key, f"New {step}", year=2020, related=keys[:1]))
            keys.append(key)
        elif action == "delete" and len(keys) > 1:
            key = keys.pop(rng.randrange(1, len(keys)))  # vaswani2017attention stays: the subtopic cites it
            (site.root / "papers" / f"{key}.yaml").unlink()
        elif action == "note":
            site.note("language-models", f"Language models {step}")
        else:
            (site.root / "docs" / f"page{step}.md").write_text(f"# Page {step}\n")
        kb = site.load()
        assert not kb.errors, kb.errors
        write_site(kb, site.root)
        fresh = tmp_path / f"fresh{step}"
        write_site(kb, site.root, fresh)
        assert tree(out) == tree(fresh), f"step {step}: {action}"


def test_errors_in_the_kb_write_nothing(site, run):
    site.raw("broken.yaml", b"title: [unclosed\n")
    result = run("render", site.root)
    assert result.code == 1
    assert "papers/broken.yaml:" in result.out
    assert result.err.strip().splitlines()[-1] == "tlnotes render: fix the errors above first; nothing written"
    assert not (site.root / ".tlnotes" / "render").exists()


@pytest.mark.parametrize("target", [".", "docs", "docs/out", "papers/x"])
def test_an_output_folder_over_the_kb_is_refused(site, run, target):
    before = tree(site.root)
    result = run("render", site.root, "-o", site.root / target)
    assert result.code == 1
    last = result.err.strip().splitlines()[-1]  # after check's count line, one line naming the folder
    assert last.startswith(f"tlnotes render: {site.root / target}: ") and "choose" in last and "Traceback" not in result.err
    assert tree(site.root) == before


def test_an_output_folder_that_is_a_file_is_one_line(site, run):
    blocker = site.root / "blocker"
    blocker.write_text("x")
    result = run("render", site.root, "-o", blocker / "out")
    assert result.code == 1
    assert result.err.strip().splitlines()[-1].startswith(f"tlnotes render: {blocker}")
    assert blocker.read_text() == "x"


def test_a_broken_mkdocs_yml_is_one_line_with_its_line(site, run):
    (site.root / "mkdocs.yml").write_text("site_name: x\ntheme: [unclosed\n")
    result = run("render", site.root)
    assert result.code == 1
    assert f"{site.root / 'mkdocs.yml'}:" in result.err and "Traceback" not in result.err


def test_a_corrupt_manifest_is_rebuilt_and_removes_nothing_it_cannot_vouch_for(site, run):
    out = site.root / ".tlnotes" / "render"
    write_site(site.load(), site.root)
    (out / MANIFEST).write_text("{not json")
    result = write_site(site.load(), site.root)
    assert result.written == [] and result.removed == []
    assert json.loads((out / MANIFEST).read_text())  # whole again


def test_a_page_changed_by_hand_in_the_output_is_written_again(site):
    out = site.root / ".tlnotes" / "render"
    write_site(site.load(), site.root)
    page = out / "docs" / "papers" / "lovelace2018one.md"
    good = page.read_bytes()
    page.write_text("tampered")
    assert write_site(site.load(), site.root).written == ["docs/papers/lovelace2018one.md"]
    assert page.read_bytes() == good


def test_mkdocs_stays_on_the_1_x_line():
    """MkDocs 2 drops plugins: pyproject pins below it, and the build tests run on what is installed."""
    import mkdocs

    assert mkdocs.__version__.startswith("1.6")
    assert shutil.which("properdocs", path=str(BIN)) and shutil.which("zensical", path=str(BIN))


def test_no_mkdocs_yml_is_one_line_naming_it(site, run):
    (site.root / "mkdocs.yml").unlink()
    result = run("render", site.root)
    assert result.code == 1
    assert (
        result.err.strip().splitlines()[-1]
        == f"tlnotes render: {site.root / 'mkdocs.yml'}: not found (`tlnotes init` writes one)"
    )


def test_strict_fails_on_warnings_and_writes_nothing(site, run):
    site.record("bare2020x", 'title: "Bare"\nyear: 2020\ntopics:\n  - attention\n')  # no summary, no authors: warnings
    assert run("render", site.root, "--strict").code == 1
    assert not (site.root / ".tlnotes" / "render").exists()
    assert run("render", site.root).code == 0


def test_a_write_that_fails_is_one_line_naming_the_file_and_leaves_no_temporary(site, run, monkeypatch):
    out = site.root / "out"
    real = os.replace

    def refused(src, dst):
        if str(dst).endswith("papers/turing2019two.md"):
            raise OSError(5, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", refused)
    result = run("render", site.root, "-o", out)
    assert result.code == 1
    assert result.err.strip().splitlines()[-1] == (
        f"tlnotes render: {out / 'docs' / 'papers' / 'turing2019two.md'}: Input/output error"
    )
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]  # no temporary file left beside it
