"""`tlnotes build --jobs 2`: two processes write the pages (parallel.py), and the site is the one process's site."""

from __future__ import annotations

import gzip
import io
import json
import os
import random
import re
import sys
import threading
import time

import pytest

from tests.conftest import VALID
from tests.test_incremental import EDITS, assert_same_as_clean, files_of, page_count
from tlnotes import incremental, mkdocs_plugin, parallel, search_index
from tlnotes.model import TlnotesError


@pytest.fixture
def forks(monkeypatch, build_in_process):
    """Split even this small site, and count the splits that forked."""
    monkeypatch.setattr(parallel, "MIN_PAGES", 1)
    workers = []
    real = parallel.split

    def spy(*args):
        worker = real(*args)
        workers.append(worker)
        return worker

    monkeypatch.setattr(parallel, "split", spy)
    return workers


def test_two_processes_write_the_site_one_process_writes(kb_root, tmp_path, run, forks):
    one, two = tmp_path / "one", tmp_path / "two"
    assert run("build", kb_root, "--site-dir", one, "--jobs", "1").code == 0
    assert forks == [None]
    r = run("build", kb_root, "--site-dir", two, "--jobs", "2")
    assert r.code == 0, r.err
    assert isinstance(forks[-1], parallel.Worker)  # the second build forked, and this is the parent
    assert files_of(two) == files_of(one) and page_count(two) == page_count(one)
    assert (two / "sitemap.xml").is_file() and (two / "404.html").is_file()  # written once, by the parent
    r = run("build", kb_root, "--site-dir", two, "--jobs", "2", "--clean")  # every page again, though none changed
    assert r.code == 0, r.err
    assert isinstance(forks[-1], parallel.Worker) and files_of(two) == files_of(one)


@pytest.mark.parametrize("seed", [3])
def test_dirty_builds_in_two_processes_build_what_a_clean_build_builds(kb_root, tmp_path, run, forks, seed):
    rng = random.Random(seed)
    site = kb_root / "site"
    assert run("build", kb_root, "--jobs", "2").code == 0
    for step in range(4):
        rng.choice(EDITS)(kb_root, rng)
        r = run("build", kb_root, "--jobs", "2")
        assert r.code == 0, (step, r.err)
        assert_same_as_clean(kb_root, site, tmp_path, run)
    assert any(isinstance(w, parallel.Worker) for w in forks)


@pytest.mark.parametrize("event", ["on_page_content", "on_post_page"])  # while reading its pages, or writing them
def test_a_failing_second_process_fails_the_build_in_one_line(kb_root, run, forks, monkeypatch, event):
    real = getattr(mkdocs_plugin.TlnotesPlugin, event)

    def broken_in_the_child(self, *args, **kwargs):
        if self.builder_pid is not None and os.getpid() != self.builder_pid:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(mkdocs_plugin.TlnotesPlugin, event, broken_in_the_child)
    r = run("build", kb_root, "--jobs", "2")
    assert r.code == 1 and "second build process failed" in r.err and "Traceback" not in r.err
    assert isinstance(forks[-1], parallel.Worker)


@pytest.mark.parametrize("jobs", ["0", "3", "two"])
def test_jobs_is_one_or_two(kb_root, run, jobs):
    r = run("build", kb_root, "--jobs", jobs)
    assert r.code != 0 and "--jobs" in r.err and "Traceback" not in r.err


def _warnings(text: str) -> list[str]:
    return sorted(line for line in text.splitlines() if line.startswith("WARNING"))


def test_links_to_anchors_in_either_processs_pages_are_checked_once(kb_root, tmp_path, run, forks, monkeypatch):
    """Each process reads only its share of the generated pages: a hand-written page's links into any of them are
    still checked against the anchors each has, and a strict build fails with the warnings one process gives.
    (`tlnotes check` finds such links first; here they reach MkDocs behind its back.)"""
    links = [f"[p{i}](papers/p{i}.md#summary), [p{i} too](papers/p{i}.md#no-such-anchor)" for i in range(6)]

    def with_links(self, markdown, page, config, files):
        return markdown + "\n\n" + "\n".join(links) + "\n" if page.file.src_uri == "about.md" else markdown

    monkeypatch.setattr(mkdocs_plugin.TlnotesPlugin, "on_page_markdown", with_links, raising=False)
    one = run("build", kb_root, "--site-dir", tmp_path / "one", "--jobs", "1")
    assert one.code == 1 and forks == [None]
    two = run("build", kb_root, "--site-dir", tmp_path / "two", "--jobs", "2")
    assert two.code == 1 and isinstance(forks[-1], parallel.Worker), two.err
    said = _warnings(two.err)
    assert said == _warnings(one.err) and len(said) == len(set(said)) == 6, said
    assert all("does not contain an anchor '#no-such-anchor'" in line for line in said)


