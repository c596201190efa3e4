"""Golden case folders: each tests/cases/<name>/ is a small project built once, its text outputs
compared with the files in its expected/ folder.

In: tests/cases/<name>/case.yml (``boroughs``, optional ``overrides`` merged into the real
site_config.yml, optional ``chapters_from`` naming another case's chapters/), its chapters/.
Out: one test per golden file, with a unified diff on a difference. A new case is a new folder;
``STORYMAP_UPDATE_GOLDEN=1`` rewrites expected/ from the build (then read the diff in git).

The golden texts: the tables of the method and data-checks pages (config-derived), every scroll
step's generated summary, the first lines of each download CSV, and the list of built pages.
"""

from __future__ import annotations

import difflib
import html
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from smallproject import make_small_project

CASES = Path(__file__).resolve().parent / "cases"
UPDATE = os.environ.get("STORYMAP_UPDATE_GOLDEN") == "1"
CSV_HEAD_LINES = 6


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def _tables(page: str) -> str:
    out = []
    for table in re.findall(r"<table.*?</table>", page, re.S):
        for row in re.findall(r"<tr.*?</tr>", table, re.S):
            out.append(" | ".join(_text(c) for c in re.findall(r"<t[hd].*?</t[hd]>", row, re.S)))
        out.append("")
    return "\n".join(out)


def golden_outputs(site: Path) -> dict[str, str]:
    """File name -> text, every golden output of a built site."""
    outputs = {}
    for name in ("method", "data-checks"):
        outputs[f"tables-{name}.txt"] = _tables((site / f"{name}.html").read_text("utf-8"))
    steps = []
    for page in sorted(site.glob("*.html")):
        for summary in re.findall(r'<p class="step-summary">(.*?)</p>', page.read_text("utf-8")):
            steps.append(f"{page.name}: {_text(summary)}")
    outputs["step-summaries.txt"] = "\n".join(steps) + "\n"
    for path in sorted((site / "downloads").glob("*.csv")):
        lines = path.read_text("utf-8-sig").splitlines()[:CSV_HEAD_LINES]
        outputs[f"csv-head-{path.stem}.txt"] = "\n".join(lines) + "\n"
    pages = sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))
    outputs["pages.txt"] = "\n".join(pages) + "\n"
    return outputs


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if (p / "case.yml").is_file())


def make_case(name: str, dest: Path) -> Path:
    spec = yaml.safe_load((CASES / name / "case.yml").read_text("utf-8"))
    chapters = CASES / spec.get("chapters_from", name) / "chapters"
    return make_small_project(
        dest, spec["boroughs"], spec.get("overrides"), chapters if chapters.is_dir() else None
    )


@pytest.fixture(scope="module", params=case_names())
def case_build(request, tmp_path_factory):
    project = make_case(request.param, tmp_path_factory.mktemp(request.param) / "project")
    done = subprocess.run(
        [sys.executable, "-m", "storymap", "build", "--config", "site_config.yml", "--out", "site"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return request.param, golden_outputs(project / "site")


def test_golden_outputs(case_build) -> None:
    name, outputs = case_build
    expected = CASES / name / "expected"
    if UPDATE:
        expected.mkdir(exist_ok=True)
        for old in expected.glob("*.txt"):
            old.unlink()
        for file, text in outputs.items():
            (expected / file).write_text(text, "utf-8")
    wanted = {p.name: p.read_text("utf-8") for p in sorted(expected.glob("*.txt"))}
    assert wanted, f"{expected} is empty: run with STORYMAP_UPDATE_GOLDEN=1"
    problems = []
    for file in sorted(set(wanted) | set(outputs)):
        if wanted.get(file) != outputs.get(file):
            problems.append(
                "".join(
                    difflib.unified_diff(
                        io.StringIO(wanted.get(file, "")).readlines(),
                        io.StringIO(outputs.get(file, "")).readlines(),
                        f"expected/{file}",
                        f"built/{file}",
                    )
                )
                or f"{file}: missing"
            )
    assert not problems, f"case {name}:\n" + "\n".join(problems)
