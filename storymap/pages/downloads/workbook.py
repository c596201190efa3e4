"""The Excel workbook download: a sheet per level, the columns explained, and an About sheet.

In: the Config and the download :class:`~storymap.pages.downloads.tables.Table` of each level
(wards,
boroughs, the whole area; neighbourhoods when a build makes them). Out: the bytes of an ``.xlsx``
file, written with openpyxl: one sheet per level (headers bold, first row frozen, filters on,
numbers shown to their indicator's decimals while the cells keep the full value, codes as text),
a "Columns" sheet (the data dictionary) and an "About" sheet (what the site is, every source with
its publisher, vintage, licence and attribution, and the combined attribution).

The file is byte-identical for the same inputs: document dates are fixed and every member of
the zip gets the same time stamp, so rebuilding a site changes nothing a reader can download.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from typing import TYPE_CHECKING

from storymap.config import Config
from storymap.lazy import module

if TYPE_CHECKING:
    from openpyxl import Workbook
from storymap.pages.downloads.tables import Table

openpyxl = module("openpyxl")
openpyxl_styles = module("openpyxl.styles")
openpyxl_utils = module("openpyxl.utils")
openpyxl_excel = module("openpyxl.writer.excel")
pd = module("pandas")

FIXED_TIME = datetime.datetime(2021, 3, 21)  # census day: a fixed date, not the build's
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _styles() -> tuple:
    """Bold and wrapped-to-the-top cell styles (openpyxl keeps each style once)."""
    return openpyxl_styles.Font(bold=True), openpyxl_styles.Alignment(
        wrap_text=True, vertical="top"
    )


SOURCES_HEADER: list[object] = ["Data", "Publisher", "Vintage", "Licence", "Attribution"]


def sheet_title(name: str) -> str:
    """A valid sheet name: no []:*?/\\ and at most 31 characters."""
    return re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Sheet"


def _number_format(places: int | None) -> str | None:
    if places is None:
        return None
    return "#,##0" if places == 0 else "#,##0." + "0" * places


def _as_text(ws) -> None:
    """Text cells stay text: openpyxl would store '=…' as a formula, which Excel would run."""
    for cells in ws.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"


def _write_table(ws, table: Table) -> None:
    ws.append([c.header for c in table.columns])
    for cell in ws[1]:
        cell.font, cell.alignment = _styles()
    formats = [_number_format(c.places) for c in table.columns]
    for row in table.frame.itertuples(index=False):
        ws.append([None if pd.isna(v) else v for v in row])
    _as_text(ws)
    for j, (column, fmt) in enumerate(zip(table.columns, formats, strict=True), start=1):
        letter = openpyxl_utils.get_column_letter(j)
        ws.column_dimensions[letter].width = 34 if column.places is None else 18
        if fmt:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = fmt
        else:
            for (cell,) in ws.iter_rows(min_row=2, min_col=j, max_col=j):
                cell.number_format = "@"  # codes stay text
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def _write_rows(ws, rows: list[list[object]], widths: list[int]) -> None:
    for row in rows:
        ws.append(row)
    _as_text(ws)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[openpyxl_utils.get_column_letter(j)].width = width
    for cells in ws.iter_rows():
        for cell in cells:
            cell.alignment = _styles()[1]


def _about_rows(config: Config, credit: str) -> list[list[object]]:
    site = config.site
    rows: list[list[object]] = [
        [site.title],
        [site.description],
        [],
        ["Source and licence", credit],
        [],
        [
            "Sheets",
            "One row per ward, per borough and for the whole of "
            f"{site.area.name}, and one per help point where the site has them; the Columns "
            "sheet says what each column means. Figures keep their full value; the cells show "
            "them rounded as the site does. Rank, decile and band 1 are the most at risk.",
        ],
        [],
        SOURCES_HEADER,
    ]
    for source in config.sources.values():
        rows.append(
            [source.title, source.publisher, source.vintage, source.licence, source.attribution]
        )
    if site.url:
        rows += [[], ["Website", site.url]]
    return rows


def workbook_bytes(
    config: Config,
    levels: list[tuple[str, Table]],
    dictionary: pd.DataFrame,
    credit: str | None = None,
) -> bytes:
    """The workbook: a sheet per (name, table) in ``levels``, then Columns and About
    (``credit``: the attribution, the site's by default)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, table in levels:
        _write_table(wb.create_sheet(sheet_title(name)), table)
    columns = wb.create_sheet("Columns")
    _write_rows(
        columns,
        [list(dictionary.columns), *dictionary.astype(str).values.tolist()],
        [14, 40, 30, 60, 18, 50, 30],
    )
    for cell in columns[1]:
        cell.font = _styles()[0]
    about = wb.create_sheet("About")
    rows = _about_rows(config, credit or config.site.attribution)
    _write_rows(about, rows, [30, 60, 30, 30, 60])
    about["A1"].font = openpyxl_styles.Font(bold=True, size=14)
    for cell in about[rows.index(SOURCES_HEADER) + 1]:
        cell.font = _styles()[0]
    wb.properties.creator = config.site.title
    wb.properties.title = config.site.title
    wb.properties.created = wb.properties.modified = FIXED_TIME
    return _stable_zip(_save(wb))


def _save(wb: Workbook) -> bytes:
    """Save as openpyxl's save_workbook does, but without stamping the time of the build."""
    buffer = io.BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    openpyxl_excel.ExcelWriter(wb, archive).save()
    return buffer.getvalue()


def _stable_zip(data: bytes) -> bytes:
    """The same zip with every member's time stamp fixed (zip stores local times)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            dst.writestr(member, src.read(info.filename))
    return out.getvalue()
