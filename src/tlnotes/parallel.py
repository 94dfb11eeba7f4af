"""Build a site's generated pages in two processes: MkDocs reads, converts and writes one page at a time, on one core.

MkDocs has no parallel build, but a generated page is independent of the others from the moment the nav is made
(its `on_nav` event): converting its Markdown and rendering its theme template read only the page itself and the
nav. `split` forks there, in a dirty build (`tlnotes build` always asks for one, see `build_site`): each process
answers `is_modified()` False for about every second generated page, so MkDocs neither reads nor writes the pages
the other process makes. Hand-written pages are few: both processes read them, since their titles may come from their
rendered headings, which every page's nav shows, and only the parent writes them (the child gives them a template
that renders nothing, which MkDocs skips without writing).

What MkDocs needs of a page after reading it, besides writing it, is for its check of links to anchors, which the
parent runs over every page: the anchors each page has and the links it makes. The child sends those for its pages,
with the warnings it logged while reading them, through a pipe once it has read them (`Child.report`); the parent
takes them before it writes (`Worker.merge`), so a strict build fails on a warning from either process, said once.
The parent waits for the child before anything reads the site (Pagefind, the manifest).

Before MkDocs, `in_halves` makes the pages' Markdown in two processes the same way, when a build makes most of them
(a clean one): the child sends its half back, with what each page read (rerender.py).

Only `tlnotes build` asks for it (`TlnotesPlugin.jobs`); a server's rebuilds and plain `mkdocs build` stay in one
process. Where there is no `fork` (Windows) or too few pages to gain from it, nothing changes.
"""

from __future__ import annotations

import codecs
import functools
import gc
import io
import json
import logging
import os
import pickle
import sys
import threading
from collections.abc import Callable, Collection, Sequence
from typing import TextIO, TypeVar

SKIP = "tlnotes-skip.html"  # a template that renders nothing: MkDocs then writes no file
MIN_PAGES = 200  # below this, a fork costs more than it saves

log = logging.getLogger("mkdocs.plugins.tlnotes")
T = TypeVar("T")
R = TypeVar("R")


class Worker:
    """The child process of a split build, seen from the parent."""

    def __init__(self, pid: int, reports: int) -> None:
        self.pid = pid
        self._reader, self._report = _drain(reports, "tlnotes-child-report")

    def merge(self, files) -> None:
        """Take what the child read: its pages' anchors and links to anchors, and its warnings, logged here."""
        self._reader.join()
        if not self._report:  # the child failed before it had read its pages
            self.wait()
            raise RuntimeError("the second build process ended before it had read its pages")
        report = json.loads(self._report)
        for src, (anchors, links) in report["pages"].items():
            page = files.get_file_from_path(src).page
            page.present_anchor_ids = set(anchors)
            page.links_to_anchors = {files.get_file_from_path(to): found for to, found in links.items()}
        for name, level, message in report["warnings"]:
            logging.getLogger(name).log(level, message)

    def wait(self) -> None:
        """Wait for the child; raise if it failed (it has logged why)."""
        _, status = os.waitpid(self.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise RuntimeError(f"the second build process failed (exit code {code}); its error is above")

    def stop(self) -> None:
        """The parent's build failed: end the child too."""
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass


class Child:
    """The child's side: the pages it makes, and what it reports to the parent once it has read them."""

    def __init__(self, config, files, mine: list, reports: int) -> None:
        self.config, self.files, self.mine, self.reports = config, files, mine, reports
        self.warnings: list[tuple[str, int, str]] = []
        self._handler = _Collect(self)
        mkdocs_log = logging.getLogger("mkdocs")
        for handler in mkdocs_log.handlers:
            handler.addFilter(_errors_only)  # the parent says the warnings, once
        mkdocs_log.addHandler(self._handler)

    def report(self, env) -> None:
        """Its pages are read: send the parent their anchors, links and warnings; leave the hand-written pages to it."""
        logging.getLogger("mkdocs").removeHandler(self._handler)
        pages = {}
        for file in self.mine:
            page = file.page
            links = {to.src_uri: found for to, found in (page.links_to_anchors or {}).items()}
            pages[file.src_uri] = (sorted(page.present_anchor_ids or ()), links)
        with os.fdopen(self.reports, "wb") as pipe:
            pipe.write(json.dumps({"pages": pages, "warnings": self.warnings}).encode())
        import jinja2

        env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({SKIP: ""}), env.loader])
        mine = {id(file) for file in self.mine}
        for file in self.files.documentation_pages():
            if id(file) not in mine and file.page is not None and file.is_modified():
                file.page.meta["template"] = SKIP


class _Collect(logging.Handler):
    """The child's warnings about the pages it makes, for the parent to log (whose count fails a strict build)."""

    def __init__(self, child: Child) -> None:
        super().__init__(logging.WARNING)
        self.child = child
        self.mine = {id(file) for file in child.mine}

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            return  # the child says its errors itself, and fails
        page = getattr(self.child.config, "_current_page", None)  # the page MkDocs is reading
        if page is not None and id(page.file) in self.mine:
            self.child.warnings.append((record.name, record.levelno, record.getMessage()))


