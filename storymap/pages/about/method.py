"""The "About the data" pages: the risk index's method, and the data checks.

In: the Config, the Geography, the :class:`~storymap.figures.riskindex.IndexResult` and the
:class:`~storymap.data.checks.CheckReport`. Out: markdown for two pages. Everything on them is drawn
from the config and the computed results, so the page cannot drift from what the build did. Every
table carries a source line (source, vintage, licence) taken from the config.
"""

from __future__ import annotations

import html

from storymap.config import Config
from storymap.data.checks import CheckReport
from storymap.data.sources import read_inputs_table
from storymap.figures.evidence import STRONG, WEAK
from storymap.figures.format import (
    format_number,
    format_value,
    in_sentence,
    ordinal,
    percent_of,
    possessive,
)
from storymap.figures.geography import Geography
from storymap.figures.indicators import shown_values
from storymap.figures.riskindex import RANGE_SHARE, IndexResult, firm_runs
from storymap.pages.about.explorer import explorer_files, explorer_html
from storymap.pages.about.reference import manifest_markdown
from storymap.pages.maps.assets import MapAssets, source_line
from storymap.pages.maps.legend import how_made, legend_classes
from storymap.pages.mdtext import md_text

SCALING = {
    "minmax": (
        "Each indicator is rescaled from 0 (the lowest value) to 10 (the highest), as GMCA's "
        "Digital Exclusion Risk Index does: score = 10 × (value − lowest) / (highest − lowest)."
    ),
    "zscore": (
        "Each indicator is standardised (value minus the mean, divided by the standard "
        "deviation), the weighted sum is taken, and that sum is rescaled to run from 0 to 10."
    ),
}
SCOPE = {
    "area": (
        "Indicators are rescaled across all of {area} at once, so on each indicator 10 is the "
        "highest-risk ward in {area} and scores can be compared between boroughs. Rescaling "
        "within each borough instead would give every borough a ward scoring 10 on each "
        "indicator however low its risk is, and hide the differences between boroughs this site "
        "is about."
    ),
    "borough": (
        "Indicators are rescaled within each borough: every borough has a ward at 10 and one at "
        "0, so scores rank wards inside a borough but cannot be compared between boroughs."
    ),
}
BANDING = {"quantiles": "equal-sized groups (quantiles)", "natural_breaks": "natural breaks"}


def cell(value: object) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def provenance(text: str) -> str:
    return f'\n<p class="storymap-source">{html.escape(text)}</p>\n'


# ---------------------------------------------------------------------------------------------
# the method page


def method_page(
    config: Config, geo: Geography, ix: IndexResult, assets: MapAssets | None = None
) -> str:
    """Markdown of the index's method page (with the weights explorer)."""
    sec = ix.section
    _files, inputs = explorer_files(config, geo, ix)
    parts = [
        f"# {sec.label}: how it is built\n",
        f"{sec.description}\n",
        f"In the maps and tables the index is called **{sec.short_label or sec.label}**. It runs "
        "from 0 to 10; higher means more at risk. Ranks and bands run the same way: the ward "
        "ranked 1st, and band 1, are the most at risk.\n",
        explorer_html(config, geo, ix, assets, inputs),
        _ingredients(config, ix),
        _directions(config, ix),
        _steps(config, ix),
        _robustness(config, geo, ix),
        _comparison(config, ix),
        _caveats(config, ix),
    ]
    return "\n".join(parts)


def _ingredients(config: Config, ix: IndexResult) -> str:
    rows = []
    for comp in ix.section.components:
        for item in comp.indicators:
            spec = config.indicator(item.indicator)
            src = config.sources[spec.source]
            direction = "higher = more risk"
            if spec.direction == "higher_is_less_risk":
                direction = "higher = less risk (inverted)"
            within = item.weight / sum(i.weight for i in comp.indicators)
            rows.append(
                [
                    comp.label,
                    f"{spec.label}: {spec.description}",
                    f"{src.title} ({src.vintage})",
                    direction,
                    f"{comp.weight:g}",
                    percent_of(within, 1),
                    format_number(100 * ix.weights[item.indicator], 1) + "%",
                ]
            )
    header = [
        "Component",
        "Indicator and what a high value means",
        "Source (vintage)",
        "Direction",
        "Component weight",
        "Weight in component",
        "Share of the score",
    ]
    return (
        "## What goes into it\n\n"
        + table(header, rows)
        + provenance(source_line(config, ix.result.spec))
    )


