"""A server's rebuild makes again only what an edit changed (rerender.py), and what it serves is a full render's.

The core: after every step of random edit sequences (records, notes, topics, errors), `Warm.build` gives exactly
the pages and extra files `render` and `extra_files` make from scratch, and the records are parsed again only
when their text changed. Then precision: a note's prose or a record's venue makes again the pages that show it,
not the site. Then the server: its page-only MkDocs rebuild (`Built.rebuild`) leaves the site a clean build makes.
"""

from __future__ import annotations

import io
import json
import random
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import record
from tests.test_incremental import assert_same_as_clean
from tlnotes import incremental, rerender, signed
from tlnotes.index import build_index
from tlnotes.load import ParseCache, load
from tlnotes.render import Site, extra_files, render
from tlnotes.rerender import Rerender, Warm

SITE = Site("Notes", "A test site", "https://notes.example.org/")
TOPICS = ["attention", "scaling", "retrieval", "vision"]
NAMES = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth"]


def make(root: Path, n: int = 24, seed: int = 0) -> Path:
    rng = random.Random(seed)
    (root / "papers").mkdir(parents=True)
    (root / "notes" / "attention").mkdir(parents=True)
    for t in TOPICS:
        (root / "notes" / f"{t}.md").write_text(f"---\ntitle: {t.capitalize()}\n---\n\nNotes on {t}.\n")
    (root / "notes" / "attention" / "sparse.md").write_text("---\ntitle: Sparse attention\n---\n\nA subtopic.\n")
    for i in range(n):
        write_record(root, f"p{i}", rng)
    return root


def write_record(root: Path, key: str, rng: random.Random, **over) -> None:
    keys = sorted(p.stem for p in (root / "papers").glob("*.yaml") if p.stem != key)
    data = {
        "title": over.get("title", f"Paper {key} on {rng.choice(['sparse', 'dense', 'retrieval', 'scaling'])} models"),
        "authors": over.get("authors", rng.sample(NAMES, rng.randint(1, 4)) + (["others"] if rng.random() < 0.2 else [])),
        "year": over.get("year", rng.randint(2015, 2024)),
        "topics": over.get("topics", rng.sample(TOPICS + ["sparse"], rng.randint(1, 2))),
        "summary": over.get("summary", [f"Studies {rng.choice(['attention', 'memory', 'retrieval'])} in {key}."]),
    }
    if rng.random() < 0.3 and keys:
        data["related"] = rng.sample(keys, 1)
    if rng.random() < 0.2:
        data["venue"] = f"ICLR {data['year']}"
    if "status" in over:
        data["status"] = over["status"]
    if "aliases" in over:
        data["aliases"] = over["aliases"]
    (root / "papers" / f"{key}.yaml").write_text(json.dumps(data, indent=1))  # JSON is YAML


def papers(root: Path) -> list[Path]:
    return sorted((root / "papers").glob("*.yaml"))


def rewrite(path: Path, **changes) -> None:
    try:
        data = yaml.safe_load(path.read_text())  # JSON, or a record of another test's fixture
    except yaml.YAMLError:  # broken by `break_record`: this edit mends it
        data = {"title": f"Mended {path.stem}", "authors": ["Ada Lovelace"], "year": 2020, "topics": ["attention"]}
    data.update(changes)
    path.write_text(json.dumps(data, indent=1))


# ------------------------------------------------------------ edits


def edit_title(root, rng):
    rewrite(rng.choice(papers(root)), title=f"{rng.choice(['A', 'Z', 'M'])} retitled {rng.randrange(999)}")


def edit_year(root, rng):
    rewrite(rng.choice(papers(root)), year=rng.randint(2010, 2025))


def edit_authors(root, rng):
    rewrite(rng.choice(papers(root)), authors=rng.sample(NAMES + ["Ada LOVELACE", "Kurt Gödel"], rng.randint(1, 3)))


def edit_topics(root, rng):
    rewrite(rng.choice(papers(root)), topics=rng.sample(TOPICS + ["sparse"], rng.randint(1, 3)))


def edit_summary(root, rng):
    rewrite(rng.choice(papers(root)), summary=[f"Now about {rng.choice(['vision', 'sparse', 'retrieval'])} {rng.randrange(99)}."])


def edit_venue(root, rng):
    rewrite(rng.choice(papers(root)), venue=f"NeurIPS {rng.randint(2015, 2024)}")


def edit_status(root, rng):
    rewrite(rng.choice(papers(root)), status=rng.choice(["to-read", "read"]))


