"""`tlnotes serve`: build the site once, serve it with live reload, rebuild what an edit changed.

MkDocs' own `LiveReloadServer` serves `DIR/site` and reloads the browser; each burst of file events (an editor's
save is several) becomes one rebuild. The server keeps its parsed records and rendered pages (`rerender.Warm`) and
its last MkDocs build (`mkdocs_plugin.Built`): a save that leaves the nav, mkdocs.yml, docs/ and the theme as they
were writes just the pages and files it changed; any other is a MkDocs dirty build, which the plugin answers from
`incremental.py`'s manifest as for `tlnotes build` (a changed nav or mkdocs.yml rebuilds every page, the output of
a page no longer made is removed). The search index follows each build on a thread of its own, so the page reloads
first.

While the knowledge base has errors nothing is built: the last good site stays, and every HTML page served
carries the errors in a fixed box over it, the same lines `tlnotes check` prints (printed once per distinct set
in the terminal too). The next good save builds and clears them.
"""

from __future__ import annotations

import errno
import html
import logging
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import watchdog.events
import watchdog.observers
import yaml
from mkdocs.exceptions import MkDocsException
from mkdocs.livereload import LiveReloadServer

from .load import DOCS_DIR, NOTES_DIR, PAPERS_DIR
from .mkdocs_plugin import CONFIG, Built, build_site
from .model import TlnotesError
from .rerender import Warm

WATCHED_DIRS = (PAPERS_DIR, NOTES_DIR, DOCS_DIR)
DEBOUNCE = 0.15  # seconds without events before a rebuild starts: an editor's save is a burst of events
BOX_ID = "tlnotes-errors"
CHANGES = {  # the file events that are changes; not opened, closed without writing, or read
    watchdog.events.EVENT_TYPE_CREATED,
    watchdog.events.EVENT_TYPE_MODIFIED,
    watchdog.events.EVENT_TYPE_DELETED,
    watchdog.events.EVENT_TYPE_MOVED,
    watchdog.events.EVENT_TYPE_CLOSED,  # closed after writing
}


def parse_addr(text: str) -> tuple[str, int]:
    """`HOST:PORT` (or `[v6]:PORT`, or a bare `PORT`) as a host and a port; ValueError saying what is wrong."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", text
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{text!r}: expected HOST:PORT, such as 127.0.0.1:8000")
    return host, int(port)


def error_box(lines: list[str]) -> bytes:
    """The fixed box over a page that lists the knowledge base's errors, every line escaped."""
    items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
    count = f"{len(lines)} error{'s' * (len(lines) != 1)}"
    return (
        f'<div id="{BOX_ID}" role="alert" style="position:fixed;z-index:10000;left:1rem;right:1rem;top:1rem;'
        "max-height:60vh;overflow:auto;padding:1rem 1.25rem;background:#fff4f4;color:#5c0000;"
        "border:2px solid #b00020;border-radius:6px;box-shadow:0 4px 16px rgba(0,0,0,.3);"
        'font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap">'
        f"<strong>The knowledge base has {count}; this is the last good build. `tlnotes check` lists them:</strong>"
        f'<ul style="margin:.5rem 0 0;padding-left:1.25rem">{items}</ul></div>'
    ).encode()


