"""Load a knowledge base from disk and report every problem in it.

Records are parsed with libyaml's fast loader and validated as plain data.
Only a record that has a problem is parsed a second time into nodes, to
turn the problem's path into a line and column: the common case, a clean
record, never pays for line tracking.

Every input is untrusted: files are size-capped before parsing, shared
(aliased) containers are refused before any walk that could blow up, and
nesting depth is bounded, so no file can cost more than linear time.
"""

from __future__ import annotations

import datetime as _dt
import gc
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import schema
from .citations import find_citations
from .model import ERROR, WARNING, KnowledgeBase, Paper, Problem, Topic, normalize_doi, normalize_title

try:  # libyaml; the pure-Python loader is a slow but correct fallback
    FastLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    FastLoader = yaml.SafeLoader

PAPERS_DIR = "papers"
NOTES_DIR = "notes"
RECORD_SUFFIX = ".yaml"
MAX_RECORD_BYTES = 1 << 20  # a record is a few KB; 1 MiB is generous
MAX_NOTE_BYTES = 4 << 20
MAX_NODES = 20_000  # containers and scalars in one record
MAX_DEPTH = 64


class _Refused(Exception):
    """A record whose shape is unsafe to walk further."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def _check_shape(data: Any) -> None:
    """Refuse aliased containers, huge node counts and deep nesting in O(nodes).

    A YAML alias makes two places share one container; a "billion laughs"
    document is a small DAG that any naive walk expands exponentially. Records
    never need anchors, so the first shared container stops the walk.
    """
    if not isinstance(data, (dict, list)):
        return
    seen: set[int] = set()
    count = 0
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            raise _Refused("yaml-alias", "anchors and aliases (&name, *name) are not allowed in records")
        seen.add(id(node))
        if depth >= MAX_DEPTH:
            raise _Refused("too-deep", f"the record nests deeper than {MAX_DEPTH} levels")
        count += len(node)
        if count > MAX_NODES:
            raise _Refused("too-large", f"the record has more than {MAX_NODES} values")
        for v in (node.values() if type(node) is dict else node):
            if isinstance(v, (dict, list)):
                stack.append((v, depth + 1))


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _decode(raw: bytes) -> tuple[str | None, tuple[int, int, str] | None]:
    """UTF-8 text, or the location and message of the first bad byte."""
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", "replace")
        line, col = _line_col(good, len(good))
        bad = raw[exc.start : exc.start + 1].hex()
        return None, (line, col, f"the file is not valid UTF-8 (byte 0x{bad}); save it as UTF-8")


def _yaml_error(exc: yaml.YAMLError, text: str) -> tuple[int, int, str]:
    """Line, column and a readable message for a YAML parse failure."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if isinstance(exc, yaml.reader.ReaderError):
        line, col = _line_col(text, exc.position)
        return line, col, f"character {exc.character!r} is not allowed in YAML ({exc.reason})"
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None) or ""
    if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
        message = "a tab character here: YAML indents with spaces only"
    elif "maximum nesting depth" in problem:
        message = "nested too deeply"
    elif "expected a single document" in context:
        message = "more than one YAML document ('---'); a record is a single mapping"
    else:
        message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    if mark is None:
        return 1, 1, message
    return mark.line + 1, mark.column + 1, message


def _char_at(text: str, line: int, column: int) -> str:
    """The character at a 0-based line and column, or ''."""
    lines = text.split("\n", line + 1)
    return lines[line][column : column + 1] if line < len(lines) else ""


def _read_capped(path: str | Path, limit: int) -> tuple[bytes | None, str | None]:
    """The file's bytes, never reading more than `limit` + 1 of them."""
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size <= limit:
                # sized reads: read(limit) would allocate a limit-sized buffer per file
                raw = fh.read(size + 1)
                if len(raw) > size:  # it grew meanwhile
                    raw += fh.read(limit + 1 - len(raw))
            if size > limit or len(raw) > limit:
                return None, f"the file is {max(size, limit + 1) / 1e6:.1f} MB; the limit for this file is {limit // (1 << 20)} MiB"
        return raw, None
    except OSError as exc:
        return None, f"cannot read the file: {exc.strerror or exc}"


# ---------------------------------------------------------------- locating


def _find_node(node: yaml.Node, path: tuple, on_key: bool) -> yaml.Node:
    """The node at `path` (or the deepest node on the way to it)."""
    for step in path:
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and _same_key(k, step):
                    node = k if (on_key and step is path[-1]) else v
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return node
    return node


