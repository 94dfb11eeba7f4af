"""Incremental builds: rebuild only the pages whose content changed since the last build into the same site.

One mechanism for `tlnotes build` and for a server's rebuilds, both MkDocs dirty builds: the MkDocs plugin asks this
module, for every generated file, whether it changed.

The manifest, `.tlnotes/build-manifest-<site>.json` in the knowledge base, is content-addressed: the SHA-256 of
every generated page's Markdown (with everything else the plugin gives MkDocs about it: kind, search tags, the
sidebar page it sits under) and of every extra file, as the last finished build into that site folder wrote them;
and a `global` key for what every page shows: mkdocs.yml, the nav, the hand-written docs, the theme override
folder, tlnotes' own code and assets, and the versions of MkDocs, Material and Pagefind.

- `changed_pages(old, pages)` is the set of pages to re-render: the whole set when there is no manifest or its
  global key differs.
- A build removes the manifest when it starts and writes the new one when it has finished (after Pagefind), so an
  interrupted build leaves none and the next one starts clean.
- When the global key differs (or there is no manifest), every file is written again, over the last build's in
  place, and whatever the build will not write is removed before MkDocs writes anything (`clear_stale`), so a
  dirty build then equals a clean one; otherwise it deletes the output of pages and extra files that are gone.
- Pagefind cannot update an index in place (its API builds one from all the pages it is given), so each build that
  wrote a page re-indexes the whole site: the index always holds every page. It writes over the last finished
  build's index, which saves compressing what did not change (search_index.py); a clean build starts empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import metadata, resources
from pathlib import Path

from . import search_index
from .files import remove_empty_folders

MANIFEST_DIR = ".tlnotes"
FORMAT = 1


@dataclass
class Manifest:
    site_dir: str
    global_key: str
    pages: dict[str, str] = field(default_factory=dict)  # source path -> hash
    outputs: dict[str, str] = field(default_factory=dict)  # source path -> its file in the site (dest_uri)

    def to_json(self) -> str:
        data = {"format": FORMAT, "site_dir": self.site_dir, "global": self.global_key, "pages": self.pages}
        data["outputs"] = self.outputs
        return json.dumps(data, sort_keys=True, separators=(",", ":"))


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def manifest_path(root: Path, site_dir: Path) -> Path:
    """One manifest per site folder, so a build into site/ and a server's temporary folder do not undo each other."""
    return Path(root) / MANIFEST_DIR / f"build-manifest-{digest(str(Path(site_dir).resolve()))[:16]}.json"


