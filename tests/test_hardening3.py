"""Hardening, third round (issue 29): each fault reproduced on the small project, with the state
of what it must not touch (hashes) before and after, the exit status and the Error in full.

1. The output folder is the site's own or nothing: ``--out`` given the chapters, ``.git``, a
   folder of someone's files, a link to one, or a site with a file added changes nothing.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import run_cli, tree_digest
from smallproject import make_small_project

from storymap.engine.outdir import MARKER, MARKER_HEAD

CASES = Path(__file__).resolve().parent / "cases"
CASE = "three-boroughs"


@pytest.fixture(scope="module")
def small_built(tmp_path_factory) -> Path:
    """The small project with its site built once (copied by each test that changes it)."""
    spec = yaml.safe_load((CASES / CASE / "case.yml").read_text("utf-8"))
    project = make_small_project(
        tmp_path_factory.mktemp("small") / "project",
        spec["boroughs"],
        spec.get("overrides"),
        CASES / CASE / "chapters",
    )
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


def digests(project: Path) -> dict[str, str]:
    names = ("site", "chapters", "data", ".git", ".storymap-cache")
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
