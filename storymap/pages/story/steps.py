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

from storymap.config.yamltext import safe_yaml
from storymap.errors import ChapterError, ProblemList, did_you_mean, quoted_list
from storymap.pages.story.named import AmbiguousWard

STEP_BLOCK = re.compile(r"^```step[ \t]*\n(.*?)^```[ \t]*$\n?", re.MULTILINE | re.DOTALL)
STEP_KEYS = {"indicator", "focus", "highlight", "highlight_top", "title", "help"}


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
    help: bool = False  # show the help points in view (the step's own setting: not inherited)


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


class Where:
    """File and line of each thing in one step block: the fence, and each key (from the raw
    chapter, so a problem is reported at the line the author has to change)."""

    def __init__(self, file: str, fence: int, number: int, raw_block: str | None):
        self.file, self.fence, self.number = file, fence, number
        self.keys: dict[str, int] = {}
        self.items: dict[str, list[int]] = {}
        if fence and raw_block is not None:
            self._find_lines(raw_block)

    def _find_lines(self, block: str) -> None:
        try:
            node = yaml.compose(block)
        except yaml.YAMLError:
            return
        if not isinstance(node, yaml.MappingNode):
            return
        for key, value in node.value:
            name = str(key.value)
            self.keys[name] = self.fence + 1 + key.start_mark.line
            if isinstance(value, yaml.SequenceNode):
                self.items[name] = [self.fence + 1 + v.start_mark.line for v in value.value]

    def at(self, key: str | None = None, item: int | None = None) -> str:
        if not self.fence:
            return f"{self.file} step {self.number}"
        line = self.keys.get(key, self.fence) if key else self.fence
        if key and item is not None and item < len(self.items.get(key, [])):
            line = self.items[key][item]
        return f"{self.file} line {line}"


def parse_steps(file: str, raw: str, rendered: str, ctx) -> tuple[str, list[Step]]:
    """Parse and check every step; raise one ChapterError listing every problem with its line."""
    intro, parts = split_steps(rendered)
    lines = fence_lines(raw)
    raw_blocks = [m.group(1) for m in STEP_BLOCK.finditer(raw)]
    if len(lines) != len(parts):
        lines, raw_blocks = [0] * len(parts), [None] * len(parts)
    problems = ProblemList()
    steps: list[Step] = []
    indicator, focus_kind, focus = None, "area", None
    config_name = ctx.config.path.name
    unreadable = False  # an earlier block could not be read: do not blame later ones for it
    for number, ((block, prose), line, raw_block) in enumerate(
        zip(parts, lines, raw_blocks, strict=True), start=1
    ):
        where = Where(file, line, number, raw_block)
        spec = _read_block(block, raw_block, where, problems)
        if spec is None:
            unreadable = True
            continue
        for key in sorted(set(spec) - STEP_KEYS):
            problems.add(
                f"{where.at(key)}: '{key}' is not a step setting.{did_you_mean(key, STEP_KEYS)} "
                f"Step settings: {', '.join(sorted(STEP_KEYS))}."
            )
        indicator = str(spec.get("indicator", indicator) or "")
        if not indicator:
            if not unreadable:
                problems.add(f"{where.at()}: the first step must name an indicator (indicator: …).")
        elif indicator not in ctx.results and "indicator" in spec:
            problems.add(
                f"{where.at('indicator')}: indicator '{indicator}' is not declared."
                f"{did_you_mean(indicator, ctx.results)} (declared: "
                f"{quoted_list(ctx.results, 20)}). Fix the name or add it to {config_name}."
            )
        if "focus" in spec:
            focus_kind, focus = _resolve_focus(spec["focus"], ctx, where.at("focus"), problems)
        highlights = _resolve_highlights(spec.get("highlight") or [], ctx, where, problems)
        top = spec.get("highlight_top")
        if top is not None and not (isinstance(top, int) and 0 < top <= 20):
            problems.add(
                f"{where.at('highlight_top')}: highlight_top must be a whole number from 1 to 20 "
                f"(found {top!r})."
            )
            top = None
        if top and indicator in ctx.results:
            highlights += ctx.top_wards(indicator, top, focus_kind, focus)
        title = spec.get("title")
        show_help = spec.get("help", False)
        if not isinstance(show_help, bool):
            problems.add(
                f"{where.at('help')}: help must be true or false (found {show_help!r}): "
                "'help: true' shows the help points on the step's map."
            )
            show_help = False
        elif show_help and getattr(ctx, "help", None) is None and getattr(ctx, "assets", None):
            problems.add(
                f"{where.at('help')}: help: true, but this build has no help points. Set "
                f"help.libraries to true or name a file in help.files in {config_name}."
            )
        steps.append(
            Step(
                number,
                line,
                indicator,
                focus_kind,
                focus,
                list(dict.fromkeys(highlights)),
                None if title is None else str(title),
                prose,
                show_help,
            )
        )
    problems.raise_if_any(ChapterError)
    return intro, steps


