"""Checks across sections: every name refers to something declared, every file exists.

In: a :class:`~storymap.config.model.Config` that passed its schema. Out: a
:class:`ProblemList` of every problem (undeclared sources, indicators or geographies, missing
files, weights that cannot be normalised, palettes that do not fit the classes).
"""

from __future__ import annotations

import re

from storymap.config.base import HEX_COLOUR
from storymap.config.geography import LEVELS
from storymap.config.model import Config
from storymap.config.site import GENERATED, ChapterSection, chapter_slug
from storymap.errors import ProblemList, did_you_mean, quoted_list


def cross_check(config: Config) -> ProblemList:
    """Problems that span sections: undeclared names, missing columns, missing files."""
    p = ProblemList()
    name = config.path.name
    declared = quoted_list(config.sources)
    geographies = ["ward", *config.geography.lookups]

    def need_source(where: str, source: str) -> None:
        if source not in config.sources:
            p.add(
                f"{name}: {where}: '{source}' is not a declared source."
                f"{did_you_mean(source, config.sources)} (declared: {declared}). "
                "Fix the name or add it under sources:."
            )

    need_source("geography.wards.source", config.geography.wards.source)
    need_source("geography.ward_boroughs.source", config.geography.ward_boroughs.source)
    for key, lookup in config.geography.lookups.items():
        need_source(f"geography.lookups.{key}.source", lookup.source)
        if lookup.level is None:
            p.add(
                f"{name}: geography.lookups.{key}.level: required, to say what the codes in "
                f"column {lookup.code} are.{did_you_mean(key, LEVELS)} Add level: with one of "
                f"{', '.join(LEVELS)} (codes {', '.join(v[1][0] + '…' for v in LEVELS.values())})."
            )
    if config.geography.postcodes:
        need_source("geography.postcodes", config.geography.postcodes)
    for key, source in config.sources.items():
        if not config.resolve(source.file).is_file():
            p.add(
                f"{name}: sources.{key}.file: {source.file} does not exist. "
                "Restore the file, fix the path, or run `storymap fetch`."
            )

    seen: set[str] = set()
    for ind in config.indicators:
        where = f"indicators.{ind.id}"
        if ind.id in seen:
            p.add(f"{name}: {where}.id: '{ind.id}' is used by more than one indicator. Rename one.")
        seen.add(ind.id)
        need_source(f"{where}.source", ind.source)
        if ind.weight:
            need_source(f"{where}.weight.source", ind.weight.source)
        if ind.benchmark:
            need_source(f"{where}.benchmark.source", ind.benchmark.source)
            if ind.aggregate != "ratio" or ind.numerator_filter:
                p.add(
                    f"{name}: {where}.benchmark: only a ratio without numerator_filter can be "
                    "computed for a benchmark area. Remove benchmark: or the filter."
                )
        if ind.direction_evidence:
            need_source(f"{where}.direction_evidence.source", ind.direction_evidence.source)
        if ind.geography not in geographies:
            p.add(
                f"{name}: {where}.geography: '{ind.geography}' is not a known geography."
                f"{did_you_mean(ind.geography, geographies)} (known: {', '.join(geographies)}). "
                "Fix the name or add it under geography.lookups:."
            )
        needs = {
            "ratio": ("numerator", "denominator"),
            "weighted_mean": ("value",),
            "sum": ("value",),
        }
        for field in needs[ind.aggregate]:
            if getattr(ind, field) in (None, []):
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
    _check_neighbourhoods(config, p)
    pages = [("home", config.home)] + [
        (f"chapters[{i}].file", ch.file) for i, ch in enumerate(config.chapters)
    ]
    for where, file in pages:
        if not config.resolve(file).is_file():
            p.add(f"{name}: {where}: {file} does not exist. Create it or fix the path.")
    _check_slugs(config, p)
    return p


