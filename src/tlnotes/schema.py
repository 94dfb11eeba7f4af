"""The paper record format, defined once.

The loader validates records against `RECORD` and `tlnotes schema` prints
`json_schema()` made from the same field list, so editors and the loader
can never disagree about what a record is.

Validation works on plain Python data (what a YAML load returns) and yields
`Finding`s located by a path inside the record; the loader turns paths into
line and column only for records that have findings.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .ids import ARXIV_RE, ARXIV_VERSIONED_RE, DOI_RE, is_http_url
from .model import ERROR, WARNING, Bullet

MAX_KEY_LENGTH = 80  # keys and topic ids become file names; 80 leaves room under every file system's 255
# Patterns keep ECMA-262 syntax (^...$) for the JSON Schema; code matches them with fullmatch,
# since `$` alone would also accept a trailing newline.
KEY_RE = re.compile(rf"^[a-z0-9][a-z0-9._-]{{0,{MAX_KEY_LENGTH - 1}}}$")
TOPIC_RE = KEY_RE
# `index` would replace a generated listing page (papers/index.md, topics/index.md)
RESERVED_IDS = frozenset({"index"})
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # the only date form; YAML's others (2024-2-3, times) are refused
CATEGORY_RE = re.compile(r"^[a-z][a-z-]*(?:\.[A-Za-z-]{2,})?$")  # cs.CL, hep-th, math.GT
LINK_LABEL_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
URL_PATTERN = r"^[hH][tT][tT][pP][sS]?://\S+$"
ET_AL = "others"
MIN_YEAR = 1900

Path_ = tuple  # a location inside a record: field names and list indexes


class Unreadable:
    """A scalar the loader could not turn into a value (a 5,000-digit number, `!!int 0x7e1`).

    It stands in for the value so that the field reports it like any other
    wrong type, and the record's other problems are still found.
    """

    __slots__ = ("what",)

    def __init__(self, what: str):
        self.what = what

    def __repr__(self) -> str:
        return self.what


# Letters and symbols that render as nothing: Hangul fillers, the blank Braille pattern.
_BLANK_GRAPHEMES = frozenset("\u115f\u1160\u3164\uffa0\u2800")
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Cn", "Zs", "Zl", "Zp", "Mn", "Me"})
_ASCII_VISIBLE = re.compile(r"[!-~]")


def has_visible(text: str) -> bool:
    """Whether `text` shows anything: zero-width, format and filler characters do not."""
    if "!" <= text[:1] <= "~" or _ASCII_VISIBLE.search(text):  # nearly always the first character
        return True
    return any(c not in _BLANK_GRAPHEMES and unicodedata.category(c) not in _INVISIBLE_CATEGORIES for c in text)


@dataclass(frozen=True)
class Finding:
    """A problem inside one record, before it has a line number."""

    path: Path_
    code: str
    message: str
    severity: str = ERROR
    on_key: bool = False  # locate at the mapping key rather than its value


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return "a date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, Unreadable):
        return value.what
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _quote_hint(value: Any) -> str:
    if isinstance(value, (bool, int, float, _dt.date, Unreadable)):
        return " (put it in quotes to make it text)"
    return ""


def suggest(word: str, choices, cutoff: float = 0.6) -> str | None:
    """The closest of `choices` to `word`, if any is close enough."""
    found = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=cutoff)
    return found[0] if found else None


def closest(word: str, choices) -> str | None:
    """The closest of `choices` to `word`, however far (None if no choices)."""
    choices = list(choices)
    if not choices:
        return None
    return suggest(word, choices) or max(choices, key=lambda c: difflib.SequenceMatcher(None, str(word), c).ratio())


def yaml_str(text: str) -> str:
    """A double-quoted YAML string: JSON's quoting, which YAML reads verbatim, keeping non-ASCII readable."""
    quoted = json.dumps(text, ensure_ascii=False)
    # YAML reads NEL, LS and PS as line breaks inside a quoted string and refuses DEL, C1 controls and the
    # non-characters U+FFFE/U+FFFF raw; JSON leaves all of them raw
    return _YAML_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", quoted)


