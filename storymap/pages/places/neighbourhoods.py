"""The neighbourhood sections of ward and borough pages.

In: the Config, Geography, ward IndicatorResults, the neighbourhoods' figures (computed by
storymap.figures.neighbourhoods, a stage of their own) and the docs folder. Out:
:class:`NeighbourhoodPages`, built once by :func:`neighbourhood_pages` (which also writes the
boroughs' shape files and neighbourhood CSVs), whose :meth:`~NeighbourhoodPages.ward_section`
and :meth:`~NeighbourhoodPages.borough_section` return each page's section as markdown with
HTML: the range of the neighbourhoods' figures in a sentence, which lookup puts them in the
ward, the map (:mod:`storymap.pages.maps.neighbourhood`), where 2011 and 2021 neighbourhoods
differ, and

- on a ward page, a table named by neighbourhood ("Brent 012A") with each one's figures;
- on a borough page, each ward's range of neighbourhood figures and the hidden hotspots
  (:mod:`storymap.pages.places.hotspots`); every neighbourhood's figures are in the borough's CSV
  (a table of 200 neighbourhoods would take the page over its weight budget).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from storymap.config import Config
from storymap.figures.format import percent_of
from storymap.figures.geography import Geography
from storymap.figures.indicators import IndicatorResult, format_value
from storymap.figures.neighbourhoods import Neighbourhoods
from storymap.lazy import module
from storymap.pages.downloads.files import write_csv
from storymap.pages.downloads.tables import value_header
from storymap.pages.maps.neighbourhood import (
    OVERVIEW,
    MapView,
    ShapeFile,
    map_figure,
    write_shape_files,
)
from storymap.pages.places.hotspots import hotspot_section
from storymap.pages.urls import neighbourhood_download

pd = module("pandas")

e = html.escape


@dataclass
class NeighbourhoodPages:
    config: Config
    geo: Geography
    results: dict[str, IndicatorResult]
    nb: Neighbourhoods
    files: dict[str, ShapeFile]  # borough -> the shape file its ward pages share
    overviews: dict[str, ShapeFile]  # borough -> its page's own, coarser file
    palette_for: Callable[[int], list[str]]
    older: dict[str, dict[str, list[str]]]  # older geography -> 2021 code -> its older areas
    docs: Path  # where the maps' static images go
    csvs: dict[str, str]  # borough -> site path of its neighbourhoods' CSV

    def fmt(self, ind: str, value: float) -> str:
        spec = self.config.indicator(ind)
        return format_value(value, spec)

    def stands_for(self, ind: str, code: str) -> list[str]:
        """The areas whose published figures ``ind`` gives for neighbourhood ``code``."""
        key = self.nb.geography[ind]
        return [code] if key == self.nb.base else self.older.get(key, {}).get(code, [code])

    def figures(self, ind: str, code: str) -> str:
        """``ind``'s figure(s) for neighbourhood ``code`` as shown ("2.31 and 2.45" if two)."""
        values = self.nb.values(ind)
        return (
            " and ".join(
                self.fmt(ind, values[c]) for c in self.stands_for(ind, code) if c in values
            )
            or "no data"
        )

    # --- ward pages ---------------------------------------------------------------------
    def ward_section(self, ward: str, prefix: str) -> str:
        borough = self.geo.borough_of(ward)
        if borough not in self.files:
            return ""
        name = str(self.geo.wards.at[ward, "name"])
        codes = self.nb.codes_in_ward(self.nb.base, ward)
        view = MapView(codes, name, label=True, older=self.older)
        lookup = self.config.sources[self.config.geography.lookups[self.nb.base].source]
        note = (
            f"Neighbourhoods are Census 2021 Lower layer Super Output Areas (LSOAs), of about "
            f"1,500 residents each. Those here are the ones the site counts in {name}: each is "
            "counted wholly in the ward holding most of its residents, by the best-fit lookup "
            f"({lookup.publisher}) that also makes the ward's own figures. "
        )
        notes, markers = self._changes(view)
        body = (
            self._table(view, markers)
            + "\n\n"
            + (f'<ul class="nb-notes">{"".join(notes)}</ul>\n\n' if notes else "")
            + self._shares_note(ward, codes, name)
        )
        return self._section(
            view, ward.replace("E05", "nb-"), prefix, borough, self.files[borough], note, body
        )

    def _shares_note(self, ward: str, codes: list[str], name: str) -> str:
        """Older areas that part of the ward's residents live in but that stand for none of
        its 2021 neighbourhoods: the ward's own figures on their indicators draw on them too."""
        out = []
        for key, older in self.older.items():
            inds = [i for i in self.nb.indicators if self.nb.geography[i] == key]
            standing = {c for code in codes for c in older.get(code, [code])}
            names = self.nb.names(key)
            for code, weight in self.nb.shares_in_ward(key, ward):
                if code in standing or code not in names or not inds:
                    continue
                # "DERI score (all ages)" -> "DERI score, all ages: 3.93": no brackets in brackets
                figures = "; ".join(
                    re.sub(r" \((.*)\)$", r", \1", self.config.indicator(i).short)
                    + f": {self.figures(i, code)}"
                    for i in inds
                )
                out.append(
                    f"{names[code]} ({figures}), {percent_of(weight, 1)} of whose residents live "
                    f"in {name}"
                )
        if not out:
            return ""
        return (
            f'<p class="nb-shares">{e(name)}\'s own figures on indicators published for 2011 '
            "neighbourhoods share those neighbourhoods between wards by population (the GLA's "
            f"population-weighted lookup), so they also draw on part of {e(_and(out))}.</p>\n\n"
        )

    def _table(self, view: MapView, markers: dict[str, str]) -> str:
        heads = "".join(
            f"<th scope='col'>{e(self.config.indicator(i).short)}</th>" for i in self.nb.indicators
        )
        rows = []
        names = self.nb.names(self.nb.base)
        for code in view.codes:
            cells = [f"<th scope='row'>{e(names[code])}</th>"]
            for ind in self.nb.indicators:
                mark = ""
                if self.nb.geography[ind] != self.nb.base and code in markers:
                    mark = f'<sup><a href="#nbnote-{e(code)}">{markers[code]}</a></sup>'
                cells.append(f"<td>{e(self.figures(ind, code))}{mark}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        caption = (
            f"The neighbourhoods of {view.name} and their figures (2011 figures: those "
            "published for the 2011 neighbourhood, see the notes)"
        )
        return (
            f'<table class="storymap-neighbourhoods"><caption>{e(caption)}</caption>'
            f"<thead><tr><th scope='col'>Neighbourhood</th>{heads}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>"
        )

    # --- borough pages ------------------------------------------------------------------
    def borough_section(self, borough: str, prefix: str, ward_href: Callable[[str], str]) -> str:
        if borough not in self.files:
            return ""
        name = str(self.geo.boroughs.at[borough, "name"])
        codes = list(self.nb.in_borough(self.nb.base, borough))
        view = MapView(codes, name, label=False, older=self.older)
        note = (
            f"Neighbourhoods are the Census 2021 Lower layer Super Output Areas (LSOAs) of {name}. "
        )
        changed = sum(
            1 for c in codes if any(self.stands_for(i, c) != [c] for i in self.nb.indicators)
        )
        body = self._ward_ranges(view, ward_href) + "\n\n"
        if changed:
            body += (
                f"<p>{changed} of these neighbourhoods are not the same as in 2011; their "
                "ward pages say how they changed.</p>\n\n"
            )
        body += hotspot_section(self, borough, ward_href)
        return self._section(
            view, f"nb-{borough}", prefix, borough, self.overviews[borough], note, body
        )

    def _ward_ranges(self, view: MapView, ward_href: Callable[[str], str]) -> str:
        """Per ward: how many neighbourhoods, and their lowest and highest figure each."""
        table = self.nb.areas[self.nb.base].loc[view.codes]
        inds = self.nb.indicators
        heads = "".join(f"<th scope='col'>{e(self.config.indicator(i).short)}</th>" for i in inds)
        rows = []
        for ward, codes in table.groupby("ward").groups.items():
            wname = str(self.geo.wards.at[ward, "name"])
            cells = [
                f"<th scope='row'><a href=\"{e(ward_href(ward))}\">{e(wname)}</a></th>",
                f"<td>{len(codes)}</td>",
            ]
            for ind in inds:
                ntable = self.nb.areas[self.nb.geography[ind]]
                values = ntable.loc[
                    [c for code in codes for c in self.stands_for(ind, code) if c in ntable.index],
                    ind,
                ].dropna()
                low, high = self.fmt(ind, values.min()), self.fmt(ind, values.max())
                cells.append(f"<td>{e(low if low == high else f'{low} to {high}')}</td>")
            rows.append((wname, f"<tr>{''.join(cells)}</tr>"))
        return (
            f'<table class="storymap-neighbourhoods storymap-ward-ranges"><caption>Each ward of '
            f"{e(view.name)}: its neighbourhoods' lowest and highest figures (open a ward's "
            "page for each neighbourhood)</caption><thead><tr><th scope='col'>Ward</th>"
            f"<th scope='col'>Neighbourhoods</th>{heads}</tr></thead>"
            f"<tbody>{''.join(r for _, r in sorted(rows))}</tbody></table>"
        )

    # --- both ---------------------------------------------------------------------------
    def _section(
        self,
        view: MapView,
        map_id: str,
        prefix: str,
        borough: str,
        shape_file: ShapeFile,
        note: str,
        body: str,
    ) -> str:
        text = (
            f'<p class="nb-range">{e(self._range(view, self.nb.indicators[0]))}</p>\n\n'
            f'<p class="nb-about">{e(note)}Their figures are the publishers\' own for each '
            "neighbourhood, so they need no best-fit step. "
            f"{e(self._older_note(view))}</p>\n\n"
        )
        figure = map_figure(
            self.nb, self.config, view, shape_file, prefix, map_id, self.palette_for, self.docs
        )
        link = (
            f'<p class="storymap-download">Download every neighbourhood of '
            f"{e(str(self.geo.boroughs.at[borough, 'name']))} and its figures: "
            f'<a href="{e(prefix + self.csvs[borough])}">CSV (spreadsheet)</a></p>'
        )
        return f"## Neighbourhoods\n\n{text}{figure}\n\n{body}{link}\n\n"

    def _range(self, view: MapView, ind: str) -> str:
        spec = self.config.indicator(ind)
        known = self.nb.values(ind)
        values = [known[c] for c in view.codes if c in known]
        n, what = len(view.codes), _phrase(spec.label)
        if n == 0 or not values:
            return f"No neighbourhood with figures is counted in {view.name}."
        if n == 1:
            return f"Its one neighbourhood has {self.fmt(ind, values[0])} {what}."
        low, high = self.fmt(ind, min(values)), self.fmt(ind, max(values))
        if low == high:
            return f"All {n} of its neighbourhoods have {low} {what}."
        return f"Its {n} neighbourhoods range from {low} to {high} {what}."

    def _older_note(self, view: MapView) -> str:
        parts = []
        for key, older in self.older.items():
            inds = [
                self.config.indicator(i).short
                for i in self.nb.indicators
                if self.nb.geography[i] == key
            ]
            if not inds:
                continue
            same, n = sum(1 for c in view.codes if older.get(c, [c]) == [c]), len(view.codes)
            verb = "is" if len(inds) == 1 else "are"
            if same == n:
                which = "it is" if n == 1 else "both are" if n == 2 else f"all {n} are"
                tail = f"{which} unchanged since then."
            else:
                tail = (
                    f"{same} of these {n} are unchanged since then, and the others are shown "
                    "with the 2011 neighbourhoods they came from."
                )
            parts.append(f"{_and(inds)} {verb} published for the 2011 neighbourhoods; {tail}")
        return " ".join(parts)

    def _changes(self, view: MapView) -> tuple[list[str], dict[str, str]]:
        """Notes on 2021 neighbourhoods that are not 2011 ones, and a marker per such code."""
        notes, markers = [], {}
        names21 = self.nb.names(self.nb.base)
        for key, older in self.older.items():
            names = self.nb.names(key)
            for code in view.codes:
                old = older.get(code, [code])
                if old == [code]:
                    continue
                olds = _and([str(names.get(c, c)) for c in old])
                markers[code] = mark = str(len(notes) + 1)
                if len(old) == 1:
                    text = (
                        f"{names21[code]} was part of {olds} (2011), which was split in "
                        f"2021; its 2011 figures are those published for {olds}."
                    )
                else:
                    text = (
                        f"{names21[code]} was made in 2021 from {olds} (2011); the table "
                        "gives both their 2011 figures and the map shows them separately."
                    )
                notes.append(f'<li id="nbnote-{e(code)}"><sup>{mark}</sup> {e(text)}</li>')
        return notes, markers


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _phrase(label: str) -> str:
    """'Residents aged 65 and over' -> 'aged 65 and over'; other labels -> 'on <label>'."""
    if label.lower().startswith("residents "):
        return label[len("residents ") :]
    return f"on {label[0].lower()}{label[1:]}"


