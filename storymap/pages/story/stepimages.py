"""The static image of each story step, kept in the build's store while what it shows is
unchanged.

In: a memo (one store entry of values made one at a time) and a function that loads or makes the
:class:`~storymap.pages.maps.static.StaticMaps`. Out: each step's SVG and the place names its live
map shows, the StaticMaps made only when an image must be drawn afresh.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from storymap.figures.indicators import IndicatorResult


class StepImages:
    """The static image of each story step: from ``memo`` (the store) while what it shows is
    unchanged, else drawn by the StaticMaps that ``static`` loads or makes (only then)."""

    def __init__(self, memo: Any, static: Callable[[], Any]):
        self.memo, self.static = memo, static

    def svg(
        self,
        res: IndicatorResult,
        focus_kind: str,
        focus: str | None,
        highlights: list[str],
        title: str,
        points: list[tuple[float, float]] | None = None,
    ) -> str:
        parts = (res.spec.id, focus_kind, focus, list(highlights), title)
        if points is not None:
            parts += (list(points),)  # a step without help points keeps its key
        return self.memo.get(
            parts, lambda: self.static().svg(res, focus_kind, focus, highlights, title, points)
        )

    def live_labels(self, views: list[tuple[str, str | None, list[str]]]) -> dict:
        """The place names the live map shows for these views, as the images name them."""
        return self.memo.get(("labels", views), lambda: self.static().live_labels(views))
