"""The images a chapter shows: found, checked, and published beside the chapter's page.

In: the Config, a chapter's file (as the config names it), its source text and its rendered
markdown. Out: the chapter's images as extra site files (path -> bytes, the path as the chapter
writes it, relative to the chapter's folder), or one :class:`~storymap.errors.ChapterError`
listing every image that is not there, each with the chapter, the line and the path, and the
folder it should be in.

An image is written ``![What it shows](images/cafe.jpg)`` (or ``<img src="images/cafe.jpg"
alt="…">``), its file in the ``images`` folder beside the chapters. Images on other sites are
not allowed by the site's Content-Security-Policy (no request leaves the site), so a web address
is an error too. The files are read afresh at every build, so a changed image is published even
when its chapter's text is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from storymap.config import Config
from storymap.errors import ChapterError

IMAGE_FOLDER = "images"
KINDS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_IMAGE = re.compile(r"<img\b[^>]*?\bsrc\s*=\s*[\"']?([^\"'\s>]+)", re.I)


def image_refs(markdown: str) -> list[str]:
    """Every image path ``markdown`` shows, in order, each once."""
    found = [m[1] for m in MARKDOWN_IMAGE.finditer(markdown)]
    found += [m[1] for m in HTML_IMAGE.finditer(markdown)]
    return list(dict.fromkeys(found))


def chapter_images(
    config: Config, file: str, source: str, markdown: str, made: Collection[str] = ()
) -> dict[str, bytes]:
    """The images the author's ``source`` of chapter ``file`` shows (and its rendered
    ``markdown`` still does), read from the chapter's folder: site path -> bytes. The images the
    build makes itself (the steps' maps, in ``made``, or left out by ``storymap check``) are not
    the author's and are not looked for. Raises one ChapterError naming every missing or
    unusable one."""
    folder = config.resolve(file).parent
    problems, out = [], {}
    shown = set(image_refs(markdown))
    for ref in image_refs(source):
        if ref.startswith("data:") or ref in made or "{" in ref or ref not in shown:
            continue
        line = _line_of(source, ref)
        where = f"{file} line {line}"
        if re.match(r"^[a-z][a-z0-9+.-]*:|^//", ref, re.I):
            problems.append(
                f"{where}: the image '{ref}' is on another site, and the site's pages load "
                f"nothing from elsewhere. Save the image in the {_shown(config, folder)} folder "
                f"and write its name there, e.g. ![What it shows]({IMAGE_FOLDER}/photo.jpg)."
            )
            continue
        path = (folder / ref.split("#")[0].split("?")[0]).resolve()
        inside = path.is_relative_to(folder)
        if not inside or not path.is_file():
            place = _shown(config, folder)
            problems.append(
                f"{where}: the image '{ref}' is not there"
                + ("" if inside else f" (it points outside {_shown(config, folder, '')})")
                + f". Put the file in {place}, next to the chapters, and write "
                f"![What it shows]({IMAGE_FOLDER}/{Path(ref).name}); or fix the name."
            )
            continue
        if path.suffix.lower() not in KINDS:
            problems.append(
                f"{where}: '{ref}' is not an image the site can show (use {', '.join(KINDS)})."
            )
            continue
        out[path.relative_to(folder).as_posix()] = path.read_bytes()
    if problems:
        raise ChapterError(problems)
    return out


def _shown(config: Config, folder: Path, sub: str = IMAGE_FOLDER) -> str:
    """The folder as the author sees it, from the project folder: 'chapters/images/'."""
    try:
        base = folder.relative_to(config.root.resolve()).as_posix()
    except ValueError:
        base = folder.name
    return f"{base}/{sub}/" if sub else f"{base}/"


def _line_of(source: str, ref: str) -> int:
    """The line of the chapter's source that names ``ref`` (1 if made by the template)."""
    for number, line in enumerate(source.splitlines(), start=1):
        if ref in line:
            return number
    return 1
