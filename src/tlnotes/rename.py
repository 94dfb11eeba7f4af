"""`tlnotes rename OLD NEW`: give a record a new key without breaking anything that names it.

The record file moves from `papers/OLD.yaml` to `papers/NEW.yaml` and keeps OLD in its `aliases`;
every citation of OLD (every form `citations.find_citations` reads) in the topic notes and in the
records' `notes`, and every `related` entry naming OLD, is rewritten. Only the bytes of the key
change: comments, quoting, line breaks and key order stay as they were. The site keeps the old
address alive with a small redirect page, `papers/OLD/index.html` (`render.redirect_page`).

Run again with the same OLD and NEW after a merge brought in new citations of OLD, it rewrites
those (OLD is already an alias of NEW): `check` names the command in its hint.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from . import schema
from .citations import KEY, find_citations, key_spans
from .markdown import split_front_matter
from .model import KnowledgeBase, TlnotesError

PAPERS_DIR = "papers"
BOM = "\ufeff"
_BARE_KEY = re.compile(KEY)


class RenameError(TlnotesError):
    """The rename cannot be done as asked; nothing is written."""


@dataclass
class Plan:
    root: Path
    old: str
    new: str
    moved: bool  # False: OLD is already an alias of NEW, only what still names OLD is rewritten
    writes: dict[str, str] = field(default_factory=dict)  # relative path -> new text (the renamed record included)
    citations: int = 0
    citing: list[str] = field(default_factory=list)  # files whose citations changed
    related: int = 0

    @property
    def old_rel(self) -> str:
        return f"{PAPERS_DIR}/{self.old}.yaml"

    @property
    def new_rel(self) -> str:
        return f"{PAPERS_DIR}/{self.new}.yaml"

    def summary(self) -> str:
        head = f"{self.old_rel} -> {self.new_rel}" if self.moved else f"{self.new_rel} (already renamed from {self.old})"
        files = len(self.citing)
        return (
            f"{head}; {self.citations} citation{'s' * (self.citations != 1)} in {files} note{'s' * (files != 1)}, "
            f"{self.related} related entr{'ies' if self.related != 1 else 'y'}"
        )


# ---------------------------------------------------------------- citations


def _key_text(new: str, braced: bool) -> str:
    """NEW as it replaces a key: bare where pandoc reads it whole, else braced (`@{key-}`)."""
    return new if braced or _BARE_KEY.fullmatch(new) else "{" + new + "}"


def recite(text: str, old: str, new: str) -> tuple[str, int]:
    """`text` with every citation of `old` citing `new`, and how many were rewritten; nothing else changes."""
    spans = key_spans(text, old)
    for start, end, braced in reversed(spans):
        text = text[:start] + _key_text(new, braced) + text[end:]
    return text, len(spans)


def _check_recited(rel: str, before: str, after: str, old: str, new: str) -> None:
    want = [new if k == old else k for c in find_citations(before) for k in (i.key for i in c.items)]
    got = [i.key for c in find_citations(after) for i in c.items]
    if got != want:  # pragma: no cover - a safety net: the scanner and this module disagree
        raise RenameError(f"cannot rewrite the citations of @{old} safely; rename them by hand; nothing written", rel)


# ---------------------------------------------------------------- records


def _mapping_value(root: yaml.Node | None, name: str) -> yaml.Node | None:
    if isinstance(root, yaml.MappingNode):
        for k, v in root.value:
            if isinstance(k, yaml.ScalarNode) and k.value == name:
                return v
    return None


def _rewrite_record(rel: str, text: str, old: str, new: str) -> tuple[str, int, int]:
    """The record's text with `related` entries and `notes` citations of `old` naming `new`; (text, citations, related)."""
    from .load import _YamlLoader

    root = yaml.compose(text, Loader=_YamlLoader)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement) in `text`
    related = _mapping_value(root, "related")
    n_related = 0
    if isinstance(related, yaml.SequenceNode):
        for item in related.value:
            if isinstance(item, yaml.ScalarNode) and item.value == old:
                start, end = item.start_mark.index, item.end_mark.index
                raw = text[start:end]
                at = raw.find(old)
                if at < 0:  # written with escapes
                    line = item.start_mark.line + 1
                    raise RenameError(f"related entry {old!r} is written with escapes: write it plainly first", rel, line)
                written = new if item.style else schema.yaml_word(new)  # plain: `true` must stay text
                edits.append((start + at, start + at + len(old), written))
                n_related += 1
    notes = _mapping_value(root, "notes")
    n_cites = 0
    if isinstance(notes, yaml.ScalarNode) and "@" in notes.value:
        spans = key_spans(notes.value, old)
        if spans:
            n_cites = len(spans)
            edits += _notes_edits(rel, text, notes, old, new, spans)
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    if n_cites:
        after = yaml.compose(text, Loader=_YamlLoader)
        after_notes = _mapping_value(after, "notes")
        expected, _ = recite(notes.value, old, new)  # type: ignore[union-attr]
        if not isinstance(after_notes, yaml.ScalarNode) or after_notes.value != expected:
            raise RenameError(f"cannot rewrite the citations of @{old} in `notes` safely: rewrite them by hand first", rel)
    return text, n_cites, n_related


