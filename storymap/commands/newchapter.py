"""Start a new chapter: write it from the template and list it in site_config.yml.

In: the path of site_config.yml and a chapter title. Out: ``chapters/NN-slug.md`` written from
``storymap/templates/new_chapter.md`` (NN one more than the highest number in ``chapters/``), and
one new entry in the config's ``chapters:`` list, added by a targeted text edit that keeps every
comment and blank line. The entry goes before a final "About the data" chapter, else at the end.

Nothing is written if the chapter file exists, another chapter would get the same web address,
or the edited config would not read back exactly as intended.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import yaml

from storymap.config import chapter_slug, load_config
from storymap.errors import StorymapError

TEMPLATE = "new_chapter.md"
LAST_CHAPTER_TITLE = "about the data"
TOP_LEVEL_KEY = re.compile(r"^[^\s#][^:]*:")
CHAPTERS_KEY = re.compile(r"^chapters:\s*(#.*)?$")
ITEM = re.compile(r"^(?P<indent>\s*)- ")
PLAIN_TITLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ,.'()&?!/-]*$")


@dataclass
class NewChapter:
    path: Path  # the chapter file written
    file: str  # as listed in site_config.yml, e.g. chapters/09-getting-online.md
    title: str
    before: str | None  # title of the chapter it was inserted before, if any


def new_chapter(config_path: Path, title: str) -> NewChapter:
    """Write the chapter file and add it to the config; raise StorymapError and write nothing."""
    config = load_config(config_path)
    title = " ".join(title.split())
    slug = slugify(title)
    if not slug:
        raise StorymapError(
            f"title {title!r}: has no letters or digits to make a file name from. "
            'Give a title in words, e.g. storymap new-chapter "Getting online".'
        )
    folder = config.root / "chapters"
    for ch in config.chapters:
        if chapter_slug(ch) == slug:
            raise StorymapError(
                f"title {title!r}: the chapter {ch.file} ({ch.title!r}) already has the address "
                f"{slug}.html. Edit that chapter, or choose a different title."
            )
    taken = sorted(folder.glob(f"*-{slug}.md")) if folder.is_dir() else []
    number = next_number(folder)
    path = folder / f"{number:02d}-{slug}.md"
    if path.exists() or taken:
        existing = path if path.exists() else taken[0]
        raise StorymapError(
            f"{existing.relative_to(config.root)} already exists. Edit it (and list it under "
            "chapters: in site_config.yml if it is not there), or choose a different title."
        )
    file = path.relative_to(config.root).as_posix()
    text = config_path.read_text(encoding="utf-8")
    new_text, before = add_to_chapters_list(text, file, title, config_path.name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(chapter_text(title), encoding="utf-8")
        config_path.write_text(new_text, encoding="utf-8")
    except OSError as exc:
        path.unlink(missing_ok=True)  # no chapter file the config does not list
        if config_path.read_text(encoding="utf-8") != text:
            config_path.write_text(text, encoding="utf-8")
        raise StorymapError(
            f"{exc.filename or config_path.name}: cannot be written ({exc.strerror or exc}), so "
            "the chapter was not added and nothing was changed. Make the file and the chapters/ "
            "folder writable (or free some disk space), then run the command again."
        ) from None
    return NewChapter(path, file, title, before)


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60].strip("-")


def next_number(folder: Path) -> int:
    numbers = [int(m[1]) for p in folder.glob("*.md") if (m := re.match(r"^(\d+)[-_]", p.name))]
    return max(numbers, default=0) + 1


def chapter_text(title: str) -> str:
    """The template with ``title`` as its heading, as text: a ``{`` in it is written as the
    expression ``{{ "{" }}``, so ``{{ 6*7 }}`` in a title shows as typed, not as 42."""
    template = files("storymap").joinpath("templates", TEMPLATE).read_text(encoding="utf-8")
    return template.replace("__TITLE__", title.replace("{", '{{ "{" }}'))


def yaml_scalar(text: str) -> str:
    """``text`` as a YAML scalar: plain when that is safe, else double-quoted."""
    if PLAIN_TITLE.match(text) and ": " not in text and " #" not in text:
        if yaml.safe_load(text) == text:
            return text
    return json.dumps(text, ensure_ascii=False)


def add_to_chapters_list(text: str, file: str, title: str, name: str) -> tuple[str, str | None]:
    """The config text with a new chapters: entry, and the title it was put before (or None)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if CHAPTERS_KEY.match(line)), None)
    if start is None:
        raise cannot_edit(name, "found no `chapters:` line followed by a list of `- file:` entries")
    end = start + 1
    while end < len(lines) and not TOP_LEVEL_KEY.match(lines[end]):
        end += 1
    items = [i for i in range(start + 1, end) if ITEM.match(lines[i])]
    if not items:
        raise cannot_edit(name, "the chapters: list is not written as `- file:` entries")
    indent = ITEM.match(lines[items[0]])["indent"]
    items = [i for i in items if ITEM.match(lines[i])["indent"] == indent]
    entry = f"{indent}- file: {file}\n{indent}  title: {yaml_scalar(title)}\n"

    old = yaml.safe_load(text)["chapters"]
    last_title = str(old[-1].get("title", "")) if old and isinstance(old[-1], dict) else ""
    if last_title.strip().lower() == LAST_CHAPTER_TITLE:
        at = items[-1]
        while at - 1 > start and lines[at - 1].strip().startswith("#"):
            at -= 1  # keep a comment written above the last chapter with it
        before: str | None = last_title
        expected = old[:-1] + [{"file": file, "title": title}] + old[-1:]
    else:
        at = end
        while at - 1 > items[-1] and not lines[at - 1].strip():
            at -= 1  # after the last entry, before the blank lines that end the list
        if not lines[at - 1].endswith("\n"):
            lines[at - 1] += "\n"
        before = None
        expected = old + [{"file": file, "title": title}]
    new_text = "".join(lines[:at]) + entry + "".join(lines[at:])
    if yaml.safe_load(new_text).get("chapters") != expected:
        raise cannot_edit(name, "the edited list did not read back as intended")
    return new_text, before


def cannot_edit(name: str, why: str) -> StorymapError:
    return StorymapError(
        f"{name}: cannot add the chapter automatically: {why}. Nothing was written. Add it by "
        "hand under chapters: as `- file: chapters/NN-name.md` with `title: ...` below it."
    )
