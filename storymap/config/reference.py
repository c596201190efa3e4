"""The reference of every ``site_config.yml`` key, written from the schema itself.

In: the pydantic models, starting from :class:`~storymap.config.model.Config`. Out: Markdown
(``docs/config.md``): for the top level and each nested section a table of its keys, each with
its YAML key path, a readable type, its default as YAML would show it ("required" when there is
none) and its description. :func:`fields` walks the models (used by the tests to prove every key
has a description); the output depends only on the models, so it is the same on every run.

``python -m storymap.config.reference --write`` writes ``docs/config.md``; ``--check`` writes
nothing and exits 1 with an ``Error:`` block when the file is out of date.
"""

from __future__ import annotations

import argparse
import inspect
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Union, get_args, get_origin

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from storymap.config.model import Config
from storymap.errors import StorymapError

DOC = Path(__file__).resolve().parents[2] / "docs" / "config.md"
SKIPPED = frozenset({"path"})  # Config.path is set by load_config, not written in the YAML
SCALARS = {str: "text", int: "whole number", float: "number", bool: "true/false"}
ANY_KEY = "<name>"  # a key the author chooses (a source id, a lookup's name)


@dataclass(frozen=True)
class Key:
    """One field of one model, at its place in the YAML."""

    path: str  # e.g. sources.<name>.fetch.columns, indicators[].id
    model: type[BaseModel]
    name: str
    info: FieldInfo


