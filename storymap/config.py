"""The ``site_config.yml`` schema.

In: the path of a YAML file. Out: a validated :class:`Config`, or a :class:`ConfigError` that lists
every problem at once, each with its YAML path (``indicators[2].source``) and the fix.

Structure is checked by pydantic models that forbid unknown keys; cross-references (an indicator
naming a source, a lookup naming a geography) are checked afterwards by :func:`cross_check`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from storymap.errors import ConfigError, ProblemList, quoted_list

MAX_CONFIG_BYTES = 1_000_000
HEX_COLOUR = r"^#[0-9a-fA-F]{6}$"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AreaSection(Model):
    """Which part of the ward layer the site covers."""

    name: str = Field("London", description="Name of the whole area, used in prose and tables.")
    boroughs: Literal["all"] | list[str] = Field(
        "all", description="'all', or borough names or codes to keep."
    )


class SiteSection(Model):
    title: str = Field(description="Site title, shown on every page.")
    description: str = Field("", description="One sentence for search engines and the home page.")
    language: str = Field("en", description="Language code for the pages' lang attribute.")
    url: str | None = Field(None, description="Public URL of the published site, if known.")
    area: AreaSection = AreaSection()
    focus_boroughs: list[str] = Field(
        default_factory=list, description="The project boroughs the story focuses on."
    )
    attribution: str = Field(description="Combined attribution shown in every page footer.")
    allow_raw_html_scripts: bool = Field(
        False, description="Allow <script> in chapter markdown (off: chapters are refused)."
    )


SourceFormat = Literal[
    "arcgis_geojson", "arcgis_json", "nomis_api_csv", "nomis_bulk_zip", "csv", "xlsx"
]


class FetchSection(Model):
    """How `storymap fetch` pages a publisher's endpoint and turns its file into the tidy table."""

    params: dict[str, str | int] = Field(
        default_factory=dict, description="Query parameters added to the url."
    )
    page_size: int | None = Field(
        None, ge=1, le=25000, description="Rows per request (ArcGIS resultRecordCount, Nomis)."
    )
    member: str | None = Field(
        None, description="File to take from a zip (glob, e.g. '*-lsoa.csv')."
    )
    sheet: str | None = Field(None, description="Worksheet to read from an xlsx file.")
    columns: dict[str, str] = Field(
        default_factory=dict,
        description="Publisher column or category -> tidy column; others are snake_cased.",
    )
    sums: dict[str, list[str]] = Field(
        default_factory=dict, description="Tidy columns made by adding other tidy columns."
    )
    percents: dict[str, list[str]] = Field(
        default_factory=dict, description="Tidy column -> [numerator, denominator], as a percent."
    )
    attributes_from: str | None = Field(
        None, description="Source whose rows (by code) are kept and whose columns fill gaps."
    )


class SourceSection(Model):
    """One data file, where it came from and under what licence."""

    file: str = Field(description="Path of the bundled file, relative to site_config.yml.")
    title: str = Field(description="The publisher's name for the dataset.")
    publisher: str
    vintage: str = Field(description="Reference date or release of the figures.")
    licence: str
    attribution: str = Field(description="Attribution text the licence asks for.")
    code_column: str | None = Field(None, description="Column holding area codes, if tabular.")
    caveats: list[str] = Field(default_factory=list)
    url: str | None = Field(None, description="The publisher's download endpoint.")
    sha256: str | None = Field(
        None,
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 of the tidy file `storymap fetch` writes (recorded by --update).",
    )
    format: SourceFormat | None = Field(None, description="The publisher's raw format (fetch).")
    fetch: FetchSection | None = Field(None, description="How to page and tidy the download.")


class LookupSection(Model):
    """How a small-area geography maps to wards."""

    source: str = Field(description="Source id of the lookup table.")
    code: str = Field(description="Column with the small-area code (e.g. LSOA21CD).")
    ward: str = Field(description="Column with the ward code.")
    weight: str | None = Field(None, description="Column with the share of the area in the ward.")


class WardLayerSection(Model):
    source: str = Field(description="Source id of the ward boundary file.")
    code: str = "WD22CD"
    name: str = "WD22NM"
    borough_code: str = "LAD22CD"
    borough_name: str = "LAD22NM"


class WardBoroughLookup(Model):
    source: str
    ward: str = "WD22CD"
    borough: str = "LAD22CD"


class GeographySection(Model):
    wards: WardLayerSection
    ward_boroughs: WardBoroughLookup = Field(
        description="Every ward code (before merging) and its borough; used to merge wards."
    )
    merge_boroughs: list[str] = Field(
        default_factory=list,
        description="Boroughs whose wards are merged into one unit coded by the borough code.",
    )
    lookups: dict[str, LookupSection] = Field(default_factory=dict)
    simplify_metres: float = Field(30, ge=0, le=500)


