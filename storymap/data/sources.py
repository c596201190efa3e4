"""Read the bundled (or fetched) data files named in the config.

In: a Config and a source id, plus the columns the build needs from it. Out: a pandas DataFrame (or
GeoDataFrame for boundaries) with codes as text and the needed columns checked for presence, or a
DataError that names the file, the missing columns and the fix; and the index comparison's inputs
table (:func:`read_inputs_table`).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

from storymap.config import Config
from storymap.config.textfile import BIDI, bidi_problem
from storymap.data.fetched import cached_file
from storymap.errors import DataError, did_you_mean, quoted_list

if TYPE_CHECKING:  # imported where they are used: the build's keys need this module, not them
    import geopandas as gpd
    import pandas as pd

    from storymap.data.compact import Topology

MAX_DATA_BYTES = 60_000_000


def source_path(config: Config, source_id: str) -> Path:
    """The file to read for a source: the fetched cache copy if present, else the bundled file."""
    cached = cached_file(config, source_id)
    return cached if cached is not None else config.resolve(config.sources[source_id].file)


def display_path(config: Config, path: Path) -> str:
    try:
        return str(path.relative_to(config.root.resolve()))
    except ValueError:
        return str(path)


def _check_file(config: Config, source_id: str) -> Path:
    path = source_path(config, source_id)
    shown = display_path(config, path)
    if not path.is_file():
        raise DataError(
            f"{shown}: data file for source '{source_id}' not found. Restore it from git "
            f"(git checkout -- {shown}) or run `storymap fetch`."
        )
    size = path.stat().st_size
    if size > MAX_DATA_BYTES:
        raise DataError(
            f"{shown}: {size:,} bytes is over the {MAX_DATA_BYTES:,}-byte limit for a data file; "
            "it was not read. Cut it to London, or raise MAX_DATA_BYTES if that is intended."
        )
    if size == 0:
        raise DataError(f"{shown}: the file is empty. Restore it or fetch it again.")
    return path


def read_table(config: Config, source_id: str, columns: list[str]) -> pd.DataFrame:
    """Read a CSV source keeping only ``columns`` (codes as text); check they are all present."""
    path = _check_file(config, source_id)
    shown = display_path(config, path)
    with path.open("rb") as f:
        head = f.read(4096)
    if b"\x00" in head:
        raise DataError(f"{shown}: this is a binary file, not CSV text. Restore the CSV.")
    try:
        text_head = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:
            raise DataError(
                f"{shown}: not UTF-8 text (byte {exc.start} is 0x{head[exc.start]:02x}). "
                "Save the file as UTF-8 CSV."
            ) from None
        text_head = head[: exc.start].decode("utf-8-sig")
    first_line = text_head.splitlines()[0] if text_head.strip() else ""
    if "," not in first_line and any(d in first_line for d in (";", "\t", "|")):
        delim = next(d for d in (";", "\t", "|") if d in first_line)
        raise DataError(
            f"{shown}: columns are separated by {delim!r}, not commas. "
            "Save it as comma-separated CSV."
        )
    import pandas as pd

    try:
        df = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{shown}: not UTF-8 text ({exc.reason}). Save the file as UTF-8 CSV."
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise DataError(f"{shown}: cannot be read as CSV ({exc}). Check the file.") from None
    duplicated_columns(path, shown)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        guesses = "".join(did_you_mean(c, df.columns).replace("?", f" for '{c}'?") for c in missing)
        raise DataError(
            f"{shown}: missing column(s) {quoted_list(missing)} needed by source '{source_id}'."
            f"{guesses}\nFound: {quoted_list(df.columns, 20)}. Fix the column names in the file "
            f"or in {config.path.name}."
        )
    if df.empty:
        raise DataError(f"{shown}: has a header but no rows. Restore the data.")
    table = df[list(dict.fromkeys(columns))].copy()
    bidi_cells(table, shown)
    return table


def duplicated_columns(path: Path, shown: str) -> None:
    """An Error if a column name appears twice in the header (pandas would rename the second
    ``NAME.1`` and the figures could come from either)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    seen: dict[str, list[int]] = {}
    for i, name in enumerate(header, start=1):
        seen.setdefault(name.strip(), []).append(i)
    twice = {name: at for name, at in seen.items() if len(at) > 1}
    if twice:
        shown_twice = "; ".join(
            f"{name!r} in columns {quoted_list(at)}" for name, at in twice.items()
        )
        raise DataError(
            f"{shown} line 1: the header names a column more than once ({shown_twice}); the "
            "figures could be read from either. Rename or delete the copies so each column "
            "name appears once."
        )


