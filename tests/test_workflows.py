"""The GitHub Actions workflows parse, use the README's commands and pin every action."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@(?:[0-9a-f]{40} # v\d+\.\d+\.\d+|v\d+\.\d+\.\d+)$")


def readme_command(target: str) -> str:
    """The README's command for ``target`` (site/test); `make <target>` if there is no README."""
    readme = REPO / "README.md"
    command = f"make {target}"
    if readme.is_file():
        assert command in readme.read_text(encoding="utf-8"), f"README.md does not say {command}"
    return command


def load(name: str) -> dict:
    data = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def triggers(workflow: dict) -> dict:
    return workflow.get("on") or workflow.get(True)  # YAML 1.1 reads a bare `on` as True


def run_lines(workflow: dict) -> list[str]:
    return [line.strip() for s in steps(workflow) for line in s.get("run", "").splitlines()]


@pytest.mark.parametrize("name", ["pages.yml", "tests.yml"])
def test_workflow_parses_and_pins_actions(name: str):
    workflow = load(name)
    assert workflow["jobs"]
    uses = [s["uses"] for s in steps(workflow) if "uses" in s]
    text = (WORKFLOWS / name).read_text(encoding="utf-8")
    for action in uses:
        line = next(line for line in text.splitlines() if action in line)
        pin = line.split("uses:", 1)[1].strip()
        assert PINNED.match(pin), f"{name}: {pin} is not pinned to a commit SHA or exact version"


def test_pages_workflow_builds_with_the_readme_command_and_deploys():
    workflow = load("pages.yml")
    assert triggers(workflow)["push"]["branches"] == ["main"]
    assert readme_command("site") in run_lines(workflow)
    uses = [s["uses"].split("@")[0] for s in steps(workflow) if "uses" in s]
    for action in (
        "actions/configure-pages",
        "actions/upload-pages-artifact",
        "actions/deploy-pages",
    ):
        assert action in uses
    upload = next(s for s in steps(workflow) if "upload-pages-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "site"
    deploy = workflow["jobs"]["deploy"]
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["needs"] == "build"


def test_tests_workflow_runs_the_readme_test_command_on_pull_requests():
    workflow = load("tests.yml")
    assert "pull_request" in triggers(workflow)
    lines = run_lines(workflow)
    install = next(i for i, line in enumerate(lines) if "apt-get install -y chromium" in line)
    assert lines[install].startswith("sudo ")
    assert lines.index(readme_command("test")) > install
