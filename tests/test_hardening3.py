"""Hardening, third round (issue 29): each fault reproduced on the small project, with the state
of what it must not touch (hashes) before and after, the exit status and the Error in full.

1. The output folder is the site's own or nothing: ``--out`` given the chapters, ``.git``, a
   folder of someone's files, a link to one, or a site with a file added changes nothing.
2. Secrets stay out: a user name or password in an address in the config is refused, and
   shown masked; a token in a remote is never printed.
3. No injection: publish refuses a remote or branch that git would read as an option and the
   branch checked out; a basemap address is parsed and rebuilt before it reaches the CSP.
4. Slugs are unique across chapters and the pages and folders the build writes itself.
5. ``serve`` answers only its own host names, caps path and query, serves only its build and
   never prints a traceback.
6. Faults a user can cause (usage mistakes, bad numbers, a NUL in a path, a file-size limit, a
   read-only folder) are one ``Error:`` block and exit status 1, never "a bug".
7. Leftovers: new-chapter's title as text, a chapter's size checked before it is read, a column
   named twice, bidirectional controls, lookup weights that do not add up, data-cache links out
   of the project, file modes kept.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import run_cli, tree_digest
from test_cases import make_case

from storymap.engine.outdir import MARKER, MARKER_HEAD

CASE = "three-boroughs"


@pytest.fixture(scope="module")
def small_built(tmp_path_factory) -> Path:
    """The small project with its site built once (copied by each test that changes it)."""
    project = make_case(CASE, tmp_path_factory.mktemp("small") / "project")
    done = build(project)
    assert done.returncode == 0, done.stdout + done.stderr
    return project


@pytest.fixture
def small(small_built: Path, tmp_path: Path) -> Path:
    """A copy of the small project, its site and cache included, to break."""
    return Path(shutil.copytree(small_built, tmp_path / "project", symlinks=True))


def build(project: Path, *args: str) -> subprocess.CompletedProcess:
    return run_cli("build", "--config", "site_config.yml", *args, cwd=project)


def refused(done: subprocess.CompletedProcess, message: str) -> None:
    """Exit status 1, no traceback and exactly this one Error block (wrapped lines joined)."""
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "This is a bug" not in done.stderr
    error = done.stderr[done.stderr.index("Error: ") :].rstrip("\n")
    assert error == "Error: " + message, error


def digests(project: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    names = [n for n in ("site", "chapters", "data", ".git", ".storymap-cache") if n not in skip]
    digest = {name: tree_digest(project / name) for name in names}
    digest["site_config.yml"] = hashlib.sha256(
        (project / "site_config.yml").read_bytes()
    ).hexdigest()
    return digest


# ---------------------------------------------------------------------------------------------
# 1. the output folder is the site's own or nothing

OWN_FOLDER = "Use a folder of its own, e.g. --out site."


def test_out_chapters_is_refused_and_the_chapters_kept(small):
    before = digests(small)
    done = build(small, "--out", "chapters")
    home = yaml.safe_load((small / "site_config.yml").read_text("utf-8"))["home"]
    refused(
        done,
        f"--out {small / 'chapters'}: the folder holds the home page {home}, which a build "
        f"would delete with the old site. {OWN_FOLDER}",
    )
    assert digests(small) == before


def test_out_git_is_refused_and_the_repository_kept(small):
    subprocess.run(["git", "init", "--quiet", str(small)], check=True)
    before = digests(small)
    assert before[".git"]
    for out in (".git", ".git/objects", ".storymap-cache", ".storymap-cache/store"):
        name = out.split("/")[0]
        done = build(small, "--out", out)
        refused(
            done,
            f"--out {small / out}: the output folder is inside {name}/, which a build must "
            f"never replace. {OWN_FOLDER}",
        )
    assert digests(small) == before


def test_out_data_file_folder_is_refused(small, tmp_path):
    """A folder that holds a data file the config names outside data/ is refused too."""
    raw = yaml.safe_load((small / "site_config.yml").read_text("utf-8"))
    source = next(iter(raw["sources"]))
    moved = small / "tables" / Path(raw["sources"][source]["file"]).name
    moved.parent.mkdir()
    shutil.move(small / raw["sources"][source]["file"], moved)
    raw["sources"][source]["file"] = f"tables/{moved.name}"
    (small / "site_config.yml").write_text(yaml.safe_dump(raw, sort_keys=False), "utf-8")
    before = tree_digest(small / "tables")
    refused(
        build(small, "--out", "tables"),
        f"--out {small / 'tables'}: the folder holds the data file tables/{moved.name}, which a "
        f"build would delete with the old site. {OWN_FOLDER}",
    )
    assert tree_digest(small / "tables") == before


def test_folder_of_other_files_is_refused_outside_the_project(small, tmp_path):
    documents = tmp_path / "documents"
    (documents / "letters").mkdir(parents=True)
    (documents / "letters" / "council.txt").write_text("Dear councillor,\n", "utf-8")
    (documents / "budget.ods").write_bytes(b"PK\x03\x04 not a site")
    before = tree_digest(documents)
    done = build(small, "--out", str(documents))
    refused(
        done,
        f"--out {documents}: it is not empty and holds no site storymap built; a build replaces "
        "only an empty folder or a site it built, and nothing was changed. Choose a new or "
        "empty folder, e.g. --out site, or move the files out of this one.",
    )
    assert tree_digest(documents) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["documents", "project"]


def test_link_to_a_folder_is_resolved_first(small, tmp_path):
    """A link to the chapters is the chapters; a link to someone's folder is that folder."""
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "notes.md").write_text("# Mine\n", "utf-8")
    (small / "to-chapters").symlink_to(small / "chapters")
    (small / "to-documents").symlink_to(documents)
    before, mine = digests(small), tree_digest(documents)
    home = yaml.safe_load((small / "site_config.yml").read_text("utf-8"))["home"]
    refused(
        build(small, "--out", "to-chapters"),
        f"--out {small / 'chapters'}: the folder holds the home page {home}, which a build "
        f"would delete with the old site. {OWN_FOLDER}",
    )
    done = build(small, "--out", "to-documents")
    assert f"Error: --out {documents}: it is not empty and holds no site" in done.stderr
    assert done.returncode == 1
    assert digests(small) == before and tree_digest(documents) == mine
    assert (small / "to-documents").is_symlink() and (small / "to-chapters").is_symlink()


