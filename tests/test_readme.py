"""The README's record example is a valid record, and its quick start is the one CI runs."""

from __future__ import annotations

import re

from tests.conftest import REPO


def test_readme_record_example_is_valid(kb):
    text = (REPO / "README.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    assert block.startswith("# yaml-language-server: $schema=")
    kb.record(
        "devlin2019bert",
        'title: "BERT: Pre-training of Deep Bidirectional Transformers"\nauthors: [Jacob Devlin]\nyear: 2019\ntopics: [attention]\nsummary: [x]\n',
    )
    kb.record("vaswani2017attention", block)
    k = kb.load()
    assert k.problems == [] and k.papers["vaswani2017attention"].summary[1].children[0].text == "like this"


def test_quick_start_commands_exist_and_ci_runs_make_test():
    text = (REPO / "README.md").read_text()
    assert "make serve" in text and "make test" in text
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^serve:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text()


def _commands(parser, prefix=()):
    """(command words, its parser) for every command and subcommand of the CLI."""
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, (*prefix, name))
    if prefix and not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions):
        yield prefix, parser


def test_every_command_and_option_is_in_the_readme():
    """In the style of sqlite-utils' test_docs.py: the README cannot fall behind the CLI."""
    from tlnotes.cli import build_parser

    text = (REPO / "README.md").read_text()
    missing = []
    found = list(_commands(build_parser()))
    assert len(found) >= 10
    for words, parser in found:
        if f"tlnotes {' '.join(words)}" not in text:
            missing.append(f"tlnotes {' '.join(words)}")
        for action in parser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help" and option not in text:
                    missing.append(f"tlnotes {' '.join(words)} {option}")
    assert missing == [], missing


def test_the_knowledge_base_folder_is_given_one_way_everywhere(tmp_path):
    """--dir on every command that reads or writes a knowledge base; check, build, links and export take it positionally too."""
    import argparse

    from tlnotes.cli import build_parser, main

    for words, parser in _commands(build_parser()):
        if words[0] in ("schema", "init"):
            continue
        options = {o for a in parser._actions for o in a.option_strings}
        assert "--dir" in options, words
    assert main(["check", "--dir", str(REPO)]) == 0
    try:
        main(["check", str(REPO), "--dir", str(tmp_path)])
    except SystemExit as exc:  # a usage error: the folder given twice
        assert exc.code == 2
    else:
        raise AssertionError("a knowledge base given twice was accepted")
    assert isinstance(build_parser(), argparse.ArgumentParser)
