"""Story steps: fenced ```step blocks in a chapter, each changing the chapter's one sticky map.

In: a chapter's markdown (already rendered by Jinja) and its raw text (for line numbers). Out: the
chapter's markdown with the steps laid out as a scrolly block: one map that stays in view,
and per step its prose, a generated summary, a legend, a "view as table" and a static SVG image
for readers without JavaScript and for print.

A step block names the indicator, the focus (London, a borough or a ward, by name or code) and
optional highlights; the prose that follows, up to the next step, belongs to it::

    ```step
    indicator: pct_65_plus
    focus: Barnet
    highlight_top: 3
    ```
    Barnet's oldest wards are in the north of the borough…

Later steps inherit the indicator and focus of the step before when they leave them out.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import yaml

from storymap.errors import ChapterError, ProblemList, quoted_list

STEP_BLOCK = re.compile(r"^```step[ \t]*\n(.*?)^```[ \t]*$\n?", re.MULTILINE | re.DOTALL)
STEP_KEYS = {"indicator", "focus", "highlight", "highlight_top", "title"}


@dataclass
class Step:
    number: int
    line: int  # line of the ```step fence in the chapter file
    indicator: str
    focus_kind: str  # "area", "borough" or "ward"
    focus: str | None  # borough or ward code; None for the whole area
    highlights: list[str] = field(default_factory=list)
    title: str | None = None
    prose: str = ""


def fence_lines(raw: str) -> list[int]:
    return [raw.count("\n", 0, m.start()) + 1 for m in STEP_BLOCK.finditer(raw)]


def split_steps(rendered: str) -> tuple[str, list[tuple[str, str]]]:
    """(intro, [(step yaml, prose), ...]) from rendered chapter text."""
    matches = list(STEP_BLOCK.finditer(rendered))
    if not matches:
        return rendered, []
    intro = rendered[: matches[0].start()]
    parts = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(rendered)
        parts.append((m.group(1), rendered[m.end() : end]))
    return intro, parts


def parse_steps(file: str, raw: str, rendered: str, ctx) -> tuple[str, list[Step]]:
    """Parse and check every step; raise one ChapterError listing every problem with its line."""
    intro, parts = split_steps(rendered)
    lines = fence_lines(raw)
    if len(lines) != len(parts):
        lines = [0] * len(parts)
    problems = ProblemList()
    steps: list[Step] = []
    indicator, focus_kind, focus = None, "area", None
    for number, ((block, prose), line) in enumerate(zip(parts, lines, strict=True), start=1):
        where = f"{file} line {line}" if line else f"{file} step {number}"
        try:
            spec = yaml.safe_load(block) or {}
        except yaml.YAMLError as exc:
            problems.add(f"{where}: step settings are not valid YAML ({exc}).")
            continue
        if not isinstance(spec, dict):
            problems.add(f"{where}: step settings must be 'key: value' lines.")
            continue
        unknown = sorted(set(spec) - STEP_KEYS)
        if unknown:
            problems.add(
                f"{where}: unknown step setting(s) {quoted_list(unknown)}; allowed: "
                f"{', '.join(sorted(STEP_KEYS))}."
            )
        indicator = str(spec.get("indicator", indicator) or "")
        if not indicator:
            problems.add(f"{where}: the first step must name an indicator (indicator: …).")
        elif indicator not in ctx.results:
            problems.add(
                f"{where}: indicator '{indicator}' is not declared (declared: "
                f"{quoted_list(ctx.results, 20)}). Fix the name or add it to site_config.yml."
            )
        if "focus" in spec:
            focus_kind, focus = _resolve_focus(spec["focus"], ctx, where, problems)
        highlights = _resolve_highlights(spec.get("highlight") or [], ctx, where, problems)
        top = spec.get("highlight_top")
        if top is not None and not (isinstance(top, int) and 0 < top <= 20):
            problems.add(f"{where}: highlight_top must be a whole number from 1 to 20.")
            top = None
        if top and indicator in ctx.results:
            highlights += ctx.top_wards(indicator, top, focus_kind, focus)
        steps.append(
            Step(
                number,
                line,
                indicator,
                focus_kind,
                focus,
                list(dict.fromkeys(highlights)),
                spec.get("title"),
                prose,
            )
        )
    problems.raise_if_any(ChapterError)
    return intro, steps


def _resolve_focus(value, ctx, where: str, problems: ProblemList) -> tuple[str, str | None]:
    text = str(value).strip()
    if text.lower() in {"", "london", ctx.config.site.area.name.lower(), "all"}:
        return "area", None
    for kind, resolve in (("borough", ctx.borough_code), ("ward", ctx.ward_code)):
        try:
            return kind, resolve(text)
        except ChapterError:
            pass
    problems.add(
        f"{where}: focus '{text}' is not {ctx.config.site.area.name}, a borough or a ward. "
        "Use a borough name, a ward name or a ward code (E05…)."
    )
    return "area", None


def _resolve_highlights(values, ctx, where: str, problems: ProblemList) -> list[str]:
    if isinstance(values, str):
        values = [values]
    codes = []
    for value in values:
        try:
            codes.append(ctx.ward_code(str(value)))
        except ChapterError as exc:
            problems.add(f"{where}: highlight: {exc.problems[0]}")
    return codes


# ---------------------------------------------------------------------------------------------
# layout


def step_attributes(step: Step) -> str:
    e = html.escape
    return (
        f'data-indicator="{e(step.indicator)}" data-focus="{e(step.focus or "")}" '
        f'data-highlight="{e(",".join(step.highlights))}"'
    )


def scrolly_html(slug: str, map_div: str, steps_html: list[str], label: str) -> str:
    e = html.escape
    return (
        f'<div class="storymap-scrolly" id="scrolly-{e(slug)}" markdown="block">\n'
        f'<div class="storymap-sticky" role="region" aria-label="{e(label)}">\n'
        f'<div class="storymap-map">{map_div}</div>\n'
        f'<div class="storymap-live" aria-live="polite"></div>\n'
        f'<div class="storymap-legend-live" aria-hidden="true"></div>\n'
        "</div>\n"
        f'<div class="storymap-steps" markdown="block">\n\n'
        + "\n\n".join(steps_html)
        + "\n\n</div>\n</div>\n\n"
    )


def step_html(slug: str, step: Step, summary: str, legend: str, image: str, table: str) -> str:
    e = html.escape
    sid = f"{slug}-step-{step.number}"
    return (
        f'<section class="storymap-step" id="{e(sid)}" tabindex="0" {step_attributes(step)} '
        f'aria-label="Step {step.number}" markdown="block">\n\n'
        f'<div class="storymap-step-anchor" id="step-{step.number}"></div>\n\n'  # page.html#step-N
        f"{step.prose.strip()}\n\n"
        f'<div class="step-alt">\n'
        f'<p class="step-summary">{e(summary)}</p>\n'
        f'<img class="step-image" src="{e(image)}" alt="" loading="lazy" '
        'width="600" height="400">\n'
        f"{legend}\n"
        f'<details class="step-table"><summary>View as table</summary>\n{table}\n</details>\n'
        "</div>\n</section>"
    )