def _models_in(annotation: Any) -> Iterator[tuple[str, type[BaseModel]]]:
    """(suffix to the key path, model) of each model a field's value holds or is made of."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield "", annotation
        return
    origin, args = get_origin(annotation), get_args(annotation)
    if origin in (Union, types.UnionType):
        for arg in args:
            yield from _models_in(arg)
    elif origin is list:
        for suffix, model in _models_in(args[0]):
            yield "[]" + suffix, model
    elif origin is dict:
        for suffix, model in _models_in(args[1]):
            yield f".{ANY_KEY}" + suffix, model


def sections(
    model: type[BaseModel] = Config, prefix: str = ""
) -> Iterator[tuple[str, type[BaseModel], list[Key]]]:
    """(key path, model, its keys) of ``model`` and every model nested in it, depth first."""
    keys = [
        Key(f"{prefix}.{name}" if prefix else name, model, name, info)
        for name, info in model.model_fields.items()
        if not (model is Config and name in SKIPPED)
    ]
    yield prefix, model, keys
    for key in keys:
        for suffix, nested in _models_in(key.info.annotation):
            yield from sections(nested, key.path + suffix)


def fields(model: type[BaseModel] = Config) -> list[Key]:
    """Every key reachable from ``model``, in the order the reference lists them."""
    return [key for _, _, keys in sections(model) for key in keys]


def undescribed(model: type[BaseModel] = Config) -> list[str]:
    """``Model.field (key path)`` of every reachable field without a description."""
    return [
        f"{key.model.__name__}.{key.name} ({key.path})"
        for key in fields(model)
        if not (key.info.description or "").strip()
    ]


def type_text(annotation: Any, path: str = "") -> str:
    """A readable type: ``list of text``, ``number``, ``one of `a`/`b```, ``section (below)``."""
    if annotation in SCALARS:
        return SCALARS[annotation]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return f"section (`{path}` below)" if path else "section"
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        if len(args) == 1:
            return f"`{args[0]}`"
        return "one of " + "/".join(f"`{a}`" for a in args)
    if origin in (Union, types.UnionType):
        shown = [type_text(a, path) for a in args if a is not type(None)]
        if len(shown) == 1:
            return shown[0]
        return ", ".join(shown[:-1]) + " or " + shown[-1]
    if origin is list:
        return "list of " + _grouped(type_text(args[0], path + "[]"))
    if origin is dict:
        key = type_text(args[0])
        return f"mapping of {key} to " + _grouped(type_text(args[1], f"{path}.{ANY_KEY}"))
    if origin is tuple and args and Ellipsis not in args:
        return "list [" + ", ".join(type_text(a) for a in args) + "]"
    raise TypeError(f"{path}: no readable name for the type {annotation!r}; add one to type_text")


def _grouped(text: str) -> str:
    """``text`` in brackets when it is a choice, so ``list of (text or number)`` reads right."""
    return f"({text})" if " or " in text and not text.startswith("section") else text


def yaml_text(value: Any) -> str:
    """``value`` written as YAML writes it, on one line (``[]``, ``'#d9d9d9'``, ``null``)."""
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000, allow_unicode=True)
    return text.removesuffix("\n").removesuffix("\n...").strip()


def default_text(info: FieldInfo) -> str:
    if info.is_required():
        return "required"
    value = info.get_default(call_default_factory=True)
    if isinstance(value, BaseModel):
        if value == type(value).model_construct():
            return "its keys' defaults"
        value = value.model_dump(mode="json")
    return f"`{yaml_text(value)}`"


def cell(text: str) -> str:
    """Text safe inside a Markdown table cell: no raw HTML, pipes or emphasis marks. Code spans
    (between backticks) are kept as written, but for their pipes."""
    parts = " ".join(text.split()).split("`")
    for i, part in enumerate(parts):
        if i % 2 == 0:
            part = part.replace("\\", "\\\\").replace("*", "\\*")
            part = part.replace("<", "&lt;").replace(">", "&gt;")
        parts[i] = part.replace("|", "\\|")
    return "`".join(parts)


def intro(model: type[BaseModel]) -> str:
    doc = model.__dict__.get("__doc__")
    return " ".join(inspect.cleandoc(doc).split()) if doc else ""


def reference() -> str:
    """The whole reference as Markdown."""
    out = [
        "# site_config.yml reference",
        "",
        "Every key `site_config.yml` may hold, made from the schema in `storymap/config/` by",
        "`python -m storymap.config.reference --write` (do not edit this file by hand). A key",
        f"path `{ANY_KEY}` stands for a name you choose (a source id, a lookup's name); `[]` for",
        "each entry of a list. Keys not listed here are refused.",
    ]
    for prefix, model, keys in sections():
        out += ["", f"## `{prefix}`" if prefix else "## Top level", ""]
        if intro(model):
            out += [cell(intro(model)), ""]
        out += ["| Key | Type | Default | Description |", "| --- | --- | --- | --- |"]
        for key in keys:
            row = (
                f"`{key.path}`",
                type_text(key.info.annotation, key.path),
                default_text(key.info),
                cell(key.info.description or ""),
            )
            out.append("| " + " | ".join(row) + " |")
    return "\n".join(out) + "\n"


def stale(doc: Path | None = None) -> str | None:
    """The problem with ``doc`` (docs/config.md by default: missing or out of date), or None if
    it matches the schema."""
    doc = doc or DOC
    try:
        if doc.read_text("utf-8") == reference():
            return None
    except FileNotFoundError:
        pass
    return (
        f"{doc.parent.name}/{doc.name} is out of date: run python -m storymap.config.reference "
        "--write\n(it lists every key of site_config.yml, made from the schema in storymap/config/)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m storymap.config.reference",
        description="Write or check docs/config.md, the reference of every site_config.yml key.",
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="write docs/config.md")
    mode.add_argument("--check", action="store_true", help="exit 1 if docs/config.md is stale")
    args = parser.parse_args(argv)
    missing = undescribed()
    if missing:
        print(
            StorymapError(
                f"{m}: no description; give the field Field(description=...)." for m in missing
            ).render(),
            file=sys.stderr,
        )
        return 1
    if args.check:
        problem = stale()
        if problem:
            print(StorymapError(problem).render(), file=sys.stderr)
            return 1
        print(f"{DOC.parent.name}/{DOC.name} is up to date ({len(fields())} keys).")
        return 0
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(reference(), "utf-8")
    print(f"Wrote {DOC.parent.name}/{DOC.name} ({len(fields())} keys).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
