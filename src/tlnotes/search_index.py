"""The site's Pagefind index, written over the last build's so a rebuild compresses only what changed.

Pagefind names each index file (a page's fragment, a chunk of the word index, a filter, the meta index) by a hash
of its content, and skips writing a hashed file that already exists. Compressing every file at gzip's best level
is most of a run: at 3,000 papers, indexing into an empty folder takes about 4.7 s, into the last build's 1.9 s
(`benchmarks/bench_incremental.py`). Pagefind cannot update an index in place, so every run still reads every
page and builds a whole new index: the index always holds every page, as a clean build's would.

Two things make the last build's files safe to keep:
- Pagefind leaves behind what the new index no longer names. `prune` reads the new meta index (CBOR) and removes
  every hashed file it does not name; a meta index it cannot read means a fresh run into an empty folder.
- A run that stops half-way (a killed build or server) may leave a half-written file under its final name, which
  the next run would skip. So a run first marks the folder as a run in progress (`RUNNING`), and unmarks it once
  the new index is whole and pruned: only a finished folder is written over.

The last index stays in place meanwhile: until Pagefind writes the new `pagefind-entry.json`, after every hashed
file, the old one names files that are all still there, so search keeps working while a server indexes a save.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import shutil
import threading
import zlib
from pathlib import Path

import cbor2
from pagefind.index import PagefindIndex

from .model import TlnotesError

FOLDER = "pagefind"
ENTRY = "pagefind-entry.json"  # the index's entry point, which Pagefind writes last
RUNNING = ".tlnotes-indexing"  # in the folder while a run is in progress: the index is not to be written over
SEARCHED = "{papers,topics}/**/*.html"  # where the searchable pages are (render.PAPER_PAGE, TOPIC_PAGE); Pagefind
# ignores a page without `data-pagefind-body` once one has it, so reading only these gives the same index, sooner
HASHED = {"fragment": ".pf_fragment", "index": ".pf_index", "filter": ".pf_filter"}  # folder: suffix, as _meta orders them
SIGNATURE = b"pagefind_dcd"  # what Pagefind puts before each compressed file's content


class IndexFailed(TlnotesError):
    """Pagefind missing or failing, said the same way by `tlnotes build`, `mkdocs build` and a server: the site is
    built, its search is not."""

    def __init__(self, site: Path, cause: BaseException) -> None:
        super().__init__(f"indexing for search failed: {cause}", site)


class Unreadable(ValueError):
    """A meta index that is not what Pagefind 1.5 writes: the index is made again from an empty folder."""


def index_site(site: Path) -> None:
    """Write `site/pagefind/`: over the last finished index (a clean build has removed it before), then without
    what it no longer uses.

    Pagefind missing or failing, or a folder it cannot write, is IndexFailed."""
    site = Path(site)
    folder = site / FOLDER
    try:
        if not finished(folder):
            shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / RUNNING).touch()
        _run(site)
        try:
            prune(folder)
        except (Unreadable, OSError):
            shutil.rmtree(folder, ignore_errors=True)  # a fresh run writes its entry last: killed, it leaves none
            _run(site)
        (folder / RUNNING).unlink(missing_ok=True)
    except Exception as exc:
        raise IndexFailed(site, exc) from exc


def finished(folder: Path) -> bool:
    """Whether `folder` holds an index whose last run finished: one to search, and to write the next over."""
    return (folder / ENTRY).is_file() and not (folder / RUNNING).exists()


def _run(site: Path) -> None:
    """Pagefind, on a thread of its own: the caller may already run an event loop (Playwright, Jupyter, an async
    program), in which `asyncio.run` refuses to start another.

    A daemon thread: Ctrl-C reaches Pagefind's service too (one process group), and the Python API then waits for
    its answer for ever. An executor's thread, which the interpreter joins at exit, kept `tlnotes serve` from ever
    ending when Ctrl-C came while it indexed a save."""
    failed: list[BaseException] = []

    def index() -> None:
        try:
            asyncio.run(_index(site))
        except BaseException as exc:  # raised in the caller's thread
            failed.append(exc)

    thread = threading.Thread(target=index, name="tlnotes-pagefind", daemon=True)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]


async def _index(site: Path) -> None:
    # leaving the context writes the index, to output_path: without one, Pagefind writes into the working directory
    async with PagefindIndex(config={"force_language": "en", "output_path": str(site / FOLDER)}) as index:
        await index.add_directory(str(site), glob=SEARCHED)


def prune(folder: Path) -> None:
    """Remove the hashed files the index in `folder` does not name; Unreadable if it names one that is missing."""
    keep = in_use(folder)
    for sub in HASHED:
        for path in (folder / sub).glob("*"):
            if path.name not in keep[sub]:
                path.unlink()
    for path in folder.glob("pagefind.*.pf_meta"):
        if path.name not in keep[""]:
            path.unlink()


def in_use(folder: Path) -> dict[str, set[str]]:
    """The hashed files the index in `folder` names, by subfolder ("" for the meta index): each exists."""
    try:
        entry = json.loads((folder / ENTRY).read_text(encoding="utf-8"))
        hashes = [_stem(language["hash"]) for language in entry["languages"].values()]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise Unreadable(f"{folder / ENTRY}: {exc}") from None
    used: dict[str, set[str]] = {"": set(), **{sub: set() for sub in HASHED}}
    for meta_hash in hashes:
        name = f"pagefind.{meta_hash}.pf_meta"
        used[""].add(name)
        for sub, stems in zip(HASHED, _meta(folder / name), strict=True):
            used[sub].update(stem + HASHED[sub] for stem in stems)
    missing = [f"{sub}/{name}" for sub, names in used.items() for name in names if not (folder / sub / name).is_file()]
    if missing:
        raise Unreadable(f"{folder}: the index names {missing[0]}, which is not there")
    return used


def _meta(path: Path) -> tuple[list[str], list[str], list[str]]:
    """The fragment, word-index chunk and filter hashes a meta index names.

    Pagefind 1.5's meta index is CBOR: [version, [[page hash, word count], ...], [[first word, last word, chunk
    hash], ...], [[filter name, filter hash], ...], ...], gzipped after its signature."""
    try:
        data = gzip.decompress(path.read_bytes())
        if not data.startswith(SIGNATURE):
            raise Unreadable(f"{path}: not a Pagefind file")
        meta = cbor2.loads(data[len(SIGNATURE) :])
        pages = [_stem(page[0]) for page in meta[1]]
        chunks = [_stem(chunk[2]) for chunk in meta[2]]
        filters = [_stem(entry[1]) for entry in meta[3]]
    except (EOFError, zlib.error, gzip.BadGzipFile, cbor2.CBORDecodeError, LookupError, TypeError) as exc:
        raise Unreadable(f"{path}: {exc}") from None
    return pages, chunks, filters


def _stem(value: object) -> str:
    """A hash from the meta index, as a file name's stem: never a path."""
    if not isinstance(value, str) or not value or "/" in value or "\\" in value or value.startswith("."):
        raise Unreadable(f"{value!r} is not an index file's hash")
    return value
