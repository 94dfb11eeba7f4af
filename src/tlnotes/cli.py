"""The `tlnotes` command: a thin layer of argument parsing over the core.

Exit codes: 0 all good, 1 the KB (or the request) has a problem, 2 a usage
error. Messages go to stderr; what a command produces goes to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from importlib import resources
from pathlib import Path

from . import __version__, schema
from .files import FileExists, write_new
from .model import ERROR, TlnotesError

SCHEMA_PATH = "schema/paper.schema.json"


class UsageError(Exception):
    pass


def say(args, text: str) -> None:
    """A line on stderr in the command's name: progress, a warning, what is left to do."""
    print(f"tlnotes {args.command}: {text}", file=sys.stderr)


def _jobs(text: str) -> int:
    """`--jobs`: a whole number from 1 to 2 (parallel.py splits the pages in two)."""
    if text not in ("1", "2"):
        raise argparse.ArgumentTypeError(f"{text!r}: 1 or 2")
    return int(text)


def _kb_root(path: str | None) -> Path:
    root = Path(path or ".")
    if not root.is_dir():
        raise UsageError(f"{root}: {'not a directory' if root.exists() else 'no such directory'}")
    if not any((root / name).exists() for name in ("papers", "notes", "mkdocs.yml")):
        raise UsageError(f"{root}: not a tlnotes knowledge base (no papers/, notes/ or mkdocs.yml); `tlnotes init DIR` makes one")
    return root


def _template(name: str) -> str:
    return resources.files("tlnotes").joinpath("templates", *name.split("/")).read_text(encoding="utf-8")


def schema_text() -> str:
    return json.dumps(schema.json_schema(), indent=2, ensure_ascii=False) + "\n"


def _ensure_schema_file(root: Path) -> bool:
    """Write the editor schema into the KB if it is not there yet."""
    try:
        write_new(root / SCHEMA_PATH, schema_text())
        return True
    except FileExists:
        return False


# ---------------------------------------------------------------- commands


