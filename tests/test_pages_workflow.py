"""The GitHub Pages workflow: it cannot run here, so check what it says."""

from __future__ import annotations

import yaml

from tests.conftest import REPO


def test_pages_workflow_builds_with_tlnotes_and_deploys_with_the_pages_actions():
    flow = yaml.safe_load((REPO / ".github" / "workflows" / "pages.yml").read_text())
    assert flow["permissions"]["pages"] == "write" and flow["permissions"]["id-token"] == "write"
    assert flow["concurrency"]["group"]
    steps = [s for job in flow["jobs"].values() for s in job["steps"]]
    uses = [s["uses"].split("@")[0] for s in steps if "uses" in s]
    for action in ("actions/checkout", "actions/configure-pages", "actions/upload-pages-artifact", "actions/deploy-pages"):
        assert action in uses
    runs = " ".join(s.get("run", "") for s in steps)
    assert "pip install ." in runs and "tlnotes build" in runs and "site_url:" in runs
    python = [s for s in steps if s.get("uses", "").startswith("actions/setup-python")][0]
    assert python["with"]["python-version"] == "3.11"
    assert flow["jobs"]["deploy"]["environment"]["name"] == "github-pages"


def test_site_url_is_a_marked_placeholder_the_workflow_replaces():
    text = (REPO / "mkdocs.yml").read_text()
    assert "site_url: https://example.invalid/" in text and "PLACEHOLDER" in text
