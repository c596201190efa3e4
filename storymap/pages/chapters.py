"""Chapters: markdown files rendered with Jinja2 so every number in the prose comes from the data.

In: a chapter file, the Config, Geography and IndicatorResults. Out: markdown (with map fragments as
raw HTML) ready for the site generator, or a ChapterError naming the file, line and fix.

Inside a chapter, authors write for example::

    {{ london.pct_65_plus }} of Londoners are aged 65 or over.
    {{ borough("Barnet").pct_75_plus }}   {{ ward("E05013996").name }}
    {{ london.pct_65_plus.numerator | count }} people     {{ highest("pct_65_plus", 3) | names }}
    {{ map("pct_65_plus", focus="Brent", title="Older residents in Brent") }}

Names that do not exist are errors (StrictUndefined), never blanks.
"""

from __future__ import annotations

import hashlib
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from storymap.config import Config
from storymap.errors import ChapterError, StorymapError, quoted_list
from storymap.figures.geography import Geography
from storymap.figures.indicators import IndicatorResult, format_value
from storymap.pages.alt import view_summary, view_table
from storymap.pages.maps import MapAssets, MapSpec, legend_html, map_element, map_fragment
from storymap.pages.reference import indicators_table, manifest_markdown, sources_table
from storymap.pages.steps import parse_steps, scrolly_html, step_html

if TYPE_CHECKING:
    from storymap.pages.staticmap import StaticMaps

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


class Figure:
    """One indicator's figure for one area; prints formatted, exposes the parts."""

    def __init__(self, result: IndicatorResult, row, rank: int | None = None):
        self.spec = result.spec
        self.value = float(row["value"])
        self.numerator = float(row["numerator"])
        self.denominator = float(row["denominator"])
        self.rank = rank

    def __str__(self) -> str:
        return format_value(self.value, self.spec)

    def __html__(self) -> str:
        return str(escape(str(self)))

    def __float__(self) -> float:
        return self.value

    def __lt__(self, other) -> bool:
        return self.value < float(other)

    def __gt__(self, other) -> bool:
        return self.value > float(other)


class Area:
    """London, a borough or a ward; ``area.<indicator id>`` is a Figure."""

    def __init__(
        self,
        kind: str,
        code: str,
        name: str,
        figures: Callable[[str], Figure],
        borough: str | None = None,
    ):
        self.kind, self.code, self.name, self.borough = kind, code, name, borough
        self._figures = figures

    def __getattr__(self, item: str) -> Figure:
        if item.startswith("_"):
            raise AttributeError(item)
        return self._figures(item)

    def __str__(self) -> str:
        return self.name

    def __html__(self) -> str:
        return str(escape(self.name))


