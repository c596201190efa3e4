"""Evidence for an indicator's direction: its correlation with another published measure.

In: the Config and an indicator whose ``direction_evidence:`` names a source and column coded
the same way (e.g. the IoD 2025 broadband score, on 2021 neighbourhoods, against DERI's
broadband component, on 2011 ones). Out: how many areas carry the same code in both tables (for
neighbourhoods, those whose boundaries did not change between 2011 and 2021) and the Pearson
correlation across them, or None when the indicator names no evidence.
"""

from __future__ import annotations

from dataclasses import dataclass

from storymap.config import Config, IndicatorSection
from storymap.data.sources import display_path, read_table, source_path
from storymap.data.validate import TableSpec, check_table


@dataclass(frozen=True)
class Evidence:
    areas: int  # areas with the same code in both tables
    pearson: float
    name: str  # what the other measure is, in plain words


def direction_evidence(config: Config, spec: IndicatorSection) -> Evidence | None:
    other = spec.direction_evidence
    if other is None or spec.value is None:
        return None
    tables = []
    for source, column in ((spec.source, spec.value), (other.source, other.column)):
        code = config.sources[source].code_column or ""
        shown = display_path(config, source_path(config, source))
        table = check_table(
            read_table(config, source, [code, column]),
            shown,
            TableSpec(code_column=code, numbers=[column]),
        )
        tables.append(table.set_index(code)[column].astype(float))
    mine, theirs = tables
    common = mine.index.intersection(theirs.index)
    return Evidence(len(common), float(mine[common].corr(theirs[common])), other.name)
