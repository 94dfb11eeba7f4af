"""Shared fixtures: a throwaway knowledge base and a way to run the CLI."""

from __future__ import annotations

import functools
import http.server
import json
import os
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from tlnotes import cli, load

REPO = Path(__file__).resolve().parent.parent

VALID = """\
title: Attention Is All You Need
authors:
  - Ashish Vaswani
  - others
year: 2017
topics:
  - attention
summary:
  - Self-attention only.
links:
  arxiv: "1706.03762"
"""


@dataclass
class Result:
    code: int
    out: str
    err: str


class KB:
    """A knowledge base in a temporary folder, with helpers to fill it."""

    def __init__(self, root: Path):
        self.root = root
        (root / "papers").mkdir()
        (root / "notes").mkdir()
        (root / "mkdocs.yml").write_text("site_name: test\n")
        self.note("attention", "Attention")
        self.note("language-models", "Language models")

    def note(self, tid: str, title: str, folder: str = "", body: str = "Some prose.\n") -> Path:
        path = self.root / "notes" / folder / f"{tid}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: {json.dumps(title)}\n---\n\n{body}", encoding="utf-8")
        return path

    def record(self, key: str, text: str = VALID) -> Path:
        path = self.root / "papers" / f"{key}.yaml"
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def raw(self, name: str, data: bytes) -> Path:
        path = self.root / "papers" / name
        path.write_bytes(data)
        return path

    def load(self):
        return load(self.root)

    def codes(self) -> list[str]:
        return [p.code for p in self.load().problems]


@pytest.fixture
def kb(tmp_path) -> KB:
    root = tmp_path / "kb"
    root.mkdir()
    return KB(root)


@pytest.fixture
def site_kb(kb) -> KB:
    """A KB that builds as this repository's site does: its mkdocs.yml, a hand-written page, one record."""
    import shutil

    shutil.copy(REPO / "mkdocs.yml", kb.root / "mkdocs.yml")
    (kb.root / "docs").mkdir()
    (kb.root / "docs" / "about.md").write_text("# About\n\n## Contact\n\nHand-written.\n")
    kb.record("vaswani2017attention")
    return kb


@pytest.fixture
def run(capsys):
    """Run `tlnotes ARGS...` in-process; returns exit code and output."""

    def _run(*args: str) -> Result:
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as exc:  # argparse usage errors
            code = exc.code
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return _run


@pytest.fixture
def build_in_process(monkeypatch):
    """`tlnotes build` in this process, for a test that watches what the build calls (`parallel.apart` makes a
    site in a forked process, whose calls a spy here never sees); the index is still made after the pages."""
    from tlnotes import parallel

    monkeypatch.setattr(parallel, "apart", parallel.inline)


@pytest.fixture(autouse=True, scope="session")
def own_cache_folder(tmp_path_factory):
    """tlnotes keeps its cache key and compiled templates in the user's cache folder: the tests' own, not the user's."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


@pytest.fixture(autouse=True)
def no_internet(monkeypatch):
    """Imports look papers up by default: unless a test starts its own fake server, the APIs refuse at once."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("TLNOTES_ARXIV_API", f"http://127.0.0.1:{port}/api/query")
    monkeypatch.setenv("TLNOTES_CROSSREF_API", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("TLNOTES_OPENALEX_API", f"http://127.0.0.1:{port}")


# ------------------------------------------------------------ the browser tests' shared fixtures


@pytest.fixture(scope="session")
def browser():
    from tests.browser import ARGS, CHROMIUM, _missing

    reason = _missing()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def serve():
    servers = []

    def _serve(site: Path) -> str:
        from tests.browser import Quiet

        handler = functools.partial(Quiet, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield _serve
    for s in servers:
        s.shutdown()


@pytest.fixture(scope="session")
def repo_url(tmp_path_factory, serve, browser):
    from tests.browser import build

    return serve(build(REPO, tmp_path_factory.mktemp("repo-site") / "site"))


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.problems = []
    pg.on("console", lambda m: m.type == "error" and pg.problems.append(f"console: {m.text}"))
    pg.on("pageerror", lambda e: pg.problems.append(f"pageerror: {e} {e.stack}"))  # the stack names the script
    pg.on("dialog", lambda d: (pg.problems.append(f"dialog: {d.message}"), d.dismiss()))
    yield pg
    context.close()


# a date for MkDocs' sitemap and its gzip header, so two builds on different seconds can be compared byte for byte
EPOCH = "1700000000"


def record(title: str, topics: list[str], year: int = 2020, related: list[str] = ()) -> str:
    lines = [f"title: {json.dumps(title)}", "authors:", "  - Ada Lovelace", "  - Alan Turing", f"year: {year}", "topics:"]
    lines += [f"  - {t}" for t in topics]
    lines += ["summary:", f"  - About {title.lower()}."]
    if related:
        lines += ["related:", *(f"  - {k}" for k in related)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def kb_root(site_kb, monkeypatch):
    """Six records in two topics, built as this repository's site is, with a fixed build date (incremental builds)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    for i in range(6):
        site_kb.record(f"p{i}", record(f"Paper number {i}", ["attention" if i % 2 else "language-models"], 2015 + i))
    return site_kb.root
