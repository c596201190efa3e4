"""Jinja syntax errors told in plain words, at the line the author has to change.

In: a chapter's text, the Jinja environment it is rendered with, and the
``TemplateSyntaxError`` Jinja raised. Out: ``(line, message)``, e.g. ``(12, "the {% for %} on
line 12 is never closed: add {% endfor %} where the repeated part ends.")``.

Jinja reports an unclosed block at the end of the template, in its own words ("Unexpected end of
template. Jinja was looking for the following tags: 'endfor' or 'else'..."). Here the chapter's
tags are read in order with a stack of open blocks (Jinja's own lexer, so comments and
``{% raw %}`` are skipped as Jinja skips them), which tells where the unclosed block opened, which
end tag closes nothing, and which block an end tag cut short.
"""

from __future__ import annotations

import re

import jinja2

from storymap.errors import did_you_mean

# Tags that open a block, and what closes it. ("set" opens one only without "=".)
BLOCKS = {
    "for": "endfor",
    "if": "endif",
    "macro": "endmacro",
    "call": "endcall",
    "filter": "endfilter",
    "block": "endblock",
    "with": "endwith",
    "set": "endset",
    "autoescape": "endautoescape",
    "trans": "endtrans",
}
MIDDLES = {"else": ("for", "if"), "elif": ("if",), "pluralize": ("trans",)}
OTHERS = {"include", "import", "from", "extends", "do", "break", "continue", "raw", "endraw"}
KNOWN = set(BLOCKS) | set(BLOCKS.values()) | set(MIDDLES) | OTHERS


def explain(env: jinja2.Environment, text: str, exc: jinja2.TemplateSyntaxError) -> tuple[int, str]:
    """The line and a plain-words message for ``exc``, raised when ``text`` was compiled."""
    lineno = exc.lineno or 1
    message = exc.message or str(exc)
    if message.startswith(("Unexpected end of template", "Encountered unknown tag")):
        found = _from_tags(env, text)
        if found:
            return found
    if "expected" in message:
        opened = _last_opening(text, "{{", lineno)
        if opened:
            return opened, (
                f"a {{{{ on line {opened} is not closed: add }}}} where the figure's name ends "
                f"({_after(message)}). Check also for a missing quote, comma or bracket inside it."
            )
    if "expected token" in message:
        return lineno, (
            f"the expression on line {lineno} cannot be read: {_jinja_words(message)}. Check "
            "for a missing quote, comma, bracket or operator."
        )
    if "Missing end of comment" in message:
        opened = _last_opening(text, "{#", lineno) or lineno
        return opened, f"the {{# comment on line {opened} is never closed: add #}} where it ends."
    filt = re.match(r"No filter named '([^']+)'", message)
    if filt:
        name = filt[1]
        return lineno, (
            f"there is no filter called '{name}'.{did_you_mean(name, env.filters)} Filters for "
            "figures: count, pct, number, names (and Jinja's own, such as round, upper, join)."
        )
    return lineno, (
        f"the template cannot be read: {_jinja_words(message)}. Check that every {{{{ has its }}}} "
        "and every {% if %} its {% endif %}."
    )