def _errors_only(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.ERROR


child: Child | None = None  # set in the child process of a split build


def split(config, files, generated: Collection[str], jobs: int) -> Worker | None:
    """Fork if it pays; in the parent return the child, in the child return None after arranging its share.

    The shares are about every second generated page and generated file (a graph, a feed, a redirect, `_childs`)
    MkDocs will write, by `is_modified()`, which the incremental manifest answers (all of them in a full build);
    the child writes no other static file, theme template (sitemap, 404) or extra template, so each file is
    written once.
    """
    global child
    if jobs < 2 or not hasattr(os, "fork"):
        return None
    pages = [f for f in files.documentation_pages() if f.src_uri in generated and f.is_modified()]
    if len(pages) < MIN_PAGES:
        return None
    extra = [f for f in files if not f.is_documentation_page() and f.src_uri in generated and f.is_modified()]
    reports, report_to = os.pipe()
    # what exists now lives until the build ends: the collector stops scanning it in either process, and the
    # child's collections stop writing to (and so copying) every page of memory it shares with the parent
    gc.freeze()
    pid = _fork()
    for share in (pages, extra):
        for i, file in enumerate(share):
            if _childs(i) != (pid == 0):
                file.is_modified = _not_mine
    if pid:
        os.close(report_to)
        return Worker(pid, reports)
    os.close(reports)
    child = Child(config, files, [page for i, page in enumerate(pages) if _childs(i)], report_to)
    _become_child(config, files, generated)
    return None


def _drain(fd: int, name: str) -> tuple[threading.Thread, bytearray]:
    """Read the pipe `fd` to its end on a thread of its own, so the child writing it never waits on a full pipe while
    this process works; join the thread, then the bytes are all there."""
    received = bytearray()

    def read() -> None:
        with os.fdopen(fd, "rb") as pipe:
            while chunk := pipe.read(1 << 20):
                received.extend(chunk)

    thread = threading.Thread(target=read, name=name, daemon=True)
    thread.start()
    return thread, received


def _not_mine() -> bool:
    return False


def _childs(i: int) -> bool:
    """Whether the child makes the `i`th page or file to write: every second one, but for one in 32, which the
    parent makes. With even halves the parent waited for the child about 2 s of a 10,000-paper build (0.7 s before
    its pages' report, 1.3 s at the end, `benchmarks/build_phases.py`), though the parent also writes the
    hand-written pages and static files; why the child is the slower was not pinned down."""
    return i % 2 == 1 and i % 32 != 31


def in_halves(items: Sequence[T], make: Callable[[T], R], jobs: int) -> list[R]:
    """`[make(item) for item in items]`, with `jobs` 2 made half in a forked process (`_start`): `tlnotes build`
    renders a whole site's pages so (rerender.py), and parses a cold load's records (load.py). The child makes every
    second item. If it fails in any way, this process makes its half too, so an error in `make` is raised here as
    it would be in one process.

    Only a process with no other threads may fork (`tlnotes build`, before MkDocs starts its own): a server passes
    `jobs` 1.
    """
    if jobs < 2 or not hasattr(os, "fork") or len(items) < MIN_PAGES:
        return [make(item) for item in items]
    gc.freeze()  # see `split`
    theirs_of = _start(lambda: [make(item) for item in items[1::2]])
    mine = [make(item) for item in items[0::2]]
    try:
        theirs = theirs_of()
    except Exception:  # whatever the child met: made here, where an error in `make` is raised as in one process
        theirs = None
    if theirs is None or len(theirs) != len(items[1::2]):
        theirs = [make(item) for item in items[1::2]]
    out: list[R] = []
    for i in range(len(items)):
        out.append(mine[i // 2] if i % 2 == 0 else theirs[i // 2])
    return out


def _become_child(config, files, generated: Collection[str]) -> None:
    from mkdocs.structure.files import InclusionLevel

    for file in files:
        if not file.is_documentation_page() and file.src_uri not in generated:
            file.inclusion = InclusionLevel.EXCLUDED  # the parent copies the static files (the theme's, the assets)
    config.theme.static_templates.clear()
    config.extra_templates = []


def exit_child(ok: bool) -> None:
    """End the child once its pages are written (or its build failed), before any later step of the build."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if ok else 1)


def apart(work: Callable[[], T], ahead: Callable[[], object] | None = None) -> T:
    """`work()`, in a forked process that ends once it returns: all it made in memory goes with it, and this
    process gets back only its result and what it printed, as it prints it (`_start`). An exception it raises is
    raised here.

    `ahead()` runs here once `work` calls `go_ahead()`, while `work` goes on; a failure of `work` is raised before
    one of `ahead`. `tlnotes build` makes a site so, and indexes it for search here once its pages are written,
    while the child saves its state (cli.py).

    Without `fork`, both run in this process, `ahead()` where `work` calls `go_ahead()`."""
    if not hasattr(os, "fork"):
        return inline(work, ahead)
    return _start(work, relay=True, ahead=ahead)()


def inline(work: Callable[[], T], ahead: Callable[[], object] | None = None) -> T:
    """`apart` in this process."""
    global _go_ahead
    _go_ahead = ahead
    try:
        return work()
    finally:
        _go_ahead = None


_go_ahead: Callable[[], object] | None = None  # what `go_ahead` starts, in `apart`'s work


def go_ahead() -> None:
    """In `apart`'s work: start the caller's `ahead` now. At most once; outside `apart`, nothing."""
    global _go_ahead
    go, _go_ahead = _go_ahead, None
    if go is not None:
        go()


def _fork() -> int:
    sys.stdout.flush()  # or the child would write what this process has buffered a second time
    sys.stderr.flush()
    return os.fork()


def _start(work: Callable[[], T], relay: bool = False, ahead: Callable[[], object] | None = None) -> Callable[[], T]:
    """Run `work()` in a forked process; return the call that waits for it, then returns its result (pickled back
    through a pipe), raises its exception, or RuntimeError if it ended without either. With `relay`, what the child
    prints reaches this process's streams, whatever they are (a test captures them as objects, which a forked
    process's writes would never reach). With `ahead`, the wait first runs `ahead()` if the child says so
    (`go_ahead`: a byte through a pipe of its own, whose end of file means it never will)."""
    results = os.pipe()
    outputs = [os.pipe(), os.pipe()] if relay else []  # its stdout, its stderr
    ready = [os.pipe()] if ahead is not None else []
    pid = _fork()
    if pid == 0:
        for end, _ in [results, *outputs, *ready]:
            os.close(end)
        global _go_ahead  # a child of a child (`in_halves` in `apart`'s work) never tells its grandparent
        _go_ahead = functools.partial(_say_ready, ready[0][1]) if ready else None
        _child_runs(work, results[1], [end for _, end in outputs])
    for _, end in [results, *outputs, *ready]:
        os.close(end)
    relays = [_relay(end, to) for (end, _), to in zip(outputs, (sys.stdout, sys.stderr), strict=False)]
    reader, received = _drain(results[0], "tlnotes-child-result")

    def wait() -> T:
        failed: Exception | None = None
        if ahead is not None and _told(ready[0][0]):
            try:
                ahead()
            except Exception as exc:  # raised once the child has ended, unless the child failed
                failed = exc
        reader.join()
        _, status = os.waitpid(pid, 0)
        for relay in relays:
            relay.join()
        try:
            ok, value = pickle.loads(received)
        except Exception:
            code = os.waitstatus_to_exitcode(status)
            raise RuntimeError(f"the build process ended without an answer (exit status {code})") from None
        if not ok:
            raise value
        if failed is not None:
            raise failed
        return value

    return wait


def _say_ready(fd: int) -> None:
    os.write(fd, b"!")
    os.close(fd)


def _told(fd: int) -> bool:
    """Whether the child wrote its byte to `fd` before it closed its end (or ended)."""
    with os.fdopen(fd, "rb") as pipe:
        return pipe.read(1) == b"!"


def _child_runs(work: Callable[[], object], result_to: int, outputs: list[int]) -> None:
    """The child of `_start`: `work()`, its outcome pickled to the parent, then gone without running anything of the
    parent's at exit."""
    code = 1
    try:
        if outputs:
            sys.stdout, sys.stderr = _text_to(outputs[0], sys.stdout), _text_to(outputs[1], sys.stderr)
        try:
            outcome: tuple[bool, object] = (True, work())
        except BaseException as exc:  # noqa: BLE001 - the parent raises it
            outcome = (False, exc)
        sys.stdout.flush()
        sys.stderr.flush()
        if not outcome[0]:
            try:
                pickle.loads(pickle.dumps(outcome))  # an exception whose class cannot be made again from its arguments
            except Exception:
                outcome = (False, RuntimeError(str(outcome[1])))
        with os.fdopen(result_to, "wb") as pipe:
            pickle.dump(outcome, pipe, protocol=pickle.HIGHEST_PROTOCOL)  # a result that cannot be pickled: exit 1
        code = 0
    finally:
        os._exit(code)


def _text_to(fd: int, like: TextIO) -> TextIO:
    encoding = getattr(like, "encoding", None) or "utf-8"
    return io.TextIOWrapper(os.fdopen(fd, "wb"), encoding=encoding, errors="backslashreplace", line_buffering=True)


def _relay(fd: int, to: TextIO) -> threading.Thread:
    """Copy what the child of `apart` writes to `fd` onto this process's stream `to`, as it comes. If `to` fails
    (`tlnotes build | head` has gone), the rest is read and dropped: the child must never wait on a full pipe."""
    encoding = getattr(to, "encoding", None) or "utf-8"

    def copy() -> None:
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        failed = False
        with os.fdopen(fd, "rb") as pipe:
            while chunk := pipe.read1(1 << 16):
                if failed:
                    continue
                try:
                    to.write(decoder.decode(chunk))
                    to.flush()
                except (OSError, ValueError):  # a closed pipe or file; the caller's own writes will say so
                    failed = True
        if not failed:
            try:
                to.write(decoder.decode(b"", final=True))
            except (OSError, ValueError):
                pass

    thread = threading.Thread(target=copy, name="tlnotes-apart-output", daemon=True)
    thread.start()
    return thread