def _notes_edits(rel: str, text: str, node: yaml.ScalarNode, old: str, new: str, spans) -> list[tuple[int, int, str]]:
    """Edits of the file text for the citation `spans` of the `notes` value: the n-th `@old` of the value is the
    n-th of the file's text of that scalar, since a key has no character YAML quoting or folding changes."""
    occurrence = re.compile(r"@(\{)?" + re.escape(old) + r"(?(1)\})")
    start = node.start_mark.index
    raw = text[start : node.end_mark.index]
    in_value = list(occurrence.finditer(node.value))
    in_file = list(occurrence.finditer(raw))
    if len(in_value) != len(in_file):
        line = node.start_mark.line + 1
        raise RenameError(f"`notes` writes @{old} with escapes: write it plainly, then rename again", rel, line)
    cited = {s for s, _, _ in spans}
    out = []
    for v, f in zip(in_value, in_file, strict=True):
        key_start = v.start() + 1 + bool(v.group(1))
        if key_start in cited:
            braced = bool(v.group(1))
            at = start + f.start() + 1 + braced
            out.append((at, at + len(old), _key_text(new, braced)))
    return out


def _with_alias(text: str, aliases: list[str]) -> str:
    from .update import edit

    return edit(text, {"aliases": aliases})


# ---------------------------------------------------------------- plan and apply


def _read(path: Path) -> tuple[str, str]:
    """(BOM or '', text) of a file as it is on disk: line endings kept."""
    text = path.read_bytes().decode("utf-8")
    return (BOM, text[1:]) if text.startswith(BOM) else ("", text)


def plan_rename(kb: KnowledgeBase, old: str, new: str) -> Plan:
    """Everything the rename would write, or RenameError with the reason; reads the files, writes nothing."""
    root = Path(kb.root)
    if new in schema.RESERVED_IDS or not schema.KEY_RE.fullmatch(new):
        raise RenameError(
            f"{new!r} is not a valid key: use lowercase letters, digits and . _ -, starting with a letter or digit, "
            f"at most {schema.MAX_KEY_LENGTH} characters{' (index is reserved)' if new == 'index' else ''}; nothing written"
        )
    # what still names OLD after an earlier rename is an error `check` reports, with this command as the fix
    stale = ("unknown-citation", "unknown-related")
    errors = [p for p in kb.errors if not (p.code in stale and f"{old} was renamed to {new}:" in p.message)]
    if errors:
        n = len(errors)
        raise RenameError(
            f"the knowledge base has {n} error{'s' * (n != 1)} (`tlnotes check` lists them): fix them first; nothing written"
        )
    owner = {a: p.key for p in kb.papers.values() for a in p.aliases}
    moved = True
    if old == new:
        raise RenameError(f"{old} and the new key are the same; nothing written")
    if old not in kb.papers:
        if owner.get(old) == new:
            moved = False  # renamed before: rewrite what still names OLD
        else:
            near = schema.suggest(old, kb.papers)
            hint = f"; did you mean `{near}`?" if near else ""
            was = f" ({old} was renamed to {owner[old]})" if old in owner else ""
            raise RenameError(f"no record {PAPERS_DIR}/{old}.yaml{was}{hint}; nothing written")
    if moved and (new in kb.papers or (root / PAPERS_DIR / f"{new}.yaml").exists()):
        raise RenameError(f"{PAPERS_DIR}/{new}.yaml exists: choose another key; nothing written")
    if moved and new in owner and owner[new] != old:
        raise RenameError(
            f"{new} is an old key of {PAPERS_DIR}/{owner[new]}.yaml (its `aliases`): choose another key; nothing written"
        )

    plan = Plan(root, old, new, moved)
    for topic in kb.topics.values():
        bom, text = _read(root / topic.path)
        front, body, _ = split_front_matter(text)
        head = text[: len(text) - len(body)]
        new_body, n = recite(body, old, new)
        if n:
            _check_recited(topic.path, body, new_body, old, new)
            plan.writes[topic.path] = bom + head + new_body
            plan.citations += n
            plan.citing.append(topic.path)
    for paper in kb.papers.values():
        bom, text = _read(root / paper.path)
        changed, n_cites, n_related = _rewrite_record(paper.path, text, old, new)
        renamed = paper.key == (old if moved else new)
        if moved and renamed:
            changed = _with_alias(changed, [a for a in paper.aliases if a != new] + [old])
        if changed != text or (moved and renamed):
            plan.writes[plan.new_rel if renamed else paper.path] = bom + changed
        plan.citations += n_cites
        plan.related += n_related
        if n_cites:
            plan.citing.append(plan.new_rel if renamed else paper.path)
    return plan


def apply_rename(plan: Plan) -> list[str]:
    """Write the plan, each file atomically: the new record first, the old one removed last; the files written.

    A failure midway raises RenameError naming the file that failed and those already written.
    """
    from .files import write_new, write_replace

    written: list[str] = []
    order = sorted(plan.writes, key=lambda rel: rel != plan.new_rel)  # the new record first
    try:
        for rel in order:
            path = plan.root / rel
            if plan.moved and rel == plan.new_rel:
                write_new(path, plan.writes[rel])
            else:
                write_replace(path, plan.writes[rel])
            written.append(rel)
        if plan.moved:
            os.unlink(plan.root / plan.old_rel)
            written.append(f"{plan.old_rel} (removed)")
    except OSError as exc:
        where = exc.filename or plan.old_rel
        done = ", ".join(written) if written else "none"
        left = [rel for rel in order if rel not in written]
        if plan.moved and plan.old_rel not in left:
            left.append(f"{plan.old_rel} (to remove)")
        raise RenameError(
            f"{exc.strerror or exc}; written before the failure: {done}; not done: {', '.join(left)}", where
        ) from None
    return written