def test_site_with_a_file_added_is_refused(small):
    (small / "site" / "minutes.docx").write_bytes(b"the meeting's minutes")
    (small / "site" / "wards" / "my-notes.txt").write_text("call back\n", "utf-8")
    before = digests(small)
    refused(
        build(small, "--out", "site"),
        f"--out {small / 'site'}: holds 2 files storymap did not write (minutes.docx, "
        "wards/my-notes.txt); a build would delete them with the old site, so nothing was "
        "changed. Move them out of the folder, or choose another, e.g. --out site.",
    )
    assert digests(small) == before


def test_site_with_an_altered_marker_is_refused(small):
    marker = small / "site" / MARKER
    marker.write_text(marker.read_text("utf-8") + "minutes.docx\n", "utf-8")
    (small / "site" / "minutes.docx").write_bytes(b"the meeting's minutes")
    before = digests(small)
    refused(
        build(small, "--out", "site"),
        f"--out {small / 'site'}: its {MARKER} file is not the one storymap wrote; a build "
        "replaces only an empty folder or a site it built, and nothing was changed. Choose a "
        "new or empty folder, e.g. --out site, or move the files out of this one.",
    )
    assert digests(small) == before


def test_marker_lists_every_file_and_a_rebuild_replaces_the_site(small, tmp_path):
    site = small / "site"
    lines = (site / MARKER).read_text("utf-8").splitlines()
    files = sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file())
    assert lines[0] == MARKER_HEAD
    assert lines[2:] == [f for f in files if f != MARKER]
    assert "index.html" in lines[2:] and len(lines) > 100
    (site / "index.html").write_text("edited by hand", "utf-8")  # the site's own file
    done = build(small, "--out", "site")
    assert done.returncode == 0, done.stderr
    assert (site / "index.html").read_text("utf-8") != "edited by hand"
    empty = tmp_path / "empty"
    empty.mkdir()
    done = build(small, "--out", str(empty))
    assert done.returncode == 0, done.stderr
    assert tree_digest(empty) == tree_digest(site)


def test_site_built_before_markers_is_replaced_once_and_marked(small):
    """A site without a marker but with the files every storymap site has (one built before
    markers) is replaced, and has a marker after; without those files it is refused."""
    site = small / "site"
    (site / MARKER).unlink()
    done = build(small, "--out", "site")
    assert done.returncode == 0, done.stderr
    assert (site / MARKER).read_text("utf-8").startswith(MARKER_HEAD + "\n")
    (site / MARKER).unlink()
    (site / "sitemap.xml").unlink()
    before = digests(small)
    done = build(small, "--out", "site")
    assert done.returncode == 1
    assert f"Error: --out {site}: it is not empty and holds no site storymap built" in done.stderr
    assert digests(small) == before


# ---------------------------------------------------------------------------------------------
# 2. secrets stay out: URLs with user info refused in the config, masked in messages


def set_config(project: Path, change) -> None:
    raw = yaml.safe_load((project / "site_config.yml").read_text("utf-8"))
    change(raw)
    (project / "site_config.yml").write_text(
        yaml.safe_dump(raw, sort_keys=False, allow_unicode=True), "utf-8"
    )


def _site_url(raw, url):
    raw["site"]["url"] = url


def _repo_url(raw, url):
    raw["site"]["repo_url"] = url


def _basemap(raw, url):
    raw.setdefault("maps", {})["basemap"] = {"url": url, "attribution": "© OpenStreetMap"}


def _source_url(raw, url):
    raw["sources"][next(iter(raw["sources"]))]["url"] = url


