"""Hostile import input: bombs, deep nesting, huge lines, interrupted runs, records that would not pass check."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tlnotes import cli, files, load
from tlnotes.import_bibtex import MAX_VALUE_CHARS
from tlnotes.import_notes import MAX_LINE_CHARS, MAX_NESTING


def refused(r, path, line, bound):
    assert r.code == 1 and "Traceback" not in r.err, r.err
    assert f"{path}:{line}: error:" in r.err and f"{bound:,}" in r.err and "nothing imported" in r.err, r.err


def papers(kb):
    return sorted(p.name for p in (kb.root / "papers").iterdir())


NOTES_BOMBS = {
    "indented list": lambda: "## T\n" + "".join("  " * i + f"- item {i}\n" for i in range(1000)),
    "indented papers": lambda: "## T\n" + "".join("  " * i + f"- Paper {i} (smith, 2020)\n" for i in range(1000)),
    "blockquotes": lambda: "## T\n" + ">" * 1000 + " - Paper (smith, 2020)\n",
    "spaced blockquotes": lambda: "## T\n" + "> " * 1000 + "x\n",
    "growing blockquotes": lambda: "## T\n" + "".join(">" * i + " x\n" for i in range(1, 100)),
    "1 MB line": lambda: "## T\n- " + "(smith, 2020) " * 80_000 + "\n",
    "1 MB of brackets": lambda: "## T\n- " + "[" * 500_000 + "(" * 500_000 + "\n",
    "wrapped bullet": lambda: "## T\n- Paper (smith, 2020)\n" + "  more words here\n" * 100_000,
}
LINES = {
    "indented list": MAX_NESTING + 2,
    "indented papers": MAX_NESTING + 2,
    "blockquotes": 2,
    "spaced blockquotes": 2,
    "growing blockquotes": MAX_NESTING + 2,
    "1 MB line": 2,
    "1 MB of brackets": 2,
    "wrapped bullet": 2,
}


@pytest.mark.parametrize("name", NOTES_BOMBS)
def test_notes_bombs_end_with_a_located_message(kb, run, tmp_path, name):
    src = tmp_path / "bomb.md"
    src.write_text(NOTES_BOMBS[name]())
    r = run("import", "notes", src, "--dir", kb.root)
    bound = MAX_LINE_CHARS if "line" in name or "brackets" in name or "wrapped" in name else MAX_NESTING
    refused(r, src, LINES[name], bound)
    assert papers(kb) == [] and sorted(p.name for p in (kb.root / "notes").iterdir()) == ["attention.md", "language-models.md"]


def test_notes_at_the_nesting_bound_import_and_pass_check(kb, run, tmp_path):
    src = tmp_path / "deep.md"
    src.write_text(
        "## Attention\n" + "".join("  " * i + f"- Paper number {i} of things (smith, 2020)\n" for i in range(MAX_NESTING))
    )
    r = run("import", "notes", src, "--dir", kb.root)
    assert r.code == 0, r.err
    assert len(papers(kb)) == MAX_NESTING and load(kb.root).errors == []


def test_notes_file_over_the_size_bound(kb, run, tmp_path):
    src = tmp_path / "big.md"
    src.write_text("## T\n" + "- x\n" * (2 << 20))
    r = run("import", "notes", src, "--dir", kb.root)
    assert r.code == 1 and f"{src}: over 4 MiB" in r.err and papers(kb) == []


def test_many_bullets(kb, run, tmp_path):
    """100,000 bullets, 3,000 of them distinct papers: linear, not quadratic, in the number of records."""
    src = tmp_path / "many.md"
    body = "".join(
        f"- Study {i} of things (author{i} et al., 2020)\n" if i % 33 == 0 else f"- plain note {i}\n" for i in range(100_000)
    )
    src.write_text("## Attention\n" + body)
    r = run("import", "notes", src, "--dir", kb.root, "--dry-run")
    assert r.code == 0, r.err[-500:]
    assert "would write 3031 records" in r.err


def bomb(levels: int) -> str:
    names = [f"m{i}" for i in range(levels + 1)]
    lines = ['@string{m0 = "xxxxxxxxxx"}']
    lines += [f"@string{{{b} = {a} # {a} # {a} # {a}}}" for a, b in zip(names, names[1:], strict=False)]
    return "\n".join(lines) + f"\n@article{{k, title = {{T}}, author = {{A B}}, year = {{2020}}, note = {names[-1]}}}\n"


BIB_BOMBS = {
    "string bomb": (bomb(30), None),
    "string bomb used in an entry": (bomb(7).replace("@article", "@string{ok = m0}\n@article"), None),
    "long concatenation": (
        '@string{a = "'
        + "x" * 1000
        + '"}\n@article{k, title = {T}, author = {A B}, year = 2020, note = '
        + " # ".join(["a"] * 200)
        + "}\n",
        2,
    ),
    "one huge value": ("@article{k, title = {" + "x" * (MAX_VALUE_CHARS + 1) + "}, year = 2020}\n", 1),
}


@pytest.mark.parametrize("name", BIB_BOMBS)
def test_bibtex_bombs_end_with_a_located_message(kb, run, tmp_path, name):
    text, line = BIB_BOMBS[name]
    src = tmp_path / "bomb.bib"
    src.write_text(text)
    r = run("import", "bibtex", src, "--topic", "attention", "--dir", kb.root)
    assert r.code == 1 and "Traceback" not in r.err and f"{MAX_VALUE_CHARS:,} characters" in r.err, r.err
    assert f"{src}:" in r.err and "nothing imported" in r.err and papers(kb) == []
    if line:
        assert f"{src}:{line}:" in r.err


# ---------------------------------------------------------------- interrupted


NOTES = (
    "## Attention\n"
    + "".join(f"- Paper number {i} of things (smith{i}, 2020)\n" for i in range(6))
    + "## Fresh topic\n- Another paper of things (doe, 2021)\n"
)


@pytest.mark.parametrize("after", [0, 3, 7])
@pytest.mark.parametrize("error", [KeyboardInterrupt, lambda: OSError(28, "No space left on device")])
def test_interrupted_import_notes(kb, run, tmp_path, monkeypatch, after, error):
    src = tmp_path / "in.md"
    src.write_text(NOTES)
    order = []
    real = files.write_new

    def flaky(path, text):
        if len(order) == after:
            raise error()
        real(path, text)
        order.append(path)

    monkeypatch.setattr(cli, "write_new", flaky)
    r = run("import", "notes", src, "--dir", kb.root)
    assert r.code == (130 if error is KeyboardInterrupt else 1) and "Traceback" not in r.err
    records = min(after, 7)
    assert f"after writing {records} of 7 records and {max(0, after - 7)} of 1 notes" in r.err, r.err
    assert "again skips what exists" in r.err
    assert [p.parent.name for p in order] == ["papers"] * records  # records first
    assert not [p for p in kb.root.rglob("*.tmp")]
    monkeypatch.setattr(cli, "write_new", real)
    again = run("import", "notes", src, "--dir", kb.root)
    assert again.code == 0, again.err
    assert len(papers(kb)) == 7 and load(kb.root).errors == []


# ---------------------------------------------------------------- records that would not pass check


@pytest.mark.parametrize(
    ("title", "year", "why"),
    [
        ("!!!", "2020", "no letters or digits"),
        ("\u200b\u200b", "2020", "no letters or digits"),
        ("-- : --", "2020", "no letters or digits"),
        ("Fine title", "1066", "outside"),
        ("Fine title", "3000", "outside"),
    ],
)
def test_bibtex_entries_that_would_not_pass_check_are_skipped(kb, run, tmp_path, title, year, why):
    src = tmp_path / "in.bib"
    src.write_text(
        f"@misc{{good, title = {{A Good Title}}, author = {{Smith, Jane}}, year = 2020}}\n\n"
        f"@misc{{bad, title = {{{title}}}, author = {{Doe, John}}, year = {year}}}\n"
    )
    r = run("import", "bibtex", src, "--topic", "attention", "--dir", kb.root)
    assert r.code == 0 and f"{src}:3: entry 'bad' skipped:" in r.err and why in r.err, r.err
    assert papers(kb) == ["smith2020good.yaml"] and load(kb.root).errors == []


def test_long_titles_are_fine(kb, run, tmp_path):
    src = tmp_path / "in.bib"
    src.write_text("@misc{long, title = {" + "Words " * 60 + "}, author = {Smith, Jane}, year = 2020}\n")
    assert run("import", "bibtex", src, "--topic", "attention", "--dir", kb.root).code == 0
    assert len(papers(kb)) == 1 and load(kb.root).errors == []


# ---------------------------------------------------------------- generated input

latexish = st.sampled_from(['{\\"o}', "{\\'e}", "\\&", "{Brace}", "é", "ß", "\u200b", "--", "$x$", "{", "}", "\\", "%", "#", "!"])
word = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
title = st.lists(st.one_of(word, latexish), max_size=8).map(" ".join)
name = st.lists(st.one_of(st.from_regex(r"[A-Za-z]{1,8}", fullmatch=True), latexish), min_size=1, max_size=3).map(" ".join)
entry = st.fixed_dictionaries(
    {
        "title": title,
        "authors": st.lists(name, max_size=4),
        "year": st.integers(0, 99999).map(str) | word,
        "extra": st.dictionaries(
            st.sampled_from(["journal", "doi", "url", "eprint", "note", "abstract", "volume"]), word, max_size=3
        ),
    }
)


def bib_text(entries) -> str:
    out = []
    for i, e in enumerate(entries):
        fields = {"title": e["title"], "author": " and ".join(e["authors"]), "year": e["year"], **e["extra"]}
        out.append(f"@article{{e{i},\n" + "".join(f"  {k} = {{{v}}},\n" for k, v in fields.items()) + "}\n")
    return "\n".join(out)


def fresh(tmp_path_factory):
    root = tmp_path_factory.mktemp("kb") / "kb"
    assert cli.main(["init", str(root)]) == 0
    return root


def clean_outcome(root, code, err):
    assert "Traceback" not in err
    assert code in (0, 1), err
    kb = load(root)
    assert kb.errors == [], [str(p) for p in kb.errors]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(entry, max_size=5))
def test_generated_bibtex_imports_cleanly(tmp_path_factory, capsys, entries):
    root = fresh(tmp_path_factory)
    src = root / "in.bib"
    src.write_text(bib_text(entries), encoding="utf-8")
    code = cli.main(["import", "bibtex", str(src), "--topic", "attention", "--dir", str(root)])
    clean_outcome(root, code, capsys.readouterr().err)


bullet = st.tuples(
    st.integers(0, 3),
    title,
    st.one_of(st.just(""), name.map(lambda n: f" ({n}, 2020)"), st.integers(1890, 2100).map(lambda y: f" (smith et al., {y})")),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.one_of(bullet, title.map(lambda t: (-1, t, ""))), max_size=12))
def test_generated_notes_import_cleanly(tmp_path_factory, capsys, lines):
    root = fresh(tmp_path_factory)
    text = "".join(f"## {t or 'Heading'}\n" if depth < 0 else f"{'  ' * depth}- {t}{cite}\n" for depth, t, cite in lines)
    src = root / "in.md"
    src.write_text(text, encoding="utf-8")
    code = cli.main(["import", "notes", str(src), "--dir", str(root)])
    clean_outcome(root, code, capsys.readouterr().err)
