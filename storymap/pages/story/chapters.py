"""Chapters: markdown files rendered with Jinja2 so every number in the prose comes from the data.

In: a chapter file, the Config, Geography and IndicatorResults. Out: markdown (with map fragments as
raw HTML) ready for the site generator, or a ChapterError naming the file, line and fix.

Inside a chapter, authors write for example::

    {{ london.pct_65_plus }} of Londoners are aged 65 or over.
    {{ borough("Barnet").pct_75_plus }}   {{ ward("E05013996").name }}
    {{ london.pct_65_plus.numerator | count }} people     {{ highest("pct_65_plus", 3) | names }}
    {{ map("pct_65_plus", focus="Brent", title="Older residents in Brent") }}

Names that do not exist are errors (StrictUndefined), never blanks. Every figure prints through
storymap.figures.format (rounded once, from the full value), and the filters (count, pct, number,
about, ordinal) do too. Lists of highest or lowest wards keep ties together: when the cut falls
inside a group of equal figures, ``names`` says so ("…, one of the 76 wards at 100.0%").

"""

from __future__ import annotations

import hashlib
import json
import os
import re
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from markupsafe import Markup

from storymap.config import Config
from storymap.config.textfile import check_text
from storymap.errors import ChapterError, StorymapError, quoted_list
from storymap.figures.format import about, approximately, format_count, format_number, ordinal
from storymap.figures.geography import Geography
from storymap.figures.indicators import IndicatorResult
from storymap.figures.riskindex import IndexResult
from storymap.pages.about.guidance import band_note, index_guidance, index_recipe
from storymap.pages.about.reference import indicators_table, manifest_markdown, sources_table
from storymap.pages.maps.alt import focus_note, view_summary, view_table
from storymap.pages.maps.assets import MapAssets, MapSpec, legend_html, map_element, map_fragment
from storymap.pages.maps.files import MAP_DIR
from storymap.pages.story.helpstory import HelpFacts, points_list, step_points
from storymap.pages.story.named import Area as Area  # re-exported: chapters print these
from storymap.pages.story.named import Figure as Figure
from storymap.pages.story.named import Places, compare_figures, names
from storymap.pages.story.sandbox import ChapterLimitError, chapter_environment, render_bounded
from storymap.pages.story.steps import parse_steps, scrolly_html, step_html
from storymap.pages.story.templatesyntax import explain

if TYPE_CHECKING:
    from storymap.figures.help import HelpResult
    from storymap.pages.maps.static import StaticMaps

MAX_CHAPTER_BYTES = 1_000_000
SCRIPT_TAG = re.compile(r"<\s*script\b", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.IGNORECASE | re.DOTALL)
SCRIPT_DIR = "assets/chapter-scripts"
# Other ways raw HTML runs script: on*= handlers inside a tag, and javascript:/vbscript: URLs (in
# HTML attributes or markdown links). Refused like <script>; the pages' CSP blocks them anyway.
UNSAFE_HTML = [
    (
        re.compile(r"<[a-z][^>]*?\son[a-z]+\s*=", re.IGNORECASE | re.DOTALL),
        "an on…= event handler in an HTML tag",
    ),
    (
        re.compile(r"(?:\]\(|=\s*[\"']?|<)\s*(?:java|vb)script\s*:", re.IGNORECASE),
        "a javascript: link",
    ),
]


