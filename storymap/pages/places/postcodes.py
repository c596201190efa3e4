"""Postcode lookup files: one small JSON file per outward code, as ONS's census maps shard theirs.

In: the Config (``geography.postcodes`` names the postcode-to-ward source), the Geography and the
bundled (or fetched) postcode table. Out, in ``search/postcodes/`` of the docs folder:

- ``index.json``: the outward codes that have files, the GB postcode areas (to tell a postcode
  outside the area from one that does not exist) and the attribution the data's licence asks
  for; about 2 KB, fetched with the first postcode search;
- ``<OUTWARD>.json`` (e.g. ``NW6.json``): that outward code's wards (code, name, borough, page)
  and each inward code's ward, a few KB each, so one search fetches one small file.

Ward codes are December 2022 codes as Code-Point Open gives them; wards of a merged borough (the
City of London) point to the merged unit's page.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from storymap.config import Config
from storymap.data.helpfiles import read_postcode_wards
from storymap.errors import DataError
from storymap.figures.geography import Geography
from storymap.figures.helppoints import ATTRIBUTION as LIBRARY_ATTRIBUTION
from storymap.pages.helptext import distance_code, point_details
from storymap.pages.places.search import ward_page

if TYPE_CHECKING:
    from storymap.figures.help import HelpResult

POSTCODES_DIR = "search/postcodes"
# Great Britain's postcode areas: the 120 area files of Code-Point Open (Northern Ireland's BT
# is not in Code-Point Open but is a UK postcode area, so it is told as outside too).
GB_AREAS = (
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY "
    "E EC EH EN EX FK FY G GL GU HA HD HG HP HR HS HU HX IG IP IV KA KT KW KY L LA LD LE LL LN "
    "LS LU M ME MK ML N NE NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN "
    "SO SP SR SS ST SW SY TA TD TF TN TQ TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"
).split()


# London's non-geographic postcode districts, used for PO boxes: each postcode is placed at its
# delivery office (in the bundled Code-Point Open file all of CR90, EC1P, EC4P, NW26 and UB18
# share one point), so its ward is not where anyone lives (data/SOURCES.md). SW1P is not one:
# it is Westminster's Millbank and Pimlico.
PO_BOX_DISTRICTS = frozenset(
    {"CR90", "EC1P", "EC2P", "EC3P", "EC4P", "N1P", "NW26", "SE1P", "UB18"}
)


@dataclass
class PostcodeLookups:
    outward_codes: int
    postcodes: int
    largest_bytes: int


def write_postcode_lookups(
    config: Config, geo: Geography, docs: Path, help_: HelpResult | None = None
) -> PostcodeLookups | None:
    """Write the lookup files; None when the config names no postcode source. With ``help_``,
    each postcode's answer names its three nearest help points and their distances."""
    source = config.geography.postcodes
    if not source:
        return None
    table = read_postcode_wards(config)
    merge = geo.merge
    codes = table["ward_code"].str.strip()
    units = codes.map(lambda w: merge.get(w, w))
    # A ward the ward-to-borough lookup knows but the area leaves out (site.area.boroughs) is
    # simply outside the area: its postcodes are dropped, and a search for them says so.
    inside = units.isin(geo.wards.index)
    unknown = sorted(set(codes[~inside & ~codes.isin(merge.keys())]))
    elsewhere = _outside_boroughs(config, table[~inside], codes[~inside])
    every_outward = set(table["postcode"].str.strip().str.split(" ").str[0])
    table, units = table[inside], units[inside]
    if unknown:
        raise DataError(
            f"{config.sources[source].file}: ward code(s) {', '.join(unknown[:5])} match no ward "
            f"of the area ({len(unknown)} in all). Check the file uses December 2022 ward codes "
            "and covers the same area as the ward boundaries."
        )
    out = docs / POSTCODES_DIR
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.json"):
        old.unlink()
    shards: dict[str, dict[str, str]] = {}
    for postcode, unit in zip(table["postcode"].str.strip(), units, strict=True):
        outward, _, inward = postcode.partition(" ")
        shards.setdefault(outward, {})[inward] = unit
    largest = 0
    near = _nearest_help(help_)
    outside: dict[str, set[str]] = {}  # outward codes with no postcode in the area: boroughs
    beside: dict[str, dict[str, str]] = {}  # outward codes shared with the area: inward: borough
    for postcode, borough in elsewhere.items():
        outward, _, inward = postcode.partition(" ")
        if outward in shards:
            beside.setdefault(outward, {})[inward] = borough
        else:
            outside.setdefault(outward, set()).add(borough)
    for outward, inwards in shards.items():
        text = _shard_json(geo, outward, inwards, near, help_, config.site.area.name)
        if outward in beside:  # London postcodes of this district outside the area
            text = text[:-1] + ',"x":' + json.dumps(beside[outward], ensure_ascii=False) + "}"
        (out / f"{outward}.json").write_text(text, "utf-8")
        largest = max(largest, len(text.encode()))
    index = {
        "outward": sorted(shards),
        # PO box districts: a sorting office's point, not a home (data/SOURCES.md)
        "pobox": sorted(every_outward & PO_BOX_DISTRICTS),
        "areas": GB_AREAS,
        "area": config.site.area.name,
        "attribution": " ".join(config.sources[source].attribution.split()),
    }
    if help_ is not None and config.help.libraries:
        index["help"] = LIBRARY_ATTRIBUTION  # the answers name libraries
    if outside:
        index["outside"] = "outside.json"  # fetched only for a postcode outside the area
        named = {o: " and ".join(sorted(b)) for o, b in sorted(outside.items())}
        (out / "outside.json").write_text(
            json.dumps(named, separators=(",", ":"), ensure_ascii=False), "utf-8"
        )
    (out / "index.json").write_text(
        json.dumps(index, separators=(",", ":"), ensure_ascii=False), "utf-8"
    )
    return PostcodeLookups(len(shards), len(table), largest)