def test_warnings_from_the_second_processs_pages_reach_the_first(kb_root, tmp_path, run, forks, monkeypatch):
    real = mkdocs_plugin.TlnotesPlugin.on_page_content

    def warning(self, html, page, config, files):
        if page.file.src_uri.startswith("papers/p"):
            mkdocs_plugin.log.warning(f"a warning about {page.file.src_uri}")
        return real(self, html, page, config, files)

    monkeypatch.setattr(mkdocs_plugin.TlnotesPlugin, "on_page_content", warning)
    one = run("build", kb_root, "--site-dir", tmp_path / "one", "--jobs", "1")
    two = run("build", kb_root, "--site-dir", tmp_path / "two", "--jobs", "2")
    assert one.code == two.code == 1 and isinstance(forks[-1], parallel.Worker)
    said = _warnings(two.err)
    assert said == _warnings(one.err) and len(said) == 6, said


def test_a_converted_page_drops_its_markdown_unless_another_plugin_may_read_it(kb_root, run, monkeypatch, forks):
    seen = {}
    real = mkdocs_plugin.TlnotesPlugin.on_post_page

    def watched(self, output, page, config):
        if page.file.src_uri == "papers/p1.md":
            seen[tuple(config.plugins)] = (page.markdown, page.title)
        return real(self, output, page, config)

    monkeypatch.setattr(mkdocs_plugin.TlnotesPlugin, "on_post_page", watched)
    assert run("build", kb_root, "--jobs", "1").code == 0
    config = kb_root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - tlnotes\n", "  - tlnotes\n  - search\n", 1))
    assert run("build", kb_root, "--jobs", "1").code == 0
    assert seen[("tlnotes",)] == ("", "Paper number 1")  # the title is the front matter's
    kept, title = seen[("tlnotes", "material/search")]
    assert "# Paper number 1" in kept and title == "Paper number 1"


def test_another_plugin_sees_every_page_in_one_process(kb_root, tmp_path, run, forks):
    """MkDocs' own search plugin indexes the pages it is shown: split, it would miss the other process's half."""
    config = kb_root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - tlnotes\n", "  - tlnotes\n  - search\n", 1))
    r = run("build", kb_root, "--jobs", "2")
    assert r.code == 0, r.err
    assert forks == [None]
    index = json.loads((kb_root / "site" / "search" / "search_index.json").read_text())
    found = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert {f"papers/p{i}/" for i in range(6)} <= found


def test_the_nav_made_once_per_folder_is_the_nav_made_for_each_page(kb_root, tmp_path, run, monkeypatch, build_in_process):
    """Pages outside the nav share one rendering of it per folder; a hand-written page below one paper's URL
    (which that paper's nav links as `extra/`, its siblings' as `../p1/extra/`) keeps them apart."""
    (kb_root / "docs" / "papers" / "p1").mkdir(parents=True)
    (kb_root / "docs" / "papers" / "p1" / "extra.md").write_text("# Extra\n\nHand-written, below a paper.\n")
    made = []
    real = mkdocs_plugin.nav_once_per_folder

    def counted(env):  # counts the navs rendered underneath the once-per-folder layer
        template = env.get_template(mkdocs_plugin.NAV)
        render = template.root_render_func

        def counting(context):
            made.append(getattr(context.get("page"), "url", None))
            yield from render(context)

        template.root_render_func = counting
        real(env)

    monkeypatch.setattr(mkdocs_plugin, "nav_once_per_folder", counted)
    r = run("build", kb_root, "--site-dir", tmp_path / "once", "--jobs", "1")
    assert r.code == 0, r.err
    monkeypatch.setattr(mkdocs_plugin, "nav_once_per_folder", lambda env: None)
    r = run("build", kb_root, "--site-dir", tmp_path / "each", "--jobs", "1")
    assert r.code == 0, r.err
    assert files_of(tmp_path / "once") == files_of(tmp_path / "each")
    assert 'href="extra/"' in (tmp_path / "once" / "papers" / "p1" / "index.html").read_text()
    assert 'href="../p1/extra/"' in (tmp_path / "once" / "papers" / "p2" / "index.html").read_text()
    papers = [url for url in made if url and re.fullmatch(r"papers/p\d+/", url)]
    assert papers == ["papers/p1/", "papers/p0/"] or papers == ["papers/p0/", "papers/p1/"], made  # p1 needs its own