@pytest.mark.parametrize(
    ("key", "change", "url", "shown", "fix"),
    [
        (
            "site.url",
            _site_url,
            "https://officer:hunter2@example.org/storymap/",
            "https://***@example.org/storymap/",
            "https://example.org/",
        ),
        (
            "site.repo_url",
            _repo_url,
            "https://ghp_secrettoken@github.com/london/storymap",
            "https://***@github.com/london/storymap",
            "https://github.com/",
        ),
        (
            "maps.basemap.url",
            _basemap,
            "https://key:hunter2@{s}.tile.example.org/{z}/{x}/{y}.png",
            "https://***@{s}.tile.example.org/{z}/{x}/{y}.png",
            "https://{s}.tile.example.org/",
        ),
        (
            "sources.SOURCE.url",
            _source_url,
            "http://reader:hunter2@data.example.org/file.csv",
            "http://***@data.example.org/file.csv",
            "http://data.example.org/",
        ),
    ],
)
def test_user_info_in_a_config_url_is_refused_and_never_printed(
    small, key, change, url, shown, fix
):
    set_config(small, lambda raw: change(raw, url))
    key = key.replace(
        "SOURCE", next(iter(yaml.safe_load((small / "site_config.yml").read_text())["sources"]))
    )
    before = digests(small)
    for command in ("check", "build") if key == "site.url" else ("check",):
        done = run_cli(command, "--config", "site_config.yml", cwd=small)
        refused(
            done,
            f"site_config.yml: {key}: {shown!r} holds a user name or password (before the @); "
            "the address would be published or sent with it, and a password or token is a "
            f"secret. Give the address without it, e.g. {fix}.",
        )
        secret = url.split("//")[1].split("@")[0]
        assert secret not in done.stdout + done.stderr
    assert digests(small) == before


def test_masked_keeps_ssh_user_names_and_hides_tokens():
    from storymap.errors import masked

    assert masked("push to https://u:TOKEN@github.com/o/r.git failed") == (
        "push to https://***@github.com/o/r.git failed"
    )
    assert masked("https://TOKEN@h/x and http://a:b@c/") == "https://***@h/x and http://***@c/"
    assert masked("ssh://git@github.com/o/r git@github.com:o/r") == (
        "ssh://git@github.com/o/r git@github.com:o/r"
    )
    assert masked("ssh://git:pw@host/r") == "ssh://***@host/r"
    assert masked("officer@brent.example") == "officer@brent.example"


# ---------------------------------------------------------------------------------------------
# 3. publish: no option injection, no command echoed, never the source branch

GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Brent Officer",
    "GIT_AUTHOR_EMAIL": "officer@brent.example",
    "GIT_COMMITTER_NAME": "Brent Officer",
    "GIT_COMMITTER_EMAIL": "officer@brent.example",
}