def older_areas(nb: Neighbourhoods, key: str) -> dict[str, list[str]]:
    """2021 code -> the older areas standing for it: itself if unchanged, the area it was split
    from, or the areas merged into it."""
    out: dict[str, list[str]] = {}
    for old, new in zip(nb.changes["old"], nb.changes["new"], strict=True):
        if old in nb.areas[key].index:
            out.setdefault(new, []).append(old)
    return {
        new: sorted(olds, key=lambda c: nb.areas[key].at[c, "name"]) for new, olds in out.items()
    }


def write_neighbourhood_csvs(pages: NeighbourhoodPages, slugs: dict[str, str]) -> dict[str, str]:
    """Per borough a CSV of its neighbourhoods: code, name, ward and every figure, full values
    as the other downloads keep them, one value a cell, plain headers with units. A figure
    published for the 2011 neighbourhoods is given for each 2011 neighbourhood a 2021 one stands
    for, in numbered columns (code, then figure) as many as the most any neighbourhood has;
    their site paths by borough."""
    nb, out = pages.nb, {}
    base = nb.areas[nb.base]
    ward_names = pages.geo.wards["name"].astype(str).to_dict()
    published = {
        ind: {c: float(v) for c, v in nb.areas[nb.geography[ind]][ind].items()}
        for ind in nb.indicators
    }
    most = {
        ind: max((len(pages.stands_for(ind, c)) for c in base.index), default=1)
        for ind in nb.indicators
        if nb.geography[ind] != nb.base
    }
    for borough, slug in slugs.items():
        part = base[base["borough"] == borough]
        if part.empty:
            continue
        table = pd.DataFrame(
            {
                "Neighbourhood code": part.index,
                "Neighbourhood": part["name"].to_numpy(),
                "Ward code": part["ward"].to_numpy(),
                "Ward": [ward_names[w] for w in part["ward"]],
            }
        )
        for ind in nb.indicators:
            spec = pages.config.indicator(ind)
            header = value_header(spec)
            if ind not in most:
                table[header] = [published[ind][c] for c in part.index]
                continue
            stands = [
                [o for o in pages.stands_for(ind, c) if o in published[ind]] for c in part.index
            ]
            for j in range(most[ind]):
                which = f"2011 neighbourhood {j + 1}" if most[ind] > 1 else "2011 neighbourhood"
                table[f"{spec.short}: {which} code"] = [s[j] if j < len(s) else "" for s in stands]
                table[f"{header}, {which}"] = [
                    published[ind][s[j]] if j < len(s) else None for s in stands
                ]
        path = neighbourhood_download(slug)
        write_csv(table, pages.docs / path)
        out[borough] = path
    return out


def neighbourhood_pages(
    config: Config,
    geo: Geography,
    results: dict[str, IndicatorResult],
    nb: Neighbourhoods | None,
    docs: Path,
    borough_slugs: dict[str, str],
    palette_for: Callable[[int], list[str]],
) -> NeighbourhoodPages | None:
    """Write the boroughs' shape files and CSVs of the neighbourhoods ``nb`` (None: the config
    has none) into ``docs``."""
    if nb is None:
        return None
    files = write_shape_files(nb, borough_slugs, docs)
    unit, metres = OVERVIEW
    overviews = write_shape_files(nb, borough_slugs, docs, unit, metres, "-overview")
    older = {key: older_areas(nb, key) for key in nb.areas if key != nb.base}
    pages = NeighbourhoodPages(
        config, geo, results, nb, files, overviews, palette_for, older, docs, {}
    )
    pages.csvs = write_neighbourhood_csvs(pages, borough_slugs)
    return pages
