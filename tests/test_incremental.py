"""Incremental builds: after any sequence of edits, `tlnotes build` (dirty) writes what a clean build writes.

Pagefind's output is not deterministic between two clean builds of the same site (its filter and meta chunks and
the entry's hash differ), so for `pagefind/` the tests compare what it holds: every page's fragment (the page's
URL, text and metadata, byte for byte, named by its content hash) and the page count.
"""

from __future__ import annotations

import gzip
import json
import os
import random
import shutil
from pathlib import Path

import pytest

from tests.conftest import record
from tlnotes import incremental, load
from tlnotes.render import render

OLD = 1_000_000_000_000_000_000  # an mtime (ns) no build writes: a file that keeps it was not rewritten


def files_of(site: Path) -> dict[str, bytes]:
    out = {}
    for p in sorted(site.rglob("*")):
        if p.is_file():
            rel = p.relative_to(site).as_posix()
            if rel.startswith("pagefind/") and not rel.startswith("pagefind/fragment/"):
                continue
            out[rel] = p.read_bytes()
    return out


def page_count(site: Path) -> int:
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    return sum(lang["page_count"] for lang in entry["languages"].values())


def indexed_urls(site: Path) -> set[str]:
    urls = set()
    for frag in (site / "pagefind" / "fragment").iterdir():
        data = gzip.decompress(frag.read_bytes())
        urls.add(json.loads(data[data.index(b"{") :])["url"])
    return urls


def index_files(site: Path) -> dict[str, set[str]]:
    """The files of the Pagefind index by kind: a page's fragment and a word-index chunk are named by their content
    alone; filters and the meta index also by what varies between runs, so only their number is compared."""
    folder = site / "pagefind"
    return {
        "fragment": {p.name for p in (folder / "fragment").iterdir()},
        "index": {p.name for p in (folder / "index").iterdir()},
        "filters": {str(len(list((folder / "filter").iterdir())))},
        "meta": {str(len(list(folder.glob("*.pf_meta"))))},
        "other": {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and "." in p.name}
        - {p.relative_to(folder).as_posix() for p in folder.rglob("*.pf_*")},
    }


def assert_same_as_clean(root: Path, site: Path, tmp_path: Path, run) -> None:
    clean = tmp_path / "clean-site"
    shutil.rmtree(clean, ignore_errors=True)
    r = run("build", root, "--site-dir", clean, "--clean")
    assert r.code == 0, r.err
    got, want = files_of(site), files_of(clean)
    assert sorted(got) == sorted(want)
    different = [name for name in want if got[name] != want[name]]
    assert not different, different[:5]
    assert page_count(site) == page_count(clean) == len(indexed_urls(clean))
    assert indexed_urls(site) == indexed_urls(clean)
    assert index_files(site) == index_files(clean)  # a rebuild's index, written over the last, keeps nothing stale


def age(site: Path) -> None:
    for p in site.rglob("*.html"):
        os.utime(p, ns=(OLD, OLD))


def rewritten(site: Path) -> set[str]:
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html") if p.stat().st_mtime_ns != OLD}


def rendered(root: Path) -> dict[str, str]:
    return dict(render(load(root)))


def test_one_edit_rewrites_only_the_pages_that_show_it(kb_root, tmp_path, run):
    site = kb_root / "site"
    assert run("build", kb_root).code == 0
    age(site)
    before = rendered(kb_root)
    text = (kb_root / "papers" / "p1.yaml").read_text()
    (kb_root / "papers" / "p1.yaml").write_text(text.replace("Paper number 1", "A renamed paper"))
    after = rendered(kb_root)
    r = run("build", kb_root)
    assert r.code == 0, r.err
    assert "dirty" not in r.err  # MkDocs' warning about dirty builds is not ours to show
    changed = rewritten(site)
    assert "papers/p1/index.html" in changed  # the record's page
    assert "topics/attention/index.html" in changed  # its topic
    assert "papers/index.html" in changed  # the all-papers table
    assert "years/index.html" in changed and "authors/l/index.html" in changed  # its year, its authors
    assert "about/index.html" in changed  # hand-written pages: always (their titles are in every nav)
    same = {path for path in after if before.get(path) == after[path]}
    same_html = {path.removesuffix(".md") + "/index.html" for path in same if not path.endswith("index.md")}
    assert "topics/language-models.md" in same and same_html  # pages that do not show the record...
    assert not same_html & changed  # ...are not written again
    assert_same_as_clean(kb_root, site, tmp_path, run)


