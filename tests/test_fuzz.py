"""Property-based: whatever bytes a record holds, the loader reports, never raises."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import VALID
from tlnotes import load, schema

SETTINGS = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

yaml_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.dates().map(str),
    st.sampled_from(["1706.03762", "others", "https://x.org", "~", "&a", "*a", "!!python/object"]),
)
# what YAML 1.1 reads as something other than text: impossible dates and times, odd ints, huge numbers
ODD_SCALARS = [
    "2024-02-30",
    "2023-13-01",
    "2024-02-30T10:00:00",
    "2024-01-01 25:61:00Z",
    "2024-2-3",
    "20170101",
    "0x7e1",
    "03741",
    "0o3741",
    "2_017",
    "33:37",
    "+2017",
    "1" * 5000,
    "-" + "9" * 4400,
    "!!int 0x7e1",
    "!!timestamp 2024-02-30",
    "!!int " + "7" * 5000,
    "!!float x",
    "!!bool maybe",
    "!!int [1]",
    "!!binary aGk=",
    "!!binary %%",
    "!!set {a, b}",
    "<<",
    "=",
    "\u200b",
    "\u3164",
    "\u2060\ufeff",
    ".nan",
    "1e400",
    "yes",
]
odd_scalars = st.sampled_from(ODD_SCALARS)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
FIELDS = [f.name for f in schema.FIELDS] + ["titel"]


def check(text_or_bytes) -> None:
    root = Path(tempfile.mkdtemp())
    try:
        (root / "papers").mkdir()
        (root / "notes").mkdir()
        (root / "notes" / "attention.md").write_text("---\ntitle: A\n---\n")
        data = text_or_bytes if isinstance(text_or_bytes, bytes) else text_or_bytes.encode("utf-8", "surrogatepass")
        (root / "papers" / "k.yaml").write_bytes(data)
        kb = load(root)
        lines = max(1, data.count(b"\n") + 1)
        for p in kb.problems:
            assert p.code != "internal-error", p
            assert p.file == "papers/k.yaml"
            assert 1 <= p.line <= lines + 1 and p.column >= 1, p
            assert p.severity in ("error", "warning") and p.message
        if not kb.errors:
            assert "k" in kb.papers
    finally:
        shutil.rmtree(root)


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes(data):
    check(data)


@SETTINGS
@given(st.lists(st.sampled_from(list("ab :-[]{}&*!|>'\"#\t\n,?%@`\\") + ["\u00e9", "\x00", "title", "  "]), max_size=120))
def test_yaml_punctuation_soup(pieces):
    check("".join(pieces))


@SETTINGS
@given(st.dictionaries(st.sampled_from(FIELDS), yaml_values, max_size=8))
def test_random_records(record):
    import yaml

    check(yaml.safe_dump(record, allow_unicode=True))


@SETTINGS
@given(st.data())
def test_mutated_valid_record(data):
    text = VALID
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["delete", "insert", "replace", "duplicate"]))
        i = data.draw(st.integers(0, len(text)))
        if op == "delete":
            text = text[:i] + text[i + data.draw(st.integers(1, 10)) :]
        elif op == "insert":
            text = text[:i] + data.draw(st.text(max_size=5)) + text[i:]
        elif op == "replace" and i < len(text):
            text = (
                text[:i] + data.draw(st.sampled_from(["\t", ":", "-", "&a ", "*a", "[", "\n", "  ", "'", "\x85"])) + text[i + 1 :]
            )
        else:
            text = text[:i] + text[max(0, i - 20) : i] + text[i:]
    check(text)


def _flow(value) -> str:
    """A YAML flow rendering that keeps odd scalars unquoted, so YAML resolves them."""
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_flow(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    return value


odd_values = st.recursive(
    odd_scalars | st.sampled_from(["a", "b", "&x a", "*x", "&y [a]", "*y"]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "a", "&k a", "*k"]), inner, max_size=3)
    ),
    max_leaves=10,
)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(FIELDS), odd_values), max_size=10))
def test_odd_yaml_values_with_duplicate_keys_and_anchors(fields):
    """Odd scalars, repeated keys (lists of pairs allow them) and anchors in every field."""
    check("".join(f"{name}: {_flow(value)}\n" for name, value in fields))


@SETTINGS
@given(st.sampled_from(FIELDS), odd_scalars)
def test_one_odd_value_in_a_valid_record_is_located(name, value):
    text = VALID + f"{name}: {value}\n"
    check(text)


def check_note(front: str) -> None:
    root = Path(tempfile.mkdtemp())
    try:
        (root / "notes").mkdir()
        (root / "notes" / "n.md").write_text(f"---\n{front}\n---\nbody\n", encoding="utf-8", errors="surrogatepass")
        kb = load(root)
        lines = front.count("\n") + 4
        for p in kb.problems:
            assert p.code != "internal-error", p
            assert p.file == "notes/n.md" and 1 <= p.line <= lines and p.column >= 1, p
        if not kb.errors:
            assert "n" in kb.topics
    finally:
        shutil.rmtree(root)


@SETTINGS
@given(
    st.lists(st.tuples(st.sampled_from(["title", "description", "updated", "title", "x"]), odd_values), max_size=6),
    st.integers(0, 1200),
)
def test_note_front_matter(fields, depth):
    front = "".join(f"{name}: {_flow(value)}\n" for name, value in fields)
    check_note(front + "deep: " + "[" * depth + "]" * depth)
