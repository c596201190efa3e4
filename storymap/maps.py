"""Maps for a notebook: the project's own ward figures as Folium maps (issue 27, the notebook API).

In: an indicator id (as in ``site_config.yml``), an optional borough (its name or code) and the
project's config file. Out: :func:`ward_map`, a ``folium.Map`` with one layer, every ward in view
filled by the same colour bands the site's maps use, each with a tooltip (ward, borough, the
figure as the site shows it, its rank), which an analyst can add to like any Folium map (markers,
plugins, other layers) and show in Jupyter, save as HTML or put in a report::

    from storymap.maps import ward_map
    m = ward_map("risk_index", area="Brent")
    m.save("brent.html")

and :func:`neighbourhood_map`, the neighbourhoods (2021 LSOAs) of one ward by one of the
neighbourhood indicators, with the ward's edge.

The figures are computed from the project's data as the build computes them (a few seconds
for each map). No tiles are loaded unless the
config names a basemap (``maps.basemap``); Folium's own scripts come from its CDNs in a
notebook, as with any Folium map (the published site never loads them).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from storymap.errors import ConfigError

if TYPE_CHECKING:
    import folium


def _figures(config_path: Path):
    """(config, geography, indicator results) for the config file, computed from its data."""
    from storymap.config.load import load_config
    from storymap.figures.geography import load_geography
    from storymap.figures.indicators import compute_indicators
    from storymap.figures.riskindex import compute_index

    config = load_config(config_path)
    geo = load_geography(config)
    results = compute_indicators(config, geo)
    if config.index is not None:
        results = {**results, config.index.id: compute_index(config, geo, results).result}
    return config, geo, results


def ward_map(
    indicator: str, area: str | None = None, config: str | Path = "site_config.yml"
) -> folium.Map:
    """A Folium map of ``indicator``'s ward figures: every ward, or the wards of borough
    ``area`` (a name or code). Unknown names are a ConfigError that lists the right ones."""
    import folium

    from storymap.errors import did_you_mean, quoted_list
    from storymap.figures.format import format_value, ordinal
    from storymap.pages.palette import colours

    cfg, geo, results = _figures(Path(config))
    if indicator not in results:
        raise ConfigError(
            f"{cfg.path.name}: '{indicator}' is not an indicator of this project."
            f"{did_you_mean(indicator, results)} Indicators: {quoted_list(results, 20)}."
        )
    res = results[indicator]
    wards = geo.wards
    if area is not None:
        boroughs = geo.boroughs
        named = boroughs.index[
            (boroughs.index == area) | (boroughs["name"].str.lower() == str(area).lower())
        ]
        if len(named) == 0:
            raise ConfigError(
                f"'{area}' is not a borough of this project.{did_you_mean(area, boroughs['name'])}"
                f" Boroughs: {quoted_list(boroughs['name'], 40)}."
            )
        wards = wards[wards["borough_code"] == named[0]]
    palette = colours(cfg, len(res.breaks))
    rows = res.wards.loc[wards.index]
    n = len(res.wards)
    table = wards[["name", "borough_name", "geometry"]].copy()
    table["code"] = wards.index.astype(str)
    table["shown"] = [format_value(float(v), res.spec) for v in rows["value"]]
    table["rank"] = [f"{ordinal(int(r))} of {n:,}" for r in rows["rank"]]
    table["colour"] = [palette[res.risk_class(int(c))] for c in rows["cls"]]
    west, south, east, north = table.total_bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None, zoom_start=10)
    if cfg.maps.basemap is not None:
        folium.TileLayer(cfg.maps.basemap.url, attr=cfg.maps.basemap.attribution).add_to(m)
    folium.GeoJson(
        table.to_json(),
        name=res.spec.label,
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"],
            "fillOpacity": 0.9,
            "color": "#ffffff",
            "weight": 0.6,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "borough_name", "shown", "rank"],
            aliases=["Ward", "Borough", res.spec.short, "Rank (1 = most at risk)"],
        ),
    ).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    return m


def _ward_code(geo, ward: str) -> str:
    from storymap.errors import did_you_mean

    if ward in geo.wards.index:
        return ward
    named = geo.wards.index[geo.wards["name"].str.lower() == str(ward).lower()]
    if len(named) == 1:
        return str(named[0])
    if len(named) > 1:
        which = "; ".join(f"{c} ({geo.wards.at[c, 'borough_name']})" for c in named)
        raise ConfigError(f"'{ward}' names more than one ward: {which}. Give its code.")
    raise ConfigError(
        f"'{ward}' is not a ward of this project.{did_you_mean(ward, geo.wards['name'])} "
        "Give a ward's name or code (E05…)."
    )


def neighbourhood_map(
    ward: str, indicator: str | None = None, config: str | Path = "site_config.yml"
) -> folium.Map:
    """A Folium map of the neighbourhoods of ``ward`` (a name or code) by ``indicator`` (one of
    ``neighbourhoods.indicators``; the first by default), coloured as the ward pages' maps, with
    the ward's edge drawn over them."""
    import folium

    from storymap.errors import did_you_mean, quoted_list
    from storymap.figures.format import format_value
    from storymap.figures.neighbourhoods import compute_neighbourhoods
    from storymap.lazy import module
    from storymap.pages.palette import colours

    gpd = module("geopandas")
    cfg, geo, results = _figures(Path(config))
    nb = compute_neighbourhoods(cfg, geo, results)
    if nb is None:
        raise ConfigError(f"{cfg.path.name}: no neighbourhoods: section, so no such map.")
    code = _ward_code(geo, ward)
    ind = indicator or nb.indicators[0]
    if ind not in nb.indicators:
        raise ConfigError(
            f"'{ind}' is not a neighbourhood indicator.{did_you_mean(ind, nb.indicators)} "
            f"They are: {quoted_list(nb.indicators)}."
        )
    key = nb.geography[ind]
    codes = nb.codes_in_ward(key, code)
    spec = cfg.indicator(ind)
    palette = colours(cfg, len(nb.breaks[ind]))
    shown, colour = nb.shown_of(ind), nb.colours(ind)
    table = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": [nb.names(key)[c] for c in codes],
            "shown": [format_value(shown.get(c), spec) for c in codes],
            "colour": [
                palette[colour[c]] if colour.get(c, -1) >= 0 else cfg.maps.no_data_colour
                for c in codes
            ],
        },
        geometry=[nb.shapes[key].shape(c) for c in codes],
        crs=4326,
    )
    edge = geo.wards.loc[[code], ["name", "geometry"]]
    west, south, east, north = table.total_bounds if len(table) else edge.total_bounds
    m = folium.Map(location=[(south + north) / 2, (west + east) / 2], tiles=None, zoom_start=14)
    if cfg.maps.basemap is not None:
        folium.TileLayer(cfg.maps.basemap.url, attr=cfg.maps.basemap.attribution).add_to(m)
    folium.GeoJson(
        table.to_json(),
        name=spec.label,
        style_function=lambda f: {
            "fillColor": f["properties"]["colour"],
            "fillOpacity": 0.9,
            "color": "#ffffff",
            "weight": 0.8,
        },
        tooltip=folium.GeoJsonTooltip(
            fields=["name", "code", "shown"], aliases=["Neighbourhood", "Code", spec.short]
        ),
    ).add_to(m)
    folium.GeoJson(
        edge.to_json(),
        name=f"{geo.wards.at[code, 'name']} (the ward)",
        style_function=lambda f: {"fill": False, "color": "#000000", "weight": 3},
    ).add_to(m)
    m.fit_bounds([[south, west], [north, east]])
    return m
