"""What is being published, as git sees the project: its commit, its uncommitted changes, and
who the publish commit is made by.

In: the Config (the project folder and the files the build reads). Out: a :class:`Source` (the
commit checked out, if any, and the uncommitted changes to the config, ``chapters/``, ``data/``
and every file the build reads) and an :class:`Identity` (name and email for the gh-pages
commit, from GIT_AUTHOR_* / GIT_COMMITTER_* if set, else the repository's git config, then the
global one), or a PublishError saying what to run.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from storymap.config import Config
from storymap.errors import PublishError, quoted_list

GIT_PROTOCOLS = "file:git:http:https:ssh"
GIT_TIMEOUT = 120  # seconds; a git command that waits longer is stopped with an Error


@dataclass
class Source:
    root: Path  # the project folder
    repo: Path | None  # the git repository's top folder; None outside git
    commit: str | None  # the commit checked out; None outside git or before the first commit
    changes: list[str] = field(default_factory=list)  # uncommitted, relative to the project

    def note(self) -> str:
        """The lines the gh-pages commit message ends with."""
        if self.commit is None:
            line = "Source: not a git commit (published with --allow-dirty)."
        else:
            line = f"Source commit: {self.commit}"
        if self.changes:
            line += f"\nUncommitted changes published: {quoted_list(self.changes, 20)}"
        return line


@dataclass
class Identity:
    name: str
    email: str
    origin: str  # where it came from, e.g. "the repository's git config"

    def env(self) -> dict[str, str]:
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
        }


def run_git(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run git without ever waiting for a password prompt; a missing git or a hang is an Error."""
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT,
            env={
                **os.environ,
                "GIT_TERMINAL_PROMPT": "0",
                # no transport that runs a command (ext::, fd::): a remote is only an address
                "GIT_ALLOW_PROTOCOL": os.environ.get("GIT_ALLOW_PROTOCOL", GIT_PROTOCOLS),
                **(env or {}),
            },
        )
    except FileNotFoundError:
        raise PublishError(
            "git is not installed or not on PATH. Install git (https://git-scm.com) and try again."
        ) from None
    except subprocess.TimeoutExpired:
        raise PublishError(
            f"git {args[0]} did not finish within {GIT_TIMEOUT} s (a slow or unreachable remote?). "
            "Check your network and the remote, then publish again; nothing was published."
        ) from None


def read_source(config: Config) -> Source:
    """The project's commit and its uncommitted changes to anything the build reads."""
    root = config.root.resolve()
    top = run_git("rev-parse", "--show-toplevel", cwd=root)
    if top.returncode != 0:
        return Source(root, None, None, ["(the project is not in a git repository)"])
    repo = Path(top.stdout.strip()).resolve()
    head = run_git("rev-parse", "--verify", "--quiet", "HEAD", cwd=root)
    commit = head.stdout.strip() if head.returncode == 0 else None
    status = run_git("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".", cwd=root)
    if status.returncode != 0:
        raise PublishError(f"git status failed in {root}: {status.stderr.strip()}")
    read = built_from(config)
    changes = []
    for entry in _entries(status.stdout):
        code, path = entry[:2], (repo / entry[3:]).resolve()
        if not path.is_relative_to(root):
            continue
        rel = path.relative_to(root).as_posix()
        tracked_area = rel == config.path.name or rel.startswith(("chapters/", "data/"))
        if (code != "??" and tracked_area) or path in read:
            changes.append(rel)
    if commit is None:
        changes.insert(0, "(no commit yet)")
    return Source(root, repo, commit, sorted(dict.fromkeys(changes)))


def _entries(porcelain: str) -> list[str]:
    """``XY path`` entries of ``git status --porcelain -z`` (renames: the new path only)."""
    parts = porcelain.split("\0")
    out, i = [], 0
    while i < len(parts):
        entry = parts[i]
        i += 1
        if not entry:
            continue
        out.append(entry)
        if entry[0] in "RC":  # a rename's old path follows as its own field
            i += 1
    return out


def built_from(config: Config) -> set[Path]:
    """Every file the build reads: the config, home page, chapters and data files."""
    files = [
        config.home,
        *(c.file for c in config.chapters),
        *(s.file for s in config.sources.values()),
    ]
    if config.index and config.index.compare_with and config.index.compare_with.inputs_table:
        files.append(config.index.compare_with.inputs_table)
    return {config.path.resolve(), *(config.resolve(f) for f in files)}


def require_committed(source: Source, allow_dirty: bool) -> None:
    if not source.changes or allow_dirty:
        return
    if source.repo is None:
        raise PublishError(
            f"{source.root} is not in a git repository, so the published site could not be "
            "traced to a commit of its chapters, config and data.\nPut the project under git "
            "(git init, git add, git commit) and publish again, or publish anyway with "
            "--allow-dirty."
        )
    raise PublishError(
        f"uncommitted changes to what the site is built from: {quoted_list(source.changes, 20)}."
        "\nThe published site would match no commit. Commit them (git add, then git commit), or "
        "publish anyway with --allow-dirty."
    )


def identity(root: Path) -> Identity:
    """Who the gh-pages commit is by: GIT_AUTHOR_* in the environment, else git config as git
    reads it in the project (the repository's own, then the global one, then the system's)."""
    env_name, env_email = os.environ.get("GIT_AUTHOR_NAME"), os.environ.get("GIT_AUTHOR_EMAIL")
    if env_name and env_email:
        return Identity(env_name, env_email, "GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL")
    found = {}
    for key in ("user.name", "user.email"):
        done = run_git("config", "--show-scope", "--get", key, cwd=root)
        if done.returncode == 0 and done.stdout.strip():
            scope, _, value = done.stdout.strip().partition("\t")
            found[key] = (value.strip(), scope)
    if set(found) != {"user.name", "user.email"}:
        missing = " and ".join(k for k in ("user.name", "user.email") if k not in found)
        raise PublishError(
            f"git has no {missing} here, so it cannot record who published the site. Set them "
            "for this repository:\n"
            '  git config user.name "Your Name"\n'
            "  git config user.email you@example.org\n"
            "(add --global to use them in every repository), then publish again."
        )
    scopes = {
        "local": "the repository's git config",
        "worktree": "the worktree's git config",
        "global": "your global git config",
        "system": "the system's git config",
    }
    scope = found["user.email"][1]
    return Identity(found["user.name"][0], found["user.email"][0], scopes.get(scope, scope))