def _same_key(node: yaml.ScalarNode, step: Any) -> bool:
    if node.value == step:
        return True
    return not isinstance(step, str) and node.value == str(step)


@dataclass
class _Source:
    """One record file while the KB loads: its text, and its nodes once needed."""

    rel: str
    text: str
    _root: Any = field(default=None, repr=False)

    def locate(self, path: tuple, on_key: bool = False) -> tuple[int, int]:
        if self._root is None:
            try:
                self._root = yaml.compose(self.text, Loader=FastLoader) or False
            except yaml.YAMLError:
                self._root = False
        if not self._root:
            return 1, 1
        node = _find_node(self._root, path, on_key)
        return node.start_mark.line + 1, node.start_mark.column + 1

    def first_alias(self) -> tuple[int, int]:
        try:
            for event in yaml.parse(self.text, Loader=FastLoader):
                if isinstance(event, yaml.AliasEvent):
                    return event.start_mark.line + 1, event.start_mark.column + 1
        except yaml.YAMLError:
            pass
        return 1, 1


# ---------------------------------------------------------------- records


class _Loader:
    def __init__(self, root: Path):
        self.root = root
        self.problems: list[Problem] = []
        self.sources: dict[str, _Source] = {}  # key -> source, for records that parsed
        self.record_keys: set[str] = set()  # every record file, valid or not

    def problem(self, rel: str, line: int, col: int, code: str, message: str, severity: str = ERROR):
        self.problems.append(Problem(rel, line, col, severity, code, message))

    def at(self, key: str, path: tuple, code: str, message: str, severity: str = ERROR, on_key: bool = False):
        source = self.sources[key]
        line, col = source.locate(path, on_key)
        self.problem(source.rel, line, col, code, message, severity)

    def record_files(self) -> list[str]:
        """Names of the record files in papers/, sorted; strays reported."""
        folder = os.path.join(self.root, PAPERS_DIR)
        if not os.path.isdir(folder):
            return []
        out = []
        with os.scandir(folder) as it:
            for entry in it:
                name = entry.name
                if name.startswith("."):
                    continue
                rel = f"{PAPERS_DIR}/{name}"
                if not entry.is_file():
                    self.problem(rel, 1, 1, "stray-file", "records live directly in papers/; this folder is ignored", WARNING)
                elif name.endswith(RECORD_SUFFIX):
                    out.append(name)
                elif name.endswith(".yml"):
                    self.problem(rel, 1, 1, "wrong-extension", f"records end in .yaml: rename it to {name[:-4]}.yaml")
                else:
                    self.problem(rel, 1, 1, "stray-file", "not a record (papers/<key>.yaml); ignored", WARNING)
        out.sort()
        return out

    def load_record(self, name: str) -> Paper | None:
        key = name[: -len(RECORD_SUFFIX)]
        rel = f"{PAPERS_DIR}/{name}"
        self.record_keys.add(key)
        key_ok = bool(schema.KEY_RE.fullmatch(key))
        if not key_ok:
            self.problem(rel, 1, 1, "bad-key",
                         f"file name {key!r} is not a valid key: use lowercase letters, digits and . _ - (e.g. vaswani2017attention)")
        raw, err = _read_capped(os.path.join(self.root, rel), MAX_RECORD_BYTES)
        if err:
            self.problem(rel, 1, 1, "too-large" if "limit" in err else "unreadable", err)
            return None
        text, bad = _decode(raw)
        if bad:
            self.problem(rel, bad[0], bad[1], "encoding", bad[2])
            return None
        try:
            data = yaml.load(text, Loader=FastLoader)
        except yaml.YAMLError as exc:
            line, col, msg = _yaml_error(exc, text)
            self.problem(rel, line, col, "yaml-syntax", msg)
            return None
        except RecursionError:
            self.problem(rel, 1, 1, "too-deep", "the record nests too deeply")
            return None
        source = _Source(rel, text)
        try:
            _check_shape(data)
        except _Refused as refused:
            line, col = source.first_alias() if refused.code == "yaml-alias" else (1, 1)
            self.problem(rel, line, col, refused.code, refused.message)
            return None
        self.sources[key] = source
        findings = schema.check_record(data, key)
        failed = False
        for f in findings:
            message = f"{f.path[0]}: {f.message}" if f.path and not f.on_key else f.message
            self.at(key, f.path, f.code, message, f.severity, f.on_key)
            failed = failed or f.severity == ERROR
        if failed or not key_ok:
            return None
        return _paper(key, rel, data)


