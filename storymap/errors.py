"""Errors a user can act on.

Every failure the user can fix is raised as a :class:`StorymapError` (or one of its kinds) carrying
one or more *problems*. Each problem says what failed, where (file, row, key or URL), what was
expected against what was found, and what to do. The CLI prints them as one ``Error:`` block.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

MAX_PROBLEMS = 40  # problems shown in one Error block
MAX_CHARS = 1200  # characters of one problem
MAX_LINES = 12  # lines of one problem


USER_INFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/?#@\s]*)@")
MASK = "***"


def masked(text: str) -> str:
    """``text`` with the user info of every URL in it (``https://user:TOKEN@host``) shown as
    ``***``, so a token in a remote or an address is never printed. An ssh user name with no
    password (``ssh://git@host``) is not a secret and is kept."""

    def mask(match: re.Match) -> str:
        scheme, info = match.group(1), match.group(2)
        if scheme.lower().startswith(("ssh", "git+ssh")) and ":" not in info:
            return match.group(0)
        return f"{scheme}{MASK}@"

    return USER_INFO.sub(mask, text)


def readable(problem: str) -> str:
    """``problem`` cut to at most MAX_LINES lines and MAX_CHARS characters, saying so."""
    lines = problem.splitlines()
    text = "\n".join(line[:MAX_CHARS] for line in lines[:MAX_LINES])
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS]
    if text != problem:
        text = text.rstrip() + f" … (cut; {len(problem):,} characters in all)"
    return text


class StorymapError(Exception):
    """A problem the user can fix; ``problems`` holds one message per problem."""

    kind = "error"

    def __init__(self, problems: str | Iterable[str]):
        if isinstance(problems, str):
            problems = [problems]
        self.problems: list[str] = [p for p in problems if p]
        super().__init__("\n".join(self.problems))

    def __reduce__(self):  # pickled whole, e.g. back from the build's second process
        return _rebuilt, (type(self), self.problems, self.__dict__)

    def render(self) -> str:
        """The ``Error:`` block shown to the user; continuation lines are indented. Long
        messages are cut to a readable length (a value quoted from a bad file can be huge);
        the user info of any URL in them is masked (:func:`masked`)."""
        lines: list[str] = []
        shown = [readable(masked(p)) for p in self.problems[:MAX_PROBLEMS]]
        if len(self.problems) > MAX_PROBLEMS:
            shown.append(f"… and {len(self.problems) - MAX_PROBLEMS} more problems like these.")
        for problem in shown:
            first, *rest = problem.splitlines() or [""]
            lines.append(f"Error: {first}")
            lines.extend(f"       {line}" for line in rest)
        return "\n".join(lines)


def _rebuilt(kind: type[StorymapError], problems: list[str], state: dict) -> StorymapError:
    error = StorymapError.__new__(kind)
    StorymapError.__init__(error, problems)
    error.__dict__.update(state)
    return error


class ConfigError(StorymapError):
    """site_config.yml is malformed or inconsistent."""


class DataError(StorymapError):
    """A data file is missing, unreadable, or fails its checks."""


class ChapterError(StorymapError):
    """A chapter cannot be rendered."""


class FetchError(StorymapError):
    """A publisher's file could not be fetched or failed its checks."""


class PublishError(StorymapError):
    """The site could not be published."""


class ProblemList:
    """Gathers problems so that validation reports all of them at once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, message: str) -> None:
        self.items.append(message)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self, kind: type[StorymapError] = StorymapError) -> None:
        if self.items:
            raise kind(self.items)


def quoted_list(values: Iterable[object], limit: int = 12) -> str:
    """`a, b, c` for messages, cut after ``limit`` items with a count of the rest."""
    values = [str(v) for v in values]
    shown = ", ".join(values[:limit])
    if len(values) > limit:
        shown += f" … and {len(values) - limit} more"
    return shown


def close_matches(word: object, choices: Iterable[object], n: int = 3) -> list[str]:
    """The ``choices`` most like ``word`` (ignoring case), best first; none if nothing is close."""
    by_lower: dict[str, str] = {}
    for choice in choices:
        by_lower.setdefault(str(choice).lower(), str(choice))
    target = str(word).lower()
    found = difflib.get_close_matches(target, list(by_lower), n=n, cutoff=0.6)
    if not found:
        return []
    best = difflib.SequenceMatcher(None, target, found[0]).ratio()
    near = [f for f in found if difflib.SequenceMatcher(None, target, f).ratio() >= best - 0.1]
    return [by_lower[f] for f in near]


def did_you_mean(word: object, choices: Iterable[object]) -> str:
    """ " Did you mean 'X'?" (or "'X' or 'Y'") for a misspelt name; "" if nothing is close."""
    found = close_matches(word, choices)
    if not found:
        return ""
    return " Did you mean " + " or ".join(f"'{f}'" for f in found) + "?"