@pytest.fixture
def in_git(small, tmp_path) -> tuple[Path, Path, dict[str, str]]:
    """The small project committed on ``main``, a bare repository as its ``origin``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_IDENTITY, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=str(tmp_path / "none"))
    remote = tmp_path / "remote.git"

    def git(*args: str, cwd: Path = small) -> str:
        return subprocess.run(
            ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
        ).stdout

    git("init", "--quiet", "--bare", str(remote), cwd=tmp_path)
    git("init", "--quiet", "-b", "main")
    (small / ".gitignore").write_text("/site/\n/.storymap-cache/\n/data/cache/\n", "utf-8")
    git("add", "-A")
    git("commit", "--quiet", "-m", "The story")
    git("remote", "add", "origin", str(remote))
    git("push", "--quiet", "origin", "main")
    return small, remote, env


def refs(repo: Path) -> str:
    done = subprocess.run(
        ["git", "--git-dir", str(repo), "for-each-ref"], capture_output=True, text=True, check=True
    )
    return done.stdout


def test_token_in_a_remote_is_masked_in_every_line(in_git):
    project, _remote, env = in_git
    url = "https://pagesbot:ghp_TOKEN123@127.0.0.1:9/london/storymap.git"
    subprocess.run(["git", "remote", "add", "pages", url], cwd=project, env=env, check=True)
    for remote in ("pages", url):
        done = run_cli("publish", "--remote", remote, cwd=project, env=env)
        assert done.returncode == 1
        assert "ghp_TOKEN123" not in done.stdout + done.stderr
        assert "pagesbot" not in done.stdout + done.stderr
        assert "Error: cannot reach the remote https://***@127.0.0.1:9/london/storymap.git: " in (
            done.stderr
        )
        assert "Traceback" not in done.stderr


def test_remote_that_is_an_option_is_refused_and_runs_nothing(in_git, tmp_path):
    project, remote, env = in_git
    touched = tmp_path / "touched"
    before, ours = refs(remote), digests(project)
    for given in (f"--upload-pack=touch {touched} #/x", f"-ucat {touched}"):
        done = run_cli("publish", f"--remote={given}", cwd=project, env=env)
        refused(
            done,
            f"--remote {given[:80]!r}: starts with '-', so git would read it as an option, not a "
            "name; nothing was run. Give a name or address, e.g. --remote origin.",
        )
        assert "git ls-remote" not in done.stderr
    done = run_cli("publish", "--branch=--delete", cwd=project, env=env)
    refused(
        done,
        "--branch '--delete': starts with '-', so git would read it as an option, not a name; "
        "nothing was run. Give a name or address, e.g. --branch gh-pages.",
    )
    done = run_cli("publish", "--branch", "gh..pages", cwd=project, env=env)
    refused(
        done,
        "--branch 'gh..pages': is not a branch name git accepts (letters, digits and - _ . / "
        "only, no '..', not ending in '/' or '.lock'). Give a branch name, e.g. --branch "
        "gh-pages.",
    )
    assert not touched.exists()
    assert refs(remote) == before and digests(project) == ours


def test_unreachable_remote_message_echoes_no_command(in_git, tmp_path):
    project, _remote, env = in_git
    missing = tmp_path / "no-such.git"
    done = run_cli("publish", "--remote", str(missing), cwd=project, env=env)
    assert done.returncode == 1
    error = done.stderr[done.stderr.index("Error: ") :]
    assert error.startswith(f"Error: cannot reach the remote {missing}: ")
    assert error.rstrip().endswith(
        "Nothing was built or published. Check the address, your network and that you may "
        "read the repository, then publish again."
    )
    assert "`" not in error


def test_publishing_onto_the_source_branch_is_refused(in_git):
    project, remote, env = in_git
    before, ours = refs(remote), digests(project)
    for args in (("--branch", "main"), ("--branch", "main", "--remote", str(project))):
        done = run_cli("publish", *args, cwd=project, env=env)
        refused(
            done,
            f"--branch main: is the branch the site is published from (checked out in "
            f"{project}); publishing would replace your chapters, config and data there with "
            "the built pages. Nothing was built or published. Publish to a branch of its own, "
            "e.g. --branch gh-pages.",
        )
    assert refs(remote) == before and digests(project) == ours


def test_publish_leaves_the_marker_out_and_masks_nothing_it_needs(in_git):
    project, remote, env = in_git
    done = run_cli("publish", cwd=project, env=env)
    assert done.returncode == 0, done.stderr
    assert "Published " in done.stdout and f"to branch gh-pages of {remote}." in done.stdout
    files = subprocess.run(
        ["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only", "gh-pages"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "index.html" in files and ".nojekyll" in files
    assert MARKER not in files


# ---------------------------------------------------------------------------------------------
# 3. basemap addresses parsed and rebuilt, never pasted into the CSP

TILE_FIX = (
    "Give one like https://{s}.tile.example.org/{z}/{x}/{y}.png (https, a host name with an "
    "optional {s}. before it, a path with {z}, {x} and {y})."
)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        (
            "https://{s}.tile.example.org *;/{z}/{x}/{y}.png",
            "it holds a space or control character",
        ),
        (
            "https://tile.example.org;img-src:*/{z}/{x}/{y}.png",
            "its host is not a host name (letters, digits, hyphens and dots, with an optional "
            "{s}. before it)",
        ),
        (
            "https://tile.example.org/{z}/{x}/{y}.png';script-src:*",
            "its path may hold only letters, digits, . _ ~ @ - / and the placeholders {z}, {x}, "
            "{y}, {s} and {r}",
        ),
        ("https://tile.example.org/{z}/{x}.png", "its path does not hold {y}"),
        (
            "https://tile.example.org/{z}/{x}/{y}.png?a=1;b='*'",
            "its query may hold only letters, digits and . _ ~ = & % -",
        ),
    ],
)
def test_a_basemap_that_would_widen_the_policy_is_refused(small, url, why):
    set_config(small, lambda raw: _basemap(raw, url))
    before = digests(small)
    refused(
        run_cli("check", "--config", "site_config.yml", cwd=small),
        f"site_config.yml: maps.basemap.url: {url!r} is not a tile address storymap can use: "
        f"{why}. {TILE_FIX}",
    )
    assert digests(small) == before


def test_the_policy_holds_the_rebuilt_tile_origin_only(small):
    set_config(small, lambda raw: _basemap(raw, "HTTPS://{s}.Tile.Example.org/{z}/{x}/{y}.png"))
    done = build(small, "--out", "site")
    assert done.returncode == 0, done.stderr
    pages = list((small / "site").rglob("*.html"))
    assert len(pages) > 50
    expected = (
        "img-src 'self' data: https://*.tile.example.org; font-src 'self'; connect-src 'self'"
    )
    for path in pages:
        text = path.read_text("utf-8")
        policy = text.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"')[0]
        assert expected in policy, (path, policy)
    settings = [
        html.unescape(m)
        for p in pages
        for m in re.findall(r"data-map='([^']*)'", p.read_text("utf-8"))
    ]
    assert settings and all(
        '"url":"https://{s}.tile.example.org/{z}/{x}/{y}.png"' in m for m in settings
    ), settings[:1]


# ---------------------------------------------------------------------------------------------
# 4. slugs unique across chapters and generated pages


def chapters_of(project: Path) -> list[dict]:
    return yaml.safe_load((project / "site_config.yml").read_text("utf-8"))["chapters"]


def test_every_top_level_name_of_a_site_is_a_chapter_or_generated(small_built):
    from storymap.config import chapter_slug, load_config
    from storymap.config.site import GENERATED

    config = load_config(small_built / "site_config.yml")
    slugs = {chapter_slug(ch) for ch in config.chapters}
    site = small_built / "site"
    names = {p.name.split(".")[0] for p in site.iterdir() if p.name != MARKER}
    names |= {p.name for p in (site / "img").iterdir()}
    assert names - slugs - set(GENERATED) == set()
    assert {"index", "method", "places", "wards", "boroughs", "downloads", "share"} <= names


@pytest.mark.parametrize("generated", ["method", "places", "share"])
def test_a_chapter_slug_that_is_a_generated_page_is_refused(small, generated):
    from storymap.config.site import GENERATED

    chapter = chapters_of(small)[0]

    def change(raw):
        raw["chapters"][0]["slug"] = generated

    set_config(small, change)
    before = digests(small)
    for command in ("check", "build") if generated == "method" else ("check",):
        refused(
            run_cli(command, "--config", "site_config.yml", cwd=small),
            f"site_config.yml: chapters[0].slug: the chapter {chapter['file']} would be written "
            f"as '{generated}', the address of {GENERATED[generated]}, and replace it. Give the "
            f"chapter a slug of its own, e.g. slug: {generated}-story.",
        )
    assert digests(small) == before


def test_a_slug_made_from_a_file_name_is_checked_too(small):
    chapter = chapters_of(small)[0]
    (small / chapter["file"]).rename(small / "chapters" / "03-method.md")

    def change(raw):
        raw["chapters"][0]["file"] = "chapters/03-method.md"
        raw["chapters"][0].pop("slug", None)

    set_config(small, change)
    before = digests(small)
    refused(
        run_cli("check", "--config", "site_config.yml", cwd=small),
        "site_config.yml: chapters[0].file: the chapter chapters/03-method.md would be written as "
        "'method' (made from its file name chapters/03-method.md), the address of the page on "
        "how the risk index is built (method.html), and replace it. Give the chapter a slug of "
        "its own, e.g. slug: method-story.",
    )
    assert digests(small) == before


def test_two_chapters_with_one_slug_are_both_named(small):
    first = chapters_of(small)[0]
    second = {"file": "chapters/02-more.md", "title": "More", "slug": "our-story"}
    shutil.copyfile(small / first["file"], small / second["file"])

    def change(raw):
        raw["chapters"][0]["slug"] = "our-story"
        raw["chapters"].append(second)

    set_config(small, change)
    refused(
        run_cli("check", "--config", "site_config.yml", cwd=small),
        f"site_config.yml: chapters[1].slug: the chapter {second['file']} would be written as "
        f"'our-story', the address of chapters[0] ({first['file']}), and replace it. Give one "
        "of them a slug of its own, e.g. slug: our-story-2.",
    )


# ---------------------------------------------------------------------------------------------
# 5. serve answers only this machine, with limits, never with a traceback


@pytest.fixture
def preview(tmp_path):
    """The preview's real server on 127.0.0.1 serving a build folder the test writes."""
    import threading

    from storymap.commands.serve import Preview, open_server

    site = tmp_path / "work" / "site-1"
    site.mkdir(parents=True)
    (site / "index.html").write_text("<html><head></head><body>Our site</body></html>", "utf-8")
    (site / "bad.html").write_bytes(b"<html>\xff\xfe not text</html>")
    (tmp_path / "secret.txt").write_text("not the site's", "utf-8")
    (site / "link.txt").symlink_to(tmp_path / "secret.txt")
    lines: list[str] = []
    state = Preview(tmp_path / "site_config.yml", tmp_path / "work", lines.append)
    state.current = site
    server = open_server(state, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], lines
    server.shutdown()
    server.server_close()


