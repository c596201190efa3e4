"""The bad-input corpus: every mistake gives one clear Error and leaves the last good site.

A good site (and its stage cache) is built once; each case copies the project, links that site
and cache into it, makes its mistake (tests/badinput/cases.py), runs the command and asserts: exit
status 1, no traceback, an ``Error:`` naming what and where, and the site, the stage cache and the
fetch cache byte for byte as before. Most cases run ``check`` (it fails on everything ``build``
would refuse, and must not write); a few run ``build``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from badinput.cases import CASES as BASIC
from badinput.cases import Case
from badinput.hardening import HARDENING
from click.testing import CliRunner
from conftest import copy_built, copy_project, run_cli, tree_digest

from storymap.commands.cli import main

KEPT = ("site", ".storymap-cache", "data/cache")
CASES = BASIC + HARDENING


@pytest.fixture(scope="session")
def good(tmp_path_factory, built_project) -> tuple[Path, dict[str, str]]:
    """A project with a built site and stage cache, and the digest of each folder kept."""
    project = copy_built(built_project, tmp_path_factory.mktemp("good") / "project")
    digests = {name: tree_digest(project / name) for name in KEPT}
    digests[".storymap-cache/store"] = tree_digest(project / ".storymap-cache" / "store")
    return project, digests


def _link_tree(src: Path, dest: Path) -> None:
    """Hard-link copy: cheap, and a write into a linked file would show in the digest."""
    if src.exists():
        shutil.copytree(src, dest, copy_function=os.link)


def _case_project(good_project: Path, tmp_path: Path, copy_cache: bool = False) -> Path:
    """A copy of the good project, its site and cache linked (or the cache copied, for cases
    where MkDocs rewrites files of its working folder in place)."""
    project = copy_project(tmp_path / "project")
    _link_tree(good_project / "site", project / "site")
    if copy_cache:
        shutil.copytree(good_project / ".storymap-cache", project / ".storymap-cache")
    else:
        _link_tree(good_project / ".storymap-cache", project / ".storymap-cache")
    return project


def _kept(project: Path, name: str, case: Case) -> tuple[str, str]:
    """(key in the digests, digest now) of a folder a case must leave unchanged: with
    ``mkdocs``, the store in the cache (MkDocs' working folder is rebuilt in full next time:
    its state file is gone)."""
    if case.mkdocs and name == ".storymap-cache":
        assert not (project / name / "mkdocs" / "state.json").exists()
        return f"{name}/store", tree_digest(project / name / "store")
    return name, tree_digest(project / name)


def test_corpus_is_large_and_unique():
    ids = [c.id for c in CASES]
    assert len(ids) >= 90 and len(set(ids)) == len(ids)
    kinds = {i.split("-")[0] for i in ids}
    assert {"config", "chapter", "data", "geometry", "out"} <= kinds


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, good, tmp_path, monkeypatch):
    good_project, digests = good
    project = _case_project(good_project, tmp_path, copy_cache=case.mkdocs)
    case.break_(project)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(main, list(case.command), catch_exceptions=False)
    stderr = result.stderr
    assert result.exit_code == 1, f"exit {result.exit_code}\n{result.output}"
    assert "Traceback" not in stderr
    errors = stderr[stderr.index("Error: ") :] if "Error: " in stderr else ""
    assert errors and ("\n" + stderr).count("\nError: ") >= 1, stderr
    assert all(line.startswith(("Error: ", "       ")) for line in errors.splitlines()), stderr
    assert "This is a bug in storymap" not in stderr, stderr
    for expected in [case.expect] if isinstance(case.expect, str) else case.expect:
        assert expected in errors, f"{expected!r} not in:\n{stderr}"
    for unwanted in case.absent:
        assert unwanted not in result.output, f"{unwanted!r} in:\n{result.output}"
    if case.max_chars:
        assert len(errors) <= case.max_chars, f"{len(errors):,} characters of Error"
    for name in KEPT:
        key, now = _kept(project, name, case)
        assert now == digests[key], f"{key} changed"
    assert not list(project.glob(".site.building-*")), "temporary build folder left behind"


@pytest.mark.parametrize("case_id", ["chapter-unknown-variable", "data-wrong-delimiter"])
def test_bad_input_from_the_shell(case_id: str, good, tmp_path):
    """The same, as a user meets it: a separate process, real stderr."""
    case = next(c for c in CASES if c.id == case_id)
    good_project, digests = good
    project = _case_project(good_project, tmp_path)
    case.break_(project)
    result = run_cli("build", cwd=project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for expected in [case.expect] if isinstance(case.expect, str) else case.expect:
        assert expected in result.stderr, result.stderr
    assert sum(line.startswith("Error: ") for line in result.stderr.splitlines()) >= 1
    for name in KEPT:
        assert tree_digest(project / name) == digests[name], f"{name} changed"
