"""Publish a built site to a ``gh-pages`` branch, as ``mkdocs gh-deploy`` does.

In: the Config, a remote (a name such as ``origin`` or a URL/path), a branch and a commit message.
Out: one new commit on that branch of the remote, whose tree is the freshly built site plus
``.nojekyll``, and a :class:`PublishResult` with the commit and the site's public URL (if known).

The site is built into a temporary folder first; if the build fails nothing is pushed. The commit
is made with git plumbing in a temporary repository (fetch the branch, ``write-tree``,
``commit-tree``, ``push``), so the user's working tree, index and checked-out branch are never
touched. Earlier commits on the branch are kept as the new commit's parent.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from storymap.build import build
from storymap.config import Config
from storymap.errors import PublishError

Report = Callable[[str], None]

GITHUB_REMOTE = re.compile(
    r"^(?:https?://(?:[^@/]+@)?github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>[A-Za-z0-9_.-]+?)(?:\.git)?/?$"
)


@dataclass
class PublishResult:
    remote: str  # the URL pushed to
    branch: str
    commit: str
    url: str | None  # where the site will be served, if it can be told


def publish(
    config: Config,
    remote: str = "origin",
    branch: str = "gh-pages",
    message: str | None = None,
    report: Report | None = None,
) -> PublishResult:
    """Build the site and push it as one new commit on ``branch`` of ``remote``."""
    report = report or (lambda _msg: None)
    git_version()
    remote_url = resolve_remote(remote, config.root)
    with tempfile.TemporaryDirectory(prefix="storymap-publish-") as tmp:
        work = Path(tmp)
        build(config, work / "site", report=report)  # raises on any failed check: nothing pushed
        (work / "site" / ".nojekyll").write_bytes(b"")
        repo = work / "repo.git"
        git("init", "--quiet", "--bare", str(repo))
        parent = fetch_branch(repo, remote_url, branch)
        tree = write_tree(repo, work / "site", work / "index")
        commit = commit_tree(repo, tree, parent, message or default_message(config))
        push(repo, remote_url, commit, branch)
    report(f"pushed {commit[:8]} to branch {branch} of {remote_url}")
    return PublishResult(remote_url, branch, commit, pages_url(remote_url, config))


def default_message(config: Config) -> str:
    return f"Publish {config.site.title!r} with storymap"


# ---------------------------------------------------------------------------------------------
# remotes and URLs


def resolve_remote(remote: str, root: Path) -> str:
    """A remote name (looked up in the project's git repository) or a URL/path, as a URL."""
    if "/" in remote or ":" in remote or remote.startswith("."):
        path = Path(remote).expanduser()
        if "://" not in remote and not remote.startswith("git@") and path.exists():
            return str(path.resolve())
        return remote
    found = subprocess.run(
        ["git", "remote", "get-url", remote], cwd=root, capture_output=True, text=True
    )
    if found.returncode != 0:
        raise PublishError(
            f"--remote {remote}: no git remote of that name in {root}. Check `git remote -v`, "
            "add one with `git remote add origin URL`, or pass a URL: --remote URL."
        )
    return found.stdout.strip()


def pages_url(remote_url: str, config: Config) -> str | None:
    """site.url from the config if set, else the GitHub Pages address of a github.com remote."""
    if config.site.url:
        return config.site.url
    match = GITHUB_REMOTE.match(remote_url)
    if not match:
        return None
    owner, repo = match["owner"], match["repo"]
    if repo.lower() == f"{owner.lower()}.github.io":
        return f"https://{owner.lower()}.github.io/"
    return f"https://{owner.lower()}.github.io/{repo}/"


# ---------------------------------------------------------------------------------------------
# git plumbing, all inside a temporary bare repository


def git(
    *args: str, repo: Path | None = None, env: dict[str, str] | None = None, cwd: Path | None = None
) -> str:
    command = ["git", *(["--git-dir", str(repo)] if repo else []), *args]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})}
        )
    except FileNotFoundError:
        raise PublishError(
            "git is not installed or not on PATH. Install git (https://git-scm.com) and try again."
        ) from None
    if done.returncode != 0:
        raise GitFailed(args[0], done.stderr.strip() or done.stdout.strip())
    return done.stdout.strip()


class GitFailed(PublishError):
    def __init__(self, step: str, output: str):
        self.step, self.output = step, output
        super().__init__(f"git {step} failed: {output or 'no output'}")


def git_version() -> str:
    if shutil.which("git") is None:
        raise PublishError(
            "git is not installed or not on PATH. Install git (https://git-scm.com) and try again."
        )
    return git("--version")


def fetch_branch(repo: Path, remote_url: str, branch: str) -> str | None:
    """The remote branch's current commit (fetched into ``repo``), or None if it is new."""
    try:
        heads = git("ls-remote", "--heads", remote_url, f"refs/heads/{branch}", repo=repo)
    except GitFailed as exc:
        raise PublishError(
            f"cannot reach the remote {remote_url}: {exc.output}\n"
            "Check the URL and your access (e.g. `git ls-remote URL`), then try again."
        ) from None
    if not heads:
        return None
    git("fetch", "--quiet", remote_url, f"refs/heads/{branch}:refs/heads/{branch}", repo=repo)
    return git("rev-parse", f"refs/heads/{branch}", repo=repo)


def write_tree(repo: Path, site: Path, index: Path) -> str:
    env = {"GIT_INDEX_FILE": str(index)}
    git("--work-tree", str(site), "add", "--all", "--force", ".", repo=repo, env=env, cwd=site)
    return git("write-tree", repo=repo, env=env)


def commit_tree(repo: Path, tree: str, parent: str | None, message: str) -> str:
    args = ["commit-tree", tree, "-m", message] + (["-p", parent] if parent else [])
    try:
        return git(*args, repo=repo)
    except GitFailed as exc:
        if "identity" in exc.output or "user.email" in exc.output:
            raise PublishError(
                "git does not know who you are, so it cannot record the publish commit. Run\n"
                '`git config --global user.name "Your Name"` and '
                '`git config --global user.email you@example.org`, then publish again.'
            ) from None
        raise


def push(repo: Path, remote_url: str, commit: str, branch: str) -> None:
    try:
        git("push", "--quiet", remote_url, f"{commit}:refs/heads/{branch}", repo=repo)
    except GitFailed as exc:
        raise PublishError(
            f"pushing to branch {branch} of {remote_url} was refused: {exc.output}\n"
            "If someone else published at the same moment, run `storymap publish` again; "
            "otherwise check that you may push to that repository."
        ) from None