def test_blocks_made_once_per_folder_are_the_blocks_made_for_each_page(kb_root, tmp_path, run, monkeypatch, build_in_process):
    """The layout's settings and scripts, made once per folder, are byte for byte those made for each page; a
    script that lies below one paper's URL (linked `extra.js` from it, `../p1/extra.js` from its siblings) keeps
    that paper apart."""
    (kb_root / "docs" / "papers" / "p1").mkdir(parents=True)
    (kb_root / "docs" / "papers" / "p1" / "extra.js").write_text("// below a paper's URL\n")
    config = kb_root / "mkdocs.yml"
    config.write_text(config.read_text() + "extra_javascript:\n  - papers/p1/extra.js\n")
    made = []
    real = mkdocs_plugin.blocks_once_per_folder

    def counted(env, scripts):  # counts the blocks rendered underneath the once-per-folder layer
        base = env.get_template(mkdocs_plugin.BASE)
        for name in mkdocs_plugin.BLOCKS:
            render = base.blocks[name]

            def counting(context, name=name, render=render):
                made.append((name, getattr(context.get("page"), "url", None)))
                yield from render(context)

            base.blocks[name] = counting
        real(env, scripts)

    monkeypatch.setattr(mkdocs_plugin, "blocks_once_per_folder", counted)
    r = run("build", kb_root, "--site-dir", tmp_path / "once", "--jobs", "1")
    assert r.code == 0, r.err
    monkeypatch.setattr(mkdocs_plugin, "blocks_once_per_folder", lambda env, scripts: None)
    r = run("build", kb_root, "--site-dir", tmp_path / "each", "--jobs", "1")
    assert r.code == 0, r.err
    assert files_of(tmp_path / "once") == files_of(tmp_path / "each")
    assert 'src="extra.js"' in (tmp_path / "once" / "papers" / "p1" / "index.html").read_text()
    assert 'src="../p1/extra.js"' in (tmp_path / "once" / "papers" / "p2" / "index.html").read_text()
    for name in mkdocs_plugin.BLOCKS:
        papers = sorted(url for block, url in made if block == name and url and re.fullmatch(r"papers/p\d+/", url))
        assert papers == ["papers/p0/", "papers/p1/"] or papers == ["papers/p1/", "papers/p2/"], made  # p1 its own


def test_a_block_that_names_the_page_is_made_for_each_page():
    """A theme's (or an override's) block that shows the page, or pulls in a template that may, is not shared."""
    import jinja2

    layout = {
        "base.html": "{% block config %}[{{ base_url }}]{% endblock %}{% block scripts %}{{ page.title }}{% endblock %}",
        "other.html": "{% block config %}{% include 'x.html' %}{% endblock %}{% block scripts %}s{% endblock %}",
        "x.html": "{{ page.title }}",
    }
    for shown, theirs in [("base.html", {"config": True, "scripts": False}), ("other.html", {"config": False})]:
        env = jinja2.Environment(loader=jinja2.DictLoader({**layout, "base.html": layout[shown]}))
        kept = dict(env.get_template("base.html").blocks)
        mkdocs_plugin.blocks_once_per_folder(env, [])
        blocks = env.get_template("base.html").blocks
        for name, shared in theirs.items():
            assert (blocks[name] is not kept[name]) == shared, (shown, name)
    env = jinja2.Environment(loader=jinja2.DictLoader(layout))
    mkdocs_plugin.blocks_once_per_folder(env, [])
    template = env.get_template("base.html")
    pages = [type("P", (), {"url": f"papers/{key}/", "title": key})() for key in ("a", "b")]
    assert [template.render(page=page, base_url="../..") for page in pages] == ["[../..]a", "[../..]b"]