def _directions(config: Config, ix: IndexResult) -> str:
    """For each input whose direction is not obvious, the evidence for it, from the data."""
    lines = []
    for ind in ix.method.indicators:
        spec = config.indicator(ind)
        evidence = ix.evidence.get(ind)
        if evidence is None:
            continue
        r = evidence.pearson
        strength = "strong" if abs(r) >= STRONG else "moderate" if abs(r) >= WEAK else "weak"
        weak, strong = format_number(WEAK, 1), format_number(STRONG, 1)
        caveat = (
            ""
            if r >= WEAK
            else f" That is {'weak' if r > 0 else 'no'} evidence for the direction (this page "
            f"calls a correlation weak below {weak}, moderate from {weak} and strong from "
            f"{strong}), so the direction rests on how the Indices of Deprivation are built, "
            "not on this check."
        )
        lines.append(
            f"**{spec.label}.** {spec.description} This site reads it so that a higher value "
            "means more at risk, as the Indices of Deprivation run their indicators (a higher "
            f"value is more deprived). As a check: across the {evidence.areas:,} neighbourhoods "
            f"of {config.site.area.name} with the same code in both files (their boundaries did "
            f"not change), its correlation is {format_number(r, 2)} with {evidence.name}: "
            f"{strength + ' agreement' if r > 0 else 'no agreement'} (1 would be perfect "
            f"agreement, 0 none, and below 0 the two run opposite ways).{caveat}"
        )
    return "## Which way the indicators run\n\n" + "\n\n".join(lines) + "\n" if lines else ""


def _steps(config: Config, ix: IndexResult) -> str:
    sec, area = ix.section, config.site.area.name
    res = ix.result
    people = config.indicator(sec.population)
    classes = legend_classes(
        res.breaks, shown_values(res.wards["value"].to_numpy(), res.spec), res.spec, res.risk_class
    )
    bands = sorted([len(res.breaks) - c.colour, c.label, c.count] for c in classes)  # 1 first
    return (
        "## How the score is made\n\n"
        "1. **Direction.** Indicators where a higher value means *less* risk are turned round "
        "(multiplied by −1) so that, for every indicator, higher means more at risk.\n"
        f"2. **Scaling.** {SCALING[sec.scaling]}\n"
        f"3. **Scope.** {SCOPE[sec.scope].format(area=area)}\n"
        "4. **Weights.** Within each component the indicator weights are divided by their total, "
        "and the component weights likewise, so the shares of the score add up to 100%.\n"
        "5. **Score.** The score is the weighted sum of the rescaled indicators, from 0 to 10.\n"
        f"6. **Bands.** Wards are put into {len(res.breaks)} bands by "
        f"{BANDING[sec.banding]}; band 1 is the most at risk. "
        f"{how_made(res.method, len(res.breaks), len(res.wards), area)}.\n"
        f"7. **Boroughs and {area}.** A borough's score is the mean of its wards' scores weighted "
        f"by its number of {people.numerator_label or in_sentence(people.label)}, because the "
        "index is "
        "about older people: a ward with more older residents counts for more. "
        f"{possessive(area)} score is {format_value(res.area['value'], res.spec)}.\n\n"
        + table(["Band", "Score range", "Wards"], bands)
        + provenance(source_line(config, res.spec))
    )


def _ward_rows(geo: Geography, ix: IndexResult, codes) -> list[list[object]]:
    rob, wards = ix.robustness, ix.result.wards
    return [
        [
            md_text(geo.wards.at[c, "name"]),  # names from the data files: text, not markup
            md_text(geo.wards.at[c, "borough_name"]),
            format_value(wards.at[c, "value"], ix.result.spec),
            int(rob.at[c, "band"]),
            f"{int(rob.at[c, 'kept']):,}",
            f"{ordinal(rob.at[c, 'rank_p05'])} to {ordinal(rob.at[c, 'rank_p95'])}",
        ]
        for c in codes
    ]