def read_manifest(root: Path, site_dir: Path) -> Manifest | None:
    """The last finished build's manifest for this site folder; None if there is none or it is unreadable or stale."""
    site = str(Path(site_dir).resolve())
    try:
        data = json.loads(manifest_path(root, site_dir).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("site_dir") != site or not Path(site).is_dir():
            return None
        return Manifest(site, str(data["global"]), dict(data["pages"]), dict(data["outputs"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def forget_manifest(root: Path, site_dir: Path) -> None:
    """A build into this folder has started: until it finishes, the folder matches no manifest."""
    manifest_path(root, site_dir).unlink(missing_ok=True)


def write_manifest(root: Path, manifest: Manifest) -> None:
    """Write it atomically; drop manifests of site folders that no longer exist (a server's temporary folders)."""
    path = manifest_path(root, Path(manifest.site_dir))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(manifest.to_json(), encoding="utf-8")
    os.replace(tmp, path)
    for other in path.parent.glob("build-manifest-*.json"):
        if other == path:
            continue
        try:
            site = json.loads(other.read_text(encoding="utf-8")).get("site_dir")
            if not site or not Path(site).is_dir():
                other.unlink(missing_ok=True)
        except (OSError, ValueError, AttributeError):
            other.unlink(missing_ok=True)


def changed_pages(old: Manifest | None, pages: Mapping[str, str], global_key: str | None = None) -> set[str]:
    """The pages (source path -> hash, as `page_hash` gives) that differ from the last build's: all of them when
    there was no finished build or when `global_key` (if given) differs from the manifest's."""
    if old is None or (global_key is not None and old.global_key != global_key):
        return set(pages)
    return {path for path, h in pages.items() if old.pages.get(path) != h}


def page_hash(markdown: str, *context: str) -> str:
    """A generated page's key: its Markdown and whatever else the plugin tells MkDocs about it."""
    return digest(markdown, *context)


def _tree(folder: Path | None) -> Iterable[tuple[str, bytes]]:
    if folder is None or not folder.is_dir():
        return []
    out = []
    for p in sorted(folder.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            try:
                out.append((p.relative_to(folder).as_posix(), p.read_bytes()))
            except OSError:  # vanished between the listing and the read: it is not part of this build either
                continue
    return out


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


_CODE_KEY: str | None = None


def code_key() -> str:
    """tlnotes' own code, templates and assets, and the versions of what renders the site (hashed once per process)."""
    global _CODE_KEY
    if _CODE_KEY is None:
        package = Path(str(resources.files("tlnotes")))
        parts: list[str | bytes] = [_version(d) for d in ("tlnotes", "mkdocs", "mkdocs-material", "pagefind", "properdocs")]
        for name, data in _tree(package):
            parts += [name, data]
        _CODE_KEY = digest(*parts)
    return _CODE_KEY


def global_key(config_file: Path | None, nav: object, docs_dir: Path | None, custom_dir: Path | None, extra: str = "") -> str:
    """What every page shows: mkdocs.yml, the final nav, the hand-written docs and theme overrides, tlnotes itself."""
    parts: list[str | bytes] = [code_key(), json.dumps(nav, sort_keys=True, default=str), extra]
    try:
        parts.append(config_file.read_bytes() if config_file else b"")
    except OSError:
        parts.append(b"")
    for folder in (docs_dir, custom_dir):
        parts.append("--")
        for name, data in _tree(folder):
            parts += [name, data]
    return digest(*parts)


def clear_stale(site_dir: Path, written: set[str], keep: Iterable[str] = ()) -> None:
    """Before a build that writes every file again: remove everything inside the site folder that it will not write
    (`written`, paths relative to the folder), but the top-level `keep` and hidden entries (a deploy's `.git`:
    MkDocs never writes one, so it never removes one); keep the folder.

    What the build writes it writes over in place, rather than into an emptied folder: on ext4 without a journal,
    making tens of thousands of files right after deleting as many is several times slower (the inode allocator
    steps over each recently freed inode), and a server's readers keep the last page until the new one is there.
    A link is always removed, even at a written path: the build must not write through it to outside the folder.
    So is a file this process may not write, and a folder where a file goes, or left empty."""
    site = Path(site_dir)
    if not site.is_dir():
        return
    kept = set(keep)

    def clear(folder: str, prefix: str) -> None:
        with os.scandir(folder) as listing:
            entries = list(listing)
        for entry in entries:
            rel = prefix + entry.name
            if not prefix and (entry.name in kept or entry.name.startswith(".")):
                continue
            if entry.is_dir(follow_symlinks=False):
                if rel in written:
                    shutil.rmtree(entry.path, ignore_errors=True)
                    continue
                clear(entry.path, rel + "/")
                with contextlib.suppress(OSError):  # not empty: something in it is written
                    os.rmdir(entry.path)
            elif entry.is_symlink() or rel not in written or not os.access(entry.path, os.W_OK):
                with contextlib.suppress(FileNotFoundError):  # a read-only file is made anew: MkDocs cannot write it
                    os.unlink(entry.path)

    clear(str(site), "")


def remove_outputs(site_dir: Path, dest_uris: Iterable[str]) -> None:
    """Delete the files of pages and extra files that are gone, and the folders that leaves empty."""
    site = Path(site_dir).resolve()
    for uri in dest_uris:
        target = (site / uri).resolve()
        if site not in target.parents:  # never outside the site folder
            continue
        target.unlink(missing_ok=True)
        remove_empty_folders(target.parent, site)


def written_by(files, config) -> set[str]:
    """The files a build writes into its site folder: every included file (pages, extra and static files) and the
    theme's own templates (`404.html`, `sitemap.xml` and its `.gz`)."""
    out = {file.dest_uri for file in files if file.inclusion.is_included()}
    for name in config.theme.static_templates:
        out |= {name, f"{name}.gz"} if name == "sitemap.xml" else {name}
    return out


class Tracker:
    """The plugin's side of an incremental build, from `on_files` to `on_post_build`."""

    def __init__(self, root: Path, site_dir: Path) -> None:
        self.root = Path(root)
        self.site_dir = Path(site_dir)
        self.manifest: Manifest | None = None
        self.changed: set[str] = set()
        self.full = True

    def start(self, files, config, pages: Mapping[str, str], nav_titles: object) -> None:
        """Decide what to re-render and tell MkDocs through each file's `is_modified()`; clear what is stale.

        `pages` maps each generated page and extra file (source path) to its hash; `nav_titles` is what of the
        generated pages the nav shows besides their paths (their titles).
        """
        old = read_manifest(self.root, self.site_dir)
        forget_manifest(self.root, self.site_dir)
        key = self.global_key(config, nav_titles)
        self.changed = changed_pages(old, pages, key)
        self.full = old is None or old.global_key != key
        outputs = {}
        for file in files:
            src = file.src_uri
            if src in pages:
                outputs[src] = file.dest_uri
                file.is_modified = _answer(src in self.changed)  # every one in a full build
            elif file.is_documentation_page() or self.full:
                # a hand-written page: few, and its title is in every page's nav; in a full build any other file
                # too, such as a theme's, which MkDocs would skip when its copy in the site is newer than its source
                file.is_modified = _answer(True)
        if self.full:  # the search index of a build that finished is written over (search_index.py), not anew
            clear_stale(self.site_dir, written_by(files, config), keep=[search_index.FOLDER] if old is not None else [])
        elif old is not None:
            remove_outputs(self.site_dir, [uri for src, uri in old.outputs.items() if outputs.get(src) != uri])
        self.manifest = Manifest(str(self.site_dir.resolve()), key, dict(pages), outputs)

    def again(self, pages: Mapping[str, str], outputs: Mapping[str, str]) -> set[str]:
        """A server's next build into the same folder, under the same global key, without MkDocs' setup
        (`mkdocs_plugin.Built`): the pages and extra files to write, by `pages` (source path -> hash) against the
        last build's; the output of those no longer made is removed. `outputs` maps each source path to its file."""
        assert self.manifest is not None
        old = self.manifest
        forget_manifest(self.root, self.site_dir)
        gone = old.pages.keys() - pages.keys()
        remove_outputs(self.site_dir, [old.outputs[src] for src in gone if src in old.outputs])
        self.changed, self.full = changed_pages(old, pages) | gone, False
        self.manifest = Manifest(old.site_dir, old.global_key, dict(pages), dict(outputs))
        return self.changed

    def global_key(self, config, nav_titles: object) -> str:
        """`global_key` of this build's config; `nav_titles` as `start` takes them."""
        theme_dir = config.theme.custom_dir
        return global_key(
            Path(config.config_file_path) if config.config_file_path else None,
            config.nav,
            Path(config.docs_dir),
            Path(theme_dir) if theme_dir else None,
            json.dumps(nav_titles, sort_keys=True, default=str),
        )

    def read_titles(self, nav, config) -> None:
        """Read the front matter of every nav page MkDocs will not re-render, so the nav of those it does shows
        their titles (MkDocs leaves a skipped page without any, which is why it calls dirty builds inaccurate)."""
        for page in nav.pages:
            if page.markdown is None and not page.file.is_modified():
                page.read_source(config)

    def needs_index(self) -> bool:
        """Whether Pagefind must index the site again: some generated page was written again, or there is no index."""
        return self.full or bool(self.changed) or not search_index.finished(self.site_dir / search_index.FOLDER)

    def finish(self) -> None:
        if self.manifest is not None:
            write_manifest(self.root, self.manifest)


def _answer(value: bool):
    return lambda: value


class _NoDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage() and "contains stale files" not in record.getMessage()


@contextlib.contextmanager
def quiet_dirty_warning():
    """MkDocs warns that a dirty build's navigation may be inaccurate: ours is not (see `Tracker`), and a warning
    would fail a `strict: true` site. The filter sits on MkDocs' build logger, before any handler counts it."""
    logger = logging.getLogger("mkdocs.commands.build")
    quiet = _NoDirtyWarning()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


INDEXING = threading.Lock()  # one Pagefind run at a time: a later one writes over the index the last one left
_pending: list[threading.Thread] = []
log = logging.getLogger("mkdocs.plugins.tlnotes")


def index_later(site_dir: Path, index_site) -> threading.Thread:
    """Index the whole site on a thread of its own (`tlnotes serve`: the page reloads before search catches up).

    Runs one at a time; each indexes the site as it is when it starts, so the last one to run, which starts after
    the last build has finished, leaves the index a clean build would. A failure is one line in the log."""
    site = Path(site_dir)

    def work() -> None:
        _yield_cpu()
        with INDEXING:
            try:
                index_site(site)
            except Exception as exc:  # the binary missing or failing (IndexFailed); the site itself is fine
                log.error(f"tlnotes: {exc}")

    thread = threading.Thread(target=work, name="tlnotes-pagefind-later", daemon=True)
    thread.start()
    _pending.append(thread)
    return thread


def _yield_cpu() -> None:
    """Lower this thread's priority, which the Pagefind process it starts inherits (Linux): the next save's rebuild
    comes first, and the index catches up in the time left."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)
    except (AttributeError, OSError):  # no per-thread priority here (macOS, Windows): indexing as it was
        pass


def wait_for_index(timeout: float | None = None) -> None:
    """Wait for the indexing threads `index_later` started (a server shutting down, a test)."""
    while _pending:
        _pending.pop(0).join(timeout)
