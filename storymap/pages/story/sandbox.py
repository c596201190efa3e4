"""The Jinja sandbox chapters render in, bounded in time and size.

In: the config's ``limits:`` (seconds and KB per chapter), the filters chapters may use and a
compiled template with its names. Out: the rendered text, or a :class:`ChapterLimitError` saying
which limit was reached (the caller names the chapter and the line).

Every string a chapter prints is escaped for Markdown as well as HTML (:func:`as_text`).
Jinja's immutable sandbox already refuses unsafe attributes and ranges over 100,000 items. Here
every call, every ``range()`` step, every ``*``, ``**`` and ``%``, every ``namespace`` assignment
and every piece of output is also checked against the chapter's deadline and size limit, so two
nested ``range(99999)`` loops, ``"x" * 10**10`` or ``10**10**10`` end in an Error within the
limit instead of holding the machine or exhausting its memory.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, safe_range
from jinja2.utils import Namespace

from storymap.config.limits import LimitsSection
from storymap.pages.mdtext import md_text

MAX_POWER_BITS = 4096  # 2**4096 has 1,234 digits: more than any figure needs
CHECK_EVERY = 1024  # range() steps between looks at the clock
PLAIN = re.compile(r"^[-+]?[0-9][0-9,]*(\.[0-9]+)?%?$")  # a formatted number: nothing to escape


class ChapterLimitError(Exception):
    """A chapter reached its time or size limit; the message says which and how to fix it."""


class Budget:
    """The deadline and size limit of one chapter's render."""

    def __init__(self, limits: LimitsSection):
        self.limits = limits
        self.seconds = limits.chapter_seconds
        self.max_chars = limits.chapter_kb * 1000
        self.deadline = time.monotonic() + self.seconds

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise ChapterLimitError(
                f"the chapter took longer than {self.seconds:g} s to render (limits."
                "chapter_seconds), so it was stopped. Look for a loop that runs too many times"
            )

    def size(self, n: int, what: str) -> None:
        if n > self.max_chars:
            raise ChapterLimitError(
                f"{what} would be {n:,} characters, more than a chapter may hold "
                f"({self.limits.chapter_kb:,} KB, limits.chapter_kb)"
            )


class BoundedRange:
    """``range()`` for chapters: at most Jinja's 100,000 items, and a look at the clock as it
    goes."""

    def __init__(self, budget: Budget, *args: int):
        self.budget = budget
        self.range = safe_range(*args)

    def __iter__(self) -> Iterator[int]:
        for i, value in enumerate(self.range):
            if i % CHECK_EVERY == 0:
                self.budget.tick()
            yield value

    def __len__(self) -> int:
        return len(self.range)

    def __getitem__(self, index: Any) -> Any:
        return self.range[index]

    def __contains__(self, value: object) -> bool:
        return value in self.range

    def __reversed__(self) -> Iterator[int]:
        return reversed(self.range)


def _sized(value: object) -> int:
    return len(value) if isinstance(value, str | bytes | list | tuple | dict) else 0


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with calls and arithmetic checked against a :class:`Budget`."""

    intercepted_binops = frozenset({"*", "**", "%"})

    def __init__(self, budget: Budget, **options: Any):
        super().__init__(**options)
        self.budget = budget

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.budget.tick()
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if _sized(seq) and isinstance(times, int):
                    self.budget.size(
                        _sized(seq) * times, f"a string or list repeated {times:,} times"
                    )
        if operator == "**" and isinstance(left, int) and isinstance(right, int):
            bits = right * math.log2(abs(left)) if abs(left) > 1 and right > 0 else 0
            if bits > MAX_POWER_BITS:
                raise ChapterLimitError(
                    f"{left} ** {right} is a number far too large to compute or show"
                )
        result = super().call_binop(context, operator, left, right)
        self.budget.size(_sized(result), "a value")
        return result

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        __self.budget.tick()
        result = super().call(__context, __obj, *args, **kwargs)
        __self.budget.size(_sized(result), "a value")
        return result


def as_text(value: Any) -> Any:
    """What ``{{ … }}`` prints: a string is text in markdown as well as HTML (a data value
    passed through ``upper`` or ``~`` is no longer a DataText, but must not become a link);
    markup storymap made (maps, tables, figures, areas) and numbers print as they are."""
    if isinstance(value, str) and not hasattr(value, "__html__") and not PLAIN.match(value):
        return md_text(value)
    return value


def bounded_filter(func: Callable, budget: Budget) -> Callable:
    """``func`` checked like a call: a width or count argument over the size limit is refused
    before it runs (``'x' | center(10**10)``), and so is a result over it. The wrapper takes the
    template's context, which also keeps Jinja from running the filter while it compiles."""
    wants = getattr(getattr(func, "jinja_pass_arg", None), "name", None)

    @jinja2.pass_context
    def bounded(context: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
        budget.tick()
        for arg in (*args, *kwargs.values()):
            if isinstance(arg, int) and not isinstance(arg, bool):
                budget.size(arg, "a filter's width or count")
        first = {
            "context": context,
            "eval_context": context.eval_ctx,
            "environment": context.environment,
        }.get(wants or "")
        result = func(first, value, *args, **kwargs) if wants else func(value, *args, **kwargs)
        budget.size(_sized(result), "a value")
        return result

    return bounded


def chapter_environment(limits: LimitsSection, filters: dict[str, Callable]) -> BoundedSandbox:
    """A fresh bounded sandbox (its clock starts now) with ``filters`` and bounded globals."""
    budget = Budget(limits)
    env = BoundedSandbox(
        budget,
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        keep_trailing_newline=True,
        finalize=as_text,
    )
    env.filters.update(filters)
    env.filters = {name: bounded_filter(f, budget) for name, f in env.filters.items()}

    class BoundedNamespace(Namespace):
        def __setitem__(self, name: str, value: Any) -> None:
            budget.tick()
            budget.size(_sized(value), f"namespace value '{name}'")
            super().__setitem__(name, value)

    env.globals["range"] = lambda *args: BoundedRange(budget, *args)
    env.globals["namespace"] = BoundedNamespace
    return env


def render_bounded(template: jinja2.Template, env: BoundedSandbox, names: dict[str, Any]) -> str:
    """Render ``template``, stopping as soon as its output passes the size limit or the clock
    passes the deadline; the error then says near which line of the template it was."""
    budget = env.budget
    parts: list[str] = []
    total = 0
    stream = template.generate(**names)
    for part in stream:
        parts.append(part)
        total += len(part)
        try:
            budget.tick()
            budget.size(total, "the rendered chapter")
        except ChapterLimitError as exc:
            line = _current_line(template, stream)
            stream.close()
            raise ChapterLimitError(f"line {line}: {exc}" if line else str(exc)) from None
    return "".join(parts)


def _current_line(template: jinja2.Template, stream: Any) -> int | None:
    """The template line the paused render is at (its innermost generator from the template)."""
    gen, line = stream, None
    names = {"<template>", template.filename}
    while gen is not None and getattr(gen, "gi_frame", None) is not None:
        if gen.gi_frame.f_code.co_filename in names:
            line = template.get_corresponding_lineno(gen.gi_frame.f_lineno)
        gen = getattr(gen, "gi_yieldfrom", None)
    return line
