"""Reference tables for the About pages: every source, every indicator, what was fetched.

In: the Config (and the fetched-file manifest). Out: markdown tables with every cell escaped,
safe for an autoescaping chapter template, offered to chapters as ``sources_table()``,
``indicators_table()`` and ``fetch_manifest()``.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from storymap.config import Config
from storymap.data.fetched import manifest_rows
from storymap.data.placenames import ATTRIBUTION as PLACE_NAMES_ATTRIBUTION
from storymap.figures.helppoints import ATTRIBUTION as LIBRARY_ATTRIBUTION

NO_MANIFEST = (
    "No file was fetched for this build: every table was read from the project's own data folder."
)


def _cell(text: object) -> str:
    return str(escape(str(text))).replace("|", "&#124;").replace("\n", " ")


def sources_table(config: Config) -> Markup:
    """Markdown table: every source with publisher, vintage, licence and attribution."""
    rows = ["| Data | Publisher | Date | Licence and attribution |", "|---|---|---|---|"]
    for source in config.sources.values():
        rows.append(
            f"| {_cell(source.title)} | {_cell(source.publisher)} | {_cell(source.vintage)} | "
            f"{_cell(source.licence)}. {_cell(source.attribution)} |"
        )
    if config.help.libraries:  # the help points: not a config source, read from data/help/
        rows.append(
            "| Public libraries of the London boroughs: open at 31 December 2023, and closed "
            "2010–2023 (help points) | Arts Council England, Libraries Basic Dataset, cleaned and "
            f"geocoded by Libraries Hacked | 2023 | {_cell(LIBRARY_ATTRIBUTION)} |"
        )
    rows.append(
        "| Place names people use, for the search box | Ordnance Survey, OS Open Names "
        f"(compiled by Alasdair Rae) | 2017–2019 | Open Government Licence v3.0. "
        f"{_cell(PLACE_NAMES_ATTRIBUTION.removeprefix('Place names: '))} |"
    )
    if config.help.files:
        files = ", ".join(config.help.files)
        rows.append(
            f"| The project team's own help points ({_cell(files)}) | The project team | "
            "as given | As given by the team |"
        )
    return Markup("\n".join(rows))


def indicators_table(config: Config) -> Markup:
    rows = [
        "| Indicator | What it measures | Higher means | Source | Notes |",
        "|---|---|---|---|---|",
    ]
    for ind in config.indicators:
        more = "more at risk" if ind.direction == "higher_is_more_risk" else "less at risk"
        rows.append(
            f"| {_cell(ind.label)} | {_cell(ind.description)} | {more} | "
            f"{_cell(config.sources[ind.source].title)} | {_cell(ind.caveat)} |"
        )
    return Markup("\n".join(rows))


def manifest_markdown(config: Config) -> Markup:
    """A markdown table of :func:`manifest_rows` (cells escaped, safe for an autoescaping
    template), or a sentence saying the bundled data is used."""
    rows = manifest_rows(config)
    if not rows:
        return Markup(NO_MANIFEST)
    lines = [
        "| Source | File | Retrieved (UTC) | Size | SHA-256 | URL |",
        "|---|---|---|---:|---|---|",
    ]
    for r in rows:
        cells = [
            r["source"],
            f"`{r['file']}`",
            r["retrieved"],
            f"{r['bytes']:,} bytes",
            f"`{r['sha256'][:12]}…`",
            r["url"],
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return Markup("\n".join(lines))