class RowFilter(Model):
    column: str
    values: list[int | float | str] = Field(min_length=1)


class WeightSection(Model):
    source: str
    column: str


class IndicatorSection(Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    short_label: str | None = None
    description: str = ""
    unit: Literal["percent", "score", "count"]
    source: str
    geography: str = Field(description="'ward', or a key of geography.lookups.")
    aggregate: Literal["ratio", "weighted_mean", "sum"]
    numerator: str | list[str] | None = Field(
        None, description="Column of the numerator, or a list of columns added together."
    )
    numerator_filter: RowFilter | None = None
    denominator: str | None = None
    value: str | None = None
    weight: WeightSection | None = None
    direction: Literal["higher_is_more_risk", "higher_is_less_risk"]
    decimals: int = Field(1, ge=0, le=4)
    caveat: str = ""

    valid_range: tuple[float, float] | None = Field(
        None, description="[low, high] every value: column entry must lie in (percent: 0-100)."
    )

    @property
    def short(self) -> str:
        return self.short_label or self.label

    @property
    def numerator_columns(self) -> list[str]:
        if self.numerator is None:
            return []
        return [self.numerator] if isinstance(self.numerator, str) else list(self.numerator)

    @property
    def source_ids(self) -> list[str]:
        """Sources a figure of this indicator is drawn from (for provenance lines)."""
        return [self.source]


class IndexIndicator(Model):
    indicator: str = Field(description="Id of a declared indicator.")
    weight: float = Field(1.0, ge=0, description="Weight within the component (normalised).")


class IndexComponent(Model):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    weight: float = Field(1.0, ge=0, description="Weight of the component (normalised).")
    indicators: list[IndexIndicator] = Field(min_length=1)


class RobustnessSection(Model):
    runs: int = Field(500, ge=10, le=10000, description="Random weightings tried.")
    spread: float = Field(0.5, gt=0, lt=1, description="Each weight times U(1-spread, 1+spread).")
    seed: int = Field(2021, description="Random seed, so builds are reproducible.")
    stable_share: float = Field(0.9, gt=0, le=1, description="Share of runs that counts as stable.")


class ComparisonSection(Model):
    indicator: str = Field(description="Indicator to compare the index with (e.g. deri_score).")
    inputs_table: str | None = Field(
        None, description="CSV listing that index's inputs (Indicator, Date of data, ...)."
    )


class IndexSection(Model):
    """A composite risk index built from declared indicators (see storymap.riskindex)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    label: str
    short_label: str | None = None
    description: str = ""
    scaling: Literal["minmax", "zscore"] = "minmax"
    scope: Literal["area", "borough"] = Field(
        "area", description="Rescale across the whole area, or within each borough."
    )
    banding: Literal["quantiles", "natural_breaks"] = "quantiles"
    bands: int = Field(5, ge=3, le=7)
    population: str = Field(
        description="Ratio indicator whose numerator (people) weights borough and area means."
    )
    decimals: int = Field(2, ge=0, le=4)
    components: list[IndexComponent] = Field(min_length=1)
    robustness: RobustnessSection = RobustnessSection()
    compare_with: ComparisonSection | None = None
    caveats: list[str] = Field(default_factory=list)


class IndexSpec(IndicatorSection):
    """The index as an indicator (built by storymap.riskindex, not written in the YAML)."""

    aggregate: Literal["index"] = "index"  # type: ignore[assignment]
    component_sources: list[str] = Field(default_factory=list)

    @property
    def source_ids(self) -> list[str]:
        return list(self.component_sources)


class BasemapSection(Model):
    url: str
    attribution: str


class MapsSection(Model):
    classification: Literal["quantiles", "natural_breaks"] = "quantiles"
    classes: int = Field(5, ge=3, le=7)
    palette: list[str] = Field(
        default_factory=lambda: ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"],
        description="Colours from least to most at risk (viridis by default: colour-blind safe).",
    )
    no_data_colour: str = Field("#d9d9d9", pattern=HEX_COLOUR)
    basemap: BasemapSection | None = None
    height: str = Field("460px", pattern=r"^\d+(px|vh|rem)$")


class BudgetsSection(Model):
    """Page-weight budgets, in KB (1,000 bytes) of gzip-compressed bytes: the page's HTML and
    every file it loads as it opens. The build fails a page over its budget (storymap.weight)."""

    map_page_kb: float = Field(
        150, gt=0, description="A page with a map (a chapter), read with nothing cached."
    )
    page_kb: float = Field(
        40, gt=0, description="Any other page (method, ward, borough, about), nothing cached."
    )
    cached_kb: float = Field(
        30, gt=0, description="Any page read after another, the files pages share cached."
    )
    search_kb: float = Field(
        40, gt=0, description="The search index, loaded when a reader first uses search."
    )


class ChapterSection(Model):
    file: str
    title: str
    slug: str | None = Field(None, pattern=r"^[a-z0-9][a-z0-9-]*$")


class Config(Model):
    site: SiteSection
    sources: dict[str, SourceSection]
    geography: GeographySection
    indicators: list[IndicatorSection] = Field(min_length=1)
    maps: MapsSection = MapsSection()
    budgets: BudgetsSection = BudgetsSection()
    index: IndexSection | None = None
    home: str = Field(description="Markdown file of the home page.")
    chapters: list[ChapterSection] = Field(min_length=1)

    # Set by load_config; not part of the YAML.
    path: Path = Field(Path("site_config.yml"), exclude=True)

    @property
    def root(self) -> Path:
        return self.path.parent

    def resolve(self, relative: str) -> Path:
        return (self.root / relative).resolve()

    def indicator(self, indicator_id: str) -> IndicatorSection:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    @property
    def indicator_ids(self) -> list[str]:
        return [i.id for i in self.indicators]


# ---------------------------------------------------------------------------------------------
# loading


def load_config(path: str | Path) -> Config:
    """Read, parse and validate ``path``; raise ConfigError listing every problem."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ConfigError(
            f"{path}: config file not found. Run from the project folder or pass --config PATH."
        )
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{name}: file is larger than {MAX_CONFIG_BYTES} bytes; is it the config?"
        )
    raw_bytes = path.read_bytes()
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{name}: not UTF-8 text (byte {exc.start}). Save the file as UTF-8."
        ) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(
            f"{name}{where}: invalid YAML: {problem}. Check indentation and quoting there."
        ) from None
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{name}: expected a mapping of settings (site:, sources:, …) at the top."
        )
    try:
        config = Config.model_validate({**raw, "path": path.resolve()})
    except ValidationError as exc:
        raise ConfigError([_describe(name, err) for err in exc.errors()]) from None
    problems = cross_check(config)
    problems.raise_if_any(ConfigError)
    return config