def _listed(
    geo: Geography, rob, codes, runs: int, most_kept: bool, n: int = 10
) -> tuple[list, str]:
    """The first ``n`` of ``codes`` by the number of reweightings keeping their band (most or
    fewest first), wards keeping it in as many in alphabetical order; and, when the cut splits a
    tie, the sentence saying so ("48 of these wards keep their band in all 500 reweightings; the
    table shows 10 of them, the first in alphabetical order.")."""
    frame = rob.loc[list(codes), ["kept"]].assign(name=geo.wards.loc[list(codes), "name"])
    frame = frame.sort_values(["kept", "name"], ascending=[not most_kept, True])
    listed = list(frame.index[:n])
    if len(frame) <= n or frame["kept"].iloc[n - 1] != frame["kept"].iloc[n]:
        return listed, ""
    at = int(frame["kept"].iloc[n - 1])
    tied = int((frame["kept"] == at).sum())
    among = int((frame["kept"].iloc[:n] == at).sum())
    where = f"all {runs:,}" if runs == at else f"exactly {at:,} of the {runs:,}"
    return listed, (
        f"{tied:,} of these wards keep their band in {where} reweightings; the table shows "
        f"{among:,} of them, the first in alphabetical order.\n\n"
    )


def robustness_summary(ix: IndexResult) -> dict[str, float]:
    rob = ix.robustness
    return {
        "stable_wards": float(rob["firm"].mean()),
        "top_band_stable": float(rob.loc[rob["band"] == 1, "firm"].mean()),
    }


def _robustness(config: Config, geo: Geography, ix: IndexResult) -> str:
    cfg, rob = ix.section.robustness, ix.robustness
    summary = robustness_summary(ix)
    least, least_note = _listed(geo, rob, rob.index, cfg.runs, most_kept=False)
    solid, solid_note = _listed(geo, rob, rob.index[rob["band"] == 1], cfg.runs, most_kept=True)
    share = "{} of {}".format(*RANGE_SHARE)
    header = [
        "Ward",
        "Borough",
        "Score",
        "Band",
        f"Reweightings (of {cfg.runs:,}) keeping its band",
        f"Rank in at least {share} reweightings",
    ]
    return (
        "## How solid are the bands?\n\n"
        f"The weights are judgements. To see which findings depend on them, the index was "
        f"recomputed {cfg.runs} times with every weight (indicator and component) multiplied by "
        f"a random factor between {1 - cfg.spread:g} and {1 + cfg.spread:g}, re-banding the "
        "wards each time; the same factors are drawn at every build, so the answer does not "
        "change from one build to the next.\n\n"
        f"**{percent_of(summary['stable_wards'], 1)} of wards stay in the same band in at least "
        f"{firm_runs(cfg.runs, cfg.stable_share):,} of the {cfg.runs:,} reweightings** (their "
        f"band is *firm*); of the wards in band 1 (most at risk), "
        f"{percent_of(summary['top_band_stable'], 1)} do. Wards near a band boundary move "
        'easily, so read the band of a ward that is not firm as "around here". Each ward\'s '
        f"page gives the range its rank takes in at least {share} of the reweightings (from "
        "the 5th to the 95th percentile of its ranks) and its best and worst rank over all of "
        "them.\n\n"
        "### The least stable wards\n\n"
        + least_note
        + table(header, _ward_rows(geo, ix, least))
        + "\n### The firmest wards in band 1\n\n"
        + solid_note
        + table(header, _ward_rows(geo, ix, solid))
        + provenance(source_line(config, ix.result.spec))
    )


