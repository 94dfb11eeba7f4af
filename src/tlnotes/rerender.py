"""Render again only the pages and files whose inputs changed: a server's rebuild after a save, and a build after an edit.

`render_page` and the extra files' makers read the knowledge base and its Index through their mappings
(`kb.papers`, `idx.by_topic`, `idx.authors`, ...). Making each output with those mappings wrapped notes which
entries it read; the next time, an output is made again only if one of those entries is no longer equal, or if it
went through a whole mapping (a listing) and anything in that mapping changed. Rendering is pure, so what an output
read is all it depends on: the outputs equal a full render's (tests/test_rerender.py compares them over random
edit sequences). The Site, and whether any record has a reading status, count for every output.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
import sys
from array import array
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from . import parallel, signed
from .incremental import MANIFEST_DIR, code_key
from .index import Index, build_index
from .load import ParseCache, load, no_cyclic_gc
from .model import KnowledgeBase
from .render import Page, Site, extra_makers, page_paths, render_page

EVERYTHING = "*"  # an entry name meaning: the whole mapping (its keys, its order, every value)
KB_MAPPINGS = ("papers", "topics")
INDEX_MAPPINGS: tuple[str, ...] = ("by_topic", "children", "by_year", "authors", "author_pages", "author_page_of")
INDEX_MAPPINGS += ("author_names", "citations", "cited_in", "related", "similar", "papers_under")
Read = tuple[str, Any]  # (mapping name, key), or (name, EVERYTHING)


def _read_whole(method: Callable) -> Callable:
    """`method` of a dict or list, noting first that the caller read the whole mapping (its keys, order, values)."""

    def read(self, *args):
        self._log.add((self._name, EVERYTHING))
        return method(self, *args)

    return read


class _Reads(dict):
    """A copy of one mapping that notes, in `log`, each entry read and any read of the whole."""

    def __init__(self, name: str, data: Mapping, log: set[Read]) -> None:
        super().__init__(data)
        self._name = name
        self._log = log

    def __getitem__(self, key):
        self._log.add((self._name, key))
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        self._log.add((self._name, key))
        return dict.get(self, key, default)

    def __contains__(self, key) -> bool:
        self._log.add((self._name, key))
        return dict.__contains__(self, key)

    __iter__ = _read_whole(dict.__iter__)
    __len__ = _read_whole(dict.__len__)
    __reversed__ = _read_whole(dict.__reversed__)
    __eq__ = _read_whole(dict.__eq__)
    keys = _read_whole(dict.keys)
    values = _read_whole(dict.values)
    items = _read_whole(dict.items)
    copy = _read_whole(lambda self: dict(dict.items(self)))
    __hash__ = None  # a dict: unhashable


TOPIC_TEXT = "topic_text"  # the entry name for reads of a topic's prose, apart from its title and place
TEXT_FIELDS = frozenset({"body", "body_line"})


class _TopicSeen:
    """A topic as an output sees it: reading its prose is noted apart from reading its title and place, so an edit
    of a note's text makes again what shows that text (its page), not every page that links the topic."""

    __slots__ = ("_topic", "_log")

    def __init__(self, topic, log: set[Read]) -> None:
        object.__setattr__(self, "_topic", topic)
        object.__setattr__(self, "_log", log)

    def __getattr__(self, name: str):
        topic = object.__getattribute__(self, "_topic")
        if name in TEXT_FIELDS:
            object.__getattribute__(self, "_log").add((TOPIC_TEXT, topic.id))
        return getattr(topic, name)

    def __setattr__(self, name, value):
        raise AttributeError("a topic is read-only")

    def _all(self):
        topic = object.__getattribute__(self, "_topic")
        object.__getattribute__(self, "_log").add((TOPIC_TEXT, topic.id))
        return topic

    def __eq__(self, other) -> bool:
        return self._all() == (other._all() if isinstance(other, _TopicSeen) else other)

    def __hash__(self) -> int:
        return hash(self._all())


