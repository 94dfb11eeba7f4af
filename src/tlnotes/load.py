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

import gc
import os
import re
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from . import schema
from .citations import find_citations
from .markdown import leading_h1, line_col, split_front_matter
from .model import ERROR, WARNING, KnowledgeBase, Paper, Problem, Topic, identities

if TYPE_CHECKING:  # one class to check against; both have the same constructor methods
    FastLoader = yaml.CSafeLoader
else:
    try:  # libyaml; the pure-Python loader is a slow but correct fallback
        FastLoader = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - PyYAML built without libyaml
        FastLoader = yaml.SafeLoader

PAPERS_DIR = "papers"
NOTES_DIR = "notes"
DOCS_DIR = "docs"
RECORD_SUFFIX = ".yaml"
MAX_RECORD_BYTES = 1 << 20  # a record is a few KB; 1 MiB is generous
MAX_NOTE_BYTES = 4 << 20
MAX_NODES = 20_000  # containers and scalars in one record
MAX_DEPTH = 64
MAX_INT_DIGITS = 20  # far beyond any year; Python refuses to read ints of over 4,300 digits


ALIAS_MESSAGE = "anchors and aliases (&name, *name) are not allowed: write each value out"


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
            raise _Refused("yaml-alias", ALIAS_MESSAGE)
        seen.add(id(node))
        if depth >= MAX_DEPTH:
            raise _Refused("too-deep", f"it nests deeper than {MAX_DEPTH} levels")
        count += len(node)
        if count > MAX_NODES:
            raise _Refused("too-large", f"it has more than {MAX_NODES} values")
        for v in node.values() if type(node) is dict else node:
            if isinstance(v, (dict, list)):
                stack.append((v, depth + 1))


_PLAIN_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_DROPPED_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("int", "timestamp", "merge", "value")}
# What may stand before an anchor or alias (spaces aside): the start of a line or an indicator.
_BEFORE_ANCHOR = frozenset("\r\n\x85\u2028\u2029\ufeff:?[{,-")


def _may_have_anchor(text: str) -> bool:
    """Whether an `&` or `*` of the text is where a node starts; if none is, the text has no anchor.

    `*` is common in Markdown (*emphasis*), so each is looked at in place rather
    than by a regex tried at every position (a sixth of the load time).
    """
    for mark in "&*":
        i = text.find(mark)
        while i != -1:
            j = i
            while j and text[j - 1] in " \t":
                j -= 1
            if j == 0 or text[j - 1] in _BEFORE_ANCHOR:
                return True
            if j < i:  # after a tag (`!!str &a x`)?
                k = j
                while k and not text[k - 1].isspace():
                    k -= 1
                if text[k] == "!":
                    return True
            i = text.find(mark, i + 1)
    return False


def _implicit_resolvers() -> dict:
    """YAML 1.1's implicit types, less those that turn text into surprises.

    Integers are plain decimal (no 0x7e1, 03741, 2_017, 33:37 or +2017); dates
    and timestamps stay text for `schema.Date` to check (2024-02-30 would not
    even construct); `<<` merges and `=` are ordinary text.
    """
    out: dict = {}
    for first, pairs in yaml.resolver.Resolver.yaml_implicit_resolvers.items():
        kept = [(tag, rx) for tag, rx in pairs if tag not in _DROPPED_TAGS]
        if kept:
            out[first] = kept
    plain_int = re.compile(r"^-?(?:0|[1-9][0-9]*)\Z")
    for first in "-0123456789":
        out.setdefault(first, []).insert(0, ("tag:yaml.org,2002:int", plain_int))
    return out


class _YamlLoader(FastLoader):
    """libyaml's safe loader that also reports duplicate keys and refuses aliases."""

    yaml_implicit_resolvers = _implicit_resolvers()

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[tuple[yaml.Node, Any]] = []

    def construct_object(self, node, deep=False):
        # the composer hands an alias over as the node it names, so a node met twice is an alias
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _Refused("yaml-alias", ALIAS_MESSAGE)
        try:
            return super().construct_object(node, deep)
        except (ValueError, KeyError, TypeError, OverflowError):  # `!!float x`, `!!bool maybe`: a bad value, not a crash
            shown = node.value if isinstance(node, yaml.ScalarNode) else node.id
            return schema.Unreadable(f"{shown!r:.40} tagged {node.tag.replace('tag:yaml.org,2002:', '!!')}, which it is not")

    def construct_mapping(self, node, deep=False):
        """Keys in order; a repeated key is noted (the first value stays) instead of silently winning."""
        if not isinstance(node, yaml.MappingNode):
            raise ConstructorError(None, None, f"expected a mapping node, but found {node.id}", node.start_mark)
        mapping: dict = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                seen = key in mapping
            except TypeError:
                raise ConstructorError(
                    "while constructing a mapping", node.start_mark, "found unhashable key", key_node.start_mark
                ) from None
            if seen:
                self.duplicates.append((key_node, key))
            else:
                mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping

    def construct_plain_int(self, node):
        text = self.construct_scalar(node)
        if not _PLAIN_INT.fullmatch(text):
            return schema.Unreadable(f"{text[:40]!r}, not a whole number in plain decimal digits")
        if len(text.lstrip("-")) > MAX_INT_DIGITS:
            return schema.Unreadable(f"a number of {len(text.lstrip('-'))} digits")
        return int(text)