def bidi_cells(table: pd.DataFrame, shown: str, unit: str = "line", first: int = 2) -> None:
    """An Error naming the first cell of the columns read that holds a bidirectional control
    (by its line of a CSV file, or ``unit="feature", first=1``: its feature in a GeoJSON)."""
    for column in table.columns:
        found = table[column].astype(str).str.contains(BIDI.pattern, regex=True)
        if found.any():
            row = found.to_numpy().nonzero()[0][0]
            char = BIDI.search(str(table[column].iloc[row])).group()
            raise DataError(f"{shown} {unit} {row + first}: {column}: {bidi_problem(char)}")


def read_inputs_table(config: Config) -> pd.DataFrame | None:
    """The table of inputs of the published index the risk index is compared with
    (``index.compare_with.inputs_table``), every cell as text; None when the config names none.
    Read by the data checks (which report a table they cannot read) and the method page."""
    index = config.index
    if not index or not index.compare_with or not index.compare_with.inputs_table:
        return None
    import pandas as pd

    path = config.resolve(index.compare_with.inputs_table)
    return pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def read_boundaries(config: Config, source_id: str, columns: list[str]) -> gpd.GeoDataFrame:
    """Read a boundary file into EPSG:4326 with ``columns`` checked for presence."""
    path = _check_file(config, source_id)
    shown = display_path(config, path)
    import geopandas as gpd

    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several kinds for unreadable files
        raise DataError(
            f"{shown}: cannot be read as a boundary file ({exc}). Restore it."
        ) from None
    if gdf.empty:
        raise DataError(f"{shown}: holds no features. Restore the boundary file.")
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise DataError(
            f"{shown}: missing column(s) {quoted_list(missing)}; found {quoted_list(gdf.columns)}. "
            f"Fix geography.wards in {config.path.name} or the file."
        )
    if gdf.crs is None:
        raise DataError(f"{shown}: has no coordinate reference system. Save it with EPSG:4326.")
    if gdf.crs.to_epsg() != 4326:
        raise DataError(
            f"{shown}: coordinates are in {gdf.crs.to_string()}, expected EPSG:4326 (longitude/"
            "latitude). Reproject it, e.g. gdf.to_crs(4326).to_file(...)."
        )
    for col in columns:
        gdf[col] = gdf[col].astype(str)
    bidi_cells(gdf[columns], shown, "feature", 1)
    return gdf[[*columns, "geometry"]].copy()


def read_topology(config: Config, source_id: str) -> Topology:
    """Read a TopoJSON source written by storymap.data.compact: shared arcs, areas, names."""
    from storymap.data.compact import read_topojson  # geopandas: not for a build's keys

    path = _check_file(config, source_id)
    shown = display_path(config, path)
    try:
        topology = read_topojson(path)
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise DataError(
            f"{shown}: cannot be read as TopoJSON shapes for source '{source_id}' ({exc}). "
            "Restore it from git, or make it again with `python -m storymap.data.compact`."
        ) from None
    for code, name in topology.names.items():
        bidi = BIDI.search(name)
        if bidi:
            raise DataError(f"{shown}: the area {code}'s name: {bidi_problem(bidi.group())}")
    return topology
