"""`tlnotes serve` as a user runs it: a subprocess on a free port, edits on disk, pages fetched over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import VALID
from tlnotes.serve import error_box, parse_addr

HANG = 120  # seconds: only to catch a hang, never a speed bound
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()
    except OSError:
        return 0, ""


def wait_until(url: str, test, what: str) -> str:
    deadline = time.monotonic() + HANG
    while time.monotonic() < deadline:
        _, body = fetch(url)
        if test(body):
            return body
        time.sleep(0.1)
    raise AssertionError(f"{url}: {what} not served within {HANG}s")


class Served:
    def __init__(self, root: Path, log: Path):
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log = log
        self.proc = subprocess.Popen(
            [str(BIN / "tlnotes"), "serve", str(root), "--addr", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
            env=dict(os.environ, NO_MKDOCS_2_WARNING="1"),
        )
        wait_until(self.url + "papers/vaswani2017attention/", lambda b: "<h1" in b, "the first build")

    def page(self, path: str, test, what: str) -> str:
        assert self.proc.poll() is None, self.log.read_text()
        return wait_until(self.url + path, test, what)

    def stop(self) -> str:
        self.proc.terminate()
        self.proc.wait(timeout=HANG)
        return self.log.read_text()


@pytest.fixture
def served(site_kb, tmp_path):
    s = Served(site_kb.root, tmp_path / "serve.log")
    yield s
    if s.proc.poll() is None:
        s.stop()


def titled(title: str) -> str:
    return VALID.replace("Attention Is All You Need", title)


def test_edit_add_break_fix(served, site_kb):
    paper = "papers/vaswani2017attention/"
    first = served.page(paper, lambda b: "livereload(" in b, "the live-reload script")
    assert "tlnotes-errors" not in first

    # an edited record: its page and its topic's page show the new title
    site_kb.record("vaswani2017attention", titled("Edited Title Zebra"))
    served.page(paper, lambda b: "Edited Title Zebra" in b, "the edited title")
    served.page("topics/attention/", lambda b: "Edited Title Zebra" in b, "the edited title on the topic page")

    # a new record: its page appears, and the topic page lists it
    site_kb.record("shazeer2019fast", titled("Fast Transformer Decoding Quokka").replace('"1706.03762"', '"1911.02150"'))
    served.page("papers/shazeer2019fast/", lambda b: "Fast Transformer Decoding Quokka" in b, "the new record's page")
    served.page("topics/attention/", lambda b: "Quokka" in b, "the new record on its topic page")

    # a save mid-write that breaks the YAML, quoting a hostile line: every page shows the error, escaped
    bad = site_kb.root / "papers" / "shazeer2019fast.yaml"
    bad.write_text('title: "<script>alert(1)</script>\nyear: [2019\n')
    for path in (paper, "topics/attention/", "about/", "", "no/such/page/"):
        body = served.page(path, lambda b: 'id="tlnotes-errors"' in b, f"the error box on /{path}")
        box = body[body.index('id="tlnotes-errors"') :]
        assert "papers/shazeer2019fast.yaml:" in box
        assert "<script>alert(1)" not in box
    # the last good page is still under the box
    assert "Edited Title Zebra" in served.page(paper, lambda b: "tlnotes-errors" in b, "the box")

    # fixed: the box is gone and the fix is shown
    bad.write_text(titled("Fast Transformer Decoding Fixed").replace('"1706.03762"', '"1911.02150"'))
    served.page("papers/shazeer2019fast/", lambda b: "Decoding Fixed" in b and "tlnotes-errors" not in b, "the fix")
    served.page(paper, lambda b: "tlnotes-errors" not in b and "Zebra" in b, "the page without the box")

    log = served.stop()
    check = subprocess.run([str(BIN / "tlnotes"), "check", str(site_kb.root)], capture_output=True, text=True)
    assert check.returncode == 0
    assert "Traceback" not in log
    assert log.count("papers/shazeer2019fast.yaml:") == 1, log  # printed once, though several pages showed it
    assert "the errors are fixed" in log


def test_error_text_is_the_check_text(served, site_kb):
    (site_kb.root / "papers" / "broken.yaml").write_text("titel: Oops\nyear: 2020\ntopics: [attention]\n")
    body = served.page("", lambda b: "tlnotes-errors" in b, "the error box")
    check = subprocess.run([str(BIN / "tlnotes"), "check", str(site_kb.root)], capture_output=True, text=True)
    errors = [line for line in check.stdout.splitlines() if ": error:" in line]
    assert errors and check.returncode == 1
    for line in errors:
        assert error_box([line]).decode().split("<li>")[1].split("</li>")[0] in body


def test_deleted_record_and_new_topic(served, site_kb):
    site_kb.record("gone2020paper", titled("Soon Gone Paper").replace('"1706.03762"', '"2001.00001"'))
    served.page("papers/gone2020paper/", lambda b: "Soon Gone Paper" in b, "the new page")
    (site_kb.root / "papers" / "gone2020paper.yaml").unlink()
    served.page("papers/gone2020paper/", lambda b: "Soon Gone Paper" not in b, "the deleted record's page gone")
    assert not (site_kb.root / "site" / "papers" / "gone2020paper").exists()

    # a new topic changes the nav: the other topics' pages show it, though their content is unchanged
    site_kb.note("retrieval", "Retrieval Wombat")
    served.page("topics/retrieval/", lambda b: "Retrieval Wombat" in b, "the new topic page")
    served.page("topics/attention/", lambda b: 'href="../retrieval/"' in b, "the new topic in another topic's nav")
    # so does a new hand-written page: the unchanged hand-written page's nav shows it
    (site_kb.root / "docs" / "contact.md").write_text("# Contact Wombat\n")
    served.page("about/", lambda b: 'href="../contact/"' in b, "the new page in a hand-written page's nav")
    # a renamed topic: the old page goes, records citing it are errors until fixed
    (site_kb.root / "notes" / "retrieval.md").rename(site_kb.root / "notes" / "search.md")
    served.page("topics/search/", lambda b: "Retrieval Wombat" in b, "the renamed topic")
    served.page("topics/retrieval/", lambda b: "Retrieval Wombat" not in b, "the old topic page gone")


def test_vanishing_files_do_not_stop_the_server(served, site_kb):
    papers = site_kb.root / "papers"
    for i in range(30):  # files appearing and vanishing faster than a build
        p = papers / f"flicker{i}.yaml"
        p.write_text(titled(f"Flicker {i}").replace('"1706.03762"', f'"2002.{i:05d}"'))
        if i % 2:
            p.unlink()
    (papers / "half.yaml").write_text("title: Half writ")  # a save mid-write: no year, no topics
    served.page("", lambda b: "half.yaml" in b, "the half-written record's error")
    (papers / "half.yaml").unlink()
    served.page("papers/flicker28/", lambda b: "Flicker 28" in b and "tlnotes-errors" not in b, "a good build")
    assert served.proc.poll() is None


def test_busy_port_is_one_line(site_kb):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run(
            [str(BIN / "tlnotes"), "serve", str(site_kb.root), "--addr", f"127.0.0.1:{port}"],
            capture_output=True,
            text=True,
            timeout=HANG,
        )
    assert r.returncode == 1
    assert r.stderr.strip().splitlines() == [
        f"tlnotes serve: 127.0.0.1:{port}: address already in use; serve on another with --addr HOST:PORT"
    ]
    assert not (site_kb.root / "site").exists()  # said before building anything


def test_bad_addr_and_missing_config(run, site_kb):
    r = run("serve", str(site_kb.root), "--addr", "localhost:http")
    assert r.code == 1 and "expected HOST:PORT" in r.err and "Traceback" not in r.err
    (site_kb.root / "mkdocs.yml").unlink()
    r = run("serve", str(site_kb.root), "--addr", "127.0.0.1:1")
    assert r.code == 1 and "mkdocs.yml" in r.err


def test_parse_addr():
    assert parse_addr("127.0.0.1:8000") == ("127.0.0.1", 8000)
    assert parse_addr("[::1]:9000") == ("::1", 9000)
    assert parse_addr("8001") == ("127.0.0.1", 8001)
    for bad in ("host:", "host:0", "host:70000", "a:b"):
        with pytest.raises(ValueError):
            parse_addr(bad)


def test_error_box_escapes():
    box = error_box(['papers/x.yaml:1:1: error: "<img src=x onerror=alert(1)>" & more']).decode()
    assert "<img" not in box and "&lt;img" in box and "&amp; more" in box


def test_config_change_rebuilds_every_page_and_ctrl_c_is_quiet(served, site_kb):
    import signal

    config = site_kb.root / "mkdocs.yml"
    replacement = config.with_name("mkdocs.yml.tmp")  # an editor's save: write aside, then rename over
    replacement.write_text(config.read_text().replace("site_name: Transformers reading notes", "site_name: Numbat Notes"))
    replacement.replace(config)
    for path in ("about/", "papers/vaswani2017attention/", "topics/attention/"):
        served.page(path, lambda b: "Numbat Notes" in b, f"the new site name on /{path}")
    served.proc.send_signal(signal.SIGINT)
    assert served.proc.wait(timeout=HANG) == 0
    assert "Traceback" not in served.log.read_text()


def test_missing_docs_dir_is_said_in_the_page(served, site_kb):
    import shutil

    shutil.rmtree(site_kb.root / "docs")
    body = served.page("", lambda b: "tlnotes-errors" in b, "the error box")
    assert "docs_dir" in body and "isn&#x27;t an existing directory" in body
    time.sleep(1)  # every event of the removal has been handled
    (site_kb.root / "docs").mkdir()  # no file event: only the folder's own
    served.page("", lambda b: "tlnotes-errors" not in b, "the box gone once docs/ is back")
    # the new docs/ is watched: a page written there appears
    (site_kb.root / "docs" / "again.md").write_text("# Again Platypus\n")
    served.page("again/", lambda b: "Again Platypus" in b, "a page of the new docs/")


def test_reading_files_rebuilds_nothing_and_a_save_rebuilds_once(served, site_kb):
    def builds() -> int:
        return served.log.read_text().count("rebuilt in")

    time.sleep(2)
    assert builds() == 1  # the first build only: a build's own reads of every record are not changes
    for path in (site_kb.root / "papers").iterdir():
        path.read_bytes()
    time.sleep(2)
    assert builds() == 1
    site_kb.record("vaswani2017attention", titled("Saved Once Echidna"))
    served.page("papers/vaswani2017attention/", lambda b: "Echidna" in b, "the edit")
    time.sleep(2)
    assert builds() == 2


def test_an_edited_theme_override_shows_with_the_next_save(site_kb, tmp_path):
    """Templates are read once a build: an override edited while serving shows once a save rebuilds the site."""
    overrides = site_kb.root / "overrides"
    overrides.mkdir()
    banner = '{{% extends "base.html" %}}\n{{% block announce %}}{}{{% endblock %}}\n'
    (overrides / "main.html").write_text(banner.format("Banner one"))
    config = site_kb.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  name: material\n", "  name: material\n  custom_dir: overrides\n"))
    served = Served(site_kb.root, tmp_path / "serve.log")
    try:
        served.page("papers/vaswani2017attention/", lambda b: "Banner one" in b, "the first banner")
        (overrides / "main.html").write_text(banner.format("Banner two"))
        site_kb.record("vaswani2017attention", titled("Attention, edited"))
        page = served.page("papers/vaswani2017attention/", lambda b: "Attention, edited" in b, "the edited title")
        assert "Banner two" in page and "Banner one" not in page
    finally:
        served.stop()
