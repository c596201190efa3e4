"""Reading ``site_config.yml``: parse the YAML, validate every section, cross-check them.

In: the path of a YAML file. Out: a validated :class:`~storymap.config.model.Config`, or a
:class:`ConfigError` that lists every problem at once, each with its YAML path
(``indicators[2].source``) and the fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from storymap.config.checks import cross_check
from storymap.config.model import Config
from storymap.errors import ConfigError

MAX_CONFIG_BYTES = 1_000_000


def _parse_yaml(text: str) -> object:
    """The YAML document in ``text``: read by libyaml where PyYAML has it (ten times faster),
    and by PyYAML's own parser to say what is wrong with a document libyaml refuses."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.load(text, Loader=fast)  # noqa: S506 - a safe loader
        except yaml.YAMLError:
            pass
    return yaml.safe_load(text)


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
    raw_bytes = path.read_bytes()
    try:
        text = raw_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{name}: not UTF-8 text (byte {exc.start}). Save the file as UTF-8."
        ) from None
    try:
        raw = _parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(
            f"{name}{where}: invalid YAML: {problem}. Check indentation and quoting there."
        ) from None
    if not isinstance(raw, dict):
        raise ConfigError(
            f"{name}: expected a mapping of settings (site:, sources:, …) at the top."
        )
    try:
        config = Config.model_validate({**raw, "path": path.resolve()})
    except ValidationError as exc:
        raise ConfigError([_describe(name, err) for err in exc.errors()]) from None
    problems = cross_check(config)
    problems.raise_if_any(ConfigError)
    return config


def yaml_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _describe(name: str, err: dict[str, Any]) -> str:
    loc = tuple(p for p in err["loc"] if not str(p).startswith(("literal[", "list[")))
    where = f"{name}: {yaml_path(loc)}"
    kind = err["type"]
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1])
        hint = f" Allowed keys here: {', '.join(allowed)}." if allowed else ""
        return f"{where}: unknown key.{hint} Check the spelling or remove it."
    if kind == "missing":
        return f"{where}: required key is missing. Add it."
    found = err.get("input")
    found_text = f" (found {found!r})" if not isinstance(found, dict | list) else ""
    return f"{where}: {err['msg']}{found_text}."


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
