"""The weights explorer on the method page: readers try other weights for the index.

In: the Config, Geography, the :class:`~storymap.figures.riskindex.IndexResult` and the map
assets. Out: the explorer's HTML (the index map, one control per component, "Reset", the list of
the highest wards) and its files: ``weights.js`` (the script, an asset file: the pages' CSP is
``script-src 'self'``) and ``index-inputs.<hash>.js``, the figures it recomputes from.

Without JavaScript the page shows the published index: the map's caption and legend, and the list
of highest wards as built; the controls are ``hidden`` until the script shows them. With it, each
change recomputes every ward's score in the browser exactly as storymap.figures.riskindex does: the
rescaled indicators (0 to 10, shipped as integers in units of 10⁻⁷: the closest two published
scores differ by 4.6 × 10⁻⁶, far more than the 5 × 10⁻⁸ this rounding can move a score), weighted
within their component as published and across components by the reader's weights (whole numbers 0
to 10, as DERI's users asked for), rescaled for z-scores, clipped to 0-10, kept to 12 significant
figures, ranked (ties share the rank) and banded again (quantiles computed as mapclassify does;
with natural breaks the published score ranges are kept). At the published weights it gives the
build's own scores, ranks and bands.
"""

from __future__ import annotations

import hashlib
import html
import json
from pathlib import Path

from storymap.config import Config
from storymap.figures.extremes import ordered
from storymap.figures.format import format_value, shown
from storymap.figures.geography import Geography
from storymap.figures.riskindex import IndexResult
from storymap.pages.about.guidance import band_note, index_guidance
from storymap.pages.maps.assets import ASSET_DIR, MapAssets, MapSpec, map_fragment, script_text

SCALE = 10**7
TOP = 10
MAP_ID = "method_index"
SCRIPT = Path(__file__).resolve().parents[2] / "assets" / "weights.js"


def control_weights(ix: IndexResult) -> dict[str, int]:
    """The published component weights as whole numbers 0 to 10 (the controls' scale): kept as
    they are when they already are, else scaled so the largest is 10."""
    weights = {c.id: c.weight for c in ix.section.components}
    if all(float(w).is_integer() and 0 <= w <= 10 for w in weights.values()):
        return {k: int(w) for k, w in weights.items()}
    top = max(weights.values())
    return {k: int(shown(10 * w / top, 0)) for k, w in weights.items()}  # halves away from 0


def inputs_payload(config: Config, geo: Geography, ix: IndexResult) -> dict:
    """What weights.js recomputes from, wards in the map data's order."""
    codes = list(geo.wards.index)
    sec = ix.section
    return {
        "id": ix.result.spec.id,
        "scale": SCALE,
        "scaling": sec.scaling,
        "scope": sec.scope,
        "banding": sec.banding,
        "bands": sec.bands,
        "decimals": ix.result.spec.decimals,
        "breaks": ix.result.breaks,
        "top": TOP,
        "components": [
            {
                "id": c.id,
                "label": c.label,
                "weight": c.weight,
                "indicators": [{"id": i.indicator, "weight": i.weight} for i in c.indicators],
            }
            for c in sec.components
        ],
        "scaled": {
            ind: [round(float(v) * SCALE) for v in ix.scaled.loc[codes, ind]]
            for ind in ix.method.indicators
        },
    }


def explorer_files(config: Config, geo: Geography, ix: IndexResult) -> tuple[dict[str, str], str]:
    """(docs path -> text) of the explorer's two scripts, and the inputs script's path."""
    text = (
        "window.STORYMAP_INDEX="
        + json.dumps(inputs_payload(config, geo, ix), separators=(",", ":"), sort_keys=True)
        + ";\n"
    )
    name = f"{ASSET_DIR}/index-inputs.{hashlib.sha256(text.encode()).hexdigest()[:10]}.js"
    return {name: text, f"{ASSET_DIR}/weights.js": script_text(SCRIPT)}, name


def top_list(geo: Geography, ix: IndexResult) -> str:
    """The highest-scoring wards at the published weights, as the script rewrites them."""
    res = ix.result
    values = res.wards["value"]
    items = "".join(
        f"<li>{html.escape(str(geo.wards.at[c, 'name']))} "
        f"({html.escape(str(geo.wards.at[c, 'borough_name']))}): "
        f"{html.escape(format_value(values[c], res.spec))}</li>"
        for c in ordered(values, geo.wards["name"])[:TOP]
    )
    return f'<ol class="storymap-explorer-top">{items}</ol>'


def explorer_html(
    config: Config, geo: Geography, ix: IndexResult, assets: MapAssets | None, inputs: str
) -> str:
    """The explorer section of the method page (raw HTML inside the page's markdown)."""
    e = html.escape
    spec = MapSpec(MAP_ID, ix.result.spec.id, title=ix.section.short_label or ix.section.label)
    figure = map_fragment(config, geo, {ix.result.spec.id: ix.result}, spec)
    published = control_weights(ix)
    controls = "".join(
        f'<p class="storymap-weight"><label for="weight-{e(c.id)}">{e(c.label)}</label> '
        f'<input type="range" id="weight-{e(c.id)}" name="{e(c.id)}" min="0" max="10" '
        f'step="1" value="{published[c.id]}" data-published="{published[c.id]}"> '
        f'<output for="weight-{e(c.id)}">{published[c.id]}</output></p>'
        for c in ix.section.components
    )
    scripts = (assets.tags("", ix.result.spec.id) if assets else "") + "".join(
        f'<script src="{e(src)}" defer></script>' for src in [inputs, f"{ASSET_DIR}/weights.js"]
    )
    return (
        "## Try other weights\n\n"
        "<p>The weights are judgements. Give each part of the index a weight from 0 (leave it "
        "out) to 10; the map and the list of the highest-scoring wards change to match. "
        "“Reset” puts back the published weights, which every other page uses.</p>\n\n"
        f'<div class="storymap-explorer" data-map-id="{MAP_ID}" markdown="0">'
        f'<form class="storymap-weights" hidden>{controls}'
        '<p><button type="reset" class="storymap-reset">Reset</button></p>'
        '<p class="storymap-explorer-status" role="status" aria-live="polite"></p></form>'
        f"{figure}{band_note(ix, ix.result.spec.id, list(geo.wards.index))}"
        f"{index_guidance()}"
        f"<h3>The {TOP} highest-scoring wards</h3>{top_list(geo, ix)}</div>\n\n"
        f"{scripts}\n\n"
    )
