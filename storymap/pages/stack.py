"""Tables that read on a phone: each cell labelled with its column's heading.

In: a page's markdown holding HTML tables the site wrote (``<thead>`` with one row of headings,
``<tbody>`` rows of ``<th>``/``<td>`` cells). Out: the same text where each table named in
:data:`STACKED` gets the class ``stacked`` and a number, and a ``<style>`` before it that names
each column's cells by its heading (``.stacked-2 td:nth-child(3)::before {content: "This ward"}``),
so that ``storymap.css`` can lay each row out as a small card on a narrow screen ("This ward
12.3%") instead of a table wider than the phone. One rule a column costs far fewer bytes than a
label on every cell. The rules sit inside :data:`PHONE`, the media query ``storymap.css`` lays the
cards out in, so a wider screen shows a plain table with no label glued into its cells.
"""

from __future__ import annotations

import html
import re

STACKED = (
    "storymap-indicators",
    "storymap-people",
    "storymap-borough-compare",
    "storymap-neighbourhoods",
    "storymap-sortable",
)
PHONE = "(max-width:40em)"  # the same width as the cards' rules in storymap.css
TABLE = re.compile(r"<table\b([^>]*)>(.*?)</table>", re.S)
HEAD = re.compile(r"<thead>(.*?)</thead>", re.S)
HEADING = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
TAGS = re.compile(r"<[^>]+>")


def label_cells(text: str) -> str:
    """``text`` with its stacked tables numbered and their columns' headings named in CSS."""
    count = iter(range(1, 1_000_000))
    return TABLE.sub(lambda m: _table(m, next(count)), text)


def _table(match: re.Match, number: int) -> str:
    attrs, inner = match.group(1), match.group(2)
    classes = re.search(r"""class=(["'])([^"']*)\1""", attrs)
    head = HEAD.search(inner)
    if not classes or not head or not set(classes.group(2).split()) & set(STACKED):
        return match.group(0)
    names = [
        " ".join(html.unescape(TAGS.sub("", h)).split()) for h in HEADING.findall(head.group(1))
    ]
    name = f"stacked-{number}"
    rules = "".join(
        f'.{name} td:nth-child({k})::before{{content:"{_css_text(n)}"}}'
        for k, n in enumerate(names, start=1)
        if n and k > 1
    )
    quote = classes.group(1)
    attrs = attrs.replace(
        classes.group(0), f"class={quote}{classes.group(2)} stacked {name}{quote}"
    )
    return f"<style>@media {PHONE}{{{rules}}}</style><table{attrs}>{inner}</table>"


def _css_text(text: str) -> str:
    """Text safe inside a CSS string in a <style> element."""
    return "".join(c if c.isalnum() or c in " .,:;()+-%'/&" else f"\\{ord(c):x} " for c in text)