def _paper(key: str, rel: str, data: dict) -> Paper:
    added = data.get("added")
    if isinstance(added, str):
        added = _dt.date.fromisoformat(added.strip())
    elif isinstance(added, _dt.datetime):
        added = added.date()
    return Paper(
        key=key,
        path=rel,
        title=" ".join(data["title"].split()),
        authors=tuple(a.strip() for a in data["authors"]),
        year=data["year"],
        topics=tuple(data["topics"]),
        summary=schema.to_bullets(data.get("summary") or []),
        venue=(data.get("venue") or "").strip() or None,
        links={k: v.strip() for k, v in (data.get("links") or {}).items()},
        category=data.get("category"),
        related=tuple(data.get("related") or ()),
        added=added,
        notes=data.get("notes"),
    )


# ---------------------------------------------------------------- topics


def _split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, body, line where the body starts)."""
    if not (text.startswith("---\n") or text.startswith("---\r\n")):
        return None, text, 1
    lines = text.splitlines(keepends=True)
    for i in range(1, len(lines)):
        if lines[i].rstrip() in ("---", "..."):
            return "".join(lines[1:i]), "".join(lines[i + 1 :]), i + 2
    return "".join(lines[1:]), "", len(lines) + 1


def _first_heading(body: str) -> str | None:
    for line in body.splitlines():
        if line.startswith("# "):
            return line[2:].strip().strip("#").strip() or None
    return None


def _load_topics(root: Path, loader: _Loader) -> dict[str, Topic]:
    folder = root / NOTES_DIR
    topics: dict[str, Topic] = {}
    if not folder.is_dir():
        return topics
    paths = sorted(p for p in folder.rglob("*.md") if not any(part.startswith(".") for part in p.relative_to(folder).parts))
    for path in paths:
        rel = path.relative_to(root).as_posix()
        tid = path.stem
        raw, err = _read_capped(path, MAX_NOTE_BYTES)
        if err:
            loader.problem(rel, 1, 1, "too-large" if "limit" in err else "unreadable", err)
            continue
        text, bad = _decode(raw)
        if bad:
            loader.problem(rel, bad[0], bad[1], "encoding", bad[2])
            continue
        if not schema.TOPIC_RE.fullmatch(tid):
            loader.problem(rel, 1, 1, "bad-topic-id",
                           f"note file name {tid!r} is not a valid topic id: use lowercase letters, digits and . _ -")
            continue
        if tid in topics:
            loader.problem(rel, 1, 1, "duplicate-topic", f"topic id {tid!r} is already used by {topics[tid].path}; topic ids are unique across notes/")
            continue
        front, body, body_line = _split_front_matter(text)
        meta: Any = {}
        if front is not None:
            try:
                meta = yaml.load(front, Loader=FastLoader) or {}
                _check_shape(meta)
            except yaml.YAMLError as exc:
                line, col, msg = _yaml_error(exc, front)
                loader.problem(rel, line + 1, col, "yaml-syntax", f"front matter: {msg}")
                continue
            except _Refused as refused:
                loader.problem(rel, 1, 1, refused.code, f"front matter: {refused.message}")
                continue
            if not isinstance(meta, dict):
                loader.problem(rel, 2, 1, "front-matter", "front matter must be a mapping (title: ..., description: ...)")
                continue
        title = meta.get("title")
        description = meta.get("description")
        if title is None:
            title = _first_heading(body)
            if title is None:
                loader.problem(rel, 1, 1, "missing-title", "a topic note needs a title: start it with front matter `---\\ntitle: ...\\n---`")
                continue
        if not isinstance(title, str) or not title.strip():
            loader.problem(rel, 2, 1, "front-matter", "front matter `title` must be non-empty text")
            continue
        if description is not None and not isinstance(description, str):
            loader.problem(rel, 2, 1, "front-matter", "front matter `description` must be text")
            description = None
        parent_dir = path.parent
        parent = parent_dir.name if parent_dir != folder else None
        topics[tid] = Topic(tid, rel, title.strip(), description, body, body_line, parent)
    # a folder names its parent topic only if a note of that name exists
    for tid, topic in list(topics.items()):
        if topic.parent is not None and (topic.parent not in topics or topic.parent == tid):
            topics[tid] = Topic(topic.id, topic.path, topic.title, topic.description, topic.body, topic.body_line, None)
    return topics


# ---------------------------------------------------------------- across records


def _cross_check(loader: _Loader, papers: dict[str, Paper], topics: dict[str, Topic]) -> None:
    first: dict[tuple[str, str], Paper] = {}
    for paper in papers.values():  # papers are in file order
        idents = [("title", "title", normalize_title(paper.title), ("title",))]
        if "arxiv" in paper.links:
            idents.append(("arXiv id", "arxiv", paper.links["arxiv"], ("links", "arxiv")))
        if "doi" in paper.links:
            idents.append(("DOI", "doi", normalize_doi(paper.links["doi"]), ("links", "doi")))
        for label, kind, value, path in idents:
            other = first.setdefault((kind, value), paper)
            if other is not paper:
                what = "title" if kind == "title" else f"{label} {paper.links[kind]}"
                loader.at(paper.key, path, "duplicate", f"same {what} as {other.path}: {paper.path} and {other.path} are the same paper")
        for i, tid in enumerate(paper.topics):
            if tid not in topics:
                near = schema.closest(tid, topics)
                hint = f"; the closest is `{near}`" if near else "; there are no notes in notes/ yet"
                loader.at(paper.key, ("topics", i), "unknown-topic", f"unknown topic {tid!r} (no notes/**/{tid}.md){hint}")
        for i, other_key in enumerate(paper.related):
            if other_key not in loader.record_keys:
                near = schema.suggest(other_key, loader.record_keys)
                hint = f"; did you mean `{near}`?" if near else ""
                loader.at(paper.key, ("related", i), "unknown-related", f"related record {other_key!r} does not exist{hint}")


@contextmanager
def _no_cyclic_gc():
    """Pause the cyclic garbage collector.

    Loading allocates hundreds of thousands of small, acyclic, long-lived
    objects; each automatic collection rescans all of them, which cost a
    sixth of the load time at 10,000 records. Reference counting still frees
    everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _check_citations(loader: _Loader, papers: dict[str, Paper], topics: dict[str, Topic]) -> None:
    """Every `[@key]` in a note or a record's `notes` must name a record."""
    known = loader.record_keys

    def report(rel: str, line: int, col: int, key: str) -> None:
        near = schema.suggest(key, known, cutoff=0.5) or schema.closest(key, known)
        hint = f"; did you mean `{near}`?" if near else ""
        loader.problem(rel, line, col, "unknown-citation", f"citation of unknown key @{key}{hint}")

    for topic in topics.values():
        for c in find_citations(topic.body):
            for item in c.items:
                if item.key not in known:
                    report(topic.path, topic.body_line + c.line - 1, c.column, item.key)
    for paper in papers.values():
        if not paper.notes:
            continue
        cites = find_citations(paper.notes)
        if not any(item.key not in known for c in cites for item in c.items):
            continue
        line, col = loader.sources[paper.key].locate(("notes",))
        node_is_block = loader.sources[paper.key].text.splitlines()[line - 1][col - 1 : col] in ("|", ">")
        for c in cites:
            for item in c.items:
                if item.key not in known:
                    if node_is_block:
                        report(paper.path, line + c.line, c.column + 2, item.key)
                    else:
                        report(paper.path, line + c.line - 1, (col if c.line == 1 else 1) + c.column - 1, item.key)


def load(root: str | os.PathLike) -> KnowledgeBase:
    """Load the KB at `root`: every valid record and topic, and every problem found."""
    with _no_cyclic_gc():
        return _load(Path(root))


def _load(root: Path) -> KnowledgeBase:
    loader = _Loader(root)
    papers: dict[str, Paper] = {}
    for name in loader.record_files():
        try:
            paper = loader.load_record(name)
        except Exception as exc:  # a bug of ours must not hide the other problems
            loader.problem(f"{PAPERS_DIR}/{name}", 1, 1, "internal-error", f"tlnotes could not check this file: {exc!r}")
            continue
        if paper is not None:
            papers[paper.key] = paper
    topics = _load_topics(root, loader)
    _cross_check(loader, papers, topics)
    _check_citations(loader, papers, topics)
    # a record with a cross-record error stays out of the KB's papers
    bad = {p.file for p in loader.problems if p.severity == ERROR}
    papers = {k: v for k, v in papers.items() if v.path not in bad}
    problems = sorted(set(loader.problems), key=lambda p: (p.file, p.line, p.column, p.code, p.message))
    return KnowledgeBase(root=root, papers=papers, topics=topics, problems=problems)
