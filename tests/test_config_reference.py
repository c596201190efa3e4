"""docs/config.md, the reference of every site_config.yml key, is complete and up to date.

Every field reachable from Config has a description (and the walker that says so can fail),
every key path is in the reference, and the committed file is what the generator writes now.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from pydantic import BaseModel, Field

from storymap.config import reference
from storymap.config.model import Config

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "config.md"


def test_every_field_reachable_from_config_has_a_description():
    missing = reference.undescribed(Config)
    assert not missing, "fields without Field(description=...): " + ", ".join(missing)


class Inner(BaseModel):
    said: int = Field(1, description="Has one.")
    unsaid: str = "x"


class Outer(BaseModel):
    inner: dict[str, list[Inner]] = Field(description="Nested twice.")
    blank: bool = Field(False, description="  ")


def test_the_walker_flags_a_missing_description_however_deep():
    assert reference.undescribed(Outer) == [
        "Outer.blank (blank)",
        "Inner.unsaid (inner.<name>[].unsaid)",
    ]


def test_every_key_path_is_in_the_reference():
    text = DOC.read_text("utf-8")
    keys = reference.fields(Config)
    assert len(keys) > 100, len(keys)
    absent = [k.path for k in keys if f"| `{k.path}` |" not in text]
    assert not absent, f"docs/config.md lacks {absent}"
    assert "path" not in {k.path for k in keys}, "Config.path is not written in the YAML"


def test_the_reference_is_what_the_generator_writes_now():
    assert DOC.read_text("utf-8") == reference.reference(), (
        "docs/config.md is out of date: run python -m storymap.config.reference --write"
    )
    assert reference.reference() == reference.reference()


def test_types_and_defaults_read_as_yaml_would_show_them():
    text = DOC.read_text("utf-8")
    assert "| `maps.no_data_colour` | text | `'#d9d9d9'` |" in text
    assert "| `index.scope` | one of `area`/`borough` | `area` |" in text
    assert "| `sources.<name>.caveats` | list of text | `[]` |" in text
    assert "| `help.libraries` | true/false | `true` |" in text
    assert "| `site.title` | text | required |" in text
    assert "&lt;script&gt;" in text and "<script>" not in text


def test_check_exits_1_with_an_error_block_and_writes_nothing(tmp_path, monkeypatch, capsys):
    stale = tmp_path / "docs" / "config.md"
    stale.parent.mkdir()
    stale.write_text("old\n", "utf-8")
    monkeypatch.setattr(reference, "DOC", stale)
    assert reference.main(["--check"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "Error: docs/config.md is out of date: run python -m storymap.config.reference --write"
    ), err
    assert stale.read_text("utf-8") == "old\n"
    assert reference.main(["--write"]) == 0
    assert reference.main(["--check"]) == 0
    assert stale.read_text("utf-8") == reference.reference()


def test_check_fails_with_an_error_block_when_stale(tmp_path: Path):
    stale = tmp_path / "config.md"
    stale.write_text(reference.reference().replace("Map height", "Height"), "utf-8")
    assert "is out of date: run python -m storymap.config.reference --write" in (
        reference.stale(stale) or ""
    )
    assert reference.stale(tmp_path / "missing.md")
    assert reference.stale(DOC) is None
    done = subprocess.run(
        [sys.executable, "-m", "storymap.config.reference", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
