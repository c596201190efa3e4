"""`storymap publish` pushes the built site to a gh-pages branch of a local bare repository.

Git runs with no global or system config at all (HOME, XDG_CONFIG_HOME and GIT_CONFIG_GLOBAL
point at an empty folder, GIT_CONFIG_NOSYSTEM is set, no GIT_AUTHOR_* variables), so the only
identity is the one set in the test repository itself, as an officer's machine might have it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import copy_project, run_cli

from storymap.commands.gitsource import identity, read_source
from storymap.commands.publish import pages_url
from storymap.config import load_config
from storymap.errors import PublishError

NAME, EMAIL = "Brent Officer", "officer@brent.example"


@pytest.fixture(scope="module")
def git_env(tmp_path_factory) -> dict[str, str]:
    """os.environ without any git identity or config but the repository's own."""
    empty = tmp_path_factory.mktemp("no-global-git")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_") and k != "EMAIL"}
    env.update(
        HOME=str(empty),
        XDG_CONFIG_HOME=str(empty / "xdg"),
        GIT_CONFIG_GLOBAL=str(empty / "gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
    )
    return env


@pytest.fixture
def isolated(git_env, monkeypatch) -> dict[str, str]:
    """The same environment for in-process calls."""
    for key in [k for k in os.environ if k.startswith("GIT_") or k == "EMAIL"]:
        monkeypatch.delenv(key)
    for key, value in git_env.items():
        monkeypatch.setenv(key, value)
    return git_env


def git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def storymap(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_cli(*args, cwd=cwd, env=env)


def make_repo(project: Path, env: dict[str, str]) -> str:
    """git init with a repository-level identity only; everything committed. Returns HEAD."""
    git("init", "--quiet", "-b", "main", cwd=project, env=env)
    git("config", "user.name", NAME, cwd=project, env=env)
    git("config", "user.email", EMAIL, cwd=project, env=env)
    (project / ".gitignore").write_text("/site/\n/.storymap-cache/\n/data/cache/\n", "utf-8")
    git("add", "-A", cwd=project, env=env)
    git("commit", "--quiet", "-m", "The story", cwd=project, env=env)
    return git("rev-parse", "HEAD", cwd=project, env=env).strip()


def bare(folder: Path, env: dict[str, str]) -> Path:
    remote = folder / "remote.git"
    git("init", "--quiet", "--bare", str(remote), cwd=folder, env=env)
    return remote


@pytest.fixture(scope="module")
def published(tmp_path_factory, git_env):
    """One project in git, published once to a bare remote (a full build)."""
    folder = tmp_path_factory.mktemp("publish")
    project = copy_project(folder / "project")
    head = make_repo(project, git_env)
    remote = bare(folder, git_env)
    git("remote", "add", "origin", str(remote), cwd=project, env=git_env)
    first = storymap("publish", cwd=project, env=git_env)
    return project, remote, head, first


def test_publish_commits_with_the_repository_identity_and_records_the_source(published, git_env):
    project, remote, head, first = published
    assert first.returncode == 0, first.stderr
    assert "Published" in first.stdout
    assert f"committing as {NAME} <{EMAIL}> (from the repository's git config)" in first.stderr
    author = git("log", "-1", "--format=%an <%ae>|%cn <%ce>", "gh-pages", cwd=remote, env=git_env)
    assert author.strip() == f"{NAME} <{EMAIL}>|{NAME} <{EMAIL}>"
    message = git("log", "-1", "--format=%B", "gh-pages", cwd=remote, env=git_env)
    assert message.startswith("Publish 'Older Londoners and digital exclusion' with storymap")
    assert f"Source commit: {head}" in message
    assert "Uncommitted" not in message
    files = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote, env=git_env).split()
    assert {"index.html", ".nojekyll"} <= set(files)
    assert any(f.endswith(".css") for f in files)
    index = git("show", "gh-pages:index.html", cwd=remote, env=git_env)
    assert "__storymap" not in index  # the preview's reload script is never published
    assert git("rev-parse", "--abbrev-ref", "HEAD", cwd=project, env=git_env).strip() == "main"
    assert "gh-pages" not in git("branch", "--list", cwd=project, env=git_env)


def test_a_dirty_tree_is_refused_by_name_until_committed_or_allowed(published, git_env):
    project, remote, _head, _first = published
    chapter = project / "chapters" / "01-introduction.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nA second edition.\n", "utf-8")
    (project / "chapters" / "notes.txt").write_text("my own notes, not in the site\n", "utf-8")
    before = git("rev-parse", "gh-pages", cwd=remote, env=git_env)

    refused = storymap("publish", cwd=project, env=git_env)
    assert refused.returncode == 1
    assert refused.stderr.startswith(
        "Publishing 'Older Londoners and digital exclusion' to branch gh-pages of origin\n"
        "Error: uncommitted changes to what the site is built from: chapters/01-introduction.md."
        "\n       The published site would match no commit. Commit them (git add, then git "
        "commit), or publish anyway with --allow-dirty.\n"
    )
    assert git("rev-parse", "gh-pages", cwd=remote, env=git_env) == before

    allowed = storymap("publish", "--allow-dirty", cwd=project, env=git_env)
    assert allowed.returncode == 0, allowed.stderr
    assert (
        "publishing uncommitted changes anyway (--allow-dirty): chapters/01-introduction.md"
        in allowed.stderr
    )
    message = git("log", "-1", "--format=%B", "gh-pages", cwd=remote, env=git_env)
    assert "Uncommitted changes published: chapters/01-introduction.md" in message

    git("commit", "--quiet", "-am", "Second edition", cwd=project, env=git_env)
    head = git("rev-parse", "HEAD", cwd=project, env=git_env).strip()
    third = storymap("publish", "--message", "Second edition", cwd=project, env=git_env)
    assert third.returncode == 0, third.stderr
    log = git("log", "--format=%s", "gh-pages", cwd=remote, env=git_env).splitlines()
    assert log[0] == "Second edition" and len(log) == 3  # history kept
    assert f"Source commit: {head}" in git(
        "log", "-1", "--format=%B", "gh-pages", cwd=remote, env=git_env
    )
    assert "A second edition." in git("show", "gh-pages:introduction.html", cwd=remote, env=git_env)
    assert (project / "chapters" / "notes.txt").is_file()  # the author's own files untouched


