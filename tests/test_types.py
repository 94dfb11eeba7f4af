"""mypy passes on src/ with the project's configuration, and that configuration keeps catching what it is for."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.conftest import REPO

CONFIG = REPO / "pyproject.toml"


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    """One mypy cache for the module: the standard library is analysed once, not per run."""
    return tmp_path_factory.mktemp("mypy-cache")


def _mypy(cache_dir, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(CONFIG), "--cache-dir", str(cache_dir), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_src_type_checks(cache_dir):
    run = _mypy(cache_dir)  # the files come from [tool.mypy] files
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues found" in run.stdout


def _check_snippet(cache_dir, tmp_path, code: str) -> subprocess.CompletedProcess:
    path = tmp_path / "snippet.py"
    path.write_text(textwrap.dedent(code))
    return _mypy(cache_dir, str(path))


@pytest.mark.parametrize(
    "code, expected",
    [
        # check_untyped_defs: the body of a function without annotations is checked too
        ("import re\ndef f(line):\n    return re.match('a', line).group(0)\n", "[union-attr]"),
        ("def f():\n    out = []\n    return out\n", "[var-annotated]"),
        ("def f(x: str | None):\n    return x.upper()\n", "[union-attr]"),
        # warn_unused_ignores: an ignore that silences nothing is reported, so none outlives its reason
        ("x: int = 1  # type: ignore[assignment]\n", "[unused-ignore]"),
        # only the listed libraries may lack types: a missing module is still an error
        ("import tlnotes_no_such_module\n", "[import-not-found]"),
        # a third-party library with stubs is checked against them
        ("import yaml\nyaml.safe_load(1)\n", "[arg-type]"),
    ],
)
def test_configuration_catches(cache_dir, tmp_path, code, expected):
    run = _check_snippet(cache_dir, tmp_path, code)
    assert run.returncode == 1, run.stdout + run.stderr
    assert expected in run.stdout, run.stdout


def test_libraries_without_types_are_allowed(cache_dir, tmp_path):
    run = _check_snippet(
        cache_dir, tmp_path, "import pybtex.database\nimport latexcodec\nimport mkdocs.plugins\nimport nh3\nimport markdown_it\n"
    )
    assert run.returncode == 0, run.stdout + run.stderr