def _from_tags(env: jinja2.Environment, text: str) -> tuple[int, str] | None:
    """Problems seen in the order of the ``{% ... %}`` tags: unknown, stray or unclosed."""
    try:
        tags = list(_tags(env, text))
    except jinja2.TemplateSyntaxError:
        return None
    stack: list[tuple[str, int]] = []
    elses: dict[int, int] = {}  # depth -> line of that block's {% else %}
    for name, line, words in tags:
        if name in BLOCKS:
            if name == "set" and "=" in words:
                continue
            stack.append((name, line))
            elses.pop(len(stack), None)
        elif name in MIDDLES:
            if not stack or stack[-1][0] not in MIDDLES[name]:
                inside = " or ".join(f"{{% {t} %}}" for t in MIDDLES[name])
                return line, f"the {{% {name} %}} on line {line} is not inside {inside}: remove it."
            if len(stack) in elses:
                top, top_line = stack[-1]
                return line, (
                    f"the {{% {name} %}} on line {line} comes after the {{% else %}} on line "
                    f"{elses[len(stack)]} of the {{% {top} %}} on line {top_line}: a block has one "
                    f"{{% else %}}, last. Use {{% elif … %}} before it, or close the first with "
                    f"{{% {BLOCKS[top]} %}}."
                )
            if name == "else":
                elses[len(stack)] = line
        elif name.startswith("end") and name[3:] in BLOCKS:
            opener = name[3:]
            if not stack:
                return line, (
                    f"the {{% {name} %}} on line {line} closes nothing: there is no "
                    f"{{% {opener} %}} open before it. Remove it, or add the {{% {opener} %}}."
                )
            elses.pop(len(stack), None)
            top, top_line = stack.pop()
            if top != opener:
                return top_line, (
                    f"the {{% {top} %}} on line {top_line} is not closed before the "
                    f"{{% {name} %}} on line {line}: add {{% {BLOCKS[top]} %}} before line {line}."
                )
        elif name not in KNOWN:
            return line, (
                f"{{% {name} %}} on line {line} is not a template tag.{_guess(name)} "
                "Tags: {% for %}…{% endfor %}, {% if %}…{% endif %}, {% set %}."
            )
    if stack:
        name, line = stack[-1]
        more = ""
        if len(stack) > 1:
            others = ", ".join(f"{{% {n} %}} on line {ln}" for n, ln in stack[:-1])
            more = f" (also still open: {others})"
        return line, (
            f"the {{% {name} %}} on line {line} is never closed: add {{% {BLOCKS[name]} %}} "
            f"where its part of the chapter ends{more}."
        )
    return None


def _guess(name: str) -> str:
    """A did-you-mean among the common tags first, then all of them."""
    return did_you_mean(name, [*BLOCKS, *MIDDLES]) or did_you_mean(name, KNOWN)


def _tags(env: jinja2.Environment, text: str):
    """(tag name, line, the rest of the tag's tokens) for each ``{% ... %}`` in ``text``."""
    current: list[tuple[int, str, str]] | None = None
    for line, kind, value in env.lex(text):
        if kind == "block_begin":
            current = []
        elif kind == "block_end" and current is not None:
            words = [v for _l, k, v in current if k != "whitespace"]
            if words:
                yield words[0], current[0][0], words[1:]
            current = None
        elif current is not None:
            current.append((line, kind, value))


def _last_opening(text: str, opener: str, before_line: int) -> int | None:
    """Line of the last ``opener`` (e.g. ``{{``) that starts on or before ``before_line`` and
    has no closing pair after it on the way."""
    closer = {"{{": "}}", "{#": "#}"}[opener]
    found = None
    for i, line in enumerate(text.splitlines()[:before_line], start=1):
        pos = 0
        while True:
            start = line.find(opener, pos)
            if start < 0:
                break
            end = line.find(closer, start + 2)
            if end < 0:
                found = i
                break
            pos = end + 2
    return found


def _jinja_words(message: str) -> str:
    """Jinja's message with its token names said as the author writes them."""
    words = {
        "'end of print statement'": "}}",
        "'end of statement block'": "%}",
        "'end of template'": "the end of the chapter",
    }
    for token, plain in words.items():
        message = message.replace(token, plain)
    expected = re.fullmatch(r"expected token (.+), got (.+)", message.rstrip("."))
    if expected:
        return f"{expected[1]} is missing before {expected[2]}"
    if message.startswith("unexpected end of template, expected "):
        return f"{message.rstrip('.').rsplit(' ', 1)[-1]} is missing before the chapter ends"
    return message.rstrip(".")


def _after(message: str) -> str:
    """What follows an unclosed {{, in the author's words: "the text after it, from 'of', is
    not part of a figure"."""
    got = re.fullmatch(r"expected token .+, got (.+)", message.rstrip("."))
    if got:
        return f"the text after it, from {got[1]}, is not part of a figure"
    return "the chapter ends before it is closed"
