"""A wall-clock timeline of one `tlnotes build`, in process: when each phase ends and how long it took.

    python benchmarks/build_phases.py KB [build options, e.g. --clean]

Each line is `seconds since start  phase took seconds`; the build's own process (which `tlnotes build` forks,
`parallel.apart`) and the second one that writes pages (`parallel.split`) both print. Reading (`populate`) and
writing (`build_page`) every page are summed per process at the end of each.
"""

from __future__ import annotations

import collections
import functools
import os
import sys
import time

START = time.perf_counter()

import mkdocs.commands.build as mkdocs_build  # noqa: E402

import tlnotes.cli as cli  # noqa: E402
import tlnotes.mkdocs_plugin as plugin  # noqa: E402
import tlnotes.parallel as parallel  # noqa: E402
import tlnotes.rerender as rerender  # noqa: E402
import tlnotes.search_index as search_index  # noqa: E402

summed: dict[str, list] = collections.defaultdict(lambda: [0, 0.0])


def say(text: str) -> None:
    print(f"{time.perf_counter() - START:7.2f}  {text}", file=sys.stderr, flush=True)


def timed(owner, name: str, label: str, sum_up: bool = False) -> None:
    real = getattr(owner, name)

    @functools.wraps(real)
    def wrapper(*args, **kwargs):
        began = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            took = time.perf_counter() - began
            if sum_up:
                summed[label][0] += 1
                summed[label][1] += took
            else:
                say(f"{label} took {took:.2f} (pid {os.getpid()})")

    setattr(owner, name, wrapper)


def report_sums() -> None:
    for label, (count, took) in summed.items():
        say(f"{label}: {count} pages, {took:.2f} (pid {os.getpid()})")


for owner, name, label in [
    (rerender.Warm, "load", "load"),
    (rerender, "build_index", "index"),
    (rerender.Warm, "build", "index and render"),
    (rerender.Warm, "save", "state saved"),
    (plugin.TlnotesPlugin, "on_files", "files"),
    (plugin.TlnotesPlugin, "on_env", "on_env: pages read, the second process's report merged"),
    (parallel.Worker, "wait", "waiting for the second process"),
    (search_index, "_run", "Pagefind"),
]:
    timed(owner, name, label)
timed(mkdocs_build, "_populate_page", "populate", sum_up=True)
timed(mkdocs_build, "_build_page", "build_page", sum_up=True)
exit_child, write_site = parallel.exit_child, cli._write_site
parallel.exit_child = lambda ok: (report_sums(), exit_child(ok))[1]  # the second process ends here
cli._write_site = lambda *args: (write_site(*args), report_sums())[0]  # the build's process, here
code = cli.main(["build", *sys.argv[1:]])
say(f"end, exit {code}")