@dataclass
class ChapterContext:
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
    _assets_written: bool = False

    # --- areas ---------------------------------------------------------------------------
    def _need(self, indicator: str) -> IndicatorResult:
        if indicator not in self.results:
            raise ChapterError(
                f"'{indicator}' is not a declared indicator (declared: "
                f"{quoted_list(self.results, 20)}). Fix the name or add it to site_config.yml."
            )
        return self.results[indicator]

    def london(self) -> Area:
        def fig(ind: str) -> Figure:
            return Figure(self._need(ind), self._need(ind).area)

        return Area("area", "", self.config.site.area.name, fig)

    def borough_code(self, name_or_code: str) -> str:
        boroughs = self.geo.boroughs
        if name_or_code in boroughs.index:
            return name_or_code
        matches = boroughs.index[boroughs["name"].str.lower() == str(name_or_code).lower()]
        if len(matches) == 0:
            raise ChapterError(
                f"borough '{name_or_code}' not found. Boroughs: "
                f"{quoted_list(boroughs['name'], 40)}."
            )
        return str(matches[0])

    def borough(self, name_or_code: str) -> Area:
        code = self.borough_code(name_or_code)

        def fig(ind: str) -> Figure:
            return Figure(self._need(ind), self._need(ind).boroughs.loc[code])

        return Area("borough", code, str(self.geo.boroughs.at[code, "name"]), fig)

    def ward_code(self, name_or_code: str) -> str:
        wards = self.geo.wards
        if name_or_code in wards.index:
            return name_or_code
        matches = wards.index[wards["name"].str.lower() == str(name_or_code).lower()]
        if len(matches) != 1:
            what = "not found" if len(matches) == 0 else "names more than one ward"
            raise ChapterError(
                f"ward '{name_or_code}' {what}. Use the ward code (E05…) from the downloads."
            )
        return str(matches[0])

    def ward(self, name_or_code: str) -> Area:
        code = self.ward_code(name_or_code)
        row = self.geo.wards.loc[code]

        def fig(ind: str) -> Figure:
            res = self._need(ind)
            return Figure(res, res.wards.loc[code], int(res.wards.at[code, "rank"]))

        return Area("ward", code, str(row["name"]), fig, str(row["borough_name"]))

    def highest(self, indicator: str, n: int = 3, borough: str | None = None) -> list[Area]:
        """The ``n`` wards with the highest values (optionally within a borough)."""
        res = self._need(indicator)
        values = res.wards["value"]
        if borough:
            code = self.borough_code(borough)
            values = values[self.geo.wards["borough_code"] == code]
        return [self.ward(c) for c in values.sort_values(ascending=False).index[:n]]

    def lowest(self, indicator: str, n: int = 3, borough: str | None = None) -> list[Area]:
        res = self._need(indicator)
        values = res.wards["value"]
        if borough:
            values = values[self.geo.wards["borough_code"] == self.borough_code(borough)]
        return [self.ward(c) for c in values.sort_values().index[:n]]

    def boroughs_by(self, indicator: str, n: int | None = None, lowest: bool = False) -> list[Area]:
        """Boroughs ordered by an indicator, highest first (or lowest first)."""
        values = self._need(indicator).boroughs["value"].sort_values(ascending=lowest)
        codes = list(values.index)[: n if n else None]
        return [self.borough(c) for c in codes]

    def top_wards(self, indicator: str, n: int, focus_kind: str, focus: str | None) -> list[str]:
        """Codes of the ``n`` most at-risk wards in a view (rank 1 = most at risk)."""
        res = self._need(indicator)
        wards = self.geo.wards
        if focus_kind == "area" or not focus:
            codes = wards.index
        else:
            borough = focus if focus_kind == "borough" else wards.at[focus, "borough_code"]
            codes = wards.index[wards["borough_code"] == borough]
        return list(res.wards.loc[codes, "rank"].sort_values().index[:n])

    # --- story steps ---------------------------------------------------------------------
    def story(self, file: str, raw: str, rendered: str) -> str:
        """Lay out a chapter's ```step blocks around one sticky map (see storymap.pages.steps)."""
        intro, steps = parse_steps(file, raw, rendered, self)
        if not steps:
            return rendered
        first = steps[0]
        map_id = f"{self.slug}_story".replace("-", "_")
        self.maps.append(MapSpec(map_id, first.indicator, first.focus, None, first.highlights))
        div = map_element(self.config, self.maps[-1])
        area = self.config.site.area.name
        parts, first_view = [], ("", "")
        for step in steps:
            self.views.append((step.indicator, step.focus))
            res = self.results[step.indicator]
            summary = view_summary(area, self.geo, res, step.focus_kind, step.focus)
            image = f"img/{self.slug}/step-{step.number}.svg"
            if self.static_maps is not None:
                self.files[image] = self.static_maps.svg(
                    res, step.focus_kind, step.focus, step.highlights, summary
                )
            table = view_table(area, self.geo, res, step.focus_kind, step.focus)
            legend = legend_html(self.config, res)
            parts.append(step_html(self.slug, step, summary, legend, image, table))
            if len(parts) == 1:  # shown beside the map until the script shows each step's
                first_view = (summary, legend)
        wards = bool(first.highlights) or first.focus_kind == "ward"
        tags = self._asset_tags(first.indicator, wards)
        label = f"Map for this chapter: {self.config.site.title}"
        return intro + "\n\n" + tags + scrolly_html(self.slug, div, parts, label, *first_view)

    def _asset_tags(self, indicator: str, wards: bool = False) -> str:
        """The map's scripts, and a preload of the files its first view shows (``wards``: it
        highlights or focuses on wards, so it needs their codes)."""
        if not self.assets or self._assets_written:
            return ""
        self._assets_written = True
        return self.assets.tags(self.asset_prefix, indicator, wards)

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
        return Markup(f"\n\n{html}\n\n")


