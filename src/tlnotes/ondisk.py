"""`tlnotes render`: the generated site sources written to disk, for builders that ignore MkDocs plugins.

The output folder (default `DIR/.tlnotes/render/`) holds a `mkdocs.yml` and a `docs/` folder that any
builder reading mkdocs.yml (MkDocs without the tlnotes plugin, ProperDocs, Zensical) can build as it is:

- every page `render()` makes, the extra files (BibTeX, graph data, feeds) and tlnotes' assets;
- the hand-written files of the KB's own docs folder, copied; they win over a generated page at the same path;
- the KB's mkdocs.yml with the tlnotes plugin taken out, the nav, the pages kept out of it, tlnotes' CSS and
  JavaScript filled in, `docs_dir: docs` and `site_dir: site` (both in the output folder).

The folder is tlnotes': a manifest (`.tlnotes-manifest.json`, path to SHA-256) lists what it wrote, so a
second run rewrites only files whose content changed (atomically) and removes only the files it wrote
earlier that the site no longer has. Files it never wrote are left alone.

What the plugin does after the Markdown is converted does not happen here: the nh3 allowlist over each
page's HTML, the Pagefind index and its marks, the feed links in each page's head and a section's page
standing for its section in the sidebar.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from .files import _make_parent, atomic, remove_empty_folders
from .index import build_index
from .load import DOCS_DIR
from .model import KnowledgeBase, TlnotesError
from .render import ASSETS, Site, extra_files, nav, render, with_assets

MANIFEST = ".tlnotes-manifest.json"
DEFAULT_OUT = Path(".tlnotes") / "render"
CONFIG = "mkdocs.yml"


@dataclass
class Written:
    """What one run did, in paths relative to the output folder."""

    out: Path
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    hand_written: list[str] = field(default_factory=list)  # generated pages skipped because docs/ has its own


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_config(root: Path) -> dict:
    """The KB's mkdocs.yml as plain data; one located error if it cannot be read as such."""
    path = root / CONFIG
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TlnotesError("not found (`tlnotes init` writes one)", path) from None
    try:
        cfg = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line = f":{exc.problem_mark.line + 1}" if exc.problem_mark else ""
        raise TlnotesError(f"{path}{line}: {exc.problem}; `tlnotes render` reads plain YAML (no !ENV or !!python tags)") from None
    except yaml.YAMLError as exc:
        raise TlnotesError(f"not plain YAML: {exc}", path) from None
    if not isinstance(cfg, dict):
        raise TlnotesError("not a mapping of settings", path)
    return cfg


def _plugin_name(entry) -> str:
    return next(iter(entry)) if isinstance(entry, dict) and entry else str(entry)


def _check_out(root: Path, out: Path, docs_dir: Path) -> None:
    """Refuse an output folder that would write over the KB's own files."""
    r, o, d = root.resolve(), out.resolve(), docs_dir.resolve()
    if o == r or r.is_relative_to(o):
        raise TlnotesError("the output folder holds the knowledge base; choose a folder of its own", out)
    if o.is_relative_to(d) or (o / DOCS_DIR) == d:
        raise TlnotesError("the output folder would write into the hand-written docs folder; choose another", out)
    for folder in ("papers", "notes"):
        if o.is_relative_to(r / folder):
            raise TlnotesError(f"the output folder is inside {folder}/; choose another", out)


def _hand_written(docs_dir: Path) -> dict[str, bytes]:
    """The docs folder's files as MkDocs would take them (no dot files or folders), keyed by their path in it."""
    out: dict[str, bytes] = {}
    if not docs_dir.is_dir():
        return out
    for dirpath, dirnames, filenames in os.walk(docs_dir):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            path = Path(dirpath) / name
            out[path.relative_to(docs_dir).as_posix()] = path.read_bytes()
    return out


def asset_files() -> dict[str, Path]:
    """tlnotes' CSS, JavaScript and vendored libraries: their path in the site (`assets/tlnotes/...`) to their file.

    The vendored libraries' LICENSE and VERSION files stay in the package (the README credits them).
    One list for the plugin, which adds them to MkDocs' files, and for `tlnotes render`, which copies them.
    """
    root = Path(str(resources.files("tlnotes").joinpath("assets")))
    return {
        f"{ASSETS}/{p.relative_to(root).as_posix()}": p
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.endswith(("LICENSE", "VERSION"))
    }