class _TopicReads(_Reads):
    """`kb.topics`, its values seen as `_TopicSeen`."""

    def __getitem__(self, key):
        return _TopicSeen(super().__getitem__(key), self._log)

    def get(self, key, default=None):
        value = super().get(key, _MISSING)
        return default if value is _MISSING else _TopicSeen(value, self._log)

    def values(self):
        return [_TopicSeen(v, self._log) for v in super().values()]

    def items(self):
        return [(k, _TopicSeen(v, self._log)) for k, v in super().items()]


class _ReadsList(list):
    """A copy of one list (the root topics) that notes any read of it as a read of the whole."""

    def __init__(self, name: str, data: Iterable, log: set[Read]) -> None:
        super().__init__(data)
        self._name = name
        self._log = log

    __iter__ = _read_whole(list.__iter__)
    __len__ = _read_whole(list.__len__)
    __getitem__ = _read_whole(list.__getitem__)
    __contains__ = _read_whole(list.__contains__)


def _mappings(kb: KnowledgeBase, idx: Index) -> dict[str, Any]:
    """Everything an output can read, by name: the KB's mappings and the Index's."""
    out: dict[str, Any] = {name: getattr(kb, name) for name in KB_MAPPINGS}
    out.update({name: getattr(idx, name) for name in INDEX_MAPPINGS})
    out["bibtex"] = idx.bibtex
    out["roots"] = idx.roots
    return out


def _watched(kb: KnowledgeBase, idx: Index, log: set[Read]) -> tuple[KnowledgeBase, Index]:
    """The KB and Index as outputs see them: every mapping a `_Reads` noting into `log`."""
    kinds: dict[str, type] = {"roots": _ReadsList, "topics": _TopicReads}
    seen: dict[str, Any] = {name: kinds.get(name, _Reads)(name, data, log) for name, data in _mappings(kb, idx).items()}
    wkb = dataclasses.replace(kb, papers=seen["papers"], topics=seen["topics"])
    widx = copy.copy(idx)
    widx.kb = wkb
    for name in INDEX_MAPPINGS:
        setattr(widx, name, seen[name])
    widx.roots = seen["roots"]
    widx.__dict__["bibtex"] = seen["bibtex"]  # over the cached_property
    return wkb, widx


_MISSING = object()


def _changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[set[Read], set[str]]:
    """The entries that differ between two sets of mappings, and the names of the mappings that differ at all."""
    entries: set[Read] = set()
    whole: set[str] = set()
    for name, now in new.items():
        before = old[name]
        if name == "roots":
            if before != now:
                whole.add(name)
            continue
        for key in before.keys() | now.keys():
            a, b = before.get(key, _MISSING), now.get(key, _MISSING)
            if a is b or a == b:
                continue
            if name == "topics":
                entries.add((TOPIC_TEXT, key))
                if a is not _MISSING and b is not _MISSING and _same_but_text(a, b):
                    continue  # only its prose: what read the title and place of the topic stays as it was
            entries.add((name, key))
            whole.add(name)
        if name not in whole and list(before) != list(now):  # the same entries in another order
            whole.add(name)
    return entries, whole


def _same_but_text(a, b) -> bool:
    return all(getattr(a, f.name) == getattr(b, f.name) for f in dataclasses.fields(a) if f.name not in TEXT_FIELDS)


@dataclasses.dataclass
class _Output:
    value: Any
    reads: array  # the entries it read, by number (`Rerender.numbers`): a few bytes each, at 10,000 papers 600,000 of them
    wholes: tuple[str, ...]  # the mappings it read whole