def ask(port: int, target: str, host: str | None = "", version: str = "HTTP/1.1") -> tuple:
    """(status, body) of one raw request; ``host`` "" means 127.0.0.1:PORT, None no Host."""
    import socket

    host = f"127.0.0.1:{port}" if host == "" else host
    head = f"GET {target} {version}\r\n" + (f"Host: {host}\r\n" if host is not None else "")
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall((head + "Connection: close\r\n\r\n").encode("latin-1"))
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.partition(b"\r\n\r\n")[2]


def test_serve_answers_only_its_own_host_names(preview, capfd):
    port, lines = preview
    assert ask(port, "/")[0] == 200 and b"Our site" in ask(port, "/")[1]
    assert ask(port, "/", f"LOCALHOST:{port}")[0] == 200
    for host in (
        f"attacker.example:{port}",
        "127.0.0.1",
        f"127.0.0.1:{port + 1}",
        f"127.0.0.1:{port}.attacker.example",
        None,
    ):
        status, body = ask(port, "/", host, "HTTP/1.0" if host is None else "HTTP/1.1")
        assert status == 421, host
        assert b"Our site" not in body
        assert f"The preview answers only Host: 127.0.0.1:{port} or localhost:{port}".encode() in (
            body
        )
    assert "Traceback" not in capfd.readouterr().err and lines == []


def test_serve_caps_path_and_query_and_never_prints_a_traceback(preview, capfd):
    port, lines = preview
    limits = b"A path of at most 1024 and a query of at most 64 characters"
    status, body = ask(port, "/" + "a" * 10_000)
    assert status == 414 and limits in body
    status, body = ask(port, "/__storymap/state?since=" + "9" * 5_000)
    assert status == 414 and limits in body
    status, body = ask(port, "/%00")
    assert status == 400 and b"A NUL is in no file's name" in body
    status, body = ask(port, "/__storymap/state?since=" + "9" * 40)
    assert status == 200 and json.loads(body)["version"] == 0
    status, body = ask(port, "/bad.html")
    assert status == 500 and b"The preview could not answer this request" in body
    assert lines == ["  (a request for '/bad.html' failed: UnicodeDecodeError)"]
    assert "Traceback" not in capfd.readouterr().err


def test_serve_serves_no_file_outside_its_build(preview):
    port, _lines = preview
    for target in ("/link.txt", "/../secret.txt", "/%2e%2e/secret.txt"):
        status, body = ask(port, target)
        assert status == 404, target
        assert b"not the site's" not in body