@dataclass
class ChapterContext(Places):
    config: Config
    geo: Geography
    results: dict[str, IndicatorResult]
    assets: MapAssets | None
    asset_prefix: str = ""
    slug: str = "page"
    static_maps: StaticMaps | None = None
    maps: list[MapSpec] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # docs-relative path -> text
    views: list[tuple[str, str | None]] = field(default_factory=list)  # (indicator, focus) shown
    index: IndexResult | None = None  # the risk index, for band notes and its guidance box
    help: HelpResult | None = None  # the help points, for steps that show them
    _assets_written: bool = False

    # --- story steps ---------------------------------------------------------------------
    def story(self, file: str, raw: str, rendered: str) -> str:
        """Lay out a chapter's ```step blocks around one sticky map (see
        storymap.pages.story.steps)."""
        intro, steps = parse_steps(file, raw, rendered, self)
        if not steps:
            return rendered
        first = steps[0]
        map_id = f"{self.slug}_story".replace("-", "_")
        labels = (
            self.static_maps.live_labels([(s.focus_kind, s.focus, s.highlights) for s in steps])
            if self.static_maps
            else None
        )
        if labels:  # the boroughs' names: one file every chapter shares, fetched for a view of all
            # (a new dict: the step images' memo keeps the one it gave)
            labels = {**labels, "boroughs": self._labels_file(labels["boroughs"])}
        help_file = ""
        if self.help is not None and any(s.help for s in steps) and self.assets is not None:
            help_file = self.assets.files.help.rsplit("/", 1)[-1]
        self.maps.append(
            MapSpec(map_id, first.indicator, first.focus, None, first.highlights, labels, help_file)
        )
        div = map_element(self.config, self.maps[-1])
        area = self.config.site.area.name
        parts, first_view = [], ("", "")
        for step in steps:
            self.views.append((step.indicator, step.focus))
            res = self.results[step.indicator]
            summary = view_summary(area, self.geo, res, step.focus_kind, step.focus)
            image = f"img/{self.slug}/step-{step.number}.svg"
            points = shown = None
            if step.help and self.help is not None:
                points = step_points(self.help, self.geo, step.focus_kind, step.focus)
                xy = self.help.points[["easting", "northing"]].to_numpy(float)[points]
                shown = [(round(float(x), 1), round(float(y), 1)) for x, y in xy]
            if self.static_maps is not None:
                self.files[image] = self.static_maps.svg(
                    res, step.focus_kind, step.focus, step.highlights, summary, shown
                )
            table = view_table(area, self.geo, res, step.focus_kind, step.focus)
            legend = legend_html(self.config, res, focus_note(self, step)) + band_note(
                self.index, res.id, self._view_codes(step.focus_kind, step.focus)
            )
            listed = (
                points_list(self.help, self.geo, points, step.focus_kind == "area")
                if points is not None and self.help is not None
                else ""
            )
            parts.append(
                step_html(
                    self.slug, step, summary, legend, image, table, points, listed, len(steps)
                )
            )
            if len(parts) == 1:  # shown beside the map until the script shows each step's
                first_view = (summary, legend)
        wards = bool(first.highlights) or first.focus_kind == "ward"
        names = [f"{MAP_DIR}/{labels['boroughs']}"] if labels and first.focus_kind == "area" else []
        tags = self._asset_tags(first.indicator, wards, names)
        label = f"Map for this chapter: {self.config.site.title}"
        return intro + "\n\n" + tags + scrolly_html(self.slug, div, parts, label, *first_view)

    def _asset_tags(
        self, indicator: str, wards: bool = False, more: list[str] | None = None
    ) -> str:
        """The map's scripts, and a preload of the files its first view shows (``wards``: it
        highlights or focuses on wards, so it needs their codes; ``more``: other files)."""
        if not self.assets or self._assets_written:
            return ""
        self._assets_written = True
        return self.assets.tags(self.asset_prefix, indicator, wards, more or [])

    def _labels_file(self, boroughs: list) -> str:
        """The boroughs' labels as a content-hashed map file (the same bytes, so the same file,
        for every chapter); returns its name in the map files' folder. Largest borough first,
        each ``[b, lat, lon, dlat, dlon, ...]``: its place in the map index's boroughs (which
        has its name), its first place in ten-thousandths of a degree, then each other place
        as the difference from the first."""
        position = {code: b for b, code in enumerate(self.geo.boroughs.index)}
        rows = []
        for code, _name, points in boroughs:
            (lat, lon), *others = [(round(a * 10_000), round(o * 10_000)) for a, o in points]
            rows.append(
                [position[code], lat, lon, *(v for a, o in others for v in (a - lat, o - lon))]
            )
        text = json.dumps(rows, separators=(",", ":"))
        name = f"labels.{hashlib.sha256(text.encode()).hexdigest()[:10]}.json"
        self.files[f"{MAP_DIR}/{name}"] = text
        return name

    # --- maps ----------------------------------------------------------------------------
    def map(self, indicator: str, focus: str | None = None, title: str | None = None) -> Markup:
        self._need(indicator)
        focus_code = self.borough_code(focus) if focus else None
        map_id = f"{self.slug}_{len(self.maps) + 1}".replace("-", "_")
        spec = MapSpec(map_id, indicator, focus_code, title)
        self.maps.append(spec)
        html = self._asset_tags(indicator) + map_fragment(
            self.config, self.geo, self.results, spec, self.asset_prefix
        )
        note = band_note(
            self.index, indicator, self._view_codes("borough" if focus_code else "area", focus_code)
        )
        return Markup(f"\n\n{html}{note}\n\n")


FILTERS = {
    "count": lambda v: format_count(float(v)),
    "pct": lambda v, d=1: format_number(float(v), d) + "%",
    "number": lambda v, d=1: format_number(float(v), d),
    "about": lambda v: about(float(v)),
    "approximately": lambda v: approximately(float(v)),
    "ordinal": lambda v: ordinal(int(v)),
    "names": names,
}


def read_bounded(path: Path, file: str) -> bytes:
    """The bytes of the chapter at ``path``, its size checked before anything is read (a sparse
    file of gigabytes is refused without reading it) and the read stopped past the limit."""
    with path.open("rb") as f:
        size = os.fstat(f.fileno()).st_size
        data = f.read(MAX_CHAPTER_BYTES + 1) if size <= MAX_CHAPTER_BYTES else b""
    if size > MAX_CHAPTER_BYTES or len(data) > MAX_CHAPTER_BYTES:
        size = max(size, len(data))
        raise ChapterError(f"{file}: {size:,} bytes is too large for a chapter; split it.")
    return data