class Rerender:
    """What the last render made and read, kept between rebuilds of one knowledge base (`Warm`)."""

    def __init__(self) -> None:
        self.outputs: dict[str, _Output] = {}
        self.snapshot: dict[str, Any] | None = None
        self.context: tuple | None = None
        self.made: list[str] = []  # the outputs made (not reused) by the last `update`
        self.numbers: dict[Read, int] = {}  # each entry any output has read, numbered

    def update(self, kb: KnowledgeBase, site: Site, idx: Index, jobs: int = 1) -> tuple[dict[str, Page], dict[str, str]]:
        """The site's pages and extra files, as `render` and `extra_files` would make them, making only what changed
        (with `jobs` 2, half of it in a second process: parallel.in_halves)."""
        now = _mappings(kb, idx)
        context = (site, idx.has_status)
        numbers = self.numbers
        if self.snapshot is None or context != self.context:
            entries: set[int] | None = None  # everything is made again
            whole: set[str] = set()
        else:
            changed, whole = _changes(self.snapshot, now)
            entries = {numbers[r] for r in changed if r in numbers}  # an entry no output read changes none
        log: set[Read] = set()
        wkb, widx = _watched(kb, idx, log)
        makers: dict[str, Callable[[], Any]] = {path: partial(render_page, wkb, path, site, widx) for path in page_paths(kb, idx)}
        for path, extra_maker in extra_makers(site, idx).items():
            makers["extra:" + path] = partial(extra_maker, widx)

        def make(name: str) -> tuple[Any, tuple[Read, ...]]:
            log.clear()
            value = makers[name]()
            return value, tuple(log)

        def unchanged(name: str) -> bool:
            last = self.outputs.get(name)
            return last is not None and entries is not None and entries.isdisjoint(last.reads) and whole.isdisjoint(last.wholes)

        self.made = [name for name in makers if not unchanged(name)]
        made = dict(zip(self.made, parallel.in_halves(self.made, make, jobs), strict=True))
        outputs: dict[str, _Output] = {}
        for name in makers:
            if name not in made:
                outputs[name] = self.outputs[name]
                continue
            value, read = made[name]
            reads = array("l", [numbers.setdefault(r, len(numbers)) for r in read])
            outputs[name] = _Output(value, reads, tuple(n for n, k in read if k == EVERYTHING))
        self.outputs, self.snapshot, self.context = outputs, now, context
        pages = {n: o.value for n, o in outputs.items() if not n.startswith("extra:") and o.value is not None}
        extra = {n.removeprefix("extra:"): o.value for n, o in outputs.items() if n.startswith("extra:")}
        return pages, extra


@dataclasses.dataclass
class Warm:
    """What is kept between builds of one knowledge base: the parsed records, the last index and what the last render
    made and read. `tlnotes serve` keeps it in memory, `tlnotes build` in `.tlnotes/` (`open`, `save`). Each build
    still loads, checks and renders everything; this only spares it the work whose inputs did not change."""

    parsed: ParseCache = dataclasses.field(default_factory=ParseCache)
    index: Index | None = None
    rendered: Rerender = dataclasses.field(default_factory=Rerender)

    def load(self, root, jobs: int = 1) -> KnowledgeBase:
        return load(root, self.parsed, jobs)

    @staticmethod
    def path(root) -> Path:
        return Path(root) / MANIFEST_DIR / "warm.pickle"

    @classmethod
    def open(cls, root) -> Warm:
        """The state the last `tlnotes build` of `root` kept (`save`), if this user's tlnotes of this version wrote
        it (signed.py); a fresh one otherwise."""
        kept = signed.load(cls.path(root), _version())
        if not isinstance(kept, Warm):
            return cls()
        gc.freeze()  # millions of long-lived objects: the collector need not scan them again and again
        return kept

    def save(self, root) -> None:
        """Keep this state for the next `tlnotes build` of `root`; a failure only means the next one starts cold."""
        gc.collect()  # the build's converted pages, in cycles: their room, before pickling's memo needs as much again
        signed.dump(self.path(root), self, _version())

    def build(self, kb: KnowledgeBase, site: Site, jobs: int = 1) -> tuple[Index, dict[str, Page], dict[str, str]]:
        """The index, pages and extra files of `kb`, as `build_index`, `render` and `extra_files` would make them;
        `jobs` as `Rerender.update` takes it.

        Like loading, this makes many long-lived objects and few cycles: the collector waits until it is done."""
        with no_cyclic_gc():
            idx = build_index(kb, reuse=self.index if self.index is not None and self.index.kb.root == kb.root else None)
            pages, extra = self.rendered.update(kb, site, idx, jobs)
        self.index = idx
        return idx, pages, extra


def _version() -> str:
    """What a kept state depends on besides its inputs: tlnotes' code and the versions of what it uses."""
    return f"{sys.version}|{code_key()}"