# ---------------------------------------------------------------------------------------------
# 6. faults a user can cause get a user's message


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("fetch", "--timeout", "-1"),
            "Invalid value for '--timeout': -1.0 is not a number of seconds above 0, e.g. 60.\n"
            "       Run `storymap fetch --help` for the options and an example.",
        ),
        (
            ("fetch", "--timeout", "nan"),
            "Invalid value for '--timeout': nan is not a number of seconds above 0, e.g. 60.\n"
            "       Run `storymap fetch --help` for the options and an example.",
        ),
        (
            ("fetch", "--backoff", "inf"),
            "Invalid value for '--backoff': inf is not a finite number of 0 or more, e.g. 1.\n"
            "       Run `storymap fetch --help` for the options and an example.",
        ),
        (
            ("build", "--nope"),
            "No such option '--nope'.\n"
            "       Run `storymap build --help` for the options and an example.",
        ),
        (
            ("buidl",),
            "No such command 'buidl'. Did you mean 'build'?\n"
            "       Run `storymap --help` for the options and an example.",
        ),
        (
            ("new-chapter",),
            "Missing argument 'TITLE'.\n"
            "       Run `storymap new-chapter --help` for the options and an example.",
        ),
    ],
)
def test_usage_mistakes_are_one_error_with_status_1(small, args, message):
    """Refused before anything runs: no request is made, nothing in the project changes."""
    before = digests(small)
    done = run_cli(*args, "--config", "site_config.yml", cwd=small)
    assert done.returncode == 1
    assert done.stdout == "" and done.stderr == f"Error: {message}\n"
    assert digests(small) == before


def test_help_and_version_still_exit_0(small):
    assert run_cli("--help", cwd=small).returncode == 0
    assert run_cli(cwd=small).stdout.startswith("Usage: ")
    assert run_cli("--version", cwd=small).returncode == 0


def test_a_nul_in_a_config_path_is_named(small):
    text = (small / "site_config.yml").read_text("utf-8")
    home = yaml.safe_load(text)["home"]
    text = text.replace(f"home: {home}", 'home: "chapters/in\\0dex.md"')
    (small / "site_config.yml").write_text(text, "utf-8")
    before = digests(small)
    for command in ("check",):
        refused(
            run_cli(command, "--config", "site_config.yml", cwd=small),
            "site_config.yml: home: 'chapters/in\\x00dex.md' holds a control character (such as "
            "a NUL or a line break), which no file name has. Give the file's path as plain text, "
            "relative to the config, e.g. chapters/01-introduction.md.",
        )
    assert digests(small) == before


def test_a_file_size_limit_is_a_users_fault_and_the_site_is_kept(small):
    """A cold build past a 400 KB file-size limit (ulimit -f): the write fails, one Error says
    what to do, and the previous site is as it was, nothing left beside it."""
    import resource

    shutil.rmtree(small / ".storymap-cache")
    before = tree_digest(small / "site")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (400 * 1024, 400 * 1024))

    done = subprocess.run(
        [sys.executable, "-m", "storymap", "build", "--out", "site"],
        cwd=small,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit,
    )
    refused(
        done,
        "a file could not be written: File too large. Nothing was replaced: the previous site, "
        "cache and files were left as they were. Raise the file-size limit (ulimit -f) or free "
        "space, then run the command again.",
    )
    assert tree_digest(small / "site") == before
    assert sorted(p.name for p in small.iterdir() if p.name.startswith(".site")) == []


def test_a_read_only_output_folder_is_named_with_the_fix(small, tmp_path):
    """A folder the build cannot write (read only for this user; for root, who may write any
    folder, the read-only /sys): one Error naming it, exit status 1, nothing written."""
    if os.geteuid() == 0:
        out, why = Path("/sys/kernel/storymap-site"), "Operation not permitted"
    else:
        parent = tmp_path / "read-only"
        parent.mkdir()
        parent.chmod(0o555)
        out, why = parent / "site", f"{parent} is not writable"
    before = digests(small)
    refused(
        build(small, "--out", str(out)),
        f"--out {out}: cannot write the site there ({why}); the previous site, if any, was left "
        "as it was. Choose a folder you can write to, e.g. --out site, or fix its permissions.",
    )
    assert digests(small) == before and not out.exists()


# ---------------------------------------------------------------------------------------------
# 7. leftovers: new-chapter's title as text, the chapter size limit before reading