def _report(kb, fmt: str = "text", strict: bool = False) -> int:
    """Print the KB's problems as `check` does; the number of errors."""
    problems = kb.problems
    if strict:
        problems = [replace(p, severity=ERROR) for p in problems]
    if fmt == "json":
        json.dump([p.as_dict() for p in problems], sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        for p in problems:
            print(p)
    errors = sum(p.severity == ERROR for p in problems)
    warnings = len(problems) - errors
    print(
        f"{len(kb.papers)} papers, {len(kb.topics)} topics: {errors} error{'s' * (errors != 1)}, "
        f"{warnings} warning{'s' * (warnings != 1)}",
        file=sys.stderr,
    )
    return errors


def cmd_check(args) -> int:
    from .load import load

    errors = _report(load(_kb_root(args.dir)), args.format, args.strict)
    return 1 if errors else 0


def cmd_build(args) -> int:
    """Check the KB, then build the site with MkDocs into DIR/site."""
    from . import parallel, search_index

    root = _kb_root(args.dir)
    site_dir = Path(args.site_dir) if args.site_dir else root / "site"
    # The pages are made in a process that ends once it has saved its state, and the site is indexed by this one,
    # from when its pages are written: Pagefind holds every page's words while it indexes (830 MB at 10,000
    # papers, a rebuild too), and the process that made the pages (770 MB) ends soon after it starts.
    parallel.apart(lambda: _write_site(args, root, site_dir), ahead=lambda: search_index.index_site(site_dir))
    print(f"built the site into {site_dir}", file=sys.stderr)
    return 0


def _write_site(args, root: Path, site_dir: Path) -> None:
    """Load, check and build the site; its index is made by `apart`'s caller (`parallel.go_ahead`)."""
    import logging
    import os

    from .rerender import Warm

    warm = Warm() if args.clean else Warm.open(root)  # what the last build parsed and rendered (.tlnotes/)
    kb = warm.load(root, jobs=args.jobs)
    if _report(kb, strict=args.strict):
        raise TlnotesError("fix the errors above first; nothing built")
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from mkdocs.exceptions import MkDocsException

    from . import parallel
    from .mkdocs_plugin import build_site

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    mkdocs_log = logging.getLogger("mkdocs")
    mkdocs_log.addHandler(handler)
    mkdocs_log.setLevel(logging.WARNING)
    try:
        build_site(
            root,
            kb,
            site_dir,
            clean=args.clean,
            jobs=args.jobs,
            warm=warm,
            say=lambda text: print(f"tlnotes build: {text}", file=sys.stderr),
            # for the next build, what this one parsed and rendered (.tlnotes/warm.pickle, signed), while Pagefind runs
            meanwhile=lambda: warm.save(root),
            index_by=parallel.go_ahead,
        )
    except MkDocsException as exc:  # an OSError (site dir onto a file, full disk) goes to main()
        raise TlnotesError(str(exc)) from None
    finally:
        mkdocs_log.removeHandler(handler)


def cmd_render(args) -> int:
    """Check the KB, then write its site's sources (pages, files, mkdocs.yml) for builders without the plugin."""
    from .load import load
    from .ondisk import summary, write_site

    root = _kb_root(args.dir)
    kb = load(root)
    if _report(kb, strict=args.strict):
        raise TlnotesError("fix the errors above first; nothing written")
    say(args, summary(write_site(kb, root, Path(args.output) if args.output else None)))
    return 0


def cmd_serve(args) -> int:
    from .serve import serve

    return serve(_kb_root(args.dir), args.addr)


def cmd_schema(args) -> int:
    text = schema_text()
    if args.output:
        from .files import write_replace

        write_replace(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_new(args) -> int:
    root = _kb_root(args.dir)
    key = args.key
    if not schema.KEY_RE.fullmatch(key):
        raise TlnotesError(
            f"{key!r} is not a valid key: use lowercase letters, digits and . _ -, starting with a letter "
            f"or digit, at most {schema.MAX_KEY_LENGTH} characters (e.g. vaswani2017attention)"
        )
    if key in schema.RESERVED_IDS:
        raise TlnotesError(f"{key!r} is reserved (the site uses it for its own pages); choose another key")
    target = root / "papers" / f"{key}.yaml"
    try:
        write_new(target, schema.template())
    except FileExists:
        raise TlnotesError("already exists; nothing written", target) from None
    _ensure_schema_file(root)
    print(target)
    return 0


def _import_inputs(args, limit: int):
    """(KB root, source path, source text, loaded KB) for an import; None, after saying why, if unusable.

    An unreadable file is an OSError naming it, which main() reports.
    """
    from .load import load

    root = _kb_root(args.dir)
    source = Path(args.file)
    with open(source, "rb") as fh:
        raw = fh.read(limit + 1)
    if len(raw) > limit:
        raise TlnotesError(
            f"over {limit >> 20} MiB; tlnotes imports files of at most {limit >> 20} MiB; nothing imported", source
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TlnotesError(f"not valid UTF-8 (byte {exc.start}); save it as UTF-8", source) from None
    return root, source, text, load(root)


def _write_imported(args, root: Path, papers, notes, dry_run: bool, before_notes=None) -> tuple[int, int]:
    """Write records, then the notes that cite them, each as a new file; (records, notes) written.

    Records go first so that an interrupted import leaves no note citing a record not yet written;
    `before_notes()` runs between them (the files the notes link to).
    On Ctrl-C or a disk error, say how far it got before main() reports the error.
    """
    import datetime as dt

    from .import_notes import note_md

    added = dt.date.today().isoformat()
    plan = [(root / "papers" / f"{p.key}.yaml", lambda p=p: p.text(added), "record", f": {p.title}") for p in papers]
    plan += [(path, lambda t=t: note_md(t), "note", "") for path, t in notes]
    written = {"record": 0, "note": 0}
    try:
        for i, (path, text, kind, what) in enumerate(plan):
            if i == len(papers) and before_notes:
                before_notes()
            if dry_run:
                print(f"would write {path.relative_to(root)}{what}")
                continue
            try:
                write_new(path, text())
                written[kind] += 1
            except FileExists:
                print(f"{path.relative_to(root)}: exists; kept as it is", file=sys.stderr)
        if len(plan) == len(papers) and before_notes:
            before_notes()
        if written["record"]:
            _ensure_schema_file(root)
    except (KeyboardInterrupt, OSError) as exc:
        why = "interrupted" if isinstance(exc, KeyboardInterrupt) else "stopped"
        say(
            args,
            f"{why} after writing {written['record']} of {len(papers)} records and "
            f"{written['note']} of {len(notes)} notes; running the same import again skips what exists",
        )
        raise
    return written["record"], written["note"]


def _enrich_imported(args, papers, kb, incomplete_only: bool = False, then=None):
    """Imported records completed from the sources (unless --offline), keyed and checked; one line if a source failed.

    `then` runs between the look-up and the final keys: `import notes` drops what is still undated there,
    putting each such bullet back in its note as written.
    """
    from .records import enrich, finalize

    wanted = [p for p in papers.values() if not incomplete_only or not p.authors or p.year is None]
    report = enrich(wanted, offline=args.offline)
    if report.line():
        print(report.line(), file=sys.stderr)
    if then is not None:
        then()
    return finalize(papers, kb)


def cmd_import_notes(args) -> int:
    from .import_notes import MAX_NOTE_SOURCE_BYTES, ImportRefused, note_path, parse_notes
    from .records import paper_url, recite

    root, source, text, kb = _import_inputs(args, MAX_NOTE_SOURCE_BYTES)
    try:
        result = parse_notes(text, kb, source_name=source.stem, source_dir=source.parent)
    except ImportRefused as exc:
        raise ImportRefused(exc.line, f"{exc.message}; nothing imported", source) from None
    done = _enrich_imported(args, result.papers, kb, then=result.drop_undated)
    urls = {old: paper_url(rec.links) for old, rec in result.papers.items()}
    for t in result.topics.values():
        t.body[:] = recite("\n".join(t.body), done.renamed, urls).split("\n") if t.body else []
    result.papers, result.existing, result.skipped = done.papers, result.existing + done.existing, result.skipped + done.skipped
    notes = [(note_path(root, t, result.topics), t) for t in result.topics.values() if t.id not in kb.topics]
    failed: list[str] = []

    def copy_files() -> None:
        """The files the notes link to, copied next; one that cannot be leaves its links as text."""
        from .files import FileExists, copy_new
        from .import_notes import MAX_ASSET_BYTES

        for copy in list(result.copies):
            if args.dry_run:
                print(f"would copy {copy.rel} to {copy.target}")
                continue
            try:
                copy_new(copy.source, root / copy.target, MAX_ASSET_BYTES)
            except FileExists:
                result.uncopy(copy, f"{copy.target} exists with other content; kept as it is")
            except OSError as exc:
                failed.append(
                    f"{source}:{copy.line}: cannot copy {copy.rel} to {exc.filename or copy.target}: {exc.strerror or exc}"
                )
                result.uncopy(copy, "the copy failed")

    written_papers, written_notes = _write_imported(
        args, root, list(result.papers.values()), notes, args.dry_run, before_notes=copy_files
    )
    for line, title, existing in result.existing:
        print(f"{source}:{line}: already in the knowledge base as {existing}: {title}", file=sys.stderr)
    for line, why in result.skipped:
        print(f"{source}:{line}: {why}", file=sys.stderr)
    for line, key in result.uncited:
        print(f"{source}:{line}: citation of @{key} kept as text: no record has that key", file=sys.stderr)
    for line, dest, why in sorted(result.unlinked):
        print(f"{source}:{line}: relative link {dest!r} kept as text: {why}", file=sys.stderr)
    for message in failed:
        print(message, file=sys.stderr)
    for line, text_ in result.unparsed:
        print(f"{source}:{line}: could not parse a paper from: {text_}", file=sys.stderr)
    verb = "would write" if args.dry_run else "wrote"
    print(
        f"{verb} {len(result.papers) if args.dry_run else written_papers} records and "
        f"{len(notes) if args.dry_run else written_notes} topic notes; "
        f"{len(result.copies)} files {'to copy' if args.dry_run else 'copied or already there'}; "
        f"{len(result.existing)} already in the knowledge base; {len(result.skipped)} skipped; "
        f"{len(result.unparsed)} lines not parsed",
        file=sys.stderr,
    )
    return 1 if result.unparsed or result.skipped or failed else 0


def cmd_export_bibtex(args) -> int:
    from .bibtex import bibliography
    from .load import load

    kb = load(_kb_root(args.dir))
    text = bibliography(kb)
    if args.output:
        from .files import write_replace

        write_replace(Path(args.output), text)
        print(f"wrote {len(kb.papers)} entries to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if kb.errors:
        bad = sorted({p.file for p in kb.errors if p.file.startswith("papers/")})
        raise TlnotesError(f"{len(bad)} record(s) with errors were left out; `tlnotes check` lists them")
    return 0


def cmd_import_bibtex(args) -> int:
    from .import_bibtex import MAX_BIB_SOURCE_BYTES, BibSyntaxError, parse_bibtex

    root, source, text, kb = _import_inputs(args, MAX_BIB_SOURCE_BYTES)
    unknown = [t for t in args.topic if t not in kb.topics]
    if unknown:
        raise TlnotesError(f"unknown topic(s) {', '.join(unknown)}; topics are notes in notes/")
    try:
        result = parse_bibtex(text, kb, args.topic, filename=str(source))
    except BibSyntaxError as exc:
        raise BibSyntaxError(exc.line, f"{exc.message}; nothing imported", source) from None
    done = _enrich_imported(args, result.papers, kb, incomplete_only=True)  # entries with authors and a year keep them
    result.skipped += done.skipped + [
        (line, f"already in the knowledge base as {where}: {t}") for line, t, where in done.existing
    ]
    written, _ = _write_imported(args, root, list(done.papers.values()), [], args.dry_run)
    result.papers = done.papers
    for line, why in sorted(result.skipped):
        print(f"{source}:{line}: {why}", file=sys.stderr)
    verb = "would write" if args.dry_run else "wrote"
    print(
        f"{verb} {len(result.papers) if args.dry_run else written} records; {len(result.skipped)} entries skipped"
        + ("" if args.topic else "; records have no topics yet: `tlnotes check` lists what to fill in"),
        file=sys.stderr,
    )
    return 0


def cmd_add(args) -> int:
    """Fetch metadata for each REF and write one record each, or nothing at all."""
    from .load import load
    from .records import RecordError, plan_add, write_new_records

    root = _kb_root(args.dir)
    try:
        extra = {
            f.name: getattr(args, f"field_{f.name}")
            for f in schema.FIELDS
            if f.option and getattr(args, f"field_{f.name}", None) is not None
        }
        planned = plan_add(
            load(root),
            args.refs,
            topics=args.topic,
            summary=args.summary,
            key=args.key,
            keep_abstract=not args.no_abstract,
            extra=extra,
        )
        written = write_new_records(root, planned)
    except RecordError as exc:
        raise RecordError(f"{exc}; nothing written") from None
    except OSError as exc:  # the lock file's folder
        say(args, f"{exc.filename or root / '.tlnotes'}: {exc.strerror or exc}; nothing written")
        return 1
    for path in written:
        print(path)
    try:
        _ensure_schema_file(root)
    except OSError as exc:
        say(args, f"warning: cannot write {root / SCHEMA_PATH} ({exc.strerror or exc})")
    if not args.topic or not args.summary:
        say(args, "written; `tlnotes check` lists what is still to fill in (topics, summary)")
    return 0


def cmd_update(args) -> int:
    """Complete records from the sources: a diff per record, written only with --write; all or nothing."""
    from .load import load
    from .update import apply, plan

    root = _kb_root(args.dir)
    changes, notes = plan(load(root), args.keys, offline=args.offline)
    for note in notes:
        say(args, note)
    mismatches = [c for c in changes if c.mismatch]
    for c in mismatches:
        say(args, f"{c.path.relative_to(root)}: {c.mismatch}")
    edits = [c for c in changes if not c.mismatch]
    for c in edits:
        print(c.diff(str(c.path.relative_to(root))), end="")
    if args.write:
        apply(edits)
    say(args, f"{len(edits)} record(s) {'updated' if args.write else 'to update (dry run; --write applies it)'}")
    return 1 if mismatches else 0


def cmd_rename(args) -> int:
    """Rename a record key: the file, every citation and related entry naming it; the old key kept as an alias."""
    from .load import load
    from .rename import apply_rename, plan_rename

    root = _kb_root(args.dir)
    plan = plan_rename(load(root), args.old, args.new)
    if args.dry_run:
        for rel in sorted(plan.writes):
            print(f"would write {rel}")
        if plan.moved:
            print(f"would remove {plan.old_rel}")
        say(args, f"{plan.summary()} (dry run; nothing written)")
        return 0
    for rel in apply_rename(plan):
        print(rel)
    say(args, plan.summary())
    return 0


def cmd_links(args) -> int:
    import os

    from . import links
    from .http import MAX_HOST_CONCURRENCY
    from .load import load

    root = _kb_root(args.dir)
    try:
        max_age = links.parse_duration(args.max_age) if args.max_age else None
        host_limits = {}
        for item in args.host_limit:
            host, _, n = item.partition("=")
            if not host or not n.isdigit() or int(n) < 1:
                raise ValueError(f"--host-limit wants HOST=N, not {item!r}")
            host_limits[host.lower()] = min(int(n), MAX_HOST_CONCURRENCY)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    kb = load(root)
    if kb.errors:
        say(
            args,
            f"{len(kb.errors)} error(s) in the knowledge base; records with errors are not checked (`tlnotes check` lists them)",
        )
    settings = links.Settings(
        concurrency=args.concurrency,
        per_host=min(args.per_host, MAX_HOST_CONCURRENCY),
        host_limits=host_limits,
        timeout=args.timeout,
        retries=args.retries,
    )
    cache = links.Cache(None if args.no_cache else root / links.CACHE_FILE, max_age=max_age)
    results = links.run(kb, settings, cache)
    if cache.error:
        say(args, f"warning: {cache.error}")
    if args.format == "json":
        sys.stdout.write(links.report_json(results))
    elif args.format == "github":
        sys.stdout.write(links.report_github(results, args.strict))
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            with open(summary, "a", encoding="utf-8") as fh:
                fh.write(links.report_markdown(results))
    elif args.format == "markdown":
        sys.stdout.write(links.report_markdown(results))
    else:
        sys.stdout.write(links.report_text(results))
    failing = links.FAILING | ({links.TRANSIENT, links.BLOCKED} if args.strict else set())
    return 1 if any(r.cls in failing for r in results) else 0


INIT_FILES = {
    "mkdocs.yml": "init/mkdocs.yml",
    "docs/about.md": "init/docs/about.md",
    "notes/attention.md": "init/notes/attention.md",
    "papers/vaswani2017attention.yaml": "init/papers/vaswani2017attention.yaml",
    ".gitignore": "init/gitignore",
}


def cmd_init(args) -> int:
    root = Path(args.dir)
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root}: exists and is not a directory")
    taken = [name for name in [*INIT_FILES, "papers", "notes", SCHEMA_PATH] if (root / name).exists()]
    if taken:
        raise TlnotesError(f"already has {', '.join(taken)}; nothing written", root)
    written: list[Path] = []
    try:
        for name, template in [*INIT_FILES.items(), (SCHEMA_PATH, None)]:
            write_new(root / name, _template(template) if template else schema_text())
            written.append(root / name)
    except OSError:  # a full or read-only disk: leave no half-made KB that a second `init` would refuse
        for path in written:
            path.unlink(missing_ok=True)
        raise
    print(f"created a knowledge base in {root}: try `tlnotes check {root}`")
    return 0


# ---------------------------------------------------------------- parsing


def _count(least: int):
    """An argparse type: a whole number of at least `least`, so a bad value is a usage error."""

    def parse(text: str) -> int:
        try:
            n = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if n < least:
            raise argparse.ArgumentTypeError(f"{text!r}: at least {least}")
        return n

    return parse


def _seconds(text: str) -> float:
    """An argparse type: a finite number of seconds above zero."""
    try:
        s = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < s < float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r}: more than 0 seconds, and finite")
    return s


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tlnotes", description="An annotated reading-list knowledge base.")
    parser.add_argument("--version", action="version", version=f"tlnotes {__version__}")
    # one convention for the knowledge base: `--dir DIR` on every command that reads or writes one (default: the
    # current directory); commands whose only argument is the knowledge base also take it positionally
    kb_dir = argparse.ArgumentParser(add_help=False)
    kb_dir.add_argument("--dir", dest="dir_option", metavar="DIR", help="the knowledge base (default: the current directory)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("check", parents=[kb_dir], help="validate every record and note; report every problem")
    p.add_argument("dir", nargs="?", help="the knowledge base, as --dir")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("build", parents=[kb_dir], help="check the knowledge base, then build the site into DIR/site")
    p.add_argument("dir", nargs="?", help="the knowledge base, as --dir")
    p.add_argument("--site-dir", help="where to write the site (default: DIR/site)")
    p.add_argument("--clean", action="store_true", help="rebuild every page (default: only what changed since the last build)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.add_argument(
        "--jobs",
        type=_jobs,
        default=min(2, os.cpu_count() or 1),
        help="processes that write the pages (default: 2 where there are two cores; 1 to write them in one)",
    )
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("render", parents=[kb_dir], help="write the site sources and a mkdocs.yml, for builders without plugins")
    p.add_argument("dir", nargs="?", help="the knowledge base, as --dir")
    p.add_argument("-o", "--output", help="the folder to write (default: DIR/.tlnotes/render)")
    p.add_argument("--strict", action="store_true", help="treat warnings as errors")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("serve", parents=[kb_dir], help="serve the site, rebuilding and reloading it on every save")
    p.add_argument("dir", nargs="?", help="the knowledge base, as --dir")
    p.add_argument("--addr", default="127.0.0.1:8000", help="HOST:PORT to serve on (default 127.0.0.1:8000)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("schema", help="print the JSON Schema of a paper record")
    p.add_argument("-o", "--output", help="write it to this file instead of stdout")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("new", parents=[kb_dir], help="write a template record papers/KEY.yaml")
    p.add_argument("key")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("import", help="turn notes from elsewhere into records")
    isub = p.add_subparsers(dest="source", metavar="SOURCE")
    isub.required = True
    pn = isub.add_parser("notes", parents=[kb_dir], help="a Markdown notes page: headings become topics, paper bullets records")
    pn.add_argument("file")
    pn.add_argument("--dry-run", action="store_true", help="print what would be written, write nothing")
    pn.add_argument("--offline", action="store_true", help="no look-ups: records from what the lines say alone")
    pn.set_defaults(func=cmd_import_notes)
    pb = isub.add_parser("bibtex", parents=[kb_dir], help="a .bib file (Zotero, Google Scholar, DBLP, arXiv exports)")
    pb.add_argument("file")
    pb.add_argument("--topic", action="append", default=[], help="tag every imported record with this topic (repeatable)")
    pb.add_argument("--dry-run", action="store_true", help="print what would be written, write nothing")
    pb.add_argument("--offline", action="store_true", help="no look-ups for entries without authors or a year")
    pb.set_defaults(func=cmd_import_bibtex)

    p = sub.add_parser("add", parents=[kb_dir], help="add papers by arXiv id, DOI or URL, with metadata fetched for you")
    p.add_argument("refs", nargs="+", metavar="REF", help="arxiv:ID, a bare arXiv id, an arxiv.org URL, doi:DOI or a doi.org URL")
    p.add_argument("--topic", action="append", default=[], help="a topic of the new record (repeatable)")
    p.add_argument("--summary", action="append", default=[], help="a summary bullet (repeatable)")
    p.add_argument("--key", help="the record key, instead of the one the key rule gives (one REF only)")
    p.add_argument("--no-abstract", action="store_true", help="do not keep the abstract in the record's notes")
    for f in schema.FIELDS:  # fields declared with an `add` option (schema.Field.option)
        if f.option:
            p.add_argument(f"--{f.name}", dest=f"field_{f.name}", metavar=f.option, help=f.description)
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("update", parents=[kb_dir], help="complete records from arXiv: full author lists, categories")
    p.add_argument("keys", nargs="*", metavar="KEY", help="the records to update (default: all)")
    p.add_argument("--write", action="store_true", help="apply the changes (default: show them as a diff)")
    p.add_argument("--offline", action="store_true", help="use only what is cached in .tlnotes/, no requests")
    p.set_defaults(func=cmd_update)

    p = sub.add_parser("rename", parents=[kb_dir], help="rename a record key: its file, citations and related entries")
    p.add_argument("old", metavar="OLD", help="the key to rename")
    p.add_argument("new", metavar="NEW", help="the new key")
    p.add_argument("--dry-run", action="store_true", help="print what would change, write nothing")
    p.set_defaults(func=cmd_rename)

    p = sub.add_parser("links", parents=[kb_dir], help="check every URL, arXiv id and DOI of the knowledge base")
    p.add_argument("dir", nargs="?", help="the knowledge base, as --dir")
    p.add_argument("--format", choices=("text", "json", "github", "markdown"), default="text")
    p.add_argument("--strict", action="store_true", help="transient and blocked links fail too")
    p.add_argument("--no-cache", action="store_true", help="check everything again, and keep no results")
    p.add_argument("--max-age", help="ignore cached results older than this (3600, 90m, 12h, 7d)")
    p.add_argument("--concurrency", type=_count(1), default=16, help="requests at once, in all (default 16)")
    p.add_argument("--per-host", type=_count(1), default=2, help="requests at once to one host (default 2, at most 8)")
    p.add_argument("--host-limit", action="append", default=[], metavar="HOST=N", help="a limit for one host (repeatable)")
    p.add_argument("--timeout", type=_seconds, default=10.0, help="seconds to wait for an answer (default 10)")
    p.add_argument("--retries", type=_count(0), default=3, help="retries of a transient failure (default 3)")
    p.set_defaults(func=cmd_links)

    p = sub.add_parser("export", help="write the knowledge base in another format")
    esub = p.add_subparsers(dest="format", metavar="FORMAT")
    esub.required = True
    pe = esub.add_parser("bibtex", parents=[kb_dir], help="one BibTeX entry per record, keyed by the record key")
    pe.add_argument("dir", nargs="?", help="the knowledge base, as --dir")
    pe.add_argument("-o", "--output", help="write to this file (replaced atomically) instead of stdout")
    pe.set_defaults(func=cmd_export_bibtex)

    p = sub.add_parser("init", help="create a new knowledge base in DIR")
    p.add_argument("dir")
    p.set_defaults(func=cmd_init)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error
    command = f"tlnotes {args.command}"
    if hasattr(args, "dir_option"):
        positional = getattr(args, "dir", None)
        if positional is not None and args.dir_option is not None and positional != args.dir_option:
            parser.error(f"{args.command}: the knowledge base is given twice ({positional} and --dir {args.dir_option})")
        args.dir = positional if positional is not None else args.dir_option
    try:
        code = args.func(args)
        try:
            sys.stdout.flush()  # a full disk behind `> out` shows here, not as a traceback at exit
        except OSError as exc:
            exc.filename = "<stdout>"
            raise
        return code
    except UsageError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return 2
    except TlnotesError as exc:  # what the command could not do, located: one line, exit 1
        print(f"{command}: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `tlnotes check | head`
        _drop_stdout()
        return 0
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # a read-only or full disk, a directory where a file should be: one line, never a traceback
        reason = exc.strerror or str(exc)
        print(f"{command}: {exc.filename}: {reason}" if exc.filename else f"{command}: {reason}", file=sys.stderr)
        if exc.filename in (None, "<stdout>"):  # most likely our own output failed: do not fail again at exit
            _drop_stdout()
        return 1


def _drop_stdout() -> None:
    """Point stdout at /dev/null so Python's flush at exit does not fail a second time."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (tests capture it)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
