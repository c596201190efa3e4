"""Every fenced example in docs/authoring.md works.

- ``markdown``: rendered with render_chapter against the bundled data (and the guide's own
  config examples), as a chapter would be; ``markdown broken`` must fail with the error shown in
  the ``text`` block that follows it.
- ``yaml``: merged into a copy of site_config.yml; each must load on its own, and all of them
  together must load and pass `storymap check`.
- ``yaml alone``: merged on its own into a copy of site_config.yml, which must then pass
  `storymap check` with the bundled chapters (e.g. ``site.area``, which leaves out the wards
  other examples name).
- ``shell``: `storymap` commands are parsed by the real CLI (and `new-chapter` is run in a copy
  of the project); `make` targets must exist in the Makefile.
"""

from __future__ import annotations

import copy
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import storymap.build as build_module
from storymap.commands.cli import main
from storymap.config import load_config
from storymap.errors import ChapterError
from storymap.figures.geography import load_geography
from storymap.figures.indicators import compute_indicators
from storymap.pages.story.chapters import ChapterContext, render_chapter
from storymap.pages.story.render import chapter_links

REPO = Path(__file__).resolve().parent.parent
GUIDE = REPO / "docs" / "authoring.md"
KINDS = {"markdown", "markdown broken", "text", "yaml", "yaml alone", "shell"}


def fenced_blocks(text: str) -> list[tuple[str, str, int]]:
    """(info string, body, line number) of each fenced block; longer fences may nest ```."""
    blocks, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        match = re.match(r"^(`{3,})(.*)$", lines[i])
        if not match:
            i += 1
            continue
        fence, info, start = match[1], match[2].strip(), i
        i += 1
        body = []
        while i < len(lines) and lines[i].strip() != fence:
            body.append(lines[i])
            i += 1
        assert i < len(lines), f"docs/authoring.md line {start + 1}: fence never closed"
        blocks.append((info, "\n".join(body) + "\n", start + 1))
        i += 1
    return blocks


BLOCKS = fenced_blocks(GUIDE.read_text(encoding="utf-8"))


def of_kind(kind: str) -> list[tuple[str, int]]:
    return [(body, line) for info, body, line in BLOCKS if info == kind]


def ids(blocks: list[tuple[str, int]]) -> list[str]:
    return [f"line{line}" for _body, line in blocks]


def merge(base: object, extra: object) -> object:
    """Dicts merge key by key; lists of {id: ...} items add or replace by id; else replace."""
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for key, value in extra.items():
            out[key] = merge(base[key], value) if key in base else value
        return out
    if (
        isinstance(base, list)
        and isinstance(extra, list)
        and all(isinstance(x, dict) and "id" in x for x in base + extra)
    ):
        out = list(base)
        for item in extra:
            found = [i for i, x in enumerate(out) if x["id"] == item["id"]]
            if found:
                out[found[0]] = item
            else:
                out.append(item)
        return out
    return copy.deepcopy(extra)


def write_config(project: Path, examples: list[str]) -> Path:
    path = project / "site_config.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for example in examples:
        data = merge(data, yaml.safe_load(example))
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_guide_has_examples_of_every_kind_and_no_others():
    kinds = [info for info, _body, _line in BLOCKS]
    assert set(kinds) <= KINDS, f"untested kind of example: {set(kinds) - KINDS}"
    assert {"markdown", "yaml", "shell"} <= set(kinds)
    for i, kind in enumerate(kinds):
        if kind == "text":
            assert i > 0 and kinds[i - 1] == "markdown broken", "a text block shows an error"


@pytest.fixture(scope="module")
def guide_project(tmp_path_factory) -> Path:
    """A copy of the project with every yaml example of the guide merged into its config."""
    from conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("guide") / "project")
    write_config(project, [body for body, _line in of_kind("yaml")])
    return project


@pytest.fixture(scope="module")
def context(guide_project: Path):
    config = load_config(guide_project / "site_config.yml")
    geo = load_geography(config)
    results = compute_indicators(config, geo)
    if hasattr(build_module, "compute_index"):
        build_module.compute_index(config, geo, results)
    return config, geo, results