class Server(LiveReloadServer):
    """MkDocs' live-reload server, watching with the platform's file events and showing the KB's errors on pages."""

    def __init__(self, serve: Serve, host: str, port: int, root: str, mount_path: str) -> None:
        super().__init__(builder=self._rebuild, host=host, port=port, root=root, mount_path=mount_path)
        self.state = serve
        self.folders: dict[str, int | None] = {}  # a watched folder: the inode watched (None: not there)
        self.build_delay = DEBOUNCE
        self.observer = watchdog.observers.Observer()  # type: ignore[assignment]  # inotify, FSEvents or ReadDirectoryChangesW: no polling
        self._bound = False
        self.error_handler = self._error_page

    def bind(self) -> None:
        """Bind now, before the first build, so a busy port is said at once."""
        self.server_bind()
        self.server_activate()
        self._bound = True

    def server_bind(self) -> None:
        if not self._bound:
            super().server_bind()

    def server_activate(self) -> None:
        if not self._bound:
            super().server_activate()

    def watch_folders(self, root: Path, folders: tuple[str, ...]) -> None:
        """Watch these folders of `root`, each recursively, also when one is removed, made or replaced later."""
        for name in folders:
            self.folders[str(root / name)] = None
        self._rewatch()

    def _rewatch(self) -> None:
        """Follow the watched folders to their current inodes (from the build thread: the observer's own thread
        holds its lock while it calls us, so scheduling from an event callback would deadlock)."""
        for path, watched in self.folders.items():
            try:
                inode: int | None = os.stat(path).st_ino if os.path.isdir(path) else None
            except OSError:
                inode = None
            if inode == watched:
                continue
            if watched is not None:
                self.unwatch(path)
            if inode is not None:
                self.watch(path)
            self.folders[path] = inode

    def _rebuild(self) -> None:
        self._rewatch()
        self.state.rebuild()

    def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
        """Rebuild when a file under `path` changes: MkDocs' watch, but blind to reads (inotify reports every open,
        and each build opens every record: it would rebuild for ever)."""
        self._schedule(os.path.abspath(path), recursive, lambda event: not event.is_directory)

    def watch_names(self, folder: Path, names: set[str]) -> None:
        """Rebuild when an entry of these names directly in `folder` changes: a file an editor replaces, a watched
        folder made or removed."""

        def wanted(event) -> bool:
            paths = [event.src_path, getattr(event, "dest_path", "")]
            return any(os.path.basename(str(p)) in names for p in paths if p)

        self._schedule(str(folder), False, wanted)

    def _schedule(self, path: str, recursive: bool, wanted) -> None:
        if path in self._watched_paths:
            self._watched_paths[path] += 1
            return

        def callback(event) -> None:
            if event.event_type in CHANGES and wanted(event):
                with self._rebuild_cond:
                    self._want_rebuild = True
                    self._rebuild_cond.notify_all()

        handler = watchdog.events.FileSystemEventHandler()
        handler.on_any_event = callback  # type: ignore[method-assign]
        self._watched_paths[path] = 1
        self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        content = super()._inject_js_into_html(content, epoch)
        errors = self.state.errors
        if not errors:
            return content
        at = content.rfind(b"</body>")  # the page's own closing tag: text in the page is escaped
        at = len(content) if at < 0 else at
        return content[:at] + error_box(errors) + content[at:]

    def _error_page(self, code: int) -> bytes | None:
        page = Path(self.root) / f"{code}.html"
        try:
            content = page.read_bytes()
        except OSError:
            content = None
        if self.state.errors:
            return self._inject_js_into_html(
                content or b"<!doctype html><title>tlnotes</title><body></body>", self._visible_epoch
            )
        return content