def site_files(kb: KnowledgeBase, cfg: dict, root: Path, out: Path) -> tuple[dict[str, bytes], list[str]]:
    """Every file of the output folder, keyed by its path in it, and the generated pages docs/ overrides."""
    docs_dir = root / str(cfg.get("docs_dir") or DOCS_DIR)
    idx = build_index(kb)
    site = Site(str(cfg.get("site_name") or ""), str(cfg.get("site_description") or ""), str(cfg.get("site_url") or ""))
    pages = render(kb, site, idx)
    hand = _hand_written(docs_dir)
    overridden = sorted(p for p in pages if p in hand)
    docs: dict[str, bytes] = {}
    docs.update({rel: path.read_bytes() for rel, path in asset_files().items()})
    docs.update({p: t.encode("utf-8") for p, t in extra_files(kb, site, idx).items()})
    docs.update({p: str(t).encode("utf-8") for p, t in pages.items()})
    docs.update(hand)  # hand-written files win, as in the plugin

    config = {k: v for k, v in cfg.items() if k not in ("docs_dir", "site_dir", "nav", "not_in_nav")}
    config["docs_dir"] = DOCS_DIR
    config["site_dir"] = "site"  # beside this mkdocs.yml: Zensical refuses a site_dir outside the config's folder
    theme = config.get("theme")
    if isinstance(theme, dict) and theme.get("custom_dir") and not Path(str(theme["custom_dir"])).is_absolute():
        config["theme"] = {**theme, "custom_dir": os.path.relpath(root.resolve() / str(theme["custom_dir"]), out.resolve())}
    plugins = cfg.get("plugins")
    config["plugins"] = [p for p in (plugins or []) if _plugin_name(p) != "tlnotes"] if plugins is not None else []
    config["extra_css"], config["extra_javascript"] = with_assets(cfg.get("extra_css") or [], cfg.get("extra_javascript") or [])
    if cfg.get("nav"):
        config["nav"] = cfg["nav"]
    else:
        hand_pages = sorted(p for p in hand if p.endswith(".md") and p not in pages)
        config["nav"] = [*nav(kb, idx), *hand_pages]
    hidden = sorted(
        {f"/{p.rsplit('/', 1)[0]}/*.md" if "/" in p else f"/{p}" for p, t in pages.items() if not t.kind.in_nav and p not in hand}
    )
    if cfg.get("not_in_nav"):
        hidden = [*str(cfg["not_in_nav"]).splitlines(), *hidden]
    if hidden:
        config["not_in_nav"] = "\n".join(hidden) + "\n"
    header = "# Written by `tlnotes render` from the knowledge base's mkdocs.yml: edit that one; this file is replaced.\n"
    files = {f"{DOCS_DIR}/{p}": data for p, data in docs.items()}
    files[CONFIG] = (header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)).encode("utf-8")
    return files, overridden


def summary(result: Written) -> str:
    """One line: what a run wrote, kept and removed, and how to build it."""
    kept = f"; {len(result.hand_written)} generated page(s) left to docs/'s own" if result.hand_written else ""
    return (
        f"wrote {len(result.written)} files, {result.unchanged} unchanged, {len(result.removed)} removed{kept}; "
        f"build it with `mkdocs build -f {result.out / CONFIG}` (or zensical, properdocs)"
    )


def _read_manifest(out: Path) -> dict[str, str]:
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _current(path: Path) -> str | None:
    try:
        return sha(path.read_bytes()) if path.is_file() and not path.is_symlink() else None
    except OSError:
        return None


def write_site(kb: KnowledgeBase, root: Path, out: Path | None = None) -> Written:
    """Write the site's sources into `out`; only what changed is written, only what tlnotes wrote is removed."""
    root = Path(root)
    out = Path(out) if out is not None else root / DEFAULT_OUT
    cfg = read_config(root)
    _check_out(root, out, root / str(cfg.get("docs_dir") or DOCS_DIR))
    files, overridden = site_files(kb, cfg, root, out)
    before = _read_manifest(out)
    result = Written(out, hand_written=overridden)
    manifest: dict[str, str] = {}
    for rel, data in files.items():
        digest = sha(data)
        if _current(out / rel) != digest:
            _write(out / rel, data)
            result.written.append(rel)
        else:
            result.unchanged += 1
        manifest[rel] = digest
    for rel in sorted(set(before) - set(files)):
        path = out / rel
        if path.is_file() and not path.is_symlink():
            path.unlink()
            result.removed.append(rel)
            remove_empty_folders(path.parent, out)
    _write(out / MANIFEST, (json.dumps(manifest, indent=0, sort_keys=True) + "\n").encode("utf-8"))
    return result


def _write(path: Path, data: bytes) -> None:
    """Replace `path` in one step (`files.atomic`): a reader never sees half a file.

    Not fsynced, unlike the KB's own files: the output is made again by running the command again.
    """
    _make_parent(path.parent)
    if path.is_dir() and not path.is_symlink():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    try:
        with atomic(path, durable=False) as fh:
            fh.write(data)
    except OSError as exc:
        raise type(exc)(exc.errno, exc.strerror or str(exc), str(path)) from None
