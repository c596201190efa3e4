"""`storymap publish` pushes the built site to a gh-pages branch of a (local, bare) remote."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli

from storymap.commands.publish import pages_url
from storymap.config import load_config

IDENTITY = {
    "GIT_AUTHOR_NAME": "Storymap Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Storymap Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
}


def storymap(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return run_cli(*args, cwd=cwd, env={**os.environ, **IDENTITY})


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **IDENTITY}
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git("init", "--quiet", "--bare", str(bare), cwd=tmp_path)
    return bare


def test_publish_creates_gh_pages_and_publishing_twice_keeps_history(project: Path, remote: Path):
    first = storymap("publish", "--remote", str(remote), cwd=project)
    assert first.returncode == 0, first.stderr
    assert "Published" in first.stdout
    files = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).split()
    assert "index.html" in files
    assert ".nojekyll" in files
    assert any(f.endswith(".css") for f in files)
    index = git("show", "gh-pages:index.html", cwd=remote)
    assert "__storymap_version" not in index  # the preview's reload script is never published

    chapter = project / "chapters" / "01-introduction.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA second edition.\n", "utf-8")
    second = storymap(
        "publish", "--remote", str(remote), "--message", "Second edition", cwd=project
    )
    assert second.returncode == 0, second.stderr
    log = git("log", "--format=%s", "gh-pages", cwd=remote).splitlines()
    assert len(log) == 2
    assert log[0] == "Second edition"
    page = git("show", "gh-pages:introduction.html", cwd=remote)
    assert "A second edition." in page


def test_failed_build_publishes_nothing(project: Path, remote: Path):
    chapter = project / "chapters" / "01-introduction.md"
    chapter.write_text("# Broken\n\n{{ nosuchname }}\n", encoding="utf-8")
    done = storymap("publish", "--remote", str(remote), cwd=project)
    assert done.returncode == 1
    assert "Error:" in done.stderr
    assert "nosuchname" in done.stderr
    assert "Traceback" not in done.stderr
    branches = git("branch", "--list", cwd=remote)
    assert branches.strip() == ""


def test_remote_name_is_looked_up_and_working_tree_untouched(project: Path, remote: Path):
    git("init", "--quiet", "-b", "main", cwd=project)
    git("add", "site_config.yml", cwd=project)
    git("commit", "--quiet", "-m", "start", cwd=project)
    git("remote", "add", "origin", str(remote), cwd=project)
    (project / "chapters" / "notes.txt").write_text("uncommitted work\n", encoding="utf-8")
    done = storymap("publish", cwd=project)
    assert done.returncode == 0, done.stderr
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=project).strip() == "main"
    assert "gh-pages" not in git("branch", "--list", cwd=project)
    assert (project / "chapters" / "notes.txt").read_text(encoding="utf-8") == "uncommitted work\n"
    assert "index.html" in git("ls-tree", "--name-only", "gh-pages", cwd=remote).split()


def test_unknown_remote_name_is_an_error_with_the_fix(project: Path):
    git("init", "--quiet", cwd=project)
    done = storymap("publish", "--remote", "nosuchremote", cwd=project)
    assert done.returncode == 1
    assert "Error: --remote nosuchremote" in done.stderr
    assert "git remote add" in done.stderr


@pytest.mark.parametrize(
    ("remote_url", "expected"),
    [
        ("https://github.com/london-org/storymap.git", "https://london-org.github.io/storymap/"),
        ("git@github.com:London-Org/storymap.git", "https://london-org.github.io/storymap/"),
        ("ssh://git@github.com/london-org/storymap", "https://london-org.github.io/storymap/"),
        ("https://github.com/london-org/london-org.github.io", "https://london-org.github.io/"),
        ("/srv/git/storymap.git", None),
        ("https://gitlab.com/london-org/storymap.git", None),
    ],
)
def test_pages_url(project: Path, remote_url: str, expected: str | None):
    config = load_config(project / "site_config.yml")
    assert config.site.url is None
    assert pages_url(remote_url, config) == expected


def test_pages_url_prefers_site_url(project: Path):
    config_file = project / "site_config.yml"
    text = config_file.read_text(encoding="utf-8")
    config_file.write_text(
        text.replace("  language: en\n", "  language: en\n  url: https://example.org/story/\n", 1),
        encoding="utf-8",
    )
    config = load_config(config_file)
    assert pages_url("https://github.com/a/b.git", config) == "https://example.org/story/"
