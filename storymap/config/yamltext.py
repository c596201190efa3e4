"""Reading YAML text strictly: duplicate keys, non-finite or absurd numbers and alias bombs are
refused, each with the key's path and line.

In: YAML text (a config file, or a chapter's step block). Out: the parsed value and a list of
:class:`YamlProblem`, or a :class:`yaml.YAMLError` for text that is not YAML at all. PyYAML's
own ``safe_load`` keeps the last of two equal keys without a word, reads ``.inf`` and ``.nan`` as
numbers and expands aliases however far they go; here the document is composed into nodes first,
checked, and only then turned into Python values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import yaml

MAX_VALUES = 100_000  # values in the document once every alias is expanded
MAX_NUMBER = 1e15  # larger numbers mean nothing in a config (a typo, or a probe)
FLOAT_TAG = "tag:yaml.org,2002:float"
INT_TAG = "tag:yaml.org,2002:int"


@dataclass(frozen=True)
class YamlProblem:
    line: int  # 1-based
    path: str  # e.g. index.components[1].weight
    message: str  # what is wrong and the fix

    def text(self, name: str) -> str:
        where = f"{name} line {self.line}: {self.path}" if self.path else f"{name} line {self.line}"
        return f"{where}: {self.message}"


class YamlBombError(yaml.YAMLError):
    """The document's aliases expand to more values than any config holds."""


def parse_yaml(text: str) -> tuple[object, list[YamlProblem]]:
    """The value of the single YAML document in ``text`` and every problem found in it."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        size = _expanded_size(node, {})
        if size > MAX_VALUES:
            raise YamlBombError(
                f"its aliases (*name) expand to more than {MAX_VALUES:,} values; write the "
                "values out instead of repeating anchors"
            )
        problems: list[YamlProblem] = []
        _check(node, "", problems, loader, set())
        value = loader.construct_document(node)
    finally:
        loader.dispose()
    return value, problems


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many values ``node`` stands for with aliases expanded (shared nodes counted each time
    they are used, computed once each)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_VALUES + 1  # a node that contains itself expands without end
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(v, memo) for v in node.value)
    else:
        size = 1
    memo[key] = min(size, MAX_VALUES + 1)
    return memo[key]


def _join(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


def _check(
    node: yaml.Node, path: str, problems: list[YamlProblem], loader: yaml.SafeLoader, seen: set[int]
) -> None:
    if id(node) in seen:  # an alias of a node already checked
        return
    seen.add(id(node))
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        first: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            key_line = key_node.start_mark.line + 1
            if key != "<<" and key in first:
                problems.append(
                    YamlProblem(
                        key_line,
                        _join(path, key),
                        f"given twice (lines {first[key]} and {key_line}); "
                        "the second would silently replace the first. Keep one.",
                    )
                )
            first.setdefault(key, key_line)
            _check(value_node, _join(path, key), problems, loader, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _check(item, _join(path, i), problems, loader, seen)
    elif node.tag in (FLOAT_TAG, INT_TAG):
        number = (
            loader.construct_yaml_float if node.tag == FLOAT_TAG else loader.construct_yaml_int
        )(node)
        if isinstance(number, float) and not math.isfinite(number):
            problems.append(
                YamlProblem(
                    line,
                    path,
                    f"{node.value} is not a finite number. Give a number such as 1 or 0.5.",
                )
            )
        elif abs(number) > MAX_NUMBER:
            problems.append(
                YamlProblem(
                    line,
                    path,
                    f"{node.value} is too large to mean anything here (more than "
                    f"{MAX_NUMBER:,.0f}). Check for a typo.",
                )
            )


def safe_yaml(text: str) -> object:
    """Like ``yaml.safe_load``, but a duplicate key, a non-finite or absurd number or an alias
    bomb is a :class:`yaml.YAMLError` naming the first problem (for small blocks of settings)."""
    value, problems = parse_yaml(text)
    if problems:
        first = problems[0]
        raise yaml.YAMLError(f"line {first.line}: {first.path}: {first.message}")
    return value