class Serve:
    """One knowledge base being served: its config, the last build's state, and the errors shown now."""

    def __init__(self, root: Path, site_dir: Path, out=sys.stderr) -> None:
        self.root = root
        self.site_dir = site_dir
        self.out = out
        self.errors: list[str] = []
        self.printed: list[str] = []
        self.lock = threading.Lock()
        self.warm = Warm.open(root)  # parsed records and rendered pages: the last `tlnotes build`'s, then its own
        self.built: Built | None = None  # the last build's MkDocs state, for a rebuild of only the changed pages
        self.logged: list[str] = []  # the warnings and errors MkDocs logged in the current build
        collect = logging.Handler(logging.WARNING)
        collect.emit = lambda record: self.logged.append(record.getMessage())  # type: ignore[method-assign]
        logging.getLogger("mkdocs").addHandler(collect)

    def say(self, text: str) -> None:
        print(f"tlnotes serve: {text}", file=self.out, flush=True)

    def show(self, errors: list[str]) -> None:
        """Errors shown from now on: printed once per distinct set, cleared by an empty list."""
        if errors and errors != self.printed:
            self.say(f"{len(errors)} error{'s' * (len(errors) != 1)}; the pages show them over the last good build:")
            for line in errors:
                print(line, file=self.out, flush=True)
        elif not errors and self.errors:
            self.say("the errors are fixed")
        self.printed = errors
        self.errors = errors

    def rebuild(self) -> None:
        """Load, and build if the knowledge base is sound; never raises (the server keeps serving the last good site)."""
        with self.lock:
            start = time.perf_counter()
            try:
                kb = self.warm.load(self.root)
                errors = [str(p) for p in kb.errors]
                if not errors:
                    self._build(kb)
            except MkDocsException as exc:  # what MkDocs logged says why ("Aborted with a configuration error!")
                errors = [*self.logged, str(exc)]
            except TlnotesError as exc:
                errors = [str(exc)]
            except OSError as exc:  # a file that vanished or cannot be read between the event and the read
                errors = [f"{exc.filename}: {exc.strerror or exc}" if exc.filename else str(exc)]
            except Exception as exc:  # a bug: one line, and the server keeps going
                errors = [f"{self.root}: the build failed: {type(exc).__name__}: {exc}"]
            self.show(errors)
            if not errors:
                self.say(f"rebuilt in {time.perf_counter() - start:.1f}s")

    def _build(self, kb) -> None:
        self.logged.clear()
        last, self.built = self.built, None  # a build that fails leaves nothing to build on
        self.built = build_site(self.root, kb, self.site_dir, background_index=True, warm=self.warm, last=last)


def serve(root: Path, addr: str) -> int:
    """Serve the knowledge base at `root` until Ctrl-C; exit code."""
    try:
        host, port = parse_addr(addr)
    except ValueError as exc:
        raise TlnotesError(str(exc)) from None
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    config_file = root / CONFIG
    if not config_file.is_file():
        raise TlnotesError("not found (`tlnotes init` writes one)", config_file)
    _quiet_mkdocs()
    state = Serve(root.resolve(), (root / "site").resolve())
    mount = _mount_path(config_file)
    server = Server(state, host, port, str(state.site_dir), mount)
    try:
        server.bind()
    except OSError as exc:
        server.server_close()
        reason = "address already in use" if exc.errno == errno.EADDRINUSE else (exc.strerror or str(exc))
        raise TlnotesError(f"{host}:{port}: {reason}; serve on another with --addr HOST:PORT") from None
    try:
        state.say(f"building {root} ...")
        state.rebuild()
        if state.errors and not state.site_dir.is_dir():
            state.say("no good build yet: pages show only the errors until they are fixed")
        server.watch_folders(state.root, WATCHED_DIRS)
        server.watch_names(state.root, {CONFIG, *WATCHED_DIRS})
        state.say(f"serving on {server.url} (Ctrl-C stops); watching {'/, '.join(WATCHED_DIRS)}/ and {CONFIG}")
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0


def _mount_path(config_file: Path) -> str:
    try:
        data: Any = yaml.load(config_file.read_text(encoding="utf-8"), Loader=_Loose)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return "/"
    url = data.get("site_url") if isinstance(data, dict) else None
    return urlsplit(url).path or "/" if isinstance(url, str) else "/"


class _Loose(yaml.SafeLoader):
    """mkdocs.yml may use `!!python/name:` and `!ENV` tags: read it only for site_url, ignoring every tag."""


_Loose.add_multi_constructor("", lambda loader, suffix, node: None)


def _quiet_mkdocs() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    mkdocs_log.setLevel(logging.WARNING)
    logging.getLogger("mkdocs.livereload").setLevel(logging.ERROR)
