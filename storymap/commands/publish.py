"""Publish a built site to a ``gh-pages`` branch, as ``mkdocs gh-deploy`` does.

In: the Config, a remote (a name such as ``origin`` or a URL/path), a branch, a commit message
and whether to publish uncommitted changes. Out: one new commit on that branch of the remote,
whose tree is the freshly built site plus ``.nojekyll`` and whose message ends with the source
commit, and a :class:`PublishResult` with the commit and the site's public URL (if known).

Before anything is built: the chapters, config and data must be committed (else an Error names
the files; ``allow_dirty`` publishes anyway and the message records it), git must know who is
publishing (:func:`storymap.commands.gitsource.identity`: the repository's config, then the
global one), and the remote must answer. The site is then built into a temporary folder; if the
build fails nothing is pushed. The commit is made with git plumbing in a temporary repository
(fetch the branch, ``write-tree``, ``commit-tree``, ``push``), so the user's working tree, index
and checked-out branch are never touched. Earlier commits on the branch are kept as its parent.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from storymap.build import build
from storymap.commands.gitsource import (
    Identity,
    identity,
    read_source,
    require_committed,
    run_git,
)
from storymap.config import Config
from storymap.engine.outdir import MARKER
from storymap.errors import PublishError, masked, quoted_list

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
    allow_dirty: bool = False,
) -> PublishResult:
    """Build the site and push it as one new commit on ``branch`` of ``remote``."""
    report = report or (lambda _msg: None)
    check_names(remote, branch)
    git_version()
    source = read_source(config)
    require_committed(source, allow_dirty)
    if source.changes:
        report(
            f"publishing uncommitted changes anyway (--allow-dirty): "
            f"{quoted_list(source.changes, 10)}"
        )
    elif source.commit:
        report(f"built from commit {source.commit[:8]}, no uncommitted changes")
    who = identity(config.root)
    report(f"committing as {who.name} <{who.email}> (from {who.origin})")
    remote_url = resolve_remote(remote, config.root)
    check_not_source_branch(config.root, source.repo, remote, remote_url, branch)
    with tempfile.TemporaryDirectory(prefix="storymap-publish-") as tmp:
        work = Path(tmp)
        repo = work / "repo.git"
        git("init", "--quiet", "--bare", str(repo))
        heads = reach(repo, remote_url, branch)  # before the build: fail in seconds, not minutes
        build(config, work / "site", report=report)  # raises on any failed check: nothing pushed
        (work / "site" / ".nojekyll").write_bytes(b"")
        (work / "site" / MARKER).unlink()  # for the build's own use, not the readers'
        parent = fetch_branch(repo, remote_url, branch, heads)
        tree = write_tree(repo, work / "site", work / "index")
        text = f"{message or default_message(config)}\n\n{source.note()}"
        commit = commit_tree(repo, tree, parent, text, who)
        push(repo, remote_url, commit, branch)
    report(f"pushed {commit[:8]} to branch {branch} of {masked(remote_url)}")
    return PublishResult(remote_url, branch, commit, pages_url(remote_url, config))


def default_message(config: Config) -> str:
    return f"Publish {config.site.title!r} with storymap"


# ---------------------------------------------------------------------------------------------
# remotes and URLs


def check_names(remote: str, branch: str) -> None:
    """An Error, before anything runs, for a remote or branch git would take as an option
    (``--upload-pack=...``) or a branch name git refuses."""
    problems = []
    for option, value in (("--remote", remote), ("--branch", branch)):
        if not value.strip():
            problems.append(f"{option} is empty. Give a name, e.g. {option} {DEFAULTS[option]}.")
        elif value.startswith("-"):
            problems.append(
                f"{option} {masked(value)[:80]!r}: starts with '-', so git would read it as an "
                f"option, not a name; nothing was run. Give a name or address, e.g. {option} "
                f"{DEFAULTS[option]}."
            )
        elif any(c in value for c in "\0\n\r"):
            problems.append(
                f"{option}: holds a NUL or line break, which no git name has. Give a name or "
                f"address, e.g. {option} {DEFAULTS[option]}."
            )
    if not problems and not BRANCH.fullmatch(branch):
        problems.append(
            f"--branch {branch[:80]!r}: is not a branch name git accepts (letters, digits and "
            "- _ . / only, no '..', not ending in '/' or '.lock'). Give a branch name, e.g. "
            "--branch gh-pages."
        )
    if problems:
        raise PublishError(problems)


DEFAULTS = {"--remote": "origin", "--branch": "gh-pages"}
BRANCH = re.compile(
    r"(?!.*\.\.)(?!.*//)(?!.*\.lock$)(?!.*/$)(?!.*/\.)(?!\.)[A-Za-z0-9_.][A-Za-z0-9_./-]*"
)


def current_branch(root: Path) -> str | None:
    """The branch checked out in the project's repository (None if detached or outside git)."""
    done = run_git("symbolic-ref", "--quiet", "--short", "HEAD", cwd=root)
    return done.stdout.strip() if done.returncode == 0 else None