def test_clean_flag_and_a_missing_manifest_rebuild_everything(kb_root, tmp_path, run):
    site = kb_root / "site"
    assert run("build", kb_root).code == 0
    age(site)
    assert run("build", kb_root, "--clean").code == 0
    assert "papers/p3/index.html" in rewritten(site)
    # an interrupted build leaves no manifest: the next build wipes what it may have left half-done
    (site / "stale.html").write_text("left over")
    for m in (kb_root / ".tlnotes").glob("build-manifest-*.json"):
        m.unlink()
    age(site)
    assert run("build", kb_root).code == 0
    assert not (site / "stale.html").exists()
    assert "papers/p3/index.html" in rewritten(site)
    assert_same_as_clean(kb_root, site, tmp_path, run)


def test_hidden_files_in_the_site_folder_stay_as_mkdocs_keeps_them(kb_root, run):
    """A deploy's `.git` or `.nojekyll` in the site folder survives every build, full ones included: MkDocs never
    copies hidden files, so it never removes them either (mkdocs.utils.clean_directory)."""
    site = kb_root / "site"
    (site / ".git").mkdir(parents=True)
    (site / ".git" / "HEAD").write_text("ref: refs/heads/gh-pages\n")
    (site / ".nojekyll").write_text("")
    (site / "stale.html").write_text("left over")
    assert run("build", kb_root).code == 0  # the first build into this folder: a full one
    assert run("build", kb_root, "--clean").code == 0
    edit_hand_written(kb_root, random.Random(1))  # a full build by the global key
    assert run("build", kb_root).code == 0
    assert (site / ".git" / "HEAD").read_text() == "ref: refs/heads/gh-pages\n" and (site / ".nojekyll").exists()
    assert not (site / "stale.html").exists()


def inodes(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}


@pytest.mark.parametrize("full", ["--clean", "a changed global key"])
def test_a_full_build_writes_over_the_last_site_in_place(kb_root, tmp_path, run, full):
    """Every file is written again into the file that was there (no file removed and made anew: slow on some
    filesystems), a theme file MkDocs would skip as newer than its source included, and the site equals a clean one."""
    site = kb_root / "site"
    assert run("build", kb_root).code == 0
    before = inodes(site)
    asset = next(p for p in (site / "assets").rglob("*.css"))
    original = asset.read_bytes()
    asset.write_bytes(b"tampered")  # newer than its source now
    age(site)
    if full == "--clean":
        r = run("build", kb_root, "--clean")
    else:
        edit_mkdocs_yml(kb_root, random.Random(3))
        r = run("build", kb_root)
    assert r.code == 0, r.err
    assert asset.read_bytes() == original
    assert rewritten(site) == {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    after = inodes(site)
    kept = [rel for rel in after if not rel.startswith("pagefind/") and before.get(rel) == after[rel]]
    assert len(kept) == len([rel for rel in before if not rel.startswith("pagefind/") and rel in after])
    assert "papers/p1/index.html" in kept and asset.relative_to(site).as_posix() in kept
    assert_same_as_clean(kb_root, site, tmp_path, run)


def test_a_full_build_removes_what_it_does_not_write_and_never_writes_through_a_link(kb_root, tmp_path, run):
    site = kb_root / "site"
    assert run("build", kb_root).code == 0
    (site / "old" / "deep").mkdir(parents=True)
    (site / "old" / "deep" / "x.txt").write_text("left over")
    (site / "papers" / "gone").mkdir()
    (site / "papers" / "gone" / "index.html").write_text("a deleted paper's page")
    (site / "papers" / "p2" / ".hidden").write_text("hidden, but not at the top")
    (site / "404.html").unlink()
    (site / "404.html").mkdir()  # a folder where the build writes a file
    (site / "404.html" / "inside").write_text("x")
    shutil.rmtree(site / "papers" / "p3")
    (site / "papers" / "p3").write_text("a file where the build needs a folder")
    outside = tmp_path / "outside.html"
    outside.write_text("not the site's")
    (site / "papers" / "p1" / "index.html").unlink()
    (site / "papers" / "p1" / "index.html").symlink_to(outside)
    (site / "about").rename(site / "about-link-target")
    (site / "about").symlink_to(site / "about-link-target", target_is_directory=True)
    r = run("build", kb_root, "--clean")
    assert r.code == 0, r.err
    assert outside.read_text() == "not the site's"
    assert not (site / "papers" / "p1" / "index.html").is_symlink() and not (site / "about").is_symlink()
    for gone in ["old", "papers/gone", "papers/p2/.hidden", "about-link-target"]:
        assert not (site / gone).exists(), gone
    assert (site / "404.html").is_file() and (site / "papers" / "p3" / "index.html").is_file()
    assert_same_as_clean(kb_root, site, tmp_path, run)


def test_clear_stale_keeps_what_it_is_told_and_stays_inside(tmp_path):
    site = tmp_path / "site"
    (site / "pagefind").mkdir(parents=True)
    (site / "pagefind" / "x.pf_index").write_text("kept")
    (site / ".git").mkdir()
    (site / ".git" / "HEAD").write_text("kept")
    (site / "a").mkdir()
    (site / "a" / "index.html").write_text("written")
    (site / "a" / "stale.html").write_text("stale")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("not the site's")
    (site / "b").symlink_to(elsewhere, target_is_directory=True)
    incremental.clear_stale(site, {"a/index.html", "b"}, keep=["pagefind"])
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*")) == [
        ".git", ".git/HEAD", "a", "a/index.html", "pagefind", "pagefind/x.pf_index",
    ]  # fmt: skip
    assert (elsewhere / "keep.txt").read_text() == "not the site's"
    incremental.clear_stale(tmp_path / "missing", set())  # no folder: nothing to do