class Indented(yaml.SafeDumper):
    """Lists indented under their key, as people write them (and new-chapter edits them)."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def indent_config(project: Path) -> None:
    raw = yaml.safe_load((project / "site_config.yml").read_text("utf-8"))
    text = yaml.dump(raw, Dumper=Indented, sort_keys=False, allow_unicode=True)
    (project / "site_config.yml").write_text(text, "utf-8")


def test_new_chapter_takes_the_title_as_text(small):
    title = "{{ 6*7 }} ways {% if true %}online{% endif %}"
    indent_config(small)
    done = run_cli("new-chapter", title, "--config", "site_config.yml", cwd=small)
    assert done.returncode == 0, done.stderr
    listed = chapters_of(small)[-1]
    assert listed["title"] == title
    done = build(small, "--out", "site")
    assert done.returncode == 0, done.stderr
    page = (small / "site" / f"{listed['file'].split('-', 1)[1][:-3]}.html").read_text("utf-8")
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)
    assert html.unescape(re.sub(r"<[^>]+>", "", heading)).strip() == title
    assert "42 ways" not in page


def test_new_chapter_that_cannot_write_the_config_leaves_no_file(small, monkeypatch):
    """The config cannot be written (read only, disk full): no orphan chapter, config as it was."""
    import errno

    from storymap.commands.newchapter import new_chapter
    from storymap.errors import StorymapError

    config = small / "site_config.yml"
    indent_config(small)
    before = digests(small)
    real = Path.write_text

    def write_text(self, *args, **kwargs):
        if self == config:
            raise OSError(errno.EROFS, "Read-only file system", str(config))
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    with pytest.raises(StorymapError) as caught:
        new_chapter(config, "Getting online")
    assert caught.value.problems == [
        f"{config}: cannot be written (Read-only file system), so the chapter was not added and "
        "nothing was changed. Make the file and the chapters/ folder writable (or free some "
        "disk space), then run the command again."
    ]
    assert digests(small) == before


# `storymap ARGS` that prints its peak memory (VmHWM, of this program only, not of the process
# it was started from) as the last line of stderr
PEAK_MEMORY = """
import atexit, sys
def peak():
    with open("/proc/self/status") as f:
        print([line for line in f if line.startswith("VmHWM")][0].strip(), file=sys.stderr)
atexit.register(peak)
sys.argv = ["storymap", *sys.argv[1:]]
from storymap.commands.cli import main
main(prog_name="storymap")
"""


def test_a_huge_chapter_is_refused_before_it_is_read(small):
    """A sparse 4 GiB chapter: refused by its size, without reading it (memory stays small)."""
    chapter = chapters_of(small)[0]["file"]
    with (small / chapter).open("r+b") as f:
        f.truncate(4 * 1024**3)
    before = digests(small, skip=("chapters",)), (small / chapter).stat()
    done = subprocess.run(
        [sys.executable, "-c", PEAK_MEMORY, "check"], cwd=small, capture_output=True, text=True
    )
    peak = int(done.stderr.splitlines()[-1].split()[1])  # VmHWM: kB
    done.stderr = "\n".join(done.stderr.splitlines()[:-1]) + "\n"
    refused(done, f"{chapter}: 4,294,967,296 bytes is too large for a chapter; split it.")
    assert peak < 1024**2, peak  # kB: under 1 GiB
    after = digests(small, skip=("chapters",)), (small / chapter).stat()
    assert after[0] == before[0] and after[1].st_mtime_ns == before[1].st_mtime_ns


# ---------------------------------------------------------------------------------------------
# 7. leftovers: duplicate CSV columns, bidirectional controls

BIDI_FIX = (
    "a bidirectional control character (U+202E), which makes text show in another order than "
    "it is written, so a reader could see something other than what was checked. Delete it (an "
    "editor may show it as a space or nothing)."
)


def source_file(project: Path, source: str) -> str:
    return yaml.safe_load((project / "site_config.yml").read_text("utf-8"))["sources"][source][
        "file"
    ]


def test_a_column_named_twice_is_refused(small):
    file = source_file(small, "ward_lad_2022")
    path = small / file
    lines = path.read_text("utf-8").splitlines(keepends=True)
    assert lines[0] == "WD22CD,WD22NM,LAD22CD,LAD22NM\n"
    lines = ["WD22CD,WD22NM,LAD22CD,WD22CD\n"] + [
        ",".join(line.rstrip("\n").split(",")[:3] + ["E05999999"]) + "\n" for line in lines[1:]
    ]
    path.write_text("".join(lines), "utf-8")
    before = digests(small)
    refused(
        run_cli("check", cwd=small),
        f"{file} line 1: the header names a column more than once ('WD22CD' in columns 1, 4); the "
        "figures could be read from either. Rename or delete the copies so each column name "
        "appears once.",
    )
    assert digests(small) == before


def test_a_bidi_control_in_a_chapter_is_refused(small):
    chapter = chapters_of(small)[0]["file"]
    path = small / chapter
    lines = path.read_text("utf-8").splitlines(keepends=True)
    lines.insert(2, "Wards where \u202eenilno tog\u202c older people.\n")
    path.write_text("".join(lines), "utf-8")
    before = digests(small)
    refused(run_cli("check", cwd=small), f"{chapter} line 3: {BIDI_FIX}")
    assert digests(small) == before


def test_a_bidi_control_in_a_data_cell_or_an_area_name_is_refused(small):
    file = source_file(small, "ward_lad_2022")
    path = small / file
    text = path.read_text("utf-8")
    path.write_text(text.replace("E09000001", "E0900\u202e0001", 1), "utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "E09000001" in t)
    refused(run_cli("check", cwd=small), f"{file} line {line}: LAD22CD: {BIDI_FIX}")
    path.write_text(text, "utf-8")

    raw = yaml.safe_load((small / "site_config.yml").read_text("utf-8"))
    wards = raw["geography"]["wards"]
    file = raw["sources"][wards["source"]]["file"]
    shapes = json.loads((small / file).read_text("utf-8"))
    shapes["features"][0]["properties"][wards["name"]] = "Abbey \u202eroad\u202c"
    (small / file).write_text(json.dumps(shapes), "utf-8")
    before = digests(small)
    refused(run_cli("check", cwd=small), f"{file} feature 1: {wards['name']}: {BIDI_FIX}")
    assert digests(small) == before


def test_lookup_weights_that_do_not_add_up_to_1_are_refused(small):
    """An area's weights adding up to 0.5 are refused, not accepted as "rounding"; the bundled
    file's documented 0.0031 passes within its weight_tolerance."""
    assert run_cli("check", cwd=small).returncode == 0
    raw = yaml.safe_load((small / "site_config.yml").read_text("utf-8"))
    lookup = raw["geography"]["lookups"]["lsoa11"]
    assert lookup["weight_tolerance"] == 0.005
    file = raw["sources"][lookup["source"]]["file"]
    text = (small / file).read_text("utf-8")
    header, *rows = text.splitlines()
    columns = header.split(",")
    code, weight = columns.index("LSOA11CD"), columns.index("pop_weight_2021")
    cells = [row.split(",") for row in rows]
    whole = next(
        c for c in cells if float(c[weight]) == 1.0 and sum(r[code] == c[code] for r in cells) == 1
    )
    places = max(len(c[weight].partition(".")[2]) for c in cells)
    whole[weight] = "0.5"
    (small / file).write_text("\n".join([header, *(",".join(c) for c in cells)]) + "\n", "utf-8")
    before = digests(small)
    refused(
        run_cli("check", cwd=small),
        f"{file}: pop_weight_2021 totals per LSOA11CD differ from 1 by up to 0.5 ({whole[code]}'s "
        f"add up to 0.5), more than its rounding to {places} decimal places allows and more "
        "than geography.lookups.lsoa11.weight_tolerance (0.005). An area's "
        "weights must add up to 1: check that the file lists every ward each area is shared "
        "with. If the publisher's weights are known to add up less exactly, set "
        "weight_tolerance to the largest difference it documents.",
    )
    assert digests(small) == before
    set_config(small, lambda raw: raw["geography"]["lookups"]["lsoa11"].pop("weight_tolerance"))
    (small / file).write_text(text, "utf-8")
    totals: dict[str, float] = {}
    parts: dict[str, int] = {}
    for row in rows:
        cell = row.split(",")
        totals[cell[code]] = totals.get(cell[code], 0.0) + float(cell[weight])
        parts[cell[code]] = parts.get(cell[code], 0) + 1
    # the default tolerance, 1e-6, or each row's rounding to the file's places, if more
    over = {a: abs(t - 1) - max(1e-6, parts[a] * 0.5 * 10.0**-places) for a, t in totals.items()}
    worst_area = max(over, key=over.get)
    done = run_cli("check", cwd=small)
    assert done.returncode == (1 if over[worst_area] > 1e-9 else 0), (over, done.stderr)
    if done.returncode:
        worst = abs(totals[worst_area] - 1)
        assert f"differ from 1 by up to {worst:.6g} " in done.stderr
        assert "more than geography.lookups.lsoa11.weight_tolerance (1e-06)" in done.stderr