def yaml_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _describe(name: str, err: dict[str, Any]) -> str:
    loc = tuple(p for p in err["loc"] if not str(p).startswith(("literal[", "list[")))
    where = f"{name}: {yaml_path(loc)}"
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = f" Allowed keys here: {', '.join(allowed)}." if allowed else ""
        return f"{where}: unknown key.{hint} Check the spelling or remove it."
    if kind == "missing":
        return f"{where}: required key is missing. Add it."
    found = err.get("input")
    found_text = f" (found {found!r})" if not isinstance(found, dict | list) else ""
    return f"{where}: {err['msg']}{found_text}."


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model at ``loc`` in the Config tree (for 'unknown key' hints)."""
    model: Any = Config
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", None)
        if fields is None:  # a dict of models: the key is a user name
            continue
        if part not in fields:
            return []
        model = _inner_model(fields[part].annotation)
    fields = getattr(model, "model_fields", {})
    return [k for k in fields if k != "path"]


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    if get_origin(annotation) is dict:
        return _inner_model(get_args(annotation)[1])
    return None


# ---------------------------------------------------------------------------------------------
# cross references


def cross_check(config: Config) -> ProblemList:
    """Problems that span sections: undeclared names, missing columns, missing files."""
    p = ProblemList()
    name = config.path.name
    declared = quoted_list(config.sources)
    geographies = ["ward", *config.geography.lookups]

    def need_source(where: str, source: str) -> None:
        if source not in config.sources:
            p.add(
                f"{name}: {where}: '{source}' is not a declared source (declared: {declared}). "
                "Fix the name or add it under sources:."
            )

    need_source("geography.wards.source", config.geography.wards.source)
    need_source("geography.ward_boroughs.source", config.geography.ward_boroughs.source)
    for key, lookup in config.geography.lookups.items():
        need_source(f"geography.lookups.{key}.source", lookup.source)
    for key, source in config.sources.items():
        if not config.resolve(source.file).is_file():
            p.add(
                f"{name}: sources.{key}.file: {source.file} does not exist. "
                "Restore the file, fix the path, or run `storymap fetch`."
            )

    seen: set[str] = set()
    for i, ind in enumerate(config.indicators):
        where = f"indicators[{i}]"
        if ind.id in seen:
            p.add(f"{name}: {where}.id: '{ind.id}' is used by more than one indicator. Rename one.")
        seen.add(ind.id)
        need_source(f"{where}.source", ind.source)
        if ind.weight:
            need_source(f"{where}.weight.source", ind.weight.source)
        if ind.geography not in geographies:
            p.add(
                f"{name}: {where}.geography: '{ind.geography}' is not a known geography "
                f"(known: {', '.join(geographies)}). "
                "Add it under geography.lookups: or fix the name."
            )
        needs = {
            "ratio": ("numerator", "denominator"),
            "weighted_mean": ("value",),
            "sum": ("value",),
        }
        for field in needs[ind.aggregate]:
            if getattr(ind, field) is None:
                p.add(
                    f"{name}: {where}.{field}: required when aggregate is '{ind.aggregate}'. "
                    f"Name the column that holds the {field}."
                )
        if ind.aggregate != "ratio" and (ind.numerator or ind.denominator):
            p.add(
                f"{name}: {where}: numerator/denominator are only used with aggregate: ratio; "
                "use value: for scores and counts."
            )
        if ind.aggregate == "ratio" and ind.value:
            p.add(f"{name}: {where}.value: not used with aggregate: ratio. Remove it.")

    for i, colour in enumerate(config.maps.palette):
        if not re.match(HEX_COLOUR, colour):
            p.add(f"{name}: maps.palette[{i}]: '{colour}' is not a #rrggbb colour.")
    if len(config.maps.palette) != config.maps.classes:
        p.add(
            f"{name}: maps.palette: {len(config.maps.palette)} colours for {config.maps.classes} "
            "classes. Give one colour per class."
        )

    _check_index(config, p)
    pages = [("home", config.home)] + [
        (f"chapters[{i}].file", ch.file) for i, ch in enumerate(config.chapters)
    ]
    for where, file in pages:
        if not config.resolve(file).is_file():
            p.add(f"{name}: {where}: {file} does not exist. Create it or fix the path.")
    slugs = [chapter_slug(ch) for ch in config.chapters]
    for slug in {s for s in slugs if slugs.count(s) > 1}:
        p.add(
            f"{name}: chapters: two chapters would both be written as '{slug}'. Set slug: on one."
        )
    return p


def _check_index(config: Config, p: ProblemList) -> None:
    """The index: section names declared indicators, and its weights can be normalised."""
    name, index = config.path.name, config.index
    for i, ind in enumerate(config.indicators):
        if ind.valid_range and ind.valid_range[0] >= ind.valid_range[1]:
            p.add(f"{name}: indicators[{i}].valid_range: low must be below high.")
    if index is None:
        return
    ids = config.indicator_ids
    known = f"(declared: {quoted_list(ids, 20)})"
    if index.id in ids:
        p.add(f"{name}: index.id: '{index.id}' is also an indicator id. Give the index its own id.")
    if index.population not in ids:
        p.add(
            f"{name}: index.population: '{index.population}' is not a declared indicator {known}."
        )
    elif config.indicator(index.population).aggregate != "ratio":
        p.add(f"{name}: index.population: '{index.population}' must be a ratio indicator (people).")
    if index.compare_with and index.compare_with.indicator not in ids:
        p.add(
            f"{name}: index.compare_with.indicator: '{index.compare_with.indicator}' is not a "
            f"declared indicator {known}."
        )
    table = index.compare_with.inputs_table if index.compare_with else None
    if table and not config.resolve(table).is_file():
        p.add(f"{name}: index.compare_with.inputs_table: {table} does not exist. Fix the path.")
    used: list[str] = []
    for c, comp in enumerate(index.components):
        where = f"index.components[{c}]"
        if sum(x.weight for x in comp.indicators) <= 0:
            p.add(
                f"{name}: {where}: indicator weights sum to zero, so they cannot be normalised. "
                "Give at least one indicator a positive weight."
            )
        for j, item in enumerate(comp.indicators):
            if item.indicator not in ids:
                p.add(
                    f"{name}: {where}.indicators[{j}].indicator: '{item.indicator}' is not a "
                    f"declared indicator {known}. Fix the name or declare it under indicators:."
                )
            used.append(item.indicator)
    if sum(c.weight for c in index.components) <= 0:
        p.add(
            f"{name}: index.components: component weights sum to zero. Give one a positive weight."
        )
    for dup in sorted({u for u in used if used.count(u) > 1}):
        p.add(f"{name}: index.components: '{dup}' is used more than once. Use each indicator once.")
    comp_ids = [c.id for c in index.components]
    for dup in sorted({c for c in comp_ids if comp_ids.count(c) > 1}):
        p.add(f"{name}: index.components: component id '{dup}' is used twice. Rename one.")


def chapter_slug(chapter: ChapterSection) -> str:
    if chapter.slug:
        return chapter.slug
    stem = Path(chapter.file).stem
    stem = re.sub(r"^\d+[-_]", "", stem)
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "chapter"