def _read_block(block: str, raw_block: str | None, where: Where, problems: ProblemList):
    """The step's settings as a dict, or None (with the problem added) if they cannot be read."""
    try:
        spec = safe_yaml(block) or {}
    except yaml.YAMLError as exc:
        # where the construct that failed began (a '[' never closed), else where it failed
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        row = mark.line if mark else 0
        line = f"{where.file} line {where.fence + 1 + row}" if where.fence else where.at()
        text = (raw_block or block).split("\n")
        if "\t" in (text[row] if row < len(text) else block):
            problems.add(
                f"{line}: a tab character in the step block. Indent with spaces: YAML does not "
                "allow tabs (write 'focus: Barnet' with spaces only)."
            )
            return None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if getattr(exc, "context", None):
            problem = f"{exc.context}: {problem}"
        problems.add(
            f"{line}: the step settings cannot be read ({problem}). Write one 'key: value' per "
            "line, e.g. 'focus: Barnet', and put text that holds a colon in quotes."
        )
        return None
    if not isinstance(spec, dict):
        problems.add(
            f"{where.at()}: step settings must be 'key: value' lines, e.g. 'indicator: "
            "pct_65_plus'."
        )
        return None
    return spec


def _resolve_focus(value, ctx, where: str, problems: ProblemList) -> tuple[str, str | None]:
    text = str(value).strip()
    area = ctx.config.site.area.name
    if text.lower() in {"", "london", area.lower(), "all"}:
        return "area", None
    for kind, resolve in (("borough", ctx.borough_code), ("ward", ctx.ward_code)):
        try:
            return kind, resolve(text)
        except AmbiguousWard as exc:
            problems.add(f"{where}: focus {exc}")
            return "area", None
        except ChapterError:
            pass
    names = [area, *ctx.geo.boroughs["name"], *ctx.geo.wards["name"]]
    problems.add(
        f"{where}: focus '{text}' is not {area}, a borough or a ward.{did_you_mean(text, names)} "
        "Use a borough name, a ward name or a ward code (E05…)."
    )
    return "area", None


def _resolve_highlights(values, ctx, where: Where, problems: ProblemList) -> list[str]:
    if isinstance(values, str):
        values = [values]
    codes = []
    for i, value in enumerate(values):
        try:
            codes.append(ctx.ward_code(str(value)))
        except ChapterError as exc:
            problems.add(f"{where.at('highlight', i)}: highlight: {exc.problems[0]}")
    return codes


# ---------------------------------------------------------------------------------------------
# layout


def step_attributes(step: Step, points: list[int] | None = None) -> str:
    """The step's view for storymap.js; ``points``: the help points it shows (their places in
    the help points' file), for helppoints.js; on a view of the whole area, "area" (every
    point inside it: the attribute does not grow with the area)."""
    e = html.escape
    if points is None:
        shown = ""
    elif step.focus_kind == "area":
        shown = ' data-help="area"'
    else:
        shown = f' data-help="{",".join(map(str, points))}"'
    return (
        f'data-indicator="{e(step.indicator)}" data-focus="{e(step.focus or "")}" '
        f'data-highlight="{e(",".join(step.highlights))}"{shown}'
    )


def scrolly_html(
    slug: str, map_div: str, steps_html: list[str], label: str, summary: str = "", legend: str = ""
) -> str:
    """The sticky map and its steps; ``summary`` and ``legend``: the first step's, shown beside
    the map from the start, so nothing moves when the script shows them."""
    e = html.escape
    return (
        f'<div class="storymap-scrolly" id="scrolly-{e(slug)}" markdown="block">\n'
        f'<div class="storymap-sticky" role="region" aria-label="{e(label)}">\n'
        f'<div class="storymap-map">{map_div}</div>\n'
        f'<div class="storymap-live" aria-live="polite">{e(summary)}</div>\n'
        f'<div class="storymap-legend-live" aria-hidden="true">{legend}</div>\n'
        "</div>\n"
        f'<div class="storymap-steps" markdown="block">\n\n'
        + "\n\n".join(steps_html)
        + "\n\n</div>\n</div>\n\n"
    )


def step_turn(number: int, of: int) -> str:
    """ "Step 3 of 7" with "Previous" and "Next" buttons (storymap.js moves to the step a button
    names; without scripts nojs.css hides the buttons and the steps are read by scrolling)."""
    prev = (
        f'<button type="button" class="step-go" data-go="{number - 1}">Previous</button>'
        if number > 1
        else ""
    )
    nxt = (
        f'<button type="button" class="step-go" data-go="{number + 1}">Next</button>'
        if number < of
        else ""
    )
    return (
        f'<p class="step-turn">{prev}<span class="step-count">Step {number} of {of}</span>{nxt}</p>'
    )


def step_html(
    slug: str,
    step: Step,
    summary: str,
    legend: str,
    image: str,
    table: str,
    points: list[int] | None = None,
    points_list: str = "",
    of: int = 1,
) -> str:
    """One step's section; ``points`` and ``points_list``: the help points its map shows and
    their list in words (the same points)."""
    e = html.escape
    sid = f"{slug}-step-{step.number}"
    return (
        f'<section class="storymap-step" id="{e(sid)}" tabindex="0" '
        f"{step_attributes(step, points)} "
        f'aria-label="Step {step.number}" markdown="block">\n\n'
        f'<div class="storymap-step-anchor" id="step-{step.number}"></div>\n\n'  # page.html#step-N
        f"{step.prose.strip()}\n\n"
        f'<div class="step-alt">\n'
        f'<p class="step-summary">{e(summary)}</p>\n'
        f'<img class="step-image" src="{e(image)}" alt="" loading="lazy" '
        'width="600" height="400">\n'
        f"{legend}\n"
        f'<details class="step-table"><summary>View as table</summary>\n{table}\n</details>\n'
        f"{points_list}"
        f"</div>\n{step_turn(step.number, of)}\n</section>"
    )
