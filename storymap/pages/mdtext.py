"""Data values as plain text in markdown: escaped for HTML and for Markdown alike.

In: any value from a data file (a ward or borough name). Out: text in which neither HTML nor
Markdown syntax survives: ``<``, ``&`` and quotes become HTML entities as usual, and every
character that could start Markdown syntax (links and images ``[]()!``, attribute lists ``{}``,
emphasis ``*_``, code ``` ` ```, tables ``|``, headings ``#``, escapes ``\\``) becomes a numeric
entity too. Entities, unlike backslash escapes, read the same in markdown prose, in a raw HTML
block and in a table cell, and the reader sees the original characters.
"""

from __future__ import annotations

from markupsafe import Markup

MARKDOWN_SPECIAL = "\\`*_{}[]()#+!|~"  # not "." nor "-": they start nothing mid-line
_TABLE = {ord(c): f"&#{ord(c)};" for c in MARKDOWN_SPECIAL + "'"}
_TABLE.update({ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord('"'): "&quot;"})


def md_text(value: object) -> Markup:
    """``value`` as text that markdown and HTML both show as its characters."""
    return Markup(str(value).translate(_TABLE))


class DataText(str):
    """A string from a data file: prints as itself, and as :func:`md_text` in a template."""

    __slots__ = ()

    def __html__(self) -> str:
        return str(md_text(self))