def _check_slugs(config: Config, p: ProblemList) -> None:
    """Every chapter's address is its own: not another chapter's, not a generated page's."""
    name = config.path.name
    seen: dict[str, tuple[int, ChapterSection]] = {}
    for i, ch in enumerate(config.chapters):
        slug = chapter_slug(ch)
        key = f"chapters[{i}].slug" if ch.slug else f"chapters[{i}].file"
        made = f"'{slug}'" if ch.slug else f"'{slug}' (made from its file name {ch.file})"
        if slug in GENERATED:
            p.add(
                f"{name}: {key}: the chapter {ch.file} would be written as {made}, the address "
                f"of {GENERATED[slug]}, and replace it. Give the chapter a slug of its own, "
                f"e.g. slug: {slug}-story."
            )
        elif slug in seen:
            j, other = seen[slug]
            p.add(
                f"{name}: {key}: the chapter {ch.file} would be written as {made}, the address "
                f"of chapters[{j}] ({other.file}), and replace it. Give one of them a slug of "
                f"its own, e.g. slug: {slug}-2."
            )
        else:
            seen[slug] = (i, ch)


def _check_index(config: Config, p: ProblemList) -> None:
    """The index: section names declared indicators, and its weights can be normalised."""
    name, index = config.path.name, config.index
    for ind in config.indicators:
        if ind.valid_range and ind.valid_range[0] >= ind.valid_range[1]:
            p.add(f"{name}: indicators.{ind.id}.valid_range: low must be below high.")
    if index is None:
        return
    ids = config.indicator_ids

    def unknown(value: str) -> str:
        guess = did_you_mean(value, ids)
        return f"is not a declared indicator.{guess} (declared: {quoted_list(ids, 20)})"

    if index.id in ids:
        p.add(f"{name}: index.id: '{index.id}' is also an indicator id. Give the index its own id.")
    if index.population not in ids:
        p.add(f"{name}: index.population: '{index.population}' {unknown(index.population)}.")
    elif config.indicator(index.population).aggregate != "ratio":
        p.add(f"{name}: index.population: '{index.population}' must be a ratio indicator (people).")
    if index.compare_with and index.compare_with.indicator not in ids:
        other = index.compare_with.indicator
        p.add(f"{name}: index.compare_with.indicator: '{other}' {unknown(other)}.")
    table = index.compare_with.inputs_table if index.compare_with else None
    if table and not config.resolve(table).is_file():
        p.add(f"{name}: index.compare_with.inputs_table: {table} does not exist. Fix the path.")
    used: list[str] = []
    for comp in index.components:
        where = f"index.components.{comp.id}"
        if sum(x.weight for x in comp.indicators) <= 0:
            p.add(
                f"{name}: {where}: indicator weights sum to zero, so they cannot be normalised. "
                "Give at least one indicator a positive weight."
            )
        for j, item in enumerate(comp.indicators):
            if item.indicator not in ids:
                p.add(
                    f"{name}: {where}.indicators[{j}].indicator: '{item.indicator}' "
                    f"{unknown(item.indicator)}. Fix the name or declare it under indicators:."
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


def _check_neighbourhoods(config: Config, p: ProblemList) -> None:
    """The neighbourhoods: section names declared sources and small-area indicators."""
    name, section = config.path.name, config.neighbourhoods
    if section is None:
        return
    ids = config.indicator_ids
    for key, source in section.shapes.items():
        if key not in config.geography.lookups:
            p.add(
                f"{name}: neighbourhoods.shapes: '{key}' is not a key of geography.lookups "
                f"(keys: {quoted_list(config.geography.lookups)})."
            )
        if source not in config.sources:
            p.add(
                f"{name}: neighbourhoods.shapes.{key}: '{source}' is not a declared source. "
                "Fix the name or add it under sources:."
            )
    for i, ind in enumerate(section.indicators):
        where = f"neighbourhoods.indicators[{i}]"
        if ind not in ids:
            p.add(
                f"{name}: {where}: '{ind}' is not a declared indicator "
                f"(declared: {quoted_list(ids, 20)})."
            )
        elif config.indicator(ind).geography not in section.shapes and config.indicator(
            ind
        ).geography in ("ward", *config.geography.lookups):
            p.add(
                f"{name}: {where}: '{ind}' is on geography "
                f"'{config.indicator(ind).geography}', which has no shapes under "
                "neighbourhoods.shapes. Add them, or leave the indicator out."
            )
    if section.hotspots and section.hotspots not in section.indicators:
        p.add(
            f"{name}: neighbourhoods.hotspots: '{section.hotspots}' is not one of "
            "neighbourhoods.indicators. Add it there or fix the name."
        )
    changes = section.changes
    if changes and changes.source not in config.sources:
        p.add(
            f"{name}: neighbourhoods.changes.source: '{changes.source}' is not a declared "
            "source. Fix the name or add it under sources:."
        )