def render(context, tmp_path: Path, body: str) -> str:
    config, geo, results = context
    file = tmp_path / "example.md"
    file.write_text(body, encoding="utf-8")
    ctx = ChapterContext(config, geo, results, None, slug="example")
    extra = {"chapters": chapter_links(config)}
    return render_chapter(config, str(file), ctx, extra=extra)


@pytest.mark.parametrize(("body", "line"), of_kind("markdown"), ids=ids(of_kind("markdown")))
def test_markdown_example_renders(context, tmp_path: Path, body: str, line: int):
    out = render(context, tmp_path, body)
    assert "{{" not in out and "{%" not in out
    assert out.strip()
    assert "```step" not in out  # step blocks became the story layout


def test_broken_example_gives_the_error_shown(context, tmp_path: Path):
    blocks = [(info, body) for info, body, _line in BLOCKS]
    pairs = [
        (blocks[i][1], blocks[i + 1][1])
        for i in range(len(blocks) - 1)
        if blocks[i][0] == "markdown broken"
    ]
    assert pairs
    for broken, shown in pairs:
        with pytest.raises(ChapterError) as caught:
            render(context, tmp_path, broken)
        actual = caught.value.render().replace(str(tmp_path / "example.md"), "FILE")
        expected = re.sub(r"^Error: \S+\.md ", "Error: FILE ", shown.strip())
        position = 0
        for piece in expected.split("…"):
            found = actual.find(piece.strip(), position)
            assert found >= 0, f"{piece.strip()!r} not in {actual!r}"
            position = found + len(piece.strip())


@pytest.mark.parametrize(("body", "line"), of_kind("yaml"), ids=ids(of_kind("yaml")))
def test_yaml_example_loads_on_its_own(project: Path, body: str, line: int):
    config = load_config(write_config(project, [body]))
    example = yaml.safe_load(body)
    if "indicators" in example:
        assert {i["id"] for i in example["indicators"]} <= set(config.indicator_ids)
    if "site" in example and "focus_boroughs" in example["site"]:
        assert config.site.focus_boroughs == example["site"]["focus_boroughs"]


@pytest.mark.parametrize(("body", "line"), of_kind("yaml alone"), ids=ids(of_kind("yaml alone")))
def test_yaml_alone_example_passes_check(project: Path, body: str, line: int):
    config = load_config(write_config(project, [body]))
    example = yaml.safe_load(body)
    area = example.get("site", {}).get("area")
    if area:
        assert config.site.area.name == area["name"]
        assert config.site.area.boroughs == area["boroughs"]
    assert build_module.check(config).pages > 0


def test_all_yaml_examples_together_pass_check(guide_project: Path):
    result = build_module.check(load_config(guide_project / "site_config.yml"))
    assert result.pages > 0


def shell_commands() -> list[tuple[list[str], int]]:
    return [
        (shlex.split(cmd), line)
        for body, line in of_kind("shell")
        for cmd in body.splitlines()
        if cmd.strip()
    ]


@pytest.mark.parametrize(
    ("argv", "line"), shell_commands(), ids=[" ".join(a) for a, _line in shell_commands()]
)
def test_shell_example_is_a_real_command(argv: list[str], line: int):
    if argv[0] == "make":
        makefile = (REPO / "Makefile").read_text(encoding="utf-8")
        for target in argv[1:]:
            assert re.search(rf"^{re.escape(target)}:", makefile, re.MULTILINE), target
    elif argv[:2] == ["source", ".venv/bin/activate"]:
        assert "$(VENV)" in (REPO / "Makefile").read_text(encoding="utf-8")
    else:
        assert argv[0] == "storymap", f"line {line}: only storymap, make and source are tested"
        command = main.commands[argv[1]]
        command.make_context(f"storymap {argv[1]}", argv[2:])  # raises on a bad option
        assert "Example:" in (command.help or "")


def test_new_chapter_example_runs(project: Path):
    argv = next(a for a, _line in shell_commands() if a[:2] == ["storymap", "new-chapter"])
    done = subprocess.run(
        [sys.executable, "-m", "storymap", *argv[1:]],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert list((project / "chapters").glob("*-getting-online-at-the-library.md"))