def read_chapter(config: Config, file: str) -> str:
    path = config.resolve(file)
    if not path.is_file():
        raise ChapterError(f"{file}: chapter file not found. Create it or fix {config.path.name}.")
    data = read_bounded(path, file)
    text = check_text(data, file, ChapterError, "Save the chapter as UTF-8 markdown text.")
    if not config.site.allow_raw_html_scripts:
        checks = [(SCRIPT_TAG, "raw <script>"), *UNSAFE_HTML]
        for pattern, what in checks:
            match = pattern.search(text)
            if match:
                line = text.count("\n", 0, match.start()) + 1
                raise ChapterError(
                    f"{file} line {line}: {what} in a chapter is not allowed. Remove it, or set "
                    f"site.allow_raw_html_scripts: true in {config.path.name} if you trust it."
                )
    return text


def render_chapter(
    config: Config, file: str, ctx: ChapterContext, extra: dict | None = None
) -> str:
    """Render one chapter's markdown; errors name the file and line."""
    text = read_chapter(config, file)
    env = chapter_environment(config.limits, FILTERS)
    try:
        template = env.from_string(text)
    except jinja2.TemplateSyntaxError as exc:
        line, message = explain(env, text, exc)
        raise ChapterError(f"{file} line {line}: {message}") from None
    template.name = template.filename = file
    names_ = {
        "london": ctx.london(),
        "area": ctx.london(),
        "borough": ctx.borough,
        "ward": ctx.ward,
        "highest": ctx.highest,
        "lowest": ctx.lowest,
        "boroughs_by": ctx.boroughs_by,
        "benchmark": ctx.benchmark,
        "map": ctx.map,
        "index_guidance": lambda: Markup(index_guidance(ctx.asset_prefix)),
        "index_recipe": lambda: index_recipe(ctx.index),
        "compare": compare_figures,
        "merged_boroughs": ctx.merged_boroughs,
        "indicator": lambda i: ctx._need(i).spec,
        "focus_boroughs": [ctx.borough(b) for b in config.site.focus_boroughs],
        "ward_count": len(ctx.geo.wards),
        "borough_count": len(ctx.geo.boroughs),
        "site": config.site,
        "sources_table": lambda: sources_table(config),
        "indicators_table": lambda: indicators_table(config),
        "fetch_manifest": lambda: manifest_markdown(config),
        **({"help": HelpFacts(ctx.help, ctx.geo, ctx.ward)} if ctx.help is not None else {}),
        **(extra or {}),
    }
    try:
        rendered = render_bounded(template, env, names_)
        if config.site.allow_raw_html_scripts:
            rendered = externalise_scripts(rendered, ctx)  # the config trusts this chapter's
    except jinja2.UndefinedError as exc:
        raise ChapterError(
            f"{file} line {_line(exc, file)}: {exc.message}. Check the spelling; names you can use "
            f"include {quoted_list(sorted(names_), 20)} and indicator ids."
        ) from None
    except StorymapError as exc:
        raise ChapterError(f"{file} line {_line(exc, file)}: {exc.problems[0]}") from None
    except ChapterLimitError as exc:
        text = str(exc) if str(exc).startswith("line ") else f"line {_line(exc, file)}: {exc}"
        raise ChapterError(
            f"{file} {text}; raise it under limits: in {config.path.name} only if the chapter "
            "really needs more."
        ) from None
    except (OverflowError, MemoryError, RecursionError) as exc:
        raise ChapterError(f"{file} line {_line(exc, file)}: {_too_much(exc)}") from None
    except (TypeError, ValueError, AttributeError, jinja2.TemplateError) as exc:
        raise ChapterError(
            f"{file} line {_line(exc, file)}: {exc}. Check the expression there."
        ) from None
    return ctx.story(file, text, rendered)


def _too_much(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "the expression there calls itself without end (a macro or recursive loop)."
    if isinstance(exc, MemoryError):
        return "the expression there needs more memory than the machine has. Simplify it."
    if "MAX_RANGE" in str(exc) or "Range too big" in str(exc):
        return "range() in a chapter may give at most 100,000 numbers. Use a smaller range."
    return f"the expression there gives a number too large ({exc}). Simplify it."


def externalise_scripts(text: str, ctx: ChapterContext) -> str:
    """``text`` with each inline script moved into a content-hashed file of its own under
    ``assets/chapter-scripts/`` (kept in ``ctx.files``), so no page holds an inline script."""

    def move(match: re.Match) -> str:
        attrs, body = match.group(1), match.group(2)
        if re.search(r"\bsrc\s*=", attrs, re.IGNORECASE) or not body.strip():
            return match.group(0)
        name = f"{SCRIPT_DIR}/{hashlib.sha256(body.encode()).hexdigest()[:16]}.js"
        ctx.files[name] = body
        return f'<script src="{ctx.asset_prefix}{name}"></script>'

    return INLINE_SCRIPT.sub(move, text)


def _line(exc: BaseException, file: str) -> str:
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__) if f.filename == file]
    return str(lines[-1]) if lines else "?"
