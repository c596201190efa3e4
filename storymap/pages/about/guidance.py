"""What the over-65 index can bear: how firm its bands are, and how not to use it.

In: the :class:`~storymap.figures.riskindex.IndexResult` (its robustness runs) and the wards in a
view. Out: HTML: :func:`band_note`, a sentence under any map of the index saying how many of the
wards in view keep their band under other reasonable weights; :func:`index_guidance`, the "How
not to use this index" box shown beside the index's maps (the chapter on the combined risk and
the method page), following the guidance GMCA gives for its own Digital Exclusion Risk Index.
"""

from __future__ import annotations

import html

from storymap.figures.format import format_number, in_sentence, percent_of
from storymap.figures.riskindex import IndexResult
from storymap.pages.urls import METHOD, html_path

GUIDANCE = [
    (
        "Not for targets.",
        "A ward's score or band is not a measure of success or failure: do not set targets to "
        "move a ward down the ranking.",
    ),
    (
        "Not for change over time.",
        "Its inputs come from different years and every score is relative to the other wards, "
        "so comparing scores between versions or years says nothing about whether things got "
        "better or worse.",
    ),
    (
        "Not for deciding where money goes on its own.",
        "Look on the ground first: talk to the people and organisations who work in a ward before "
        "investing there or not. The index points to where to look, not to what people need.",
    ),
    (
        "Not about any one person.",
        "It describes areas: many older people in high-risk wards are confident online, and some "
        "in low-risk wards are not.",
    ),
]


def band_note(index: IndexResult | None, indicator: str, codes: list[str]) -> str:
    """'<p>Under other reasonable weights, 239 of these 680 wards (35%) keep their band …</p>'
    for a view of the index; nothing for any other indicator."""
    if index is None or indicator != index.result.spec.id or not codes:
        return ""
    rob = index.robustness.loc[codes]
    firm = int(rob["firm"].sum())
    n = len(codes)
    return (
        '<p class="storymap-band-note">Under other reasonable weights, '
        f"{firm:,} of these {n:,} wards ({percent_of(firm, n)}) keep their band; read the "
        "other wards' bands as approximate.</p>"
    )


def index_recipe(index: IndexResult | None) -> str:
    """'demography (older residents) 25%, … and broadband connectivity 25%': each component's
    share of the score, from the published weights."""
    if index is None:
        return "no index is configured"
    parts = []
    for comp in index.section.components:
        share = sum(index.weights[i.indicator] for i in comp.indicators)
        parts.append(f"{in_sentence(comp.label)} {format_number(100 * share, 0)}%")
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else "".join(parts)


def index_guidance(prefix: str = "") -> str:
    """The "How not to use this index" box; ``prefix`` leads from the page to the site root."""
    items = "".join(
        f"<li><strong>{html.escape(head)}</strong> {html.escape(text)}</li>"
        for head, text in GUIDANCE
    )
    return (
        '<aside class="storymap-guidance" aria-labelledby="how-not-to-use">'
        '<h2 id="how-not-to-use">How not to use this index</h2>'
        f"<ul>{items}</ul>"
        f'<p><a href="{html.escape(prefix + html_path(METHOD))}">How the index is built, and '
        "how firm its bands are</a>.</p></aside>"
    )