# ---------------------------------------------------------------------------------------------
# (issue 29 item 4, part) every data file read is inside the project, links followed


def test_a_link_in_the_data_cache_to_a_file_outside_is_refused(small, tmp_path):
    """A fetched copy in data/cache/ that is a link to a file outside the project (another
    CSV, the system's password file) is refused by name; nothing outside is read into a page."""
    raw = yaml.safe_load((small / "site_config.yml").read_text("utf-8"))
    source = "ward_lad_2022"
    name = Path(raw["sources"][source]["file"]).name
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes((small / raw["sources"][source]["file"]).read_bytes())
    cached = small / "data" / "cache" / source / name
    cached.parent.mkdir(parents=True)
    for target in (outside, Path("/etc/passwd")):
        cached.unlink(missing_ok=True)
        cached.symlink_to(target)
        before = digests(small)
        refused(
            run_cli("check", cwd=small),
            f"data/cache/{source}/{name}: leads outside the project folder (to {target}); every "
            f"file the site uses must be inside {small}. Put a copy of the file there instead "
            "of the link, or delete the link (a fetched copy: fetch it again).",
        )
        assert digests(small) == before


# ---------------------------------------------------------------------------------------------
# (issue 29 item 10, part) file modes kept


def test_recording_a_checksum_keeps_the_configs_mode(small):
    """The first checksum-recording fetch rewrote site_config.yml with mode 600; it keeps the
    file's own mode now (and a new manifest gets the usual mode)."""
    from storymap.config import load_config
    from storymap.data.fetched import MANIFEST, cache_dir, record_checksum, update_manifest

    config_path = small / "site_config.yml"
    config_path.chmod(0o644)
    record_checksum(config_path, "ward_lad_2022", "a" * 64)
    assert config_path.stat().st_mode & 0o7777 == 0o644
    assert "sha256: " + "a" * 64 in config_path.read_text("utf-8")
    config_path.chmod(0o664)
    record_checksum(config_path, "ward_lad_2022", "b" * 64)
    assert config_path.stat().st_mode & 0o7777 == 0o664
    umask = os.umask(0o022)
    try:
        update_manifest(load_config(config_path), {"ward_lad_2022": {"bytes": 1}})
    finally:
        os.umask(umask)
    assert (cache_dir(load_config(config_path)) / MANIFEST).stat().st_mode & 0o7777 == 0o644
    assert not [p for p in config_path.parent.iterdir() if p.name.startswith(".site_config")]