def _square(n: int) -> tuple[int, int]:
    return n, n * n


def test_in_halves_makes_what_one_process_makes_in_order(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PAGES", 1)
    items = list(range(11))
    parent = os.getpid()
    seen = []

    def make(n):
        seen.append(n)  # in this process only: the child's list is its own copy
        return _square(n), os.getpid() == parent

    out = parallel.in_halves(items, make, jobs=2)
    assert [value for value, _ in out] == [_square(n) for n in items]
    assert [here for _, here in out] == [n % 2 == 0 for n in items]  # every second item made by the child
    assert seen == items[0::2]
    assert parallel.in_halves(items, make, jobs=1) == [(_square(n), True) for n in items]


@pytest.mark.parametrize("failure", ["raises", "dies", "unpicklable"])
def test_in_halves_makes_the_childs_half_itself_when_the_child_fails(monkeypatch, failure):
    monkeypatch.setattr(parallel, "MIN_PAGES", 1)
    parent = os.getpid()

    def make(n):
        if os.getpid() != parent:
            if failure == "raises":
                raise ValueError("only in the child")
            if failure == "dies":
                os._exit(3)
            return lambda: n  # a local function cannot be pickled
        return _square(n)

    assert parallel.in_halves(list(range(7)), make, jobs=2) == [_square(n) for n in range(7)]


def test_an_error_in_make_is_raised_in_the_parent(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PAGES", 1)

    def make(n):
        if n == 3:  # the child's item: made again here, where it raises as in one process
            raise KeyError("p3")
        return n

    with pytest.raises(KeyError, match="p3"):
        parallel.in_halves(list(range(6)), make, jobs=2)


# `apart`: `tlnotes build` makes the site in a process that ends, and indexes it in the one that stays


def test_apart_returns_what_work_returns_and_relays_what_it_prints(capsys):
    parent = os.getpid()
    kept = []

    def work():
        kept.append("in the child")  # its own copy of the list
        print("out: données " * 3000)  # longer than a pipe's buffer, and UTF-8 split across its chunks
        print("err: ✓", file=sys.stderr)
        return os.getpid(), {"a": [1, 2]}

    pid, value = parallel.apart(work)
    assert pid != parent and value == {"a": [1, 2]} and kept == []
    with pytest.raises(ProcessLookupError):  # ended, and waited for
        os.kill(pid, 0)
    captured = capsys.readouterr()
    assert captured.out == "out: données " * 3000 + "\n" and captured.err == "err: ✓\n"


class _Located(TlnotesError):
    def __init__(self, message, path, line):
        super().__init__(message, path, line)


@pytest.mark.parametrize(
    "failure, expected",
    [
        (lambda: TlnotesError("fix the errors", "papers/x.yaml", 3), "papers/x.yaml:3: error: fix the errors"),
        (lambda: OSError(28, "No space left on device", "site/index.html"), "No space left on device: 'site/index.html'"),
        (lambda: KeyboardInterrupt(), ""),
        (lambda: _Located("needs three arguments again", "p.yaml", 1), "needs three arguments again"),
    ],
)
def test_an_exception_in_work_is_raised_in_the_parent(failure, expected):
    def work():
        print("before it failed")
        raise failure()

    with pytest.raises(BaseException) as info:
        parallel.apart(work)
    assert expected in str(info.value)
    assert type(info.value) in (type(failure()), RuntimeError)  # one that cannot be made again: its text


def test_a_child_that_dies_is_an_error_naming_its_exit_status():
    with pytest.raises(RuntimeError, match=r"ended without an answer \(exit status 3\)"):
        parallel.apart(lambda: os._exit(3))


def test_a_build_is_indexed_here_once_its_pages_are_written(kb_root, run, monkeypatch):
    events = []
    real_index, real_apart = search_index.index_site, parallel.apart
    site = kb_root / "site"

    def index_site(where, *args, **kwargs):
        papers = len(list(site.glob("papers/*/index.html")))
        events.append(("index", os.getpid(), papers, incremental.read_manifest(kb_root, site) is not None))
        return real_index(where, *args, **kwargs)

    def apart(work, ahead=None):
        value = real_apart(work, ahead)
        events.append(("apart returned", os.getpid()))
        return value

    monkeypatch.setattr(search_index, "index_site", index_site)
    monkeypatch.setattr(mkdocs_plugin, "index_site", index_site)
    monkeypatch.setattr(parallel, "apart", apart)
    here = os.getpid()
    assert run("build", kb_root, "--jobs", "2").code == 0  # the first: every page, indexed here
    assert events == [("index", here, 7, True), ("apart returned", here)] and page_count(site) > 0  # every paper written
    assert (kb_root / ".tlnotes" / "warm.pickle").is_file()  # saved by the child meanwhile
    (kb_root / "papers" / "p1.yaml").write_text((kb_root / "papers" / "p1.yaml").read_text().replace("number 1", "one"))
    events.clear()
    assert run("build", kb_root).code == 0  # one page: indexed here too, while the build's process saves its state
    assert events == [("index", here, 7, True), ("apart returned", here)]
    events.clear()
    assert run("build", kb_root).code == 0  # nothing changed: no index
    assert events == [("apart returned", here)]
    fragments = [gzip.decompress(f.read_bytes()) for f in (site / "pagefind" / "fragment").iterdir()]
    assert any(b"Paper one" in f for f in fragments) and not any(b"Paper number 1" in f for f in fragments)


def test_ahead_runs_here_while_the_child_goes_on(tmp_path):
    """The child waits for what only `ahead` makes: both run at once, `ahead` in this process."""
    parent, flag = os.getpid(), tmp_path / "ahead ran"

    def work():
        parallel.go_ahead()
        parallel.go_ahead()  # at most once
        for _ in range(600):
            if flag.exists():
                return "saw it"
            time.sleep(0.05)
        return "never saw it"

    ran = []
    assert parallel.apart(work, ahead=lambda: (ran.append(os.getpid()), flag.write_text("x"))) == "saw it"
    assert ran == [parent]
    assert parallel.apart(lambda: "no word", ahead=lambda: ran.append("again")) == "no word" and ran == [parent]
    inline = []
    assert parallel.inline(lambda: (parallel.go_ahead(), inline.append("after"), 7)[2], lambda: inline.append("ahead")) == 7
    assert inline == ["ahead", "after"]
    parallel.go_ahead()  # outside `apart`: nothing


def test_a_failure_of_the_child_comes_before_one_of_ahead():
    def fails_after():
        parallel.go_ahead()
        raise TlnotesError("the state could not be saved", "x/.tlnotes")

    def index_fails():
        raise OSError("pagefind: not found")

    with pytest.raises(TlnotesError, match="could not be saved"):
        parallel.apart(fails_after, ahead=index_fails)
    with pytest.raises(OSError, match="pagefind: not found"):
        parallel.apart(lambda: (parallel.go_ahead(), "fine")[1], ahead=index_fails)
    with pytest.raises(RuntimeError, match=r"exit status 4"):  # ended without a word: `ahead` is not run
        parallel.apart(lambda: os._exit(4), ahead=lambda: pytest.fail("ran"))


def test_a_full_build_whose_index_fails_is_indexed_by_the_next_build(kb_root, run, monkeypatch):
    def broken(site, *args, **kwargs):
        raise OSError("pagefind: not found")

    real = search_index._run
    monkeypatch.setattr(search_index, "_run", broken)
    r = run("build", kb_root)
    assert r.code == 1
    assert r.err.splitlines()[-1] == f"tlnotes build: {kb_root / 'site'}: indexing for search failed: pagefind: not found"
    assert not (kb_root / "site" / "pagefind" / "pagefind-entry.json").exists()
    monkeypatch.setattr(search_index, "_run", real)
    assert run("build", kb_root).code == 0  # nothing changed, but the index is missing
    assert page_count(kb_root / "site") > 0


def test_a_nav_of_the_users_own_is_made_for_each_page(kb_root, run):
    """An override of the nav in the theme's folder may show the page it is on: then no page shares another's."""
    (kb_root / "overrides" / "partials").mkdir(parents=True)
    (kb_root / "overrides" / "partials" / "nav.html").write_text('<nav class="md-nav">On {{ page.title }}</nav>\n')
    config = kb_root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"))
    assert "custom_dir: overrides" in config.read_text()
    r = run("build", kb_root, "--jobs", "1")
    assert r.code == 0, r.err
    for i in range(6):
        page = (kb_root / "site" / "papers" / f"p{i}" / "index.html").read_text()
        assert f'<nav class="md-nav">On Paper number {i}</nav>' in page


def test_records_parsed_in_two_processes_load_as_in_one(kb, monkeypatch):
    """`load(jobs=2)` parses the records first in halves: the KB, every problem and every position are the ones
    one process finds, for records with errors of every kind too."""
    from tlnotes.load import ParseCache, load

    monkeypatch.setattr(parallel, "MIN_PAGES", 1)
    for i in range(7):
        kb.record(f"good{i}", VALID.replace("1706.03762", f"1706.0{i:04d}").replace("All You Need", f"Number {i}"))
    kb.record("badyaml", "title: [unclosed\n")
    kb.record("badyear", VALID.replace("year: 2017", "year: next").replace("1706.03762", "2001.00001"))
    kb.record("twice", VALID.replace("year: 2017", "year: 2017\nyear: 2018").replace("1706.03762", "2001.00002"))
    kb.record("Bad_Key", VALID.replace("1706.03762", "2001.00003"))
    kb.record("vaswani2017attention", VALID)
    kb.record("again", VALID)  # the same arXiv id: a problem across records
    kb.raw("latin1.yaml", "title: caf\xe9\n".encode("latin-1"))
    (kb.root / "papers" / "outside.yaml").symlink_to("/etc/hostname")
    one, two = load(kb.root, ParseCache(), 1), load(kb.root, ParseCache(), 2)
    assert two.problems == one.problems and len(one.problems) >= 6
    assert two.papers == one.papers and len(one.papers) >= 7
    assert two.positions.keys() == one.positions.keys()
    for rel, where in one.positions.items():
        assert two.positions[rel](("title",)) == where(("title",)), rel
    cache = ParseCache()
    load(kb.root, cache, 2)
    assert load(kb.root, cache, 2).problems == one.problems  # and from the cache it filled


def test_a_stream_that_fails_does_not_stop_the_child(monkeypatch):
    """`tlnotes build | head`: once this process cannot write, the child's output is still read, and dropped; the
    child neither waits on a full pipe nor fails writing to a closed one (it did: BrokenPipeError)."""

    class Gone(io.StringIO):
        def write(self, text):
            raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(sys, "stdout", Gone())

    def work():
        for _ in range(400):
            print("x" * 1000)  # 400 KB: far more than a pipe holds
        return "done"

    result = []
    thread = threading.Thread(target=lambda: result.append(parallel.apart(work)), daemon=True)
    thread.start()
    thread.join(60)
    assert result == ["done"]


def test_a_failed_index_reads_the_same_from_mkdocs_and_a_server(kb_root, monkeypatch, caplog):
    """`tlnotes build` says `tlnotes build: SITE: indexing for search failed: WHY` (above); `mkdocs build` and a
    server's background index say the same after `tlnotes: `."""
    from mkdocs.exceptions import Abort

    from tlnotes.load import load
    from tlnotes.mkdocs_plugin import build_site

    def broken(site, *args, **kwargs):
        raise OSError("pagefind: not found")

    monkeypatch.setattr(search_index, "_run", broken)  # where Pagefind starts
    site = kb_root / "site"
    said = f"tlnotes: {site}: indexing for search failed: pagefind: not found"

    def errors() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.levelname == "ERROR"]

    with caplog.at_level("ERROR"), pytest.raises(Abort):  # MkDocs logs a plugin's error, then aborts
        build_site(kb_root, load(kb_root), site, jobs=1)
    assert errors() == [said]
    caplog.clear()
    with caplog.at_level("ERROR"):
        incremental.index_later(site, search_index.index_site).join(60)
    assert errors() == [said]


def test_a_child_of_the_work_cannot_go_ahead_for_it(monkeypatch):
    """`in_halves` inside `apart`'s work forks again: that child's `go_ahead` is nothing, only the work's own counts."""
    monkeypatch.setattr(parallel, "MIN_PAGES", 1)

    def work():
        parallel.in_halves([0, 1], lambda i: parallel.go_ahead() if i else None, 2)  # the odd one in a grandchild
        return "done"

    ran = []
    assert parallel.apart(work, ahead=lambda: ran.append("ahead")) == "done"
    assert ran == []
