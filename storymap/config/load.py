"""Reading ``site_config.yml``: parse the YAML, validate every section, cross-check them.

In: the path of a YAML file. Out: a validated :class:`~storymap.config.model.Config`, or a
:class:`ConfigError` that lists every problem at once, each with its YAML path
(``indicators.pct_65_plus.source``: list items by their id) and the fix.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from storymap.config.checks import cross_check
from storymap.config.model import Config
from storymap.config.safety import control_characters, safety_checks
from storymap.config.textfile import read_text_file
from storymap.config.yamltext import YamlBombError, parse_yaml
from storymap.errors import ConfigError, did_you_mean

MAX_CONFIG_BYTES = 1_000_000


def load_config(path: str | Path) -> Config:
    """Read, parse and validate ``path``; raise ConfigError listing every problem."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise ConfigError(
            f"{path}: config file not found. Run from the project folder or pass --config PATH."
        )
    if path.stat().st_size > MAX_CONFIG_BYTES:
        raise ConfigError(
            f"{name}: file is larger than {MAX_CONFIG_BYTES} bytes; is it the config?"
        )
    text = read_text_file(path, name, ConfigError, "Save it as UTF-8 text (YAML).")
    try:
        raw, found = parse_yaml(text)
    except YamlBombError as exc:
        raise ConfigError(f"{name}: refused: {exc}.") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(
            f"{name}{where}: invalid YAML: {problem}. Check indentation and quoting there."
        ) from None
    if found:
        raise ConfigError([p.text(name) for p in found])
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{name}: expected a mapping of settings (site:, sources:, …) at the top."
        )
    try:
        config = Config.model_validate({**raw, "path": path.resolve()})
    except ValidationError as exc:
        raise ConfigError([_describe(name, err, raw) for err in exc.errors()]) from None
    control_characters(config).raise_if_any(ConfigError)  # before any path is resolved
    problems = cross_check(config)
    problems.items += safety_checks(config).items
    problems.raise_if_any(ConfigError)
    return config


def yaml_path(loc: tuple[Any, ...], raw: object = None) -> str:
    """``indicators.pct_65_plus.source`` for ``("indicators", 3, "source")``: an item of a list
    is named by its ``id:`` when it has one (as authors know it), else by its position."""
    out = ""
    node = raw
    for part in loc:
        if isinstance(part, int):
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            ident = item.get("id") if isinstance(item, dict) else None
            if isinstance(ident, str) and re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", ident):
                out += f".{ident}"
            else:
                out += f"[{part}]"
            node = item
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out or "(top level)"


def _describe(name: str, err: dict[str, Any], raw: object = None) -> str:
    loc = tuple(p for p in err["loc"] if not str(p).startswith(("literal[", "list[")))
    where = f"{name}: {yaml_path(loc, raw)}"
    kind = err["type"]
    found = err.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        guess = did_you_mean(loc[-1], allowed) if loc else ""
        hint = f" Allowed keys here: {', '.join(allowed)}." if allowed else ""
        return f"{where}: unknown key.{guess}{hint} Check the spelling or remove it."
    if kind == "missing":
        return f"{where}: required key is missing. Add it."
    if kind == "string_type" and not isinstance(found, dict | list):
        key = loc[-1] if loc and isinstance(loc[-1], str) else "the value"
        what = _yaml_kind(found)
        shown = _yaml_text(found)
        return (
            f'{where}: expected text, found {what} ({shown}). Put it in quotes: {key}: "{shown}".'
        )
    if kind == "literal_error" and isinstance(found, str):
        expected = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))
        guess = did_you_mean(found, expected)
        return f"{where}: {err['msg']} (found {found!r}).{guess}"
    found_text = f" (found {found!r})" if not isinstance(found, dict | list) else ""
    return f"{where}: {err['msg']}{found_text}."


def _yaml_kind(value: object) -> str:
    if isinstance(value, bool):
        return "yes/no (YAML reads true, false, yes, no, on and off that way)"
    if isinstance(value, datetime.date):
        return "a date (YAML reads 2021-03-21 that way)"
    if value is None:
        return "nothing (an empty value)"
    return f"a {type(value).__name__}"


def _yaml_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the model at ``loc`` in the Config tree (for 'unknown key' hints)."""
    model: Any = Config
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(model, "model_fields", None)
        if fields is None:  # a dict of models: the key is a user name
            continue
        if part not in fields:
            return []
        model = _inner_model(fields[part].annotation)
    fields = getattr(model, "model_fields", {})
    return [k for k in fields if k != "path"]


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    if get_origin(annotation) is dict:
        return _inner_model(get_args(annotation)[1])
    return None