def add_alias(root, rng):
    rewrite(rng.choice(papers(root)), aliases=[f"old{rng.randrange(999)}"])


def add_record(root, rng):
    write_record(root, f"new{rng.randrange(10**6)}", rng)


def delete_record(root, rng):
    victim = rng.choice(papers(root))
    victim.unlink()
    for p in papers(root):
        try:
            data = yaml.safe_load(p.read_text())
        except yaml.YAMLError:
            continue
        if victim.stem in data.get("related", []):
            data["related"].remove(victim.stem)
            p.write_text(json.dumps(data, indent=1))
    for n in (root / "notes").rglob("*.md"):
        n.write_text(n.read_text().replace(f"[@{victim.stem}]", "[gone]"))


def edit_note_prose(root, rng):
    note = rng.choice(sorted((root / "notes").rglob("*.md")))
    note.write_text(note.read_text() + f"\nMore prose {rng.randrange(999)} citing [@{rng.choice(papers(root)).stem}].\n")


def edit_note_title(root, rng):
    note = rng.choice(sorted((root / "notes").rglob("*.md")))
    text = note.read_text()
    title = text.split("title: ", 1)[1].split("\n", 1)[0]
    note.write_text(text.replace(f"title: {title}", f"title: Retitled {rng.randrange(999)}", 1))


def add_topic(root, rng):
    tid = f"topic{rng.randrange(10**6)}"
    (root / "notes" / f"{tid}.md").write_text(f"---\ntitle: New {tid}\n---\n\nNew.\n")
    rewrite(rng.choice(papers(root)), topics=[tid])


def break_record(root, rng):
    rng.choice(papers(root)).write_text("title: [unclosed\n")  # an error: load leaves it out


EDITS = [
    edit_title,
    edit_year,
    edit_authors,
    edit_topics,
    edit_summary,
    edit_venue,
    edit_status,
    add_alias,
    add_record,
    delete_record,
    edit_note_prose,
    edit_note_title,
    add_topic,
    break_record,
]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_edit_sequences_give_what_a_full_render_gives(tmp_path, seed, monkeypatch):
    """Odd seeds make in two processes what they make (parallel.in_halves), what the child read included."""
    from tlnotes import parallel

    jobs = 2 if seed % 2 else 1
    monkeypatch.setattr(parallel, "MIN_PAGES", 1)
    root = make(tmp_path / "kb", seed=seed)
    rng = random.Random(seed)
    warm = Warm()
    for step in range(30):
        for _ in range(rng.randint(1, 2)):
            rng.choice(EDITS)(root, rng)
        kb = warm.load(root)
        idx, pages, extra = warm.build(kb, SITE, jobs=jobs)
        fresh = load(root)
        assert fresh.problems == kb.problems and fresh.papers == kb.papers, step
        assert pages == render(fresh, SITE), step
        assert {p: (v.kind, v.search) for p, v in pages.items()} == {
            p: (v.kind, v.search) for p, v in render(fresh, SITE).items()
        }
        assert extra == extra_files(fresh, SITE), step


def test_a_new_site_or_reading_status_makes_everything_again(tmp_path):
    root = make(tmp_path / "kb")
    kb = load(root)
    rr = Rerender()
    rr.update(kb, SITE, build_index(kb))
    total = len(rr.outputs)
    rr.update(kb, SITE, build_index(kb))
    assert rr.made == []  # nothing changed: nothing made
    rr.update(kb, Site("Other name", "", ""), build_index(kb))
    assert len(rr.made) == total
    rewrite(papers(root)[0], status="read")  # the site now shows reading status: the nav and every page
    kb = load(root)
    rr.update(kb, Site("Other name", "", ""), build_index(kb))
    assert len(rr.made) == len(rr.outputs)


def made_after(root: Path, edit) -> set[str]:
    warm = Warm()
    warm.build(warm.load(root), SITE)
    edit()
    warm.build(warm.load(root), SITE)
    return set(warm.rendered.made)


def test_a_notes_prose_makes_its_own_page_not_the_pages_that_link_its_topic(tmp_path):
    root = make(tmp_path / "kb")
    note = root / "notes" / "scaling.md"
    made = made_after(root, lambda: note.write_text(note.read_text() + "\nA new paragraph.\n"))
    assert "topics/scaling.md" in made
    tagged = {f"papers/{p.stem}.md" for p in papers(root) if "scaling" in json.loads(p.read_text())["topics"]}
    assert tagged and not made & tagged  # they link the topic by its title, which did not change


