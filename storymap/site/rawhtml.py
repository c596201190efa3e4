"""Raw HTML blocks set aside before Markdown runs, and put back afterwards, unparsed.

In: a page's markdown, most of it HTML that storymap generated (tables, SVG figures, maps). Out:
the same markdown with each self-contained top-level HTML element replaced by a one-word
paragraph (:func:`stash`), and, after Markdown has converted that, the HTML with each word's
paragraph replaced by the element again (:func:`restore`).

Python-Markdown passes a raw HTML block through verbatim, but finds its end by feeding it to an
HTML parser, which is most of the time it takes over a ward page. An element set aside here is
one Markdown would pass through as it is, so the result is the same HTML
(tests/test_rawhtml.py checks this on every page of the site):

- it begins a block (at the start of a line, after a blank line or another such element) with
  the start tag of one of Markdown's block-level elements;
- it ends with its matching end tag at the end of a line, and the next line is blank or begins
  another such element;
- it has no ``markdown=`` attribute (md_in_html would convert inside it), no comment or CDATA,
  no ``<pre>`` or ``<textarea>``, and no ``<script>``/``<style>`` element whose text holds a
  ``<`` (that text could hide a tag; storymap's own, a script's ``src`` or a short rule of CSS,
  hold none).

Anything else is left in the markdown for Markdown to handle.
"""

from __future__ import annotations

import re
import secrets

from markdown.util import BLOCK_LEVEL_ELEMENTS

BLOCK_TAGS = frozenset(BLOCK_LEVEL_ELEMENTS) - {"pre", "textarea"}
BLANK = re.compile(r"\n[ \t]*\n")
START = re.compile(r"<([a-zA-Z][a-zA-Z0-9]*)(?=[\s/>])")
PLACEHOLDER = re.compile(r"<p>storymapraw([0-9a-f]{12})x(\d+)</p>")
UNSAFE = re.compile(r"<!|<\?|\smarkdown\s*=|<(?:pre|textarea)\b", re.IGNORECASE)
# a <script> or <style> element whose text holds no "<": its end tag is the first "</" after it
RAW_TEXT = re.compile(r"<(script|style)\b[^>]*>[^<]*</\1\s*>", re.IGNORECASE)
RAW_OPEN = re.compile(r"<(?:script|style)\b", re.IGNORECASE)


class Stash:
    """The elements set aside from one page, by their placeholder words."""

    def __init__(self) -> None:
        self.nonce = secrets.token_hex(6)
        self.blocks: list[str] = []

    def word(self, n: int) -> str:
        return f"storymapraw{self.nonce}x{n}"

    def words(self) -> re.Pattern:
        """Matches this page's placeholder words."""
        return re.compile(rf"storymapraw{self.nonce}x\d+")

    def keep(self, html: str) -> str:
        self.blocks.append(html)
        return self.word(len(self.blocks) - 1)


def _element_end(chunk: str, start: int) -> int | None:
    """End of the block-level element whose start tag opens at ``start``, if it closes at a line
    end or where another element starts."""
    match = START.match(chunk, start)
    if match is None or match.group(1).lower() not in BLOCK_TAGS:
        return None
    tags = _tags(match.group(1))
    depth = 0
    for tag in tags.finditer(chunk, start):
        if tag.group(0).endswith("/>") and not tag.group(1):
            return None  # <div/>: HTML reads it as an open tag; leave it to Markdown
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            end = tag.end()
            return end if end == len(chunk) or chunk[end] in "\n<" else None
    return None


def _elements(chunk: str) -> list[str] | None:
    """The block-level elements ``chunk`` consists of, one after another; None if it holds
    anything else."""
    found = []
    at = 0
    while at < len(chunk):
        end = _element_end(chunk, at)
        if end is None:
            return None
        found.append(chunk[at:end])
        at = end + 1 if chunk.startswith("\n", end) else end
    return found


def _left_open(chunk: str) -> tuple[re.Pattern, int] | None:
    """If ``chunk`` starts a block-level element it does not close, its tags and the depth."""
    match = START.match(chunk)
    if match is None or match.group(1).lower() not in BLOCK_TAGS:
        return None
    tags = _tags(match.group(1))
    depth = sum(-1 if t else 1 for t in tags.findall(chunk))
    return (tags, depth) if depth > 0 else None


def _raw_text_safe(chunk: str) -> bool:
    """Whether every <script> and <style> element in ``chunk`` holds no "<" in its text."""
    return len(RAW_OPEN.findall(chunk)) == len(RAW_TEXT.findall(chunk))


def _tags(name: str) -> re.Pattern:
    """Start and end tags of element ``name``; a match's group 1 is "/" for an end tag."""
    return re.compile(rf"<(/?){re.escape(name)}(?=[\s/>])[^>]*>", re.IGNORECASE)


def stash(markdown: str) -> tuple[str, Stash]:
    """``markdown`` with each run of self-contained raw HTML elements replaced by a placeholder.

    Markdown writes such elements as they are, one a line (two on one line are split), and
    keeps the newline after a block when a blank line follows it."""
    kept = Stash()
    out: list[str] = []
    run: list[str] = []  # the HTML of consecutive blocks of elements, not yet placed
    pos = 0
    inside: tuple[re.Pattern, int] | None = None  # an element left open: (its tags, depth)
    for gap in [*BLANK.finditer(markdown), None]:
        end = gap.start() if gap else len(markdown)
        chunk = markdown[pos:end]
        found = None
        if inside is not None:  # Markdown reads on to the element's end: leave it all to it
            depth = inside[1] + sum(-1 if t else 1 for t in inside[0].findall(chunk))
            inside = (inside[0], depth) if depth > 0 else None
        elif chunk.startswith("<") and not UNSAFE.search(chunk) and _raw_text_safe(chunk):
            found = _elements(chunk)
        if found is None and inside is None:
            inside = _left_open(chunk)
        if found:
            run.append("\n".join(found) + ("\n" if gap else ""))
        else:
            if run:
                out.append(kept.keep("\n".join(run)) + "\n\n")
                run = []
            out.append(chunk + (gap.group(0) if gap else ""))
        if gap:
            pos = gap.end()
    if run:
        out.append(kept.keep("\n".join(run)))
    return "".join(out), kept


def restore(html: str, kept: Stash) -> str | None:
    """Markdown's ``html`` with each placeholder paragraph replaced by its element again; None
    if a placeholder did not come through as a paragraph of its own (then convert the page
    without :func:`stash`)."""
    if not kept.blocks:
        return html
    found = 0

    def put_back(match: re.Match) -> str:
        nonlocal found
        if match.group(1) != kept.nonce:
            return match.group(0)
        found += 1
        return kept.blocks[int(match.group(2))]

    restored = PLACEHOLDER.sub(put_back, html)
    return restored if found == len(kept.blocks) and kept.nonce not in restored else None
