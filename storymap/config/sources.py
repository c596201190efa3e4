"""The ``sources:`` section: each data file, where it came from, and how `storymap fetch` gets it.

In: YAML mappings. Out: :class:`SourceSection` (and its :class:`FetchSection`).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from storymap.config.base import Model

SourceFormat = Literal[
    "arcgis_geojson",
    "arcgis_json",
    "nomis_api_csv",
    "nomis_bulk_zip",
    "csv",
    "xlsx",
    "codepoint_zip",  # OS Code-Point Open: a zip of one headerless CSV per postcode area
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
    allow_hosts: list[str] = Field(
        default_factory=list,
        description="Other hosts the publisher's server may redirect the download to.",
    )


class SourceSection(Model):
    """One data file, where it came from and under what licence."""

    file: str = Field(description="Path of the bundled file, relative to site_config.yml.")
    title: str = Field(description="The publisher's name for the dataset.")
    publisher: str = Field(description="Who publishes the dataset.")
    vintage: str = Field(description="Reference date or release of the figures.")
    licence: str = Field(description="The licence the dataset is published under.")
    attribution: str = Field(description="Attribution text the licence asks for.")
    code_column: str | None = Field(None, description="Column holding area codes, if tabular.")
    caveats: list[str] = Field(
        default_factory=list, description="Limits of the data readers should know, one per item."
    )
    url: str | None = Field(None, description="The publisher's download endpoint.")
    sha256: str | None = Field(
        None,
        pattern=r"^[0-9a-f]{64}$",
        description="SHA-256 of the tidy file `storymap fetch` writes (recorded by --update).",
    )
    format: SourceFormat | None = Field(None, description="The publisher's raw format (fetch).")
    fetch: FetchSection | None = Field(None, description="How to page and tidy the download.")