def test_a_venue_edit_makes_the_pages_that_show_the_paper_and_no_other(tmp_path):
    root = make(tmp_path / "kb")
    path = papers(root)[3]
    made = made_after(root, lambda: rewrite(path, venue="ACL 2099"))
    assert f"papers/{path.stem}.md" in made
    assert "extra:papers.bib" in made
    kb = load(root)
    pages = render(kb, SITE)
    # the paper pages that do not link it (its related and similar papers do, by title, authors and year)
    own = f"papers/{path.stem}.md"
    unrelated = {p for p, md in pages.items() if p.startswith("papers/p") and p != own and f"../{path.stem}/" not in md}
    assert len(unrelated) > len(kb.papers) / 3
    assert not made & unrelated


def test_unchanged_records_are_not_parsed_again(tmp_path, monkeypatch):
    load_module = sys.modules["tlnotes.load"]  # the package exports the function under the same name

    root = make(tmp_path / "kb")
    cache = ParseCache()
    load(root, cache)
    parsed = []
    real = load_module._Loader.check_record
    monkeypatch.setattr(
        load_module._Loader, "check_record", lambda self, rel, *a, **k: parsed.append(rel) or real(self, rel, *a, **k)
    )
    rewrite(papers(root)[2], title="Changed")
    kb = load(root, cache)
    assert parsed == [f"papers/{papers(root)[2].name}"]
    assert kb.papers[papers(root)[2].stem].title == "Changed"
    papers(root)[5].write_text("title: [broken\n")  # its error is reported every time, cached or not
    assert (
        [p.code for p in load(root, cache).errors]
        == [p.code for p in load(root, cache).errors]
        == [p.code for p in load(root).errors]
    )
    gone = papers(root)[6]
    gone.unlink()
    load(root, cache)
    assert gone.name not in cache.records and set(cache.records) == {p.name for p in papers(root)}


# ------------------------------------------------------------ the server's page-only rebuild