_YamlLoader.add_constructor("tag:yaml.org,2002:int", _YamlLoader.construct_plain_int)
# the stubs bind add_constructor's loader type to the method's own class, SafeConstructor, which
# they then refuse; a SafeConstructor method serves every subclass
_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", SafeConstructor.construct_yaml_str)  # type: ignore[type-var]

_FAILED = object()  # what _parse_yaml returns for a document it could not read


def _first_anchor(text: str, sure: bool = False) -> tuple[int, int] | None:
    """Line and column of the first anchor or alias, if the text has one."""
    if not sure and not _may_have_anchor(text):
        return None
    try:
        for event in yaml.parse(text, Loader=FastLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                return _mark_at(text, event.start_mark)
    except yaml.YAMLError:
        pass  # the load reports it
    return None


def _parse_yaml(text: str) -> tuple[Any, list[tuple[int, int, str, str]]]:
    """One YAML document as data (or _FAILED), and its problems as (line, col, code, message)."""
    anchor = _first_anchor(text)
    if anchor is not None:
        return _FAILED, [(*anchor, "yaml-alias", ALIAS_MESSAGE)]
    loader = _YamlLoader(text)
    try:
        data = loader.get_single_data()
        _check_shape(data)
    except yaml.YAMLError as exc:
        line, col, message = _yaml_error(exc, text)
        return _FAILED, [(line, col, "yaml-syntax", message)]
    except RecursionError:
        return _FAILED, [(1, 1, "too-deep", "it nests too deeply")]
    except _Refused as refused:
        line, col = (_first_anchor(text, sure=True) or (1, 1)) if refused.code == "yaml-alias" else (1, 1)
        return _FAILED, [(line, col, refused.code, refused.message)]
    finally:
        loader.dispose()
    return data, [
        (
            *_mark_at(text, k.start_mark),
            "duplicate-key",
            f"duplicate key {key!r:.60}: YAML would keep only one of the two values; remove or rename one",
        )
        for k, key in loader.duplicates
    ]


_EDITOR_BREAK = re.compile(r"\r\n?|\n")


def _mark_at(text: str, mark) -> tuple[int, int]:
    """Line and column of a YAML mark as an editor counts them: YAML also breaks lines at NEL, LS and PS."""
    if mark.line == text.count("\n", 0, mark.index):
        return mark.line + 1, mark.column + 1
    # editors break lines at \n, \r\n and a lone \r, not at NEL, LS or PS
    before = text[: mark.index]
    breaks = list(_EDITOR_BREAK.finditer(before))
    return len(breaks) + 1, mark.index - (breaks[-1].end() if breaks else 0) + 1


class _Unreadable(Exception):
    """A file that cannot be taken in: its problem code and the reason, located at line:column."""

    def __init__(self, code: str, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.code, self.message, self.line, self.column = code, message, line, column


def _decode(raw: bytes) -> str:
    """UTF-8 text; _Unreadable at the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        good = raw[: exc.start].decode("utf-8", "replace")
        line, col = line_col(good, len(good))
        bad = raw[exc.start : exc.start + 1].hex()
        raise _Unreadable("encoding", f"the file is not valid UTF-8 (byte 0x{bad}); save it as UTF-8", line, col) from None


def _yaml_error(exc: yaml.YAMLError, text: str) -> tuple[int, int, str]:
    """Line, column and a readable message for a YAML parse failure."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if isinstance(exc, yaml.reader.ReaderError):
        line, col = line_col(text, exc.position)
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
    return (*_mark_at(text, mark), message)


def _char_at(text: str, line: int, column: int) -> str:
    """The character at a 0-based line and column, or ''."""
    lines = text.split("\n", line + 1)
    return lines[line][column : column + 1] if line < len(lines) else ""


def _read_capped(path: str | Path, limit: int) -> bytes:
    """The file's bytes, never reading more than `limit` + 1 of them; _Unreadable if too large or unreadable."""
    try:
        # O_NONBLOCK: a FIFO put in place after the folder scan must not hang the load
        with open(os.open(path, os.O_RDONLY | os.O_NONBLOCK), "rb") as fh:
            st = os.fstat(fh.fileno())
            if not stat.S_ISREG(st.st_mode):
                raise _Unreadable("unreadable", "cannot read the file: not a regular file")
            size = st.st_size
            raw = b""
            if size <= limit:
                # sized reads: read(limit) would allocate a limit-sized buffer per file
                raw = fh.read(size + 1)
                if len(raw) > size:  # it grew meanwhile
                    raw += fh.read(limit + 1 - len(raw))
            if size > limit or len(raw) > limit:
                raise _Unreadable(
                    "too-large",
                    f"the file is {max(size, limit + 1) / 1e6:.1f} MB; the limit for this file is {limit // (1 << 20)} MiB",
                )
        return raw
    except OSError as exc:
        raise _Unreadable("unreadable", f"cannot read the file: {exc.strerror or exc}") from None


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

    def __getstate__(self):  # kept between builds without its YAML nodes, which are made again when asked
        return {"rel": self.rel, "text": self.text, "_root": None}

    def locate(self, path: tuple, on_key: bool = False) -> tuple[int, int]:
        if self._root is None:
            try:
                self._root = yaml.compose(self.text, Loader=_YamlLoader) or False
            except yaml.YAMLError:
                self._root = False
        if not self._root:
            return 1, 1
        node = _find_node(self._root, path, on_key)
        return _mark_at(self.text, node.start_mark)

    def position(self, path: tuple = (), line: int = 1, column: int = 1) -> tuple[int, int]:
        """File line and column of the value at `path`, or of `line`:`column` inside that text value."""
        at_line, at_col = self.locate(path)
        if line == 1 and column == 1:
            return at_line, at_col
        lines = self.text.splitlines()
        opener = lines[at_line - 1][at_col - 1 : at_col] if at_line <= len(lines) else ""
        if opener in ("|", ">"):  # a block scalar: its text starts on the next line, at that line's indentation
            body = lines[at_line] if at_line < len(lines) else ""
            return at_line + line, len(body) - len(body.lstrip(" ")) + column
        if line == 1:  # on the key's line, after the value's opening quote if it has one
            return at_line, at_col + column - 1 + (opener in ("'", '"'))
        return at_line + line - 1, column


# ---------------------------------------------------------------- records


@dataclass
class _Parsed:
    """One record file's text and what checking it alone found: its paper (None if it has an error) and problems."""

    text: str
    paper: Paper | None
    problems: list[Problem]
    source: _Source | None


@dataclass
class ParseCache:
    """The records an earlier `load` of this KB in this process parsed, by file name and text.

    A server loads the KB again on every save; a record whose text is unchanged is not parsed or checked again
    (each file's own problems depend on its text alone; problems across records are found afresh every time).
    """

    records: dict[str, _Parsed] = field(default_factory=dict)

    def keep_only(self, names: set[str]) -> None:
        for name in self.records.keys() - names:
            del self.records[name]


class _Loader:
    def __init__(self, root: Path, cache: ParseCache | None = None):
        self.root = root
        self.cache = cache
        self.real_root = os.path.realpath(root)
        self.problems: list[Problem] = []
        self.docs_files: set[str] = set()  # under docs/, relative to it: what a note may link to besides generated pages
        self.sources: dict[str, _Source] = {}  # key -> source, for records that parsed
        self.record_keys: set[str] = set()  # every record file, valid or not

    def problem(self, rel: str, line: int, col: int, code: str, message: str, severity: str = ERROR):
        self.problems.append(Problem(rel, line, col, severity, code, message))

    def at(self, key: str, path: tuple, code: str, message: str, severity: str = ERROR, on_key: bool = False):
        source = self.sources[key]
        line, col = source.locate(path, on_key)
        self.problem(source.rel, line, col, code, message, severity)

    def entries(self, rel_dir: str, special: str = WARNING) -> Iterator[tuple[str, str, bool]]:
        """(name, rel, is_dir) of each entry of `rel_dir` that is safe to open, sorted by name.

        A symbolic link is followed only if it stays inside the knowledge base:
        anything else in papers/, notes/ or docs/ would be published. FIFOs,
        sockets and devices are never opened (reading a FIFO blocks forever).
        """
        try:
            with os.scandir(os.path.join(self.root, rel_dir)) as it:
                found = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            self.problem(rel_dir, 1, 1, "unreadable", f"cannot read the folder: {exc.strerror or exc}")
            return
        for entry in found:
            rel = f"{rel_dir}/{entry.name}"
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if not os.path.exists(entry.path):
                    self.problem(
                        rel,
                        1,
                        1,
                        "symlink-broken",
                        f"symbolic link to {os.readlink(entry.path)!r}, which does not exist (or loops)",
                    )
                    continue
                if os.path.commonpath([target, self.real_root]) != self.real_root:
                    self.problem(
                        rel,
                        1,
                        1,
                        "symlink-outside",
                        f"symbolic link to {target}, outside the knowledge base: it would be published; copy the file in instead",
                    )
                    continue
            try:
                mode = os.stat(entry.path).st_mode
            except OSError as exc:
                self.problem(rel, 1, 1, "unreadable", f"cannot read it: {exc.strerror or exc}")
                continue
            if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
                yield entry.name, rel, stat.S_ISDIR(mode)
            else:
                self.problem(rel, 1, 1, "not-a-file", "not a regular file (a FIFO, socket or device); it is never read", special)

    def tree(
        self, rel_dir: str, special: str = WARNING, skip_hidden: bool = False, folder_ok=None
    ) -> Iterator[tuple[str, str, str]]:
        """(name, rel, rel_dir) of every file under `rel_dir`; folders that loop are walked once."""
        seen: set[str] = set()
        stack = [rel_dir]
        while stack:
            here = stack.pop()
            real = os.path.realpath(os.path.join(self.root, here))
            if real in seen:
                continue
            seen.add(real)
            subdirs = []
            for name, rel, is_dir in self.entries(here, special):
                if skip_hidden and name.startswith("."):
                    continue
                if not is_dir:
                    yield name, rel, here
                elif folder_ok is None or folder_ok(name, rel):
                    subdirs.append(rel)
            stack.extend(reversed(subdirs))

    def record_files(self) -> list[str]:
        """Names of the record files in papers/, sorted; strays reported."""
        if not os.path.isdir(os.path.join(self.root, PAPERS_DIR)):
            return []
        out = []
        for name, rel, is_dir in self.entries(PAPERS_DIR):
            if name.startswith("."):
                continue
            if is_dir:
                self.problem(rel, 1, 1, "stray-file", "records live directly in papers/; this folder is ignored", WARNING)
            elif name.endswith(RECORD_SUFFIX):
                out.append(name)
            elif name.endswith(".yml"):
                self.problem(rel, 1, 1, "wrong-extension", f"records end in .yaml: rename it to {name[:-4]}.yaml")
            else:
                self.problem(rel, 1, 1, "stray-file", "not a record (papers/<key>.yaml); ignored", WARNING)
        return out

    def id_ok(self, rel: str, name: str, what: str) -> bool:
        """Whether a file stem is a usable key or topic id; if not, one problem says why."""
        if name in schema.RESERVED_IDS:
            page = "the all-papers page" if what == "key" else "the topics index"
            self.problem(rel, 1, 1, "reserved", f"{name!r} is a reserved name (it would replace {page}); rename the file")
        elif not schema.KEY_RE.fullmatch(name):
            code, thing = ("bad-key", "key") if what == "key" else ("bad-topic-id", "topic id")
            self.problem(
                rel,
                1,
                1,
                code,
                f"file name {name!r} is not a valid {thing}: use lowercase letters, digits and . _ -, "
                f"at most {schema.MAX_KEY_LENGTH} characters (e.g. vaswani2017attention)",
            )
        else:
            return True
        return False

    def read_text(self, rel: str, limit: int) -> str | None:
        """The file's text, or None with the reason reported (too large, unreadable, not UTF-8)."""
        try:
            return _decode(_read_capped(os.path.join(self.root, rel), limit))
        except _Unreadable as why:
            self.problem(rel, why.line, why.column, why.code, why.message)
            return None

    def parse(self, rel: str, text: str, first_line: int = 1, prefix: str = "") -> Any:
        """The YAML document's data, or _FAILED; its problems reported, offset to the file's lines."""
        data, found = _parse_yaml(text)
        for line, col, code, message in found:
            self.problem(rel, line + first_line - 1, col, code, prefix + message)
        return data

    def load_record(self, name: str) -> Paper | None:
        key = name[: -len(RECORD_SUFFIX)]
        rel = f"{PAPERS_DIR}/{name}"
        self.record_keys.add(key)
        key_ok = self.id_ok(rel, key, "key")
        text = self.read_text(rel, MAX_RECORD_BYTES)
        if text is None:
            return None
        cached = self.cache.records.get(name) if self.cache is not None else None
        if cached is not None and cached.text == text:  # the same bytes as last time: the same answer
            self.problems += cached.problems
            if cached.source is not None:
                self.sources[key] = cached.source
            return cached.paper if key_ok else None
        before = len(self.problems)
        data = self.check_record(rel, key, text)
        paper = None if data is None else _paper(key, rel, data)
        if self.cache is not None:
            self.cache.records[name] = _Parsed(text, paper, self.problems[before:], self.sources.get(key))
        return paper if key_ok else None

    def check_record(self, rel: str, key: str, text: str, optional: tuple[str, ...] = ()) -> dict | None:
        """The record's data if it has no error, else None; every problem reported either way."""
        before = len(self.problems)
        data = self.parse(rel, text)
        if data is _FAILED:
            return None
        failed = len(self.problems) > before  # duplicate keys
        self.sources[key] = _Source(rel, text)
        for f in schema.check_record(data, key):
            if f.code == "missing-field" and any(f.message.startswith(f"missing required field `{o}`") for o in optional):
                continue
            message = f"{f.path[0]}: {f.message}" if f.path and not f.on_key else f.message
            self.at(key, f.path, f.code, message, f.severity, f.on_key)
            failed = failed or f.severity == ERROR
        return None if failed else data


def record_text_errors(text: str, key: str, optional: tuple[str, ...] = ()) -> list[Problem]:
    """The errors `check` would report in a record file holding `text`, before anything is written.

    `add` and the importers ask this, the loader itself, so whatever they write
    passes `check` (topics, related keys and duplicates across records aside:
    those are theirs to look after). `optional` names required fields that
    may still be missing, such as topics the curator fills in later.
    """
    loader = _Loader(Path("."))
    rel = f"{PAPERS_DIR}/{key}{RECORD_SUFFIX}"
    if len(text.encode("utf-8")) > MAX_RECORD_BYTES:
        return [Problem(rel, 1, 1, ERROR, "too-large", f"the record would be over {MAX_RECORD_BYTES >> 20} MiB")]
    loader.id_ok(rel, key, "key")
    loader.check_record(rel, key, text, optional)
    return [p for p in loader.problems if p.severity == ERROR]


def _paper(key: str, rel: str, data: dict) -> Paper:
    return Paper(key=key, path=rel, **schema.model_fields(data))


# ---------------------------------------------------------------- topics


def _load_topics(root: Path, loader: _Loader) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    if not (root / NOTES_DIR).is_dir():
        return topics

    def folder_ok(name: str, rel: str) -> bool:
        # a folder names its parent topic, so it follows the topic id rule (no newline to forge output lines)
        if schema.TOPIC_RE.fullmatch(name):
            return True
        loader.problem(
            rel,
            1,
            1,
            "bad-folder",
            f"folder name {name!r} is not a valid topic id: use lowercase letters, digits and . _ -; its notes are not loaded",
        )
        return False

    notes = [
        (rel, here) for name, rel, here in loader.tree(NOTES_DIR, skip_hidden=True, folder_ok=folder_ok) if name.endswith(".md")
    ]
    for rel, here in sorted(notes, key=lambda n: n[0].split("/")):
        try:
            topic = _load_note(loader, rel, here, topics)
        except Exception as exc:  # a bug of ours must not hide the other problems
            loader.problem(rel, 1, 1, "internal-error", f"tlnotes could not check this file: {exc!r}")
            continue
        if topic is not None:
            topics[topic.id] = topic
    # a folder names its parent topic only if a note of that name exists
    for tid, topic in list(topics.items()):
        if topic.parent is not None and (topic.parent not in topics or topic.parent == tid):
            topics[tid] = Topic(topic.id, topic.path, topic.title, topic.description, topic.body, topic.body_line, None)
    return topics


def _load_note(loader: _Loader, rel: str, here: str, topics: dict[str, Topic]) -> Topic | None:
    tid = rel.rsplit("/", 1)[1][: -len(".md")]
    text = loader.read_text(rel, MAX_NOTE_BYTES)
    if text is None:
        return None
    if not loader.id_ok(rel, tid, "topic"):
        return None
    if tid in topics:
        loader.problem(
            rel,
            1,
            1,
            "duplicate-topic",
            f"topic id {tid!r} is already used by {topics[tid].path}; topic ids are unique across notes/",
        )
        return None
    front, body, body_line = split_front_matter(text)
    meta: Any = {}
    if front is not None:
        before = len(loader.problems)
        meta = loader.parse(rel, front, first_line=2, prefix="front matter: ")
        if meta is _FAILED or len(loader.problems) > before:
            return None
        meta = {} if meta is None else meta
        if not isinstance(meta, dict):
            loader.problem(rel, 2, 1, "front-matter", "front matter must be a mapping (title: ..., description: ...)")
            return None
    title = meta.get("title")
    description = meta.get("description")
    if title is None:
        title = leading_h1(body)[0]
        if title is None:
            loader.problem(
                rel, 1, 1, "missing-title", "a topic note needs a title: start it with front matter `---\\ntitle: ...\\n---`"
            )
            return None
    if not isinstance(title, str) or not schema.has_visible(title):
        loader.problem(rel, 2, 1, "front-matter", "front matter `title` must be non-empty text")
        return None
    if description is not None and not isinstance(description, str):
        loader.problem(rel, 2, 1, "front-matter", "front matter `description` must be text")
        description = None
    parent = here.rsplit("/", 1)[1] if here != NOTES_DIR else None
    return Topic(tid, rel, title.strip(), description, body, body_line, parent)


def _check_docs(loader: _Loader) -> None:
    """Report what MkDocs would publish from docs/ that it should not; MkDocs reads the files itself."""
    if os.path.isdir(os.path.join(loader.root, DOCS_DIR)):
        for _name, rel, _dir in loader.tree(DOCS_DIR, special=ERROR):  # a FIFO would hang the build: an error
            loader.docs_files.add(rel[len(DOCS_DIR) + 1 :])


# ---------------------------------------------------------------- across records


_KEY_YEAR_RE = re.compile(r"(?<![0-9])(1[89][0-9]{2}|20[0-9]{2})(?![0-9])")
# a size or count in parentheses: (2.7B), (175B), (7B, 13B), (1.3 billion), (540B params)
_SIZE = r"[~≈]?[0-9][0-9.,]*\s*(?:[kmbt]|thousand|million|billion|trillion)\b"
_LABEL_SIZE_RE = re.compile(rf"\(\s*{_SIZE}[^()]*\)", re.I)
_ARXIV_VENUE_RE = re.compile(r"(?<![a-z])(?:arxiv|corr)(?![a-z])", re.I)


def key_year(key: str) -> int | None:
    """The 4-digit year a key carries (`liu2023lost`: 2023), if any; `gpt4` and `t5-11b` carry none."""
    m = _KEY_YEAR_RE.search(key)
    return int(m.group(1)) if m else None


def label_title(title: str) -> str | None:
    """Why `title` looks like a label rather than a paper's title (`PubMedGPT (2.7B)`, `AutoMoE`), or None."""
    words = title.split()
    if len(words) == 1:
        return "a single word"
    if _LABEL_SIZE_RE.search(title):
        return "a name with a model size or count in parentheses"
    return None


def _fact_checks(loader: _Loader, paper: Paper) -> None:
    """Warnings for what a record's facts say against each other: key and year, title, venue and arXiv id."""
    said = key_year(paper.key)
    if said is not None and said != paper.year:
        new = _KEY_YEAR_RE.sub(str(paper.year), paper.key, count=1)
        loader.at(
            paper.key,
            ("year",),
            "key-year",
            f"the key says {said} but `year` is {paper.year}: if the year is right, rename the key with "
            f"`tlnotes rename {paper.key} {new}` (citations and related entries follow)",
            WARNING,
        )
    why = label_title(paper.title)
    if why is not None:
        loader.at(
            paper.key,
            ("title",),
            "label-title",
            f"title {paper.title!r:.80} looks like a label ({why}), not a paper's title: write the title as the paper prints it",
            WARNING,
        )
    if paper.venue and _ARXIV_VENUE_RE.search(paper.venue) and not paper.links.get("arxiv"):
        loader.at(
            paper.key,
            ("venue",),
            "arxiv-venue-no-id",
            f"venue {paper.venue!r:.60} names arXiv but the record has no `links.arxiv`: add the arXiv id "
            "(`tlnotes update` looks it up by title); an arXiv-only preprint needs no venue",
            WARNING,
        )


def _check_aliases(loader: _Loader, papers: dict[str, Paper]) -> dict[str, str]:
    """alias -> the key of the record that lists it; an alias that is a key, or listed twice, is an error."""
    owner: dict[str, str] = {}
    for paper in papers.values():
        for i, alias in enumerate(paper.aliases):
            if alias == paper.key:
                message = "an alias is an old key: the record's own key is not one; remove it"
            elif alias in loader.record_keys:
                message = f"alias {alias!r} is the key of papers/{alias}{RECORD_SUFFIX}: an old key cannot name another record"
            elif alias in owner:
                message = f"alias {alias!r} is an alias of papers/{owner[alias]}{RECORD_SUFFIX} too: an old key names one record"
            else:
                owner[alias] = paper.key
                continue
            loader.at(paper.key, ("aliases", i), "alias-collision", message)
    return owner


def _renamed_hint(key: str, aliases: dict[str, str]) -> str | None:
    """A hint for a key that is now an alias: what it was renamed to, and the command that rewrites it."""
    new = aliases.get(key)
    if new is None:
        return None
    return f"; {key} was renamed to {new}: run `tlnotes rename {key} {new}` to rewrite what still names {key}"


def _cross_check(loader: _Loader, papers: dict[str, Paper], topics: dict[str, Topic]) -> dict[str, str]:
    first: dict[tuple[str, str], Paper] = {}
    aliases = _check_aliases(loader, papers)
    for paper in papers.values():  # papers are in file order
        _fact_checks(loader, paper)
        for kind, value, what in identities(paper.links, paper.title):
            other = first.setdefault((kind, value), paper)
            if other is not paper:
                label = next((k for k, v in paper.links.items() if kind == "url" and v.rstrip("/") == value), kind)
                at = ("title",) if kind == "title" else ("links", label)
                loader.at(
                    paper.key, at, "duplicate", f"same {what} as {other.path}: {paper.path} and {other.path} are the same paper"
                )
        for i, tid in enumerate(paper.topics):
            if tid not in topics:
                near = schema.closest(tid, topics)
                hint = f"; the closest is `{near}`" if near else "; there are no notes in notes/ yet"
                loader.at(paper.key, ("topics", i), "unknown-topic", f"unknown topic {tid!r} (no notes/**/{tid}.md){hint}")
        for i, other_key in enumerate(paper.related):
            if other_key not in loader.record_keys:
                near = schema.suggest(other_key, loader.record_keys)
                hint = _renamed_hint(other_key, aliases) or (f"; did you mean `{near}`?" if near else "")
                loader.at(paper.key, ("related", i), "unknown-related", f"related record {other_key!r} does not exist{hint}")
    return aliases


@contextmanager
def no_cyclic_gc():
    """Pause the cyclic garbage collector.

    Loading allocates hundreds of thousands of small, acyclic, long-lived
    objects; each automatic collection rescans all of them, which cost a
    sixth of the load time at 10,000 records (and unpickling what a build
    keeps, signed.py, a third of its time). Reference counting still frees
    everything as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


Where = Callable[[int, int], tuple[int, int]]  # a line and column in a note's text -> in its file


def _below(first_line: int) -> Where:
    """Where, for a text that starts at the start of `first_line` of its file."""
    return lambda line, col: (first_line + line - 1, col)


def _note_texts(loader: _Loader, papers: dict[str, Paper], topics: dict[str, Topic]) -> Iterator[tuple[str, str, str, Where]]:
    """(file, text, page it renders on, where(line, col) -> file line and column) of every Markdown note,
    and of the hand-written pages in docs/, whose links a strict build checks too."""
    from .render import paper_path, topic_path

    for topic in topics.values():
        yield topic.path, topic.body, topic_path(topic.id), _below(topic.body_line)
    for paper in papers.values():
        if not paper.notes:
            continue

        def where(line, col, source=loader.sources[paper.key]):
            return source.position(("notes",), line, col)

        yield paper.path, paper.notes, paper_path(paper.key), where
    for rel in sorted(loader.docs_files):  # hand-written pages: MkDocs checks their links too
        if rel.endswith(".md"):
            text = _read_doc(loader.root, rel)
            front, body, body_line = split_front_matter(text)
            yield f"{DOCS_DIR}/{rel}", body, rel, _below(body_line)


def _check_notes(loader: _Loader, papers: dict[str, Paper], topics: dict[str, Topic], aliases: dict[str, str]) -> None:
    """Citations name records; links lead to pages and headings; nesting stays within what the build can take."""
    from .render import BIBLIOGRAPHY, page_paths, render_page
    from .sitecheck import SitePages, check_text

    known = loader.record_keys
    kb = KnowledgeBase(root=loader.root, papers=papers, topics=topics)
    site = SitePages(
        lambda: page_paths(kb),
        docs=loader.docs_files,
        extra={BIBLIOGRAPHY},
        page_markdown=lambda path: render_page(kb, path) if path not in loader.docs_files else _read_doc(loader.root, path),
    )
    for rel, text, page, where in _note_texts(loader, papers, topics):
        cites = [] if rel.startswith(f"{DOCS_DIR}/") else find_citations(text)  # docs/ pages are not rendered by us
        for c in cites:
            for item in c.items:
                if item.key not in known:
                    near = schema.suggest(item.key, known, cutoff=0.5) or schema.closest(item.key, known)
                    hint = _renamed_hint(item.key, aliases) or (f"; did you mean `{near}`?" if near else "")
                    loader.problem(
                        rel, *where(c.line, c.column), "unknown-citation", f"citation of unknown key @{item.key}{hint}"
                    )
        for f in check_text(text, page, site):
            loader.problem(rel, *where(*line_col(text, f.offset)), f.code, f.message)


def _read_doc(root: Path, rel: str) -> str:
    try:  # the docs/ scan has reported an unreadable file already
        return _read_capped(os.path.join(root, DOCS_DIR, rel), MAX_NOTE_BYTES).decode("utf-8", "replace")
    except _Unreadable:
        return ""


def load(root: str | os.PathLike, cache: ParseCache | None = None, jobs: int = 1) -> KnowledgeBase:
    """Load the KB at `root`: every valid record and topic, and every problem found.

    With a `cache` (kept by the caller between loads), records whose text has not changed are not parsed again;
    with `jobs` 2 as well, the records it lacks are parsed half in a forked process first (`parallel.in_halves`,
    which only a process without other threads may call: `tlnotes build`)."""
    with no_cyclic_gc():
        return _load(Path(root), cache, jobs)


def _parse_first(root: Path, names: list[str], cache: ParseCache, jobs: int) -> None:
    """Put in `cache` what checking each record the cache lacks alone finds, in `jobs` processes: the load that
    follows takes each from the cache as it would a record unchanged since the last load. At 10,000 records,
    parsing them is 2.3 s of a 2.6 s load."""
    from . import parallel

    todo = [name for name in names if name not in cache.records]
    parsed = ParseCache()
    alone = _Loader(root, parsed)  # its own problems and sources: only what `load_record` caches is kept

    def parse(name: str) -> _Parsed | None:
        alone.load_record(name)
        return parsed.records.get(name)  # None: unreadable, which the load says

    for name, record in zip(todo, parallel.in_halves(todo, parse, jobs), strict=True):
        if record is not None:
            cache.records[name] = record


def _load(root: Path, cache: ParseCache | None = None, jobs: int = 1) -> KnowledgeBase:
    loader = _Loader(root, cache)
    papers: dict[str, Paper] = {}
    names = loader.record_files()
    if cache is not None:
        cache.keep_only(set(names))
        if jobs > 1:
            _parse_first(root, names, cache, jobs)
    for name in names:
        try:
            paper = loader.load_record(name)
        except Exception as exc:  # a bug of ours must not hide the other problems
            loader.problem(f"{PAPERS_DIR}/{name}", 1, 1, "internal-error", f"tlnotes could not check this file: {exc!r}")
            continue
        if paper is not None:
            papers[paper.key] = paper
    topics = _load_topics(root, loader)
    _check_docs(loader)
    aliases = _cross_check(loader, papers, topics)
    _check_notes(loader, papers, topics, aliases)
    # a record with a cross-record error stays out of the KB's papers
    bad = {p.file for p in loader.problems if p.severity == ERROR}
    papers = {k: v for k, v in papers.items() if v.path not in bad}
    problems = sorted(set(loader.problems), key=lambda p: (p.file, p.line, p.column, p.code, p.message))
    positions: dict[str, Callable[..., tuple[int, int]]] = {source.rel: source.position for source in loader.sources.values()}
    for topic in topics.values():
        positions[topic.path] = lambda path=(), line=1, column=1, first=topic.body_line: (first + line - 1, column)
    return KnowledgeBase(root=root, papers=papers, topics=topics, problems=problems, positions=positions)
