"""The ``maps:`` section: classes, palette, map height and an optional basemap.

In: YAML mappings. Out: :class:`MapsSection`; :func:`tile_url` parses a basemap's tile address
into its parts (scheme, host with an optional ``{s}.`` subdomain, port, path with ``{z}``,
``{x}`` and ``{y}``, query) and rebuilds it from them, so what reaches a page or its
Content-Security-Policy is only what those parts allow, never the text as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field

from storymap.config.base import HEX_COLOUR, Model

LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
TILE_HOST = re.compile(rf"(\{{s\}}\.)?({LABEL}(?:\.{LABEL})*)(?::(\d{{1,5}}))?")
TILE_PATH = re.compile(r"(?:/(?:[A-Za-z0-9._~@-]|\{[zxysr]\})*)+")
TILE_QUERY = re.compile(r"[A-Za-z0-9._~=&%-]*")
TILE_EXAMPLE = "https://{s}.tile.example.org/{z}/{x}/{y}.png"


@dataclass(frozen=True)
class TileURL:
    """A basemap tile address taken apart; :attr:`url` and :attr:`origin` are rebuilt."""

    scheme: str  # https or http
    subdomains: bool  # the host starts with {s}.
    host: str  # lower case, without {s}.
    port: int | None
    path: str  # starts with /, holds {z}, {x} and {y}
    query: str

    @property
    def netloc(self) -> str:
        return (
            ("{s}." if self.subdomains else "")
            + self.host
            + (f":{self.port}" if self.port is not None else "")
        )

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.netloc}{self.path}" + (
            f"?{self.query}" if self.query else ""
        )

    @property
    def origin(self) -> str:
        """The tiles' origin as a CSP source: ``*.`` stands for ``{s}.``."""
        host = ("*." if self.subdomains else "") + self.host
        return f"{self.scheme}://{host}" + (f":{self.port}" if self.port is not None else "")


def tile_url(url: str) -> TileURL | str:
    """``url`` taken apart (:class:`TileURL`), or what is wrong with it as a sentence."""
    if any(c.isspace() or ord(c) < 32 for c in url):
        return "it holds a space or control character"
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed [ of an IPv6 address
        return "it cannot be read as an address"
    if parts.scheme.lower() not in ("https", "http"):
        return "it does not start with https:// or http://"
    if "@" in parts.netloc:
        return "it holds a user name or password"
    match = TILE_HOST.fullmatch(parts.netloc.lower())
    port = int(match.group(3)) if match and match.group(3) else None
    if not match or (port is not None and not 0 < port < 65536):
        return (
            "its host is not a host name (letters, digits, hyphens and dots, with an optional "
            "{s}. before it)"
        )
    if parts.fragment or "#" in url:
        return "it has a #fragment"
    if not TILE_PATH.fullmatch(parts.path or "-"):
        return (
            "its path may hold only letters, digits, . _ ~ @ - / and the placeholders {z}, {x}, "
            "{y}, {s} and {r}"
        )
    missing = [p for p in ("{z}", "{x}", "{y}") if p not in parts.path]
    if missing:
        return f"its path does not hold {' and '.join(missing)}"
    if not TILE_QUERY.fullmatch(parts.query):
        return "its query may hold only letters, digits and . _ ~ = & % -"
    return TileURL(
        parts.scheme.lower(), bool(match.group(1)), match.group(2), port, parts.path, parts.query
    )


class BasemapSection(Model):
    url: str = Field(description="Tile URL template of the background map.")
    attribution: str = Field(description="Attribution the tile provider asks for.")


class MapsSection(Model):
    classification: Literal["quantiles", "natural_breaks"] = Field(
        "quantiles", description="How values are split into colour classes."
    )
    classes: int = Field(5, ge=3, le=7, description="Number of colour classes.")
    palette: list[str] = Field(
        default_factory=lambda: ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"],
        description="Colours from least to most at risk (viridis by default: colour-blind safe).",
    )
    no_data_colour: str = Field(
        "#d9d9d9", pattern=HEX_COLOUR, description="Colour of areas with no value (#rrggbb)."
    )
    basemap: BasemapSection | None = Field(
        None, description="Background map tiles; none when left out."
    )
    height: str = Field(
        "460px", pattern=r"^\d+(px|vh|rem)$", description="Map height in px, vh or rem."
    )