@pytest.fixture
def served_kb(site_kb, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    rng = random.Random(5)
    notes = site_kb.root / "notes"
    for t in TOPICS:
        if not (notes / f"{t}.md").exists():
            (notes / f"{t}.md").write_text(f"---\ntitle: {t.capitalize()}\n---\n\nNotes on {t}.\n")
    (notes / "attention").mkdir(exist_ok=True)
    (notes / "attention" / "sparse.md").write_text("---\ntitle: Sparse attention\n---\n\nA subtopic.\n")
    for i in range(8):
        site_kb.record(f"p{i}", record(f"Paper number {i}", [rng.choice(["attention", "language-models"])], 2015 + i))
    return site_kb.root


RECORD_EDITS = [edit_title, edit_year, edit_summary, edit_venue, edit_authors]


@pytest.mark.parametrize("seed", [1, 2])
def test_page_only_rebuilds_leave_the_site_a_clean_build_makes(served_kb, tmp_path, run, seed, monkeypatch):
    from tlnotes import mkdocs_plugin
    from tlnotes.serve import Serve

    rng = random.Random(seed)
    state = Serve(served_kb, served_kb / "site", out=io.StringIO())
    state.rebuild()
    assert not state.errors and state.built is not None
    took: list[bool] = []
    real = mkdocs_plugin.Built.rebuild
    monkeypatch.setattr(mkdocs_plugin.Built, "rebuild", lambda self, kb, warm: took.append(real(self, kb, warm)) or took[-1])
    for step in range(12):
        # record edits, new and deleted records (the page-only path), now and then one that needs a whole build
        edit = (
            rng.choice([*RECORD_EDITS, add_record, delete_record, add_alias])
            if step % 4
            else rng.choice([edit_note_title, add_topic])
        )
        edit(served_kb, rng)
        state.rebuild()
        assert not state.errors, (step, state.errors)
        incremental.wait_for_index(timeout=120)
        assert_same_as_clean(served_kb, served_kb / "site", tmp_path, run)
    assert True in took and False in took  # both paths were taken


def test_a_page_only_rebuild_writes_exactly_the_pages_whose_source_changed(served_kb, tmp_path):
    from tests.test_incremental import age, rewritten
    from tlnotes.serve import Serve

    state = Serve(served_kb, served_kb / "site", out=io.StringIO())
    state.rebuild()
    incremental.wait_for_index(timeout=120)
    assert state.built is not None
    before = {path: str(page) for path, page in state.built.plugin.pages.items()}
    site = served_kb / "site"
    age(site)
    rewrite_yaml_title(served_kb / "papers" / "p3.yaml", "A better title")
    state.rebuild()
    incremental.wait_for_index(timeout=120)
    built = state.built
    assert built is not None and built.plugin.pages.keys() == before.keys()
    differ = {path for path, page in built.plugin.pages.items() if str(page) != before[path]}
    assert "papers/p3.md" in differ and len(differ) < len(before)
    assert rewritten(site) == {built.files.get_file_from_path(path).dest_uri for path in differ}  # type: ignore[union-attr]
    assert "A better title" in (site / "papers" / "p3" / "index.html").read_text()


def rewrite_yaml_title(path: Path, title: str) -> None:
    lines = path.read_text().splitlines(keepends=True)
    lines[0] = f"title: {json.dumps(title)}\n"
    path.write_text("".join(lines))


def test_a_failed_rebuild_is_not_built_on(served_kb, monkeypatch):
    from tlnotes import mkdocs_plugin
    from tlnotes.serve import Serve

    state = Serve(served_kb, served_kb / "site", out=io.StringIO())
    state.rebuild()
    incremental.wait_for_index(timeout=120)

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    real = mkdocs_plugin.Built.rebuild
    monkeypatch.setattr(mkdocs_plugin.Built, "rebuild", lambda self, kb, warm: boom())
    rewrite_yaml_title(served_kb / "papers" / "p1.yaml", "Edited once")
    state.rebuild()
    assert state.errors and "disk on fire" in state.errors[-1]
    assert state.built is None  # the next save builds the whole site again
    monkeypatch.setattr(mkdocs_plugin.Built, "rebuild", real)
    state.rebuild()
    assert not state.errors and state.built is not None
    incremental.wait_for_index(timeout=120)
    assert "Edited once" in (served_kb / "site" / "papers" / "p1" / "index.html").read_text()


# ------------------------------------------------------------ what `tlnotes build` keeps between runs


class Planted:
    """What a stranger's pull request could commit as `.tlnotes/warm.pickle`: unpickling it would write a file."""

    def __init__(self, target: Path) -> None:
        self.target = target

    def __reduce__(self):
        return (Path.write_text, (self.target, "pwned"))


def test_a_planted_cache_is_never_unpickled(served_kb, tmp_path, run):
    import pickle

    control = tmp_path / "control.txt"
    pickle.loads(pickle.dumps(Planted(control)))  # what unpickling such a file does
    assert control.read_text() == "pwned"
    marker = tmp_path / "pwned.txt"
    cache = Warm.path(served_kb)
    cache.parent.mkdir(parents=True, exist_ok=True)
    body = pickle.dumps(Planted(marker))
    for planted in (body, signed.MAGIC + b"0" * signed.TAG_BYTES + b"\n" + body, signed.MAGIC + b"\n\n" + body):
        cache.write_bytes(planted)
        assert signed.load(cache, rerender._version()) is None
        assert run("build", served_kb).code == 0
        assert not marker.exists()
    assert_same_as_clean(served_kb, served_kb / "site", tmp_path, run)


def test_the_kept_state_is_used_only_as_written(served_kb, tmp_path, run, monkeypatch):
    assert run("build", served_kb).code == 0
    cache = Warm.path(served_kb)
    assert isinstance(Warm.open(served_kb), Warm) and Warm.open(served_kb).index is not None  # kept and read back
    data = bytearray(cache.read_bytes())
    data[-10] ^= 1  # one bit of the pickle changed: its tag fails
    cache.write_bytes(bytes(data))
    assert Warm.open(served_kb).index is None
    assert run("build", served_kb).code == 0  # a cold build, and it keeps a good state again
    assert Warm.open(served_kb).index is not None
    monkeypatch.setattr("tlnotes.rerender.code_key", lambda: "other code")  # another tlnotes: ignored
    assert Warm.open(served_kb).index is None


def test_a_cache_folder_that_cannot_be_written_only_means_no_cache(served_kb, tmp_path, run, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert run("build", served_kb).code == 0
    assert not Warm.path(served_kb).exists()
    assert Warm.open(served_kb).index is None
    assert_same_as_clean(served_kb, served_kb / "site", tmp_path, run)


@pytest.mark.parametrize("seed", [3])
def test_builds_that_keep_their_state_build_what_a_clean_build_builds(served_kb, tmp_path, run, seed):
    rng = random.Random(seed)
    assert run("build", served_kb).code == 0
    for step in range(6):
        rng.choice([*RECORD_EDITS, add_record, delete_record, edit_note_prose, edit_note_title])(served_kb, rng)
        r = run("build", served_kb)
        assert r.code == 0, (step, r.err)
        assert Warm.open(served_kb).index is not None
        assert_same_as_clean(served_kb, served_kb / "site", tmp_path, run)