def _comparison(config: Config, ix: IndexResult) -> str:
    comp = ix.section.compare_with
    if comp is None or ix.comparison is None:
        return ""
    spec = config.indicator(comp.indicator)
    c = ix.comparison
    used = [config.indicator(i) for i in ix.method.indicators]
    inputs = "; ".join(
        f"{in_sentence(ind.label)} from {config.sources[ind.source].title} "
        f"({config.sources[ind.source].vintage})"
        for ind in used
    )
    text = (
        f"## Compared with {spec.label}\n\n"
        f"{spec.label} is an all-age index, shown on this site beside the over-65 index for "
        f"comparison. Across {c['n']:,.0f} wards the two correlate at "
        f"**{format_number(c['pearson'], 2)}** (Pearson) and **{format_number(c['spearman'], 2)}** "
        "(Spearman, on ranks), where 1 would be perfect agreement. They should agree broadly "
        "but not exactly. The DERI file used here is GMCA's national version, scaled across "
        "England's neighbourhoods (GMCA also publishes versions scaled within each local "
        "authority); it is built on 2011 neighbourhoods, weights age, deprivation and broadband "
        "a third each, and uses some older inputs (listed below). The over-65 index adds "
        f"disability, is scaled across {config.site.area.name}, and uses: {inputs}.\n"
    )
    inputs = read_inputs_table(config)
    if inputs is not None:
        inputs = inputs[inputs["Geographical area"].str.contains("England", na=False)]
        rows = inputs[["Indicator", "Dataset source", "Date of data", "Organisation"]].values
        text += "\n### DERI v1.6 inputs (England)\n\n" + table(
            ["Indicator", "Dataset", "Date of data", "Organisation"], [list(r) for r in rows]
        )
        text += provenance(
            "Source: GMCA Digital Exclusion Risk Index v1.6, Data sources table; Greater "
            "Manchester Combined Authority. Open Government Licence v3.0."
        )
    return text


def _caveats(config: Config, ix: IndexResult) -> str:
    items = [f"- {c}" for c in ix.section.caveats]
    for comp in ix.section.components:
        for item in comp.indicators:
            spec = config.indicator(item.indicator)
            if spec.caveat:
                items.append(f"- *{spec.short}*: {spec.caveat}")
    sources = []
    for source_id in ix.result.spec.source_ids:
        src = config.sources[source_id]
        sources.append(
            f"- **{src.title}** ({src.vintage}). {src.attribution} Licence: {src.licence}."
        )
        sources += [f"    - {c}" for c in src.caveats]
    return (
        "## What this index can and cannot tell you\n\n" + "\n".join(items) + "\n\n"
        "## Sources\n\n" + "\n".join(sources) + "\n"
    )


# ---------------------------------------------------------------------------------------------
# the data-checks page


def checks_page(config: Config, report: CheckReport) -> str:
    """Markdown of the data-checks page: what was checked in each table, and accepted warnings."""
    rows = [
        [
            t.what,
            f"`{t.file}`",
            f"{t.rows:,}",
            "; ".join(t.checks),
            "passed" if not t.problems else f"{len(t.problems)} problem(s)",
        ]
        for t in report.tables
    ]
    warnings = "\n".join(f"- {w}" for w in report.warnings) or "- None."
    return (
        "# Data checks\n\n"
        "Before any figure is joined to wards, the build checks every input table and refuses to "
        "publish if any check fails, listing every problem (file, rows and codes) together. It "
        "checks that codes have the right form and prefix and appear once; that no value is "
        "missing; that numbers are numbers, counts are not negative, numerators are not above "
        "their denominators and shares lie between 0 and 100; that every code matches the lookup "
        "of the geography it is declared to be on (and, if it matches the other LSOA vintage's "
        "lookup better, says so); that lookups use December 2022 wards; and that every ward "
        "gets a value.\n\n"
        f"This build: **{len(report.tables)} tables checked, {len(report.problems)} problems, "
        f"{len(report.warnings)} accepted warnings.**\n\n"
        + table(["Table", "File", "Rows", "Checks", "Result"], rows)
        + provenance(
            "Files and their sources are listed in site_config.yml; " + config.site.attribution
        )
        + "\n## Accepted warnings\n\nThese were found and accepted; the figures are published "
        "with them in mind.\n\n" + warnings + "\n"
        "\n## Where this build's files came from\n\n"
        + str(manifest_markdown(config))
        + "\n"
        + _reweighting_note(config)
    )


def _reweighting_note(config: Config) -> str:
    """For analysts repeating the robustness runs: the generator's seed (the method page tells
    readers what the runs are, without it)."""
    if config.index is None:
        return ""
    rob = config.index.robustness
    return (
        "\n## Repeating the robustness runs\n\n"
        f"The {rob.runs:,} reweightings on the method page draw their factors from NumPy's "
        f"default generator with seed {rob.seed} (`index.robustness.seed` in the config), each "
        f"weight times a uniform factor between {1 - rob.spread:g} and {1 + rob.spread:g}; "
        "indicators are drawn first, then components.\n"
    )
