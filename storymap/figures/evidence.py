"""Evidence for an indicator's direction: its correlation with another published measure.

In: the Config, an indicator whose ``direction_evidence:`` names a source and column coded the
same way (e.g. the IoD 2025 broadband score, on 2021 neighbourhoods, against DERI's broadband
component, on 2011 ones), and the codes of the configured area's small areas. Out: how many of
the area's small areas carry the same code in both tables (for neighbourhoods, those whose
boundaries did not change between 2011 and 2021) and the Pearson correlation across them, or
None when the indicator names no evidence. :data:`WEAK` and :data:`STRONG` are the thresholds
the method page states when it calls the evidence weak, moderate or strong.
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


WEAK, STRONG = 0.3, 0.6  # |r| below WEAK: weak evidence; from STRONG: strong


def direction_evidence(
    config: Config, spec: IndicatorSection, area_codes: set[str] | None = None
) -> Evidence | None:
    """The correlation across the small areas in both tables (of ``area_codes`` only, if
    given: the configured area's)."""
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
    if area_codes is not None:
        common = common[common.isin(list(area_codes))]
    return Evidence(len(common), float(mine[common].corr(theirs[common])), other.name)
