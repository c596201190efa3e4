"""Maps for a notebook: the project's own ward figures as Folium maps (issue 27, the notebook API).

In: an indicator id (as in ``site_config.yml``), an optional borough (its name or code) and the
project's config file. Out: :func:`ward_map`, a ``folium.Map`` with one layer, every ward in view
filled by the same colour bands the site's maps use, each with a tooltip (ward, borough, the
figure as the site shows it, its rank), which an analyst can add to like any Folium map (markers,
plugins, other layers) and show in Jupyter, save as HTML or put in a report::

    from storymap.maps import ward_map
    m = ward_map("risk_index", area="Brent")
    m.save("brent.html")

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