def test_an_unreachable_remote_is_a_clear_error_before_any_build(project, git_env, tmp_path):
    make_repo(project, git_env)
    missing = tmp_path / "no-such-remote.git"
    done = storymap("publish", "--remote", str(missing), cwd=project, env=git_env)
    assert done.returncode == 1
    assert f"Error: cannot reach the remote {missing}: " in done.stderr
    assert "Nothing was built or published. Check the address, your network" in done.stderr
    assert "check input data" not in done.stderr  # refused before building
    assert "Traceback" not in done.stderr


def test_a_project_outside_git_is_refused_with_what_to_do(project, git_env, tmp_path):
    done = storymap("publish", "--remote", str(bare(tmp_path, git_env)), cwd=project, env=git_env)
    assert done.returncode == 1
    assert "is not in a git repository, so the published site could not be traced" in done.stderr
    assert (
        "Put the project under git (git init, git add, git commit) and publish again, or "
        "publish anyway with --allow-dirty."
    ) in done.stderr


def test_a_failed_build_publishes_nothing(project, git_env, tmp_path):
    chapter = project / "chapters" / "01-introduction.md"
    chapter.write_text("# Broken\n\n{{ nosuchname }}\n", encoding="utf-8")
    make_repo(project, git_env)
    remote = bare(tmp_path, git_env)
    done = storymap("publish", "--remote", str(remote), cwd=project, env=git_env)
    assert done.returncode == 1
    assert "Error: chapters/01-introduction.md line 3" in done.stderr
    assert "Traceback" not in done.stderr
    assert git("branch", "--list", cwd=remote, env=git_env).strip() == ""


def test_identity_comes_from_the_repository_then_global_config_then_a_clear_message(
    project, isolated, tmp_path
):
    git("init", "--quiet", cwd=project, env=isolated)
    with pytest.raises(PublishError) as caught:
        identity(project)
    assert caught.value.problems == [
        "git has no user.name and user.email here, so it cannot record who published the site. "
        'Set them for this repository:\n  git config user.name "Your Name"\n  git config '
        "user.email you@example.org\n(add --global to use them in every repository), then "
        "publish again."
    ]
    Path(isolated["GIT_CONFIG_GLOBAL"]).write_text(
        "[user]\n\tname = Global Person\n\temail = global@example.org\n", "utf-8"
    )
    try:
        found = identity(project)
        assert (found.name, found.email, found.origin) == (
            "Global Person",
            "global@example.org",
            "your global git config",
        )
        git("config", "user.name", NAME, cwd=project, env=isolated)
        git("config", "user.email", EMAIL, cwd=project, env=isolated)
        found = identity(project)
        assert (found.name, found.email, found.origin) == (
            NAME,
            EMAIL,
            "the repository's git config",
        )
    finally:
        Path(isolated["GIT_CONFIG_GLOBAL"]).unlink()


def test_changes_that_count_are_those_the_build_reads(project, isolated):
    make_repo(project, isolated)
    config = load_config(project / "site_config.yml")
    assert read_source(config).changes == []
    (project / "chapters" / "scratch.txt").write_text("not built\n", "utf-8")  # untracked
    data = project / "data/deri/deri_v1.6_data_sources.csv"
    data.write_text(data.read_text(encoding="utf-8") + "\n", "utf-8")  # tracked, read
    (project / "chapters" / "09-draft.md").write_text("# Draft\n", "utf-8")
    text = (project / "site_config.yml").read_text(encoding="utf-8")
    (project / "site_config.yml").write_text(
        text + "  - file: chapters/09-draft.md\n    title: Draft\n", "utf-8"
    )
    source = read_source(load_config(project / "site_config.yml"))
    assert source.changes == [
        "chapters/09-draft.md",
        "data/deri/deri_v1.6_data_sources.csv",
        "site_config.yml",
    ]
    assert source.commit and len(source.commit) == 40


def test_unknown_remote_name_is_an_error_with_the_fix(project, git_env):
    make_repo(project, git_env)
    done = storymap("publish", "--remote", "nosuchremote", cwd=project, env=git_env)
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
