"""Pages that are only headings and raw HTML, converted without running Markdown at all.

In: a page's markdown once its raw HTML blocks are set aside (:func:`storymap.site.rawhtml.stash`):
for a ward or borough page, nothing but headings of plain words and placeholder words. Out: the
HTML, table of contents and title that Python-Markdown (with the ``toc`` extension's defaults)
gives for it, or None for any other page, which Markdown then converts as usual.

Markdown spends about a millisecond and a half a page setting itself up and walking its tree,
which is most of what MkDocs still spends on a ward page. The result is the same HTML
(tests/test_rawhtml.py converts every page of the site both ways):

- a heading ``#`` to ``######``, a space, then words of letters, digits, spaces and
  ``, . ' ( ) -`` and ``&amp;`` only (nothing Markdown would read as markup or escape), becomes
  ``<hN id="slug">words</hN>``, the id made unique as the toc extension makes it;
- a placeholder word alone becomes a paragraph of it (then put back as its HTML);
- blocks are separated by one blank line and written one a line.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown.extensions.toc import nest_toc_tokens, slugify, unique

HEADING = re.compile(r"(#{1,6}) ([A-Za-z0-9](?:[A-Za-z0-9 ,.'()\-]|&amp;)*)")
IDS = re.compile(r"""\sid\s*=\s*["']([^"']+)["']""")


@dataclass
class Converted:
    html: str
    toc_tokens: list[dict]  # as Markdown's toc extension leaves them (``md.toc_tokens``)
    title: str | None  # the first block's text, if it is a level-one heading (MkDocs' title)
    anchor_ids: set[str]  # the ids of the page's headings and of its raw HTML's elements


def convert(reduced: str, word: re.Pattern, blocks: list[str]) -> Converted | None:
    """``reduced``'s HTML (placeholders still in it) if it is only headings and placeholder
    words (``word`` matches one) separated by single blank lines; else None. ``blocks``: the
    raw HTML set aside, whose ids MkDocs also records."""
    out: list[str] = []
    tokens: list[dict] = []
    used: set[str] = set()
    counters: dict[str, int] = {}
    title = None
    for n, chunk in enumerate(reduced.strip("\n").split("\n\n")):
        if word.fullmatch(chunk):
            out.append(f"<p>{chunk}</p>")
            continue
        heading = HEADING.fullmatch(chunk)
        if heading is None:
            return None
        level, text = len(heading.group(1)), heading.group(2).rstrip()
        ident = unique(slugify(html.unescape(text), "-"), used, counters)
        out.append(f'<h{level} id="{ident}">{text}</h{level}>')
        tokens.append(
            {"level": level, "id": ident, "name": text, "html": text, "data-toc-label": ""}
        )
        if n == 0 and level == 1:
            title = text
    ids = used | {i for block in blocks for i in IDS.findall(block)}
    return Converted("\n".join(out), nest_toc_tokens(tokens), title, ids)
