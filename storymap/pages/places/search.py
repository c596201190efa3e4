"""Places a reader looks for: where each ward and borough page is, the search box's place index,
and the "All places A–Z" page.

In: the Geography (and the help points). Out:
- :func:`ward_page` / :func:`borough_page`: the site path of a profile page
  (``wards/<borough slug>/<ward code>.html``, ``boroughs/<slug>.html``), the one rule the profile
  pages, the postcode lookups, the search index and the maps' script all follow;
- :func:`write_place_index`: ``search/places/<letter>.json`` (wards, boroughs and help
  points), one small file per first letter of a word, so a search fetches only the places with a
  word starting as the query does (the bytes a query costs do not grow with the number of places
  in other letters); and ``search/names/<three letters>.json``, the place names people use
  ("Soho"), each with the ward holding its point and the wards around it;
- :func:`az_page`: every ward under its borough, with links, for readers without JavaScript.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from storymap.figures.geography import Geography
from storymap.pages.helptext import point_details
from storymap.pages.page import Page
from storymap.pages.places.ward import aliases
from storymap.pages.urls import PLACES, borough_doc, html_path, ward_doc

if TYPE_CHECKING:
    from storymap.figures.help import HelpResult
    from storymap.figures.placenames import PlaceName

PLACES_DIR = "search/places"
NAMES_DIR = "search/names"  # place names people use (OS Open Names), by their first letters
NAME_KEY = 3
AZ_PATH = PLACES
AZ_TITLE = "All places A–Z"
WARD, BOROUGH, HELP, PLACE = 0, 1, 2, 3
e = html.escape


def fold(text: str) -> str:
    """As theme.js folds text: no accents or apostrophes, lower case, words split by spaces."""
    plain = "".join(
        c for c in unicodedata.normalize("NFD", str(text)) if not unicodedata.combining(c)
    ).lower()
    plain = re.sub(r"['\u2019]", "", plain)
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def borough_page(geo: Geography, code: str) -> str:
    return html_path(borough_doc(str(geo.boroughs.at[code, "name"])))


def ward_page(geo: Geography, code: str) -> str:
    borough = geo.borough_of(code)
    return html_path(ward_doc(str(geo.boroughs.at[borough, "name"]), code))


def help_entries(geo: Geography, help_: HelpResult) -> list[list]:
    """[HELP, name, what and where it is, its ward's page, ""] for every help point inside the
    area: "Public library, open 45 hours a week, in Kilburn, Brent (NW6 7TA)"."""
    entries = []
    for p in help_.points.to_dict("records"):
        ward = str(p.get("ward") or "")
        if not p["in_area"] or ward not in geo.wards.index:
            continue
        what = point_details(p)
        what = what[0].upper() + what[1:]
        postcode = str(p.get("postcode") or "")
        where = f"{geo.wards.at[ward, 'name']}, {geo.wards.at[ward, 'borough_name']}"
        where = f"{what}, in {where}" + (f" ({postcode})" if postcode else "")
        entries.append([HELP, str(p["name"]), where, ward_page(geo, ward), ""])
    return sorted(entries, key=lambda e: (e[1].lower(), e[2]))


def name_entries(geo: Geography, names: list[PlaceName]) -> list[list]:
    """[PLACE, name, where it is, its ward's page, other words] for every place name (OS Open
    Names) that is not already a ward's or borough's name: "Place in Westminster: its point is in
    West End ward; wards around it: St James's, Marylebone". A name used twice (Hayes) gives two
    entries, each with its borough, so the reader chooses."""
    taken = {fold(str(n)) for n in geo.boroughs["name"]}
    entries = []
    for place in names:
        if place.ward not in geo.wards.index:
            continue
        ward_name = str(geo.wards.at[place.ward, "name"])
        if fold(place.name) in taken | {fold(ward_name)}:
            continue
        borough = str(geo.wards.at[place.ward, "borough_name"])
        around = ", ".join(str(geo.wards.at[w, "name"]) for w in place.around)
        where = f"Place in {borough}, centred in {ward_name} ward" + (
            f"; around it: {around}" if around else ""
        )  # OS gives a place as a point: the search says so rather than draw an edge
        entries.append(
            [PLACE, place.name, where, ward_page(geo, place.ward), _other_words(place.name)]
        )
    return entries


def place_entries(geo: Geography, help_: HelpResult | None = None) -> list[list]:
    """[kind, name, borough name, page, other words] for every ward and borough (and help point,
    :func:`help_entries`); ``other words`` are the folded words of its other spellings ("saint"
    for "St", "and" for "&")."""
    entries = []
    for code, name in geo.boroughs["name"].items():
        entries.append([BOROUGH, str(name), "", borough_page(geo, code), _other_words(str(name))])
    for code, row in geo.wards.sort_values("name").iterrows():
        borough = str(geo.boroughs.at[row["borough_code"], "name"])
        entries.append(
            [WARD, str(row["name"]), borough, ward_page(geo, code), _other_words(str(row["name"]))]
        )
    return entries + (help_entries(geo, help_) if help_ is not None else [])


def _other_words(name: str) -> str:
    own = set(fold(name).split())
    extra = {w for alt in aliases(name) for w in fold(alt).split()} - own
    return " ".join(sorted(extra))


# words most help points' names share: a help point is filed under the first word of its name
# that is not one of them (every library would be in the "l" file), so a search for "Barham
# library" finds it under "b"
COMMON_WORDS = frozenset({"library", "libraries", "centre", "center", "community", "the", "and"})


def shard_keys(entry: list) -> set[str]:
    """The first letters of an entry's words (name, other spellings): the files it goes in."""
    words = fold(entry[1]).split() + entry[4].split()
    if entry[0] == HELP:  # a help point under its name's first telling word only
        words = ([w for w in words if w not in COMMON_WORDS] or words)[:1]
    return {w[0] for w in words if w}


def name_keys(entry: list) -> set[str]:
    """The files a place name goes in: the first :data:`NAME_KEY` letters of its folded name
    (spaces left out) and of its other spelling ("stj" and "sai" for St John's Wood), so a
    search fetches only the few names that start as the query does."""
    keys = {fold(entry[1]).replace(" ", "")[:NAME_KEY]}
    if entry[4]:
        keys.add(entry[4].replace(" ", "")[:NAME_KEY])
    return {k for k in keys if len(k) == NAME_KEY}


def name_shards(geo: Geography, names: list[PlaceName]) -> dict[str, list[list]]:
    shards: dict[str, list[list]] = {}
    for entry in name_entries(geo, names):
        for key in name_keys(entry):
            shards.setdefault(key, []).append(entry)
    return dict(sorted(shards.items()))


def place_shards(geo: Geography, help_: HelpResult | None = None) -> dict[str, list[list]]:
    shards: dict[str, list[list]] = {}
    for entry in place_entries(geo, help_):
        for key in shard_keys(entry):
            shards.setdefault(key, []).append(entry)
    return dict(sorted(shards.items()))


def write_place_index(
    geo: Geography,
    docs: Path,
    help_: HelpResult | None = None,
    names: list[PlaceName] | None = None,
) -> list[str]:
    """Write one JSON file per first letter or digit (empty if no place has it); return the
    keys written."""
    out = docs / PLACES_DIR
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.json"):
        old.unlink()
    shards = {k: [] for k in "abcdefghijklmnopqrstuvwxyz0123456789"}  # a file for every key,
    shards.update(place_shards(geo, help_))  # so no search meets a missing file
    named = name_shards(geo, names or [])
    folder = docs / NAMES_DIR
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.json"):
        old.unlink()
    for key, entries in named.items():
        text = json.dumps({"places": _lean(entries)}, separators=(",", ":"), ensure_ascii=False)
        (folder / f"{key}.json").write_text(text, "utf-8")
    for key, entries in shards.items():
        # a letter's file lists the place-name files starting with it: a search asks for one
        # only when it exists (no request that can only fail)
        body = {"places": _lean(entries), "names": "".join(k for k in named if k[0] == key)}
        text = json.dumps(body, separators=(",", ":"), ensure_ascii=False)
        (out / f"{key}.json").write_text(text, "utf-8")
    return list(shards)


def _lean(entries: list[list]) -> list[list]:
    """Entries as shipped: an empty last field (no other spellings) left off (search.js reads a
    missing one as none)."""
    return [e[:-1] if e and e[-1] == "" else e for e in entries]


def az_page(geo: Geography, area: str, section: str) -> Page:
    """Every ward A–Z under its own initial (with its borough beside it), then every borough,
    as plain links (no script needed)."""
    parts = [
        f"# {e(AZ_TITLE)}\n\n",
        f"<p>Every ward of {e(area)} on this site by the first letter of its name, each with "
        "its borough, then every borough. Each name opens its page.</p>\n\n"
        "<p>Looking for a place that is not a ward, such as Soho or St John's Wood? Type its "
        "name or a postcode in the search box: it tells you which ward it is in.</p>\n\n",
    ]
    wards = geo.wards.assign(_key=[fold(str(n)) for n in geo.wards["name"]])
    wards = wards.sort_values(["_key", "borough_name"])
    initial = [str(k)[:1].upper() for k in wards["_key"]]
    letters = sorted(set(initial))
    parts.append(
        '<nav class="storymap-az-letters" aria-label="Wards by first letter">'
        + " ".join(f'<a href="#letter-{e(c.lower())}">{e(c)}</a>' for c in letters)
        + ' <a href="#boroughs">Boroughs</a></nav>\n\n'
    )
    for letter in letters:
        rows = wards[[i == letter for i in initial]]
        items = "".join(
            f'<li><a href="{e(ward_page(geo, w))}">{e(str(r["name"]))}</a> '
            f"<small>{e(str(r['borough_name']))}</small></li>"
            for w, r in rows.iterrows()
        )
        parts.append(
            f'<section class="storymap-az-letter" id="letter-{e(letter.lower())}">'
            f"<h2>{e(letter)}</h2>"
            f'<ul class="storymap-az-wards">{items}</ul></section>\n\n'
        )
    boroughs = geo.boroughs.sort_values("name")
    counts = geo.wards["borough_code"].value_counts()
    items = "".join(
        f'<li><a href="{e(borough_page(geo, code))}">{e(str(name))}</a> '
        f"<small>{int(counts.get(code, 0))} ward"
        f"{'s' if int(counts.get(code, 0)) != 1 else ''}</small></li>"
        for code, name in boroughs["name"].items()
    )
    parts.append(
        '<section class="storymap-az-boroughs" id="boroughs"><h2>Boroughs</h2>'
        f'<ul class="storymap-az-borough-list">{items}</ul></section>\n'
    )
    return Page(AZ_PATH, AZ_TITLE, "".join(parts), section)
