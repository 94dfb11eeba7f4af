"""`tlnotes build --jobs 2`: two processes write the pages (parallel.py), and the site is the one process's site."""

from __future__ import annotations

import os
import random

import pytest

from tests.test_incremental import EDITS, assert_same_as_clean, files_of, page_count
from tlnotes import mkdocs_plugin, parallel


@pytest.fixture
def forks(monkeypatch):
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


def test_a_failing_second_process_fails_the_build_in_one_line(kb_root, run, forks, monkeypatch):
    real = mkdocs_plugin.TlnotesPlugin.on_post_page

    def broken_in_the_child(self, output, page, config):
        if self.builder_pid is not None and os.getpid() != self.builder_pid:
            raise OSError(28, "No space left on device")
        return real(self, output, page, config)

    monkeypatch.setattr(mkdocs_plugin.TlnotesPlugin, "on_post_page", broken_in_the_child)
    r = run("build", kb_root, "--jobs", "2")
    assert r.code == 1 and "second build process failed" in r.err and "Traceback" not in r.err
    assert isinstance(forks[-1], parallel.Worker)


@pytest.mark.parametrize("jobs", ["0", "3", "two"])
def test_jobs_is_one_or_two(kb_root, run, jobs):
    r = run("build", kb_root, "--jobs", jobs)
    assert r.code != 0 and "--jobs" in r.err and "Traceback" not in r.err