def _outside_boroughs(config: Config, table, codes) -> dict[str, str]:
    """Postcode -> the name of its borough, for the postcode file's postcodes outside the area
    (a site of a few boroughs); empty without geography.ward_boroughs.borough_name."""
    spec = config.geography.ward_boroughs
    if spec.borough_name is None or table.empty:
        return {}
    from storymap.data.sources import read_table

    lookup = read_table(config, spec.source, [spec.ward, spec.borough_name])
    names = dict(
        zip(lookup[spec.ward].str.strip(), lookup[spec.borough_name].str.strip(), strict=True)
    )
    out = {}
    for postcode, ward in zip(table["postcode"].str.strip(), codes, strict=True):
        if ward in names:
            out[postcode] = names[ward]
    return out


def _nearest_help(help_: HelpResult | None) -> dict[str, list]:
    """Each postcode's three nearest help points: [point, distance (distance_code), ...]."""
    if help_ is None:
        return {}
    per = help_.postcodes
    k = sum(f"near_{j}" in per.columns for j in (1, 2, 3))
    idx = [per[f"near_{j}"].to_numpy() for j in range(1, k + 1)]
    dist = [per[f"near_{j}_m"].to_numpy() for j in range(1, k + 1)]
    out: dict[str, list] = {}
    for row, postcode in enumerate(per.index):
        out[str(postcode)] = [
            x for j in range(k) for x in (int(idx[j][row]), distance_code(float(dist[j][row])))
        ]
    return out


def _shard_json(
    geo: Geography,
    outward: str,
    inwards: dict[str, str],
    near: dict[str, list] | None = None,
    help_: HelpResult | None = None,
    area: str = "",
) -> str:
    """{"o": "NW6", "w": [[code, name, borough, page], ...], "p": {"7TA": 0, ...}}, and with
    help points "h": [[name, what it is], ...] and "n": {"7TA": [h, 45, ...], ...}: the three
    nearest help points of each postcode and their straight-line distances (distance_code); a
    point outside the area (a site of a few boroughs) says so."""
    wards = sorted(set(inwards.values()))
    pos = {w: i for i, w in enumerate(wards)}
    rows = [
        [
            w,
            str(geo.wards.at[w, "name"]),
            str(geo.boroughs.at[geo.borough_of(w), "name"]),
            ward_page(geo, w),
        ]
        for w in wards
    ]
    payload: dict = {"o": outward, "w": rows}
    payload["p"] = {k: pos[v] for k, v in sorted(inwards.items())}
    if near and help_ is not None:
        used: dict[int, int] = {}
        answers: dict[str, list] = {}
        for inward in sorted(inwards):
            found = near.get(f"{outward} {inward}")
            if found:
                answers[inward] = [
                    used.setdefault(x, len(used)) if i % 2 == 0 else x for i, x in enumerate(found)
                ]
        points = help_.points
        payload["h"] = [
            [
                str(points.iloc[i]["name"]),
                point_details(points.iloc[i])
                + ("" if points.iloc[i]["in_area"] else f", outside {area}"),  # across the border
            ]
            for i in used
        ]
        payload["n"] = answers
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