def project_remotes(root: Path) -> set[str]:
    """The URLs of the project repository's own remotes."""
    done = run_git("config", "--get-regexp", r"^remote\..*\.url$", cwd=root)
    return {line.split(" ", 1)[1] for line in done.stdout.splitlines() if " " in line}


def check_not_source_branch(
    root: Path, repo: Path | None, remote: str, remote_url: str, branch: str
) -> None:
    """An Error if ``branch`` of ``remote`` is the branch the site is published from: the
    project's own repository or one of its remotes, and the branch checked out."""
    source = current_branch(root)
    if repo is None or source is None or branch != source:
        return
    ours = {str(repo), str((repo / ".git").resolve())} | project_remotes(root)
    if remote_url in ours or remote_url.rstrip("/") in ours:
        raise PublishError(
            f"--branch {branch}: is the branch the site is published from (checked out in "
            f"{repo}); publishing would replace your chapters, config and data there with the "
            "built pages. Nothing was built or published. Publish to a branch of its own, "
            "e.g. --branch gh-pages."
        )


def resolve_remote(remote: str, root: Path) -> str:
    """A remote name (looked up in the project's git repository) or a URL/path, as a URL."""
    if "/" in remote or ":" in remote or remote.startswith("."):
        path = Path(remote).expanduser()
        if "://" not in remote and not remote.startswith("git@") and path.exists():
            return str(path.resolve())
        return remote
    found = run_git("remote", "get-url", "--", remote, cwd=root)
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
    done = run_git(*(["--git-dir", str(repo)] if repo else []), *args, cwd=cwd, env=env)
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


def reach(repo: Path, remote_url: str, branch: str) -> str:
    """The remote's ``branch`` head as ls-remote prints it ("" if the branch is new); an Error
    if the remote cannot be reached."""
    try:
        return git("ls-remote", "--heads", "--", remote_url, f"refs/heads/{branch}", repo=repo)
    except GitFailed as exc:
        said = exc.output.splitlines()[0] if exc.output else "no answer"
        raise PublishError(
            f"cannot reach the remote {remote_url}: {said}\n"
            "Nothing was built or published. Check the address, your network and that you may "
            "read the repository, then publish again."
        ) from None


def fetch_branch(repo: Path, remote_url: str, branch: str, heads: str) -> str | None:
    """The remote branch's current commit (fetched into ``repo``), or None if it is new."""
    if not heads:
        return None
    git("fetch", "--quiet", "--", remote_url, f"refs/heads/{branch}:refs/heads/{branch}", repo=repo)
    return git("rev-parse", f"refs/heads/{branch}", repo=repo)


def write_tree(repo: Path, site: Path, index: Path) -> str:
    env = {"GIT_INDEX_FILE": str(index)}
    git("--work-tree", str(site), "add", "--all", "--force", ".", repo=repo, env=env, cwd=site)
    return git("write-tree", repo=repo, env=env)


def commit_tree(repo: Path, tree: str, parent: str | None, message: str, who: Identity) -> str:
    args = ["commit-tree", tree, "-m", message] + (["-p", parent] if parent else [])
    return git(*args, repo=repo, env=who.env())


def push(repo: Path, remote_url: str, commit: str, branch: str) -> None:
    try:
        git("push", "--quiet", "--", remote_url, f"{commit}:refs/heads/{branch}", repo=repo)
    except GitFailed as exc:
        raise PublishError(
            f"pushing to branch {branch} of {remote_url} was refused: {exc.output}\n"
            "If someone else published at the same moment, run `storymap publish` again; "
            "otherwise check that you may push to that repository."
        ) from None