def yaml_word(text: str) -> str:
    """An id written bare (`attention`, `cs.CL`), anything YAML could read as another type quoted."""
    if _BARE.fullmatch(text) and text.lower() not in _YAML_WORDS:
        return text
    return yaml_str(text)


_BARE = re.compile(r"[a-z][A-Za-z0-9._-]*")
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}
_YAML_RAW = re.compile("[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


class Kind:
    """What one field holds: how to check it, describe it in JSON Schema, build the model's value and write it."""

    def check(self, value: Any, path: Path_) -> Iterator[Finding]:
        raise NotImplementedError

    def json_schema(self) -> dict:
        raise NotImplementedError

    def to_model(self, value: Any) -> Any:
        """The value `model.Paper` holds for a checked value (None: the field is absent)."""
        return value

    def to_yaml(self, name: str, value: Any) -> list[str]:
        """The record file's lines for this field, in the layout of a hand-written record."""
        return [f"{name}: {yaml_str(str(value))}"]

    def template(self, name: str) -> list[str]:
        """Lines of `tlnotes new`'s template: the field, empty."""
        return [f"{name}:"]

    def from_text(self, text: str) -> Any:
        """The value a command-line option's text stands for (checked afterwards like any value)."""
        return text


class Text(Kind):
    def __init__(self, pattern: re.Pattern | None = None, what: str = "text", single_line: bool = False):
        self.pattern = pattern
        self.what = what
        self.single_line = single_line

    def check(self, value, path):
        if not isinstance(value, str):
            yield Finding(path, "type", f"must be {self.what}, not {_type_name(value)}{_quote_hint(value)}")
        elif not has_visible(value):
            yield Finding(path, "empty", f"must be non-empty {self.what} (with a visible character)")
        elif self.single_line and "\n" in value.strip():
            yield Finding(path, "format", f"must be {self.what} on one line")
        elif self.pattern is not None and not self.pattern.fullmatch(value):
            yield Finding(path, "format", f"{value!r} is not {self.what}")

    def json_schema(self):
        out = {"type": "string", "minLength": 1}
        if self.pattern is not None:
            out["pattern"] = self.pattern.pattern
        return out

    def to_model(self, value):
        if value is None:
            return None
        return " ".join(value.split()) if self.single_line else value

    def to_yaml(self, name, value):
        return [f"{name}: {yaml_word(value)}"]


_YEAR_TEXT_RE = re.compile(r"[1-9][0-9]{3}")


class Year(Kind):
    def check(self, value, path):
        last = _dt.date.today().year + 1
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and _YEAR_TEXT_RE.fullmatch(value.strip()):
                yield Finding(path, "type", f"must be a number, not text: write {value.strip()} without quotes")
            elif isinstance(value, str) and value.strip():
                yield Finding(path, "type", f"must be a year in plain decimal digits such as 2017, not {value.strip()[:40]!r}")
            else:
                yield Finding(path, "type", f"must be a year (a whole number), not {_type_name(value)}")
        elif not MIN_YEAR <= value <= last:
            yield Finding(path, "range", f"year {value} is outside {MIN_YEAR}..{last}")

    def to_yaml(self, name, value):
        return [f"{name}: {int(value)}"]

    def json_schema(self):
        # no "maximum": it would change every New Year and stale every saved copy
        return {"type": "integer", "minimum": MIN_YEAR}


class TextList(Kind):
    """A list of distinct strings, each checked by `item`."""

    def __init__(self, item: Text, min_items: int = 0, what: str = "entry", unique: bool = True):
        self.item = item
        self.min_items = min_items
        self.what = what
        self.unique = unique

    def check(self, value, path):
        if not isinstance(value, list):
            hint = f" (write it as a list: [{value}])" if isinstance(value, str) else ""
            yield Finding(path, "type", f"must be a list, not {_type_name(value)}{hint}")
            return
        if len(value) < self.min_items:
            yield Finding(path, "empty", f"must list at least {self.min_items} {self.what}")
        if self._all_good(value):  # the common case, without a generator per item
            return
        seen = set()
        for i, item in enumerate(value):
            bad = False
            for finding in self.item.check(item, path + (i,)):
                bad = True
                yield finding
            if not bad and self.unique:
                if item in seen:
                    yield Finding(path + (i,), "duplicate", f"{item!r} is listed twice")
                seen.add(item)

    def _all_good(self, value: list) -> bool:
        pattern = self.item.pattern
        one_line = self.item.single_line
        for item in value:
            if type(item) is not str or not has_visible(item):
                return False
            if (pattern is not None and not pattern.fullmatch(item)) or (one_line and "\n" in item.strip()):
                return False
        return not self.unique or len(set(value)) == len(value)

    def to_model(self, value):
        return tuple(item.strip() for item in value or ())

    def to_yaml(self, name, value):
        # ids are written bare, free text quoted
        return [f"{name}:", *(f"  - {yaml_word(item)}" for item in value)]

    def template(self, name):
        return [f"{name}:", "  -"]

    def json_schema(self):
        out = {"type": "array", "items": self.item.json_schema()}
        if self.unique:
            out["uniqueItems"] = True
        if self.min_items:
            out["minItems"] = self.min_items
        return out


class Authors(TextList):
    def __init__(self):
        # two people can share a name, so names need not be unique
        # no minimum: a record may not know its authors yet (an offline import of a bare link); check_record warns
        super().__init__(Text(what="a name", single_line=True), what="author", unique=False)

    def check(self, value, path):
        yield from super().check(value, path)
        if isinstance(value, list):
            for i, name in enumerate(value[:-1]):
                if name == ET_AL:
                    yield Finding(path + (i,), "format", f"{ET_AL!r} (et al.) may only be the last author")
            if value == [ET_AL]:
                yield Finding(path + (0,), "format", f"name at least one author before {ET_AL!r}")


class Summary(Kind):
    """Bullets: Markdown text, or a one-key mapping from a bullet to its sub-bullets."""

    def check(self, value, path):
        if not isinstance(value, list):
            hint = " (start each bullet with '- ')" if isinstance(value, str) else ""
            yield Finding(path, "type", f"must be a list of bullets, not {_type_name(value)}{hint}")
            return
        for i, item in enumerate(value):
            yield from self._bullet(item, path + (i,))

    def _bullet(self, item, path):
        if isinstance(item, str):
            if not has_visible(item):
                yield Finding(path, "empty", "a bullet must not be empty (it needs a visible character)")
        elif isinstance(item, dict):
            if len(item) != 1:
                yield Finding(
                    path,
                    "format",
                    "a bullet with sub-bullets is a mapping with exactly one key "
                    f"(the bullet), not {len(item)} keys; did a ': ' inside the text start a mapping? quote the bullet",
                )
                return
            ((text, children),) = item.items()
            if not isinstance(text, str) or not has_visible(text):
                yield Finding(path, "type", f"a bullet must be text, not {_type_name(text)}", on_key=True)
            if children is None:
                yield Finding(
                    path + (text,),
                    "format",
                    "a bullet ending in ':' needs sub-bullets below it; quote the bullet if the ':' is part of the text",
                )
            elif not isinstance(children, list):
                yield Finding(
                    path + (text,),
                    "format",
                    "a bullet's sub-bullets must be a list; if ': ' is part of the text, quote the whole bullet",
                )
            else:
                for i, child in enumerate(children):
                    yield from self._bullet(child, path + (text, i))
        else:
            yield Finding(path, "type", f"a bullet must be text, not {_type_name(item)}{_quote_hint(item)}")

    def to_model(self, value):
        return to_bullets(value or [])

    def to_yaml(self, name, value):
        return [f"{name}:", *_bullet_lines(value, 1)]

    def template(self, name):
        return [f"{name}:", "  -"]

    def json_schema(self):
        return {"type": "array", "items": {"$ref": "#/$defs/bullet"}}

    @staticmethod
    def defs():
        return {
            "bullet": {
                "description": "Markdown text, or a one-key mapping from a bullet to its sub-bullets.",
                "oneOf": [
                    {"type": "string", "minLength": 1},
                    {
                        "type": "object",
                        "minProperties": 1,
                        "maxProperties": 1,
                        "additionalProperties": {"type": "array", "items": {"$ref": "#/$defs/bullet"}},
                    },
                ],
            }
        }


class Links(Kind):
    def check(self, value, path):
        if not isinstance(value, dict):
            yield Finding(path, "type", f"must be a mapping of label: link, not {_type_name(value)}")
            return
        for label, link in value.items():
            at = path + (label,)
            if not isinstance(label, str) or not LINK_LABEL_RE.fullmatch(label):
                yield Finding(
                    at, "format", f"link label {label!r} must be a lowercase word such as pdf, code or blog", on_key=True
                )
                continue
            if not isinstance(link, str):
                yield Finding(at, "type", f"link {label!r} must be text, not {_type_name(link)}{_quote_hint(link)}")
            elif label == "arxiv":
                m = ARXIV_VERSIONED_RE.fullmatch(link.strip())
                if m:
                    yield Finding(at, "format", f"store the arXiv id without its version: {m['id']}")
                elif not ARXIV_RE.fullmatch(link):
                    hint = ""
                    if is_http_url(link):
                        hint = "; put the URL under another label such as url"
                    yield Finding(at, "format", f"{link!r} is not an arXiv id such as 1706.03762 or hep-th/9901001{hint}")
            elif label == "doi":
                if not DOI_RE.fullmatch(link):
                    hint = " (write the bare DOI, without https://doi.org/)" if "doi.org/" in link else ""
                    yield Finding(at, "format", f"{link!r} is not a DOI such as 10.1038/nature14539{hint}")
            elif not is_http_url(link):
                yield Finding(at, "format", f"link {label!r} must be an http(s) URL, not {link!r}")

    def to_model(self, value):
        return {label: link.strip() for label, link in (value or {}).items()}

    def to_yaml(self, name, value):
        return [f"{name}:", *(f"  {label}: {yaml_str(link)}" for label, link in value.items())]

    def template(self, name):
        return [f"{name}:", "  arxiv:"]

    def json_schema(self):
        return {
            "type": "object",
            "description": "arxiv: an arXiv id; doi: a DOI; any other label: an http(s) URL.",
            "properties": {
                "arxiv": {"type": "string", "pattern": ARXIV_RE.pattern},
                "doi": {"type": "string", "pattern": DOI_RE.pattern},
            },
            "propertyNames": {"pattern": LINK_LABEL_RE.pattern},
            "additionalProperties": {"type": "string", "pattern": URL_PATTERN},
        }


def parse_date(value: Any) -> _dt.date | None:
    """The date a YYYY-MM-DD string names, or None (also for 2024-02-30 or a timestamp)."""
    if isinstance(value, str) and DATE_RE.fullmatch(value.strip()):
        try:
            return _dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


class Date(Kind):
    """A date is YYYY-MM-DD: the loader keeps YAML timestamps as text, to be checked here."""

    def check(self, value, path):
        if parse_date(value) is not None:
            return
        shown = repr(value)[:60]
        if isinstance(value, str) and DATE_RE.fullmatch(value.strip()):
            yield Finding(path, "format", f"{shown} is not a real date")
        else:
            yield Finding(path, "format", f"must be a date such as 2023-08-18 (YYYY-MM-DD), not {shown}")

    def to_model(self, value):
        return parse_date(value)

    def to_yaml(self, name, value):
        return [f"{name}: {value.isoformat() if isinstance(value, _dt.date) else value}"]

    def json_schema(self):
        return {"type": "string", "format": "date"}


class Choice(Kind):
    """One word of a fixed list; a near miss (`Read`, `to read`) is answered with the word meant."""

    def __init__(self, words: tuple[str, ...]):
        self.words = words

    def check(self, value, path):
        if isinstance(value, str) and value in self.words:
            return
        listed = ", ".join(self.words)
        if not isinstance(value, str):
            yield Finding(path, "type", f"must be one of {listed}, not {_type_name(value)}")
            return
        near = suggest(value.strip().lower().replace(" ", "-").replace("_", "-"), self.words)
        yield Finding(path, "choice", f"{value[:60]!r} is not one of {listed}" + (f"; did you mean `{near}`?" if near else ""))

    def to_yaml(self, name, value):
        return [f"{name}: {yaml_word(value)}"]

    def from_text(self, text):
        return text.strip()

    def json_schema(self):
        return {"type": "string", "enum": list(self.words)}


_WHOLE_TEXT_RE = re.compile(r"[+-]?[0-9]{1,9}")  # ASCII digits only; int() would also read ٣ and 5,000-digit text


class Bounded(Kind):
    """A whole number from `low` to `high`."""

    def __init__(self, low: int, high: int):
        self.low, self.high = low, high

    def check(self, value, path):
        span = f"{self.low} to {self.high}"
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and _WHOLE_TEXT_RE.fullmatch(value.strip()):
                yield Finding(path, "type", f"must be a number, not text: write {value.strip()} without quotes")
            else:
                shown = f"{value!r}"[:40] if isinstance(value, (str, float)) else _type_name(value)
                yield Finding(path, "type", f"must be a whole number from {span}, not {shown}")
        elif not self.low <= value <= self.high:
            yield Finding(path, "range", f"{value} is outside {span}")

    def to_yaml(self, name, value):
        return [f"{name}: {int(value)}"]

    def from_text(self, text):
        return int(text) if _WHOLE_TEXT_RE.fullmatch(text.strip()) else text

    def json_schema(self):
        return {"type": "integer", "minimum": self.low, "maximum": self.high}


STATUSES = ("to-read", "reading", "read", "skimmed")
QUEUED = ("to-read", "reading")  # what the reading queue lists
PRIORITIES = ("high", "normal", "low")  # the order the queue lists them in


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    description: str
    required: bool = False
    in_template: bool | str = False  # shown by `tlnotes new` although optional; "commented": as a comment to uncomment
    option: str | None = None  # `tlnotes add --NAME VALUE` sets it; the value's placeholder in --help


# The order is the order of a written record.
FIELDS: tuple[Field, ...] = (
    Field("title", Text(what="a title", single_line=True), "The paper's title.", required=True),
    Field(
        "authors",
        Authors(),
        "Author names in order; a last entry 'others' means et al. Without them the record draws a warning.",
        in_template=True,
    ),
    Field("year", Year(), f"Year of publication, {MIN_YEAR} to next year.", required=True),
    Field("venue", Text(what="a venue", single_line=True), "Where it was published, e.g. NeurIPS 2017."),
    Field(
        "topics",
        TextList(Text(TOPIC_RE, "a topic id"), min_items=1, what="topic"),
        "Topic ids: file stems of notes in notes/.",
        required=True,
    ),
    Field(
        "summary", Summary(), "What the paper does and finds, as Markdown bullets; nest with a one-key mapping.", in_template=True
    ),
    Field(
        "links", Links(), "arxiv: an arXiv id; doi: a DOI; other labels (pdf, code, url, blog): http(s) URLs.", in_template=True
    ),
    Field("category", Text(CATEGORY_RE, "an arXiv category such as cs.CL"), "The arXiv primary category, e.g. cs.CL."),
    Field("related", TextList(Text(KEY_RE, "a record key"), what="key"), "Keys of related records."),
    Field(
        "aliases",
        TextList(Text(KEY_RE, "a record key"), what="key"),
        "Keys the record had before (`tlnotes rename` adds them): their citations are reported, their pages redirect.",
    ),
    Field("added", Date(), "When the record was added to the knowledge base."),
    Field(
        "status", Choice(STATUSES), "Reading status: to-read, reading, read or skimmed.", in_template="commented", option="STATUS"
    ),
    Field("read", Date(), "When you read it, YYYY-MM-DD.", in_template="commented"),
    Field(
        "rating",
        Bounded(1, 5),
        "How much it is worth reading, a whole number from 1 to 5.",
        in_template="commented",
        option="1-5",
    ),
    Field(
        "priority", Choice(PRIORITIES), "How soon to read it: high, normal or low.", in_template="commented", option="PRIORITY"
    ),
    Field("notes", Text(what="Markdown text"), "Free Markdown notes."),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}


def check_record(data: Any, key: str) -> list[Finding]:
    """Every problem of one loaded record, as findings located by path."""
    if not isinstance(data, dict):
        if data is None:
            msg = "the record is empty; a record is a mapping with title, authors, year and topics"
        else:
            msg = f"a record must be a mapping of fields (title: ..., authors: ...), not {_type_name(data)}"
        return [Finding((), "not-a-mapping", msg)]
    out: list[Finding] = []
    for name, value in data.items():
        spec = FIELD_BY_NAME.get(name) if isinstance(name, str) else None
        if spec is None:
            hint = suggest(name, FIELD_BY_NAME)
            msg = f"unknown field {name!r}" + (
                f"; did you mean `{hint}`?" if hint else f"; known fields: {', '.join(FIELD_BY_NAME)}"
            )
            out.append(Finding((name,), "unknown-field", msg, on_key=True))
            continue
        if value is None and spec.name != "summary":
            out.append(Finding((name,), "empty", "has no value"))
            continue
        out.extend(spec.kind.check(value, (name,)))
    for spec in FIELDS:
        if spec.required and spec.name not in data:
            out.append(Finding((), "missing-field", f"missing required field `{spec.name}` ({spec.description})"))
    if data.get("authors", []) == []:  # absent or empty; `authors:` with no value is an error above
        at = ("authors",) if "authors" in data else ()
        out.append(Finding(at, "no-authors", "no authors yet: list them, or run `tlnotes update` to fetch them", WARNING))
    if "summary" not in data or not data.get("summary"):
        at = ("summary",) if "summary" in data else ()
        out.append(Finding(at, "no-summary", "no summary yet: add a few bullets on what the paper does and finds", WARNING))
    related = data.get("related")
    if isinstance(related, list):
        for i, other in enumerate(related):
            if other == key:
                out.append(Finding(("related", i), "related-self", "a record cannot be related to itself"))
    return out


SCHEMA_LINE = "# yaml-language-server: $schema=../schema/paper.schema.json"


def model_fields(data: dict) -> dict[str, Any]:
    """The keyword arguments of `model.Paper` for a checked record."""
    return {f.name: f.kind.to_model(data.get(f.name)) for f in FIELDS}


def record_text(values: dict[str, Any]) -> str:
    """A record file for these field values, in FIELDS order, with the schema line for editors."""
    lines = [SCHEMA_LINE]
    for f in FIELDS:
        value = values.get(f.name)
        if value is not None and value != [] and value != {} and value != ():
            lines += f.kind.to_yaml(f.name, value)
    return "\n".join(lines) + "\n"


def template() -> str:
    """The record `tlnotes new` writes: every required field and a few more, empty, each with its description."""
    lines = [SCHEMA_LINE, "# Fill in the fields below, then run `tlnotes check`."]
    for f in FIELDS:
        if f.required or f.in_template:
            first, *rest = f.kind.template(f.name)
            field_lines = [f"{first:<18}# {f.description}", *rest]
            # an empty field is an error: fields only some records use are offered as comments to uncomment
            lines += [f"# {line}" for line in field_lines] if f.in_template == "commented" else field_lines
    return "\n".join(lines) + "\n"


def _bullet_lines(items, depth: int) -> list[str]:
    pad = "  " * depth
    out = []
    for b in items:
        if isinstance(b, dict):
            ((text, kids),) = b.items()
            out.append(f"{pad}- {yaml_str(text)}:")
            out += _bullet_lines(kids, depth + 2)
        else:
            out.append(f"{pad}- {yaml_str(b)}")
    return out


def to_bullets(items: list) -> tuple[Bullet, ...]:
    out = []
    for item in items or ():
        if isinstance(item, dict):
            ((text, children),) = item.items()
            out.append(Bullet(text.strip(), to_bullets(children)))
        else:
            out.append(Bullet(item.strip()))
    return tuple(out)


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a record, from FIELDS."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "tlnotes paper record",
        "description": "One paper of a tlnotes knowledge base: papers/<key>.yaml",
        "type": "object",
        "required": [f.name for f in FIELDS if f.required],
        "additionalProperties": False,
        "properties": {f.name: {"description": f.description, **f.kind.json_schema()} for f in FIELDS},
        "$defs": Summary.defs(),
    }
