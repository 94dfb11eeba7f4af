"""Write a build's pages from two processes: MkDocs renders each page's theme template on one core, one page at a time.

MkDocs has no parallel build. Once every page is read and converted (its `on_env` event), what is left per page is
the theme's template and the write, independent between pages. `split` forks there: the child writes every second
page, the parent the others, and the parent waits for the child before anything reads the site (Pagefind, the
manifest). A page the other process writes takes an empty template here, which MkDocs skips without writing.

Only `tlnotes build` asks for it (`TlnotesPlugin.jobs`); a server's rebuilds and plain `mkdocs build` stay in one
process. Where there is no `fork` (Windows) or too few pages to gain from it, nothing changes.
"""

from __future__ import annotations

import logging
import os
import sys

import jinja2

SKIP = "tlnotes-skip.html"  # a template that renders nothing: MkDocs then writes no file
MIN_PAGES = 200  # below this, a fork costs more than it saves

log = logging.getLogger("mkdocs.plugins.tlnotes")


class Worker:
    """The child process of a split build, seen from the parent."""

    def __init__(self, pid: int) -> None:
        self.pid = pid

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


def split(env: jinja2.Environment, config, files, jobs: int) -> Worker | None:
    """Fork if it pays; in the parent return the child, in the child return None after arranging its share.

    The child's share is every second page MkDocs will write; the child writes no static file, theme template
    (sitemap, 404) or extra template, so each file is written once.
    """
    if jobs < 2 or not hasattr(os, "fork"):
        return None
    # the pages this build writes, as the incremental manifest answers MkDocs (all of them in a full build)
    pages = [f.page for f in files.documentation_pages() if f.page is not None and f.is_modified()]
    if len(pages) < MIN_PAGES:
        return None
    env.loader = jinja2.ChoiceLoader([jinja2.DictLoader({SKIP: ""}), env.loader])  # type: ignore[list-item]
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    mine = 1 if pid == 0 else 0
    for i, page in enumerate(pages):
        if i % 2 != mine:
            page.meta["template"] = SKIP
    if pid:
        return Worker(pid)
    _become_child(config, files)
    return None


def _become_child(config, files) -> None:
    from mkdocs.structure.files import InclusionLevel

    for file in files:
        if not file.is_documentation_page():
            file.inclusion = InclusionLevel.EXCLUDED  # the parent copies the static files
    config.theme.static_templates.clear()
    config.extra_templates = []
    logging.getLogger("mkdocs").setLevel(logging.ERROR)  # the parent reports warnings; errors still show


def exit_child(ok: bool) -> None:
    """End the child once its pages are written (or its build failed), before any later step of the build."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0 if ok else 1)