def test_clear_stale_removes_a_written_path_it_may_not_write(tmp_path, monkeypatch):
    """A read-only file (as a tool that copies modes leaves it) would fail MkDocs' write: it is made anew instead.
    These tests run as root, who may write anything, so the check itself is what is replaced."""
    site = tmp_path / "site"
    site.mkdir()
    for name in ("ro.html", "rw.html"):
        (site / name).write_text(name)
    real = os.access
    monkeypatch.setattr(incremental.os, "access", lambda path, mode: not str(path).endswith("ro.html") and real(path, mode))
    incremental.clear_stale(site, {"ro.html", "rw.html"})
    assert sorted(p.name for p in site.iterdir()) == ["rw.html"]


def test_a_broken_save_keeps_the_last_site_and_the_next_good_save_catches_up(kb_root, tmp_path, run):
    site = kb_root / "site"
    assert run("build", kb_root).code == 0
    path = kb_root / "papers" / "p2.yaml"
    good = path.read_text()
    path.write_text(good[: len(good) // 2] + '"unterminated')  # a save caught mid-write
    r = run("build", kb_root)
    assert r.code == 1 and "Traceback" not in r.err
    assert "papers/p2.yaml:5:" in r.out
    assert (site / "papers" / "p2" / "index.html").is_file()  # the last good site is untouched
    path.write_text(good.replace("Paper number 2", "Paper two, fixed"))
    assert run("build", kb_root).code == 0
    assert "Paper two, fixed" in (site / "papers" / "p2" / "index.html").read_text()
    assert_same_as_clean(kb_root, site, tmp_path, run)


def test_a_corrupt_manifest_means_a_full_build(kb_root, tmp_path, run):
    site = kb_root / "site"
    assert run("build", kb_root).code == 0
    (manifest,) = (kb_root / ".tlnotes").glob("build-manifest-*.json")
    manifest.write_text('{"format": 1, "site_dir": ')
    assert incremental.read_manifest(kb_root, site) is None
    age(site)
    assert run("build", kb_root).code == 0
    assert "papers/p3/index.html" in rewritten(site)
    assert incremental.read_manifest(kb_root, site) is not None


def test_a_manifest_belongs_to_its_site_folder(kb_root, tmp_path, run):
    assert run("build", kb_root).code == 0
    other = tmp_path / "elsewhere"
    assert incremental.read_manifest(kb_root, other) is None
    assert run("build", kb_root, "--site-dir", other).code == 0
    assert incremental.read_manifest(kb_root, other) is not None
    assert incremental.read_manifest(kb_root, kb_root / "site") is not None
    shutil.rmtree(other)  # gone: its manifest is dropped at the next write
    assert run("build", kb_root).code == 0
    assert len(list((kb_root / ".tlnotes").glob("build-manifest-*.json"))) == 1


def test_changed_pages():
    old = incremental.Manifest("/s", "g", {"a.md": "1", "b.md": "2", "gone.md": "3"})
    pages = {"a.md": "1", "b.md": "changed", "new.md": "4"}
    assert incremental.changed_pages(old, pages, "g") == {"b.md", "new.md"}
    assert incremental.changed_pages(old, pages) == {"b.md", "new.md"}
    assert incremental.changed_pages(old, pages, "other") == set(pages)
    assert incremental.changed_pages(None, pages, "g") == set(pages)


def test_remove_outputs_stays_inside_the_site(tmp_path):
    site = tmp_path / "site"
    (site / "papers" / "x").mkdir(parents=True)
    (site / "papers" / "x" / "index.html").write_text("x")
    (site / "papers" / "y.html").write_text("y")
    (tmp_path / "outside.txt").write_text("keep")
    incremental.remove_outputs(site, ["papers/x/index.html", "../outside.txt", "papers/missing/index.html"])
    assert not (site / "papers" / "x").exists()  # the emptied folder goes too
    assert (site / "papers" / "y.html").exists() and (tmp_path / "outside.txt").exists()


# ------------------------------------------------------------ randomised edit sequences


def edit_title(root: Path, rng: random.Random) -> None:
    path = rng.choice(sorted((root / "papers").glob("*.yaml")))
    lines = path.read_text().splitlines(keepends=True)
    lines[0] = f"title: {json.dumps(f'Edited {rng.randrange(10**6)}')}\n"
    path.write_text("".join(lines))


def add_record(root: Path, rng: random.Random) -> None:
    topics = sorted(p.stem for p in (root / "notes").rglob("*.md"))
    key = f"new{rng.randrange(10**6)}"
    others = sorted(p.stem for p in (root / "papers").glob("*.yaml"))
    related = rng.sample(others, 1) if others else []
    (root / "papers" / f"{key}.yaml").write_text(record(f"Added {key}", rng.sample(topics, 1), rng.randint(2000, 2024), related))


def delete_record(root: Path, rng: random.Random) -> None:
    papers = sorted((root / "papers").glob("*.yaml"))
    if len(papers) < 3:
        return add_record(root, rng)
    victim = rng.choice(papers)
    victim.unlink()
    for p in papers:  # no record may relate to a missing one
        if p != victim:
            p.write_text(p.read_text().replace(f"  - {victim.stem}\n", ""))
            if p.read_text().rstrip().endswith("related:"):
                p.write_text(p.read_text().replace("related:\n", ""))
    for n in (root / "notes").rglob("*.md"):  # nor may a note cite it
        n.write_text(n.read_text().replace(f"[@{victim.stem}]", "[gone]"))


def add_topic(root: Path, rng: random.Random) -> None:
    tid = f"topic{rng.randrange(10**6)}"
    (root / "notes" / f"{tid}.md").write_text(f"---\ntitle: New topic {tid}\n---\n\nA new topic.\n")
    path = rng.choice(sorted((root / "papers").glob("*.yaml")))
    path.write_text(path.read_text().replace("topics:\n", f"topics:\n  - {tid}\n", 1))


def rename_topic(root: Path, rng: random.Random) -> None:
    note = rng.choice(sorted((root / "notes").rglob("*.md")))
    text = note.read_text()
    title = text.split("title: ", 1)[1].split("\n", 1)[0]
    note.write_text(text.replace(f"title: {title}", f"title: Renamed {rng.randrange(10**6)}", 1))


def rename_topic_id(root: Path, rng: random.Random) -> None:
    """A note's file renamed, and every record moved to the new id: the old topic page goes, a new one comes."""
    note = rng.choice(sorted((root / "notes").rglob("*.md")))
    new_id = f"renamed{rng.randrange(10**6)}"
    note.rename(note.with_name(f"{new_id}.md"))
    for p in (root / "papers").glob("*.yaml"):
        p.write_text(p.read_text().replace(f"  - {note.stem}\n", f"  - {new_id}\n"))


def edit_note(root: Path, rng: random.Random) -> None:
    note = rng.choice(sorted((root / "notes").rglob("*.md")))
    keys = sorted(p.stem for p in (root / "papers").glob("*.yaml"))
    note.write_text(note.read_text() + f"\nMore prose citing [@{rng.choice(keys)}].\n")


def edit_mkdocs_yml(root: Path, rng: random.Random) -> None:
    path = root / "mkdocs.yml"
    lines = [ln for ln in path.read_text().splitlines() if not ln.startswith("site_description:")]
    path.write_text("\n".join([*lines, f"site_description: Edition {rng.randrange(10**6)}"]) + "\n")


def edit_hand_written(root: Path, rng: random.Random) -> None:
    (root / "docs" / "about.md").write_text(f"# About {rng.randrange(10**6)}\n\nHand-written.\n")


EDITS = [
    edit_title,
    add_record,
    delete_record,
    add_topic,
    rename_topic,
    rename_topic_id,
    edit_note,
    edit_mkdocs_yml,
    edit_hand_written,
]


@pytest.mark.parametrize("seed", [1, 2])
def test_random_edit_sequences_build_what_a_clean_build_builds(kb_root, tmp_path, run, seed):
    rng = random.Random(seed)
    site = kb_root / "site"
    assert run("build", kb_root).code == 0
    for step in range(6):
        for _ in range(rng.randint(1, 2)):
            # a third of the steps edit the records only: the path where most pages are skipped
            edit = rng.choice(EDITS if step % 3 else EDITS[:3])
            edit(kb_root, rng)
        r = run("build", kb_root)
        assert r.code == 0, (step, r.err)
        assert incremental.read_manifest(kb_root, site) is not None
        assert_same_as_clean(kb_root, site, tmp_path, run)


def test_no_page_written_again_keeps_the_index(kb_root, tmp_path, run):
    site = kb_root / "site"
    assert run("build", kb_root).code == 0
    entry = site / "pagefind" / "pagefind-entry.json"
    os.utime(entry, ns=(OLD, OLD))
    assert run("build", kb_root).code == 0  # nothing changed
    assert entry.stat().st_mtime_ns == OLD
    (site / "pagefind" / "pagefind-entry.json").unlink()  # an index gone: made again
    assert run("build", kb_root).code == 0
    assert_same_as_clean(kb_root, site, tmp_path, run)


def index_ages(site: Path) -> dict[str, int]:
    return {p.relative_to(site).as_posix(): p.stat().st_mtime_ns for p in (site / "pagefind").rglob("*.pf_*")}


def test_a_rebuild_writes_only_the_index_files_that_changed(kb_root, tmp_path, run):
    site = kb_root / "site"
    assert run("build", kb_root).code == 0
    for path in index_ages(site):
        os.utime(site / path, ns=(OLD, OLD))
    planted = site / "pagefind" / "fragment" / "en_planted.pf_fragment"  # not Pagefind's: not named by its index
    planted.write_bytes(b"stale")
    path = kb_root / "papers" / "p1.yaml"
    path.write_text(path.read_text().replace("Paper number 1", "A renamed paper"))
    assert run("build", kb_root).code == 0
    ages = index_ages(site)
    kept = {name for name, ns in ages.items() if ns == OLD and name.startswith("pagefind/fragment/")}
    assert len(kept) >= len(indexed_urls(site)) - 4  # the pages that do not show the title keep their fragment
    assert not planted.exists()
    assert_same_as_clean(kb_root, site, tmp_path, run)
    # a change to every page (the hand-written pages' titles are in each nav) writes over the index too
    edit_hand_written(kb_root, random.Random(3))
    for path in ages:
        os.utime(site / path, ns=(OLD, OLD))
    assert run("build", kb_root).code == 0
    assert any(ns == OLD for ns in index_ages(site).values())
    assert_same_as_clean(kb_root, site, tmp_path, run)


@pytest.mark.parametrize("killed", ["while writing over the last index", "while writing an index anew"])
def test_an_index_left_half_written_is_made_anew(kb_root, tmp_path, run, killed):
    """A run killed mid-way leaves files under their final names, and its folder marked as a run in progress (over
    the last index) or without an entry (a fresh run writes it last): the next run writes none over."""
    from tlnotes import search_index

    site = kb_root / "site"
    assert run("build", kb_root).code == 0
    fragment = sorted((site / "pagefind" / "fragment").iterdir())[0]
    fragment.write_bytes(fragment.read_bytes()[:10])  # cut short, as by a kill
    if killed == "while writing an index anew":
        (site / "pagefind" / "pagefind-entry.json").unlink()
    else:
        (site / "pagefind" / search_index.RUNNING).touch()
    path = kb_root / "papers" / "p2.yaml"
    path.write_text(path.read_text().replace("Paper number 2", "Paper two, edited"))
    assert run("build", kb_root).code == 0
    gzip.decompress(fragment.read_bytes())  # whole again
    assert_same_as_clean(kb_root, site, tmp_path, run)


def test_the_last_index_stays_searchable_while_the_next_is_made(kb_root, tmp_path, run, monkeypatch):
    """A server indexes each save in the background: meanwhile the last index must stay whole to search."""
    from tlnotes import search_index

    site = kb_root / "site"
    assert run("build", kb_root).code == 0
    seen = []
    real = search_index._run

    def watched(where, *args, **kwargs):
        folder = where / search_index.FOLDER
        entry = json.loads((folder / search_index.ENTRY).read_text())
        named = search_index.in_use(folder)  # Unreadable if it names a file that is gone
        seen.append((entry == old_entry, sum(map(len, named.values())) > 0, (folder / search_index.RUNNING).exists()))
        return real(where, *args, **kwargs)

    old_entry = json.loads((site / "pagefind" / search_index.ENTRY).read_text())
    monkeypatch.setattr(search_index, "_run", watched)
    path = kb_root / "papers" / "p1.yaml"
    path.write_text(path.read_text().replace("Paper number 1", "A renamed paper"))
    assert run("build", kb_root).code == 0
    assert seen == [(True, True, True)]  # the last index, whole, and the folder marked while Pagefind runs
    assert not (site / "pagefind" / search_index.RUNNING).exists()  # unmarked once finished
    assert search_index.finished(site / "pagefind")
    monkeypatch.setattr(search_index, "_run", real)
    assert_same_as_clean(kb_root, site, tmp_path, run)


def test_an_index_it_cannot_read_is_made_anew(tmp_path, monkeypatch):
    from tlnotes import search_index

    site = tmp_path / "site"
    (site / "papers").mkdir(parents=True)
    (site / "papers" / "a.html").write_text("<html><body><h1>Alpha</h1><p>Some words here.</p></body></html>")
    search_index.index_site(site)
    folder = site / "pagefind"
    (folder / "fragment" / "en_old.pf_fragment").write_bytes(b"left over")
    runs = []
    real_prune = search_index.prune

    def prune_once_unreadable(f):
        runs.append(f)
        if len(runs) == 1:
            raise search_index.Unreadable("a format this version does not know")
        real_prune(f)

    monkeypatch.setattr(search_index, "prune", prune_once_unreadable)
    search_index.index_site(site)
    assert len(runs) == 1  # then a run into an empty folder, which leaves nothing to prune
    assert not (folder / "fragment" / "en_old.pf_fragment").exists()
    assert len(list((folder / "fragment").iterdir())) == 1
    assert search_index.in_use(folder)["fragment"] == {p.name for p in (folder / "fragment").iterdir()}


def _meta_file(folder: Path, meta: object, name: str = "en_abc") -> None:
    import cbor2

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pagefind-entry.json").write_text(json.dumps({"languages": {"en": {"hash": name}}}))
    (folder / f"pagefind.{name}.pf_meta").write_bytes(gzip.compress(b"pagefind_dcd" + cbor2.dumps(meta)))


@pytest.mark.parametrize(
    "meta",
    [
        ["1.5.2", [["../../outside", 1]], [], []],  # a hash that is a path
        ["1.5.2", [[".hidden", 1]], [], []],
        ["1.5.2", [[7, 1]], [], []],  # not a string
        ["1.5.2", [["en_missing", 1]], [], []],  # names a file that is not there
        ["1.5.2", "pages"],  # another shape
        {"version": "2.0"},
    ],
)
def test_a_meta_index_that_is_not_pagefinds_is_unreadable(tmp_path, meta):
    from tlnotes import search_index

    folder = tmp_path / "pagefind"
    _meta_file(folder, meta)
    (tmp_path / "outside.pf_fragment").write_text("keep")
    with pytest.raises(search_index.Unreadable):
        search_index.prune(folder)
    assert (tmp_path / "outside.pf_fragment").exists() and (folder / "pagefind.en_abc.pf_meta").exists()


@pytest.mark.parametrize("damage", ["not gzip", "no signature", "bad cbor", "bad entry", "entry names a path"])
def test_a_damaged_index_is_unreadable(tmp_path, damage):
    from tlnotes import search_index

    folder = tmp_path / "pagefind"
    _meta_file(folder, ["1.5.2", [], [], []])
    meta = folder / "pagefind.en_abc.pf_meta"
    if damage == "not gzip":
        meta.write_bytes(b"plain bytes")
    elif damage == "no signature":
        meta.write_bytes(gzip.compress(b"\x84"))
    elif damage == "bad cbor":
        meta.write_bytes(gzip.compress(b"pagefind_dcd\xff\xff"))
    elif damage == "bad entry":
        (folder / "pagefind-entry.json").write_text('{"languages": ["en"]}')
    else:
        (tmp_path / "pagefind.x.pf_meta").write_bytes(meta.read_bytes())  # a readable meta index, outside the folder
        (folder / "pagefind-entry.json").write_text('{"languages": {"en": {"hash": "../pagefind.x"}}}')
    with pytest.raises(search_index.Unreadable):
        search_index.prune(folder)


def test_prune_keeps_what_the_index_names(tmp_path):
    from tlnotes import search_index

    folder = tmp_path / "pagefind"
    _meta_file(folder, ["1.5.2", [["en_p1", 3]], [["a", "m", "en_i1"]], [["topic", "en_f1"]], [], []])
    for sub, name in [("fragment", "en_p1.pf_fragment"), ("index", "en_i1.pf_index"), ("filter", "en_f1.pf_filter")]:
        (folder / sub).mkdir(exist_ok=True)
        (folder / sub / name).write_bytes(b"used")
        (folder / sub / ("en_zz." + name.split(".")[1])).write_bytes(b"stale")
    (folder / "pagefind.en_old.pf_meta").write_bytes(b"stale")
    (folder / "pagefind.js").write_text("// not hashed: Pagefind writes it again each run")
    search_index.prune(folder)
    left = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert left == [
        "filter/en_f1.pf_filter",
        "fragment/en_p1.pf_fragment",
        "index/en_i1.pf_index",
        "pagefind-entry.json",
        "pagefind.en_abc.pf_meta",
        "pagefind.js",
    ]


def test_indexing_in_the_background_ends_as_a_clean_build(kb_root, tmp_path, run, monkeypatch):
    from tlnotes.mkdocs_plugin import TlnotesPlugin

    site = kb_root / "site"
    assert run("build", kb_root).code == 0
    monkeypatch.setattr(TlnotesPlugin, "background_index", True)
    rng = random.Random(7)
    for edit in (edit_title, add_record, delete_record):
        edit(kb_root, rng)
        assert run("build", kb_root).code == 0  # two builds may overlap their indexing threads
    incremental.wait_for_index(timeout=120)
    monkeypatch.setattr(TlnotesPlugin, "background_index", False)
    assert_same_as_clean(kb_root, site, tmp_path, run)


def test_a_file_that_vanishes_while_hashing_is_left_out(tmp_path, monkeypatch):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "a.md").write_text("# A\n")
    (docs / "b.md").write_text("# B\n")
    key = incremental.global_key(None, [], docs, None)
    real = Path.read_bytes

    def vanishing(self):
        if self.name == "b.md":
            raise FileNotFoundError(2, "No such file or directory", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", vanishing)
    without_b = incremental.global_key(None, [], docs, None)
    monkeypatch.undo()
    (docs / "b.md").unlink()
    assert without_b == incremental.global_key(None, [], docs, None) != key


def test_a_pagefind_that_never_answers_does_not_keep_the_process_from_ending(tmp_path):
    """Ctrl-C reaches Pagefind's service too, and its Python API then waits for an answer for ever: a server that
    was indexing a save must still end (it hung, joining Pagefind's thread at exit)."""
    import subprocess
    import sys

    (tmp_path / "papers").mkdir()
    script = f"""
import asyncio, sys, time
from pathlib import Path
from tlnotes import incremental, search_index

async def never(site):
    await asyncio.Event().wait()  # a service that died: no answer comes

search_index._index = never
incremental.index_later(Path({str(tmp_path)!r}), search_index.index_site)
time.sleep(0.5)
print("leaving", flush=True)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout == "leaving\n", done.stderr
