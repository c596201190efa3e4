"""Every page's address in one place: where ward, borough and other pages live in the site.

In: names and codes (a borough's name, a ward's code). Out: docs paths (``wards/camden/E05….md``,
what MkDocs reads) and the site paths it writes them to (``….html``), and the slug of a name.
"""

from __future__ import annotations

import re
import unicodedata

BOROUGH_INDEX = "boroughs/index.md"


def slug(text: str) -> str:
    """ASCII, lower-case, hyphenated: 'Kensington and Chelsea' -> 'kensington-and-chelsea'."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower().replace("&", "and")).strip("-") or "area"


def borough_doc(borough_name: str) -> str:
    """The docs path of a borough's page."""
    return f"boroughs/{slug(borough_name)}.md"


def ward_doc(borough_name: str, ward_code: str) -> str:
    """The docs path of a ward's page, in its borough's folder."""
    return f"wards/{slug(borough_name)}/{ward_code}.md"


def html_path(docs_rel: str) -> str:
    """The site path MkDocs writes a docs page to ("wards/x/E05.md" -> "wards/x/E05.html")."""
    return docs_rel[:-3] + ".html" if docs_rel.endswith(".md") else docs_rel