def names(areas: list[Area], with_borough: bool = False) -> str:
    """'A, B and C' from a list of areas."""
    labels = [f"{a.name} ({a.borough})" if with_borough and a.borough else a.name for a in areas]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def _environment() -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined, autoescape=True, keep_trailing_newline=True
    )
    env.filters["count"] = lambda v: f"{float(v):,.0f}"
    env.filters["pct"] = lambda v, d=1: f"{float(v):.{d}f}%"
    env.filters["number"] = lambda v, d=1: f"{float(v):,.{d}f}"
    env.filters["names"] = names
    return env


def read_chapter(config: Config, file: str) -> str:
    path = config.resolve(file)
    if not path.is_file():
        raise ChapterError(f"{file}: chapter file not found. Create it or fix site_config.yml.")
    data = path.read_bytes()
    if len(data) > MAX_CHAPTER_BYTES:
        raise ChapterError(f"{file}: {len(data):,} bytes is too large for a chapter; split it.")
    if b"\x00" in data:
        raise ChapterError(f"{file}: this is a binary file, not markdown text. Save it as text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ChapterError(
            f"{file}: not UTF-8 text (byte {exc.start}). Save it as UTF-8."
        ) from None
    if not config.site.allow_raw_html_scripts:
        checks = [(SCRIPT_TAG, "raw <script>"), *UNSAFE_HTML]
        for pattern, what in checks:
            match = pattern.search(text)
            if match:
                line = text.count("\n", 0, match.start()) + 1
                raise ChapterError(
                    f"{file} line {line}: {what} in a chapter is not allowed. Remove it, or set "
                    "site.allow_raw_html_scripts: true in site_config.yml if you trust it."
                )
    return text


def render_chapter(
    config: Config, file: str, ctx: ChapterContext, extra: dict | None = None
) -> str:
    """Render one chapter's markdown; errors name the file and line."""
    text = read_chapter(config, file)
    env = _environment()
    try:
        template = env.from_string(text)
    except jinja2.TemplateSyntaxError as exc:
        raise ChapterError(
            f"{file} line {exc.lineno}: template syntax error: {exc.message}. Check that every "
            "{{ has its }} and every {% if %} its {% endif %}."
        ) from None
    template.name = template.filename = file
    names_ = {
        "london": ctx.london(),
        "area": ctx.london(),
        "borough": ctx.borough,
        "ward": ctx.ward,
        "highest": ctx.highest,
        "lowest": ctx.lowest,
        "boroughs_by": ctx.boroughs_by,
        "map": ctx.map,
        "indicator": lambda i: ctx._need(i).spec,
        "focus_boroughs": [ctx.borough(b) for b in config.site.focus_boroughs],
        "ward_count": len(ctx.geo.wards),
        "borough_count": len(ctx.geo.boroughs),
        "site": config.site,
        "sources_table": lambda: sources_table(config),
        "indicators_table": lambda: indicators_table(config),
        "fetch_manifest": lambda: manifest_markdown(config),
        **(extra or {}),
    }
    try:
        rendered = template.render(**names_)
        if config.site.allow_raw_html_scripts:
            rendered = externalise_scripts(rendered, ctx)  # the config trusts this chapter's
    except jinja2.UndefinedError as exc:
        raise ChapterError(
            f"{file} line {_line(exc, file)}: {exc.message}. Check the spelling; names you can use "
            f"include {quoted_list(sorted(names_), 20)} and indicator ids."
        ) from None
    except StorymapError as exc:
        raise ChapterError(f"{file} line {_line(exc, file)}: {exc.problems[0]}") from None
    except (TypeError, ValueError, AttributeError, jinja2.TemplateError) as exc:
        raise ChapterError(
            f"{file} line {_line(exc, file)}: {exc}. Check the expression there."
        ) from None
    return ctx.story(file, text, rendered)


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


def chapter_title(config: Config, file: str) -> str:
    for ch in config.chapters:
        if ch.file == file:
            return ch.title
    return Path(file).stem
