"""The README's record example is a valid record, and its quick start is the one CI runs."""

from __future__ import annotations

import re

from tests.conftest import REPO


def test_readme_record_example_is_valid(kb):
    text = (REPO / "README.md").read_text()
    block = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    assert block.startswith("# yaml-language-server: $schema=")
    kb.record("devlin2018bert", "title: BERT\nauthors: [Jacob Devlin]\nyear: 2018\ntopics: [attention]\nsummary: [x]\n")
    kb.record("vaswani2017attention", block)
    k = kb.load()
    assert k.problems == [] and k.papers["vaswani2017attention"].summary[1].children[0].text == "like this"


def test_quick_start_commands_exist_and_ci_runs_make_test():
    text = (REPO / "README.md").read_text()
    assert "make serve" in text and "make test" in text
    makefile = (REPO / "Makefile").read_text()
    assert re.search(r"^serve:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text()
