"""Property-based: whatever bytes a record holds, the loader reports, never raises."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import VALID
from tlnotes import load

SETTINGS = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

yaml_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30),
    st.dates().map(str), st.sampled_from(["1706.03762", "others", "https://x.org", "~", "&a", "*a", "!!python/object"]),
)
yaml_values = st.recursive(
    yaml_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)
FIELDS = ["title", "authors", "year", "topics", "summary", "venue", "links", "related", "added", "notes", "titel"]


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
            text = text[:i] + text[i + data.draw(st.integers(1, 10)):]
        elif op == "insert":
            text = text[:i] + data.draw(st.text(max_size=5)) + text[i:]
        elif op == "replace" and i < len(text):
            text = text[:i] + data.draw(st.sampled_from(["\t", ":", "-", "&a ", "*a", "[", "\n", "  ", "'", "\x85"])) + text[i + 1:]
        else:
            text = text[:i] + text[max(0, i - 20):i] + text[i:]
    check(text)
