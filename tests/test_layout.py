"""The package's layout: one subpackage per stage, layers that point one way (import-linter),
small modules without module-level state, and no inline script in any built page."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

PACKAGE = REPO / "storymap"
STAGES = ("config", "data", "figures", "pages", "output", "site", "engine", "commands")
MUTABLE_CALLS = {"dict", "list", "set", "defaultdict", "OrderedDict", "Counter", "deque"}
CACHING = {"cache", "lru_cache", "cached_property"}


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_layers_hold():
    """`lint-imports` checks the contracts in pyproject.toml (data -> figures -> pages -> site,
    commands on top; only storymap.site imports MkDocs)."""
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"Contracts: (\d+) kept, 0 broken", done.stdout), done.stdout
    assert int(re.search(r"Contracts: (\d+) kept", done.stdout)[1]) >= 6
    for needed in ("storymap.build", "storymap.engine", "storymap.pages.story"):
        assert needed in (REPO / "pyproject.toml").read_text("utf-8"), needed


def test_a_subpackage_per_stage_and_few_top_level_modules():
    for stage in STAGES:
        init = PACKAGE / stage / "__init__.py"
        assert init.is_file(), stage
        doc = ast.get_docstring(ast.parse(init.read_text("utf-8")))
        assert doc and "In:" in doc and "Out:" in doc, f"{stage}/__init__.py: say what comes in/out"
    top = [p for p in PACKAGE.glob("*.py")]
    assert len(top) <= 10, [p.name for p in top]


HEAVY = ("pandas", "numpy", "geopandas", "shapely", "pyproj", "mapclassify", "topojson", "mkdocs")


def test_importing_the_build_loads_no_heavy_library():
    """A rebuild whose stages all come from the cache never pays for pandas or MkDocs."""
    code = (
        "import sys, storymap.build, storymap.commands.cli\n"
        f"print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "", f"importing storymap.build loaded: {done.stdout}"


def test_the_build_names_its_stages_as_plain_imports():
    """build.py imports each stage function by name (no module paths in strings), so tools and
    import-linter can follow the pipeline."""
    tree = ast.parse((PACKAGE / "build.py").read_text("utf-8"))
    imported = {
        alias.asname or alias.name
        for node in tree.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    for stage in ("check_inputs", "load_geography", "write_map_assets", "render_pages"):
        assert stage in imported, stage
    strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)]
    assert not [v for v in strings if isinstance(v, str) and v.startswith("storymap.")], strings
    text = (PACKAGE / "build.py").read_text("utf-8")
    assert "_READ" not in text and "lazy(" not in text and "functools.cache" not in text


def test_pages_live_in_rooms():
    pages = PACKAGE / "pages"
    assert len(list(pages.glob("*.py"))) <= 10, sorted(p.name for p in pages.glob("*.py"))
    for room in ("story", "maps", "places", "about", "downloads"):
        assert (pages / room / "__init__.py").is_file(), room


@pytest.mark.parametrize("path", modules(), ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_modules_are_small_documented_and_stateless(path: Path):
    text = path.read_text("utf-8")
    assert text.count("\n") <= 400, f"{path.name}: over 400 lines; split it"
    tree = ast.parse(text)
    if path.name != "__main__.py":
        assert ast.get_docstring(tree), f"{path.name}: no module docstring"
    for node in ast.walk(tree):
        assert not isinstance(node, ast.Global), f"{path.name}: `global` statement"
    for node in tree.body:
        targets, value = [], None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                name = deco.attr if isinstance(deco, ast.Attribute) else getattr(deco, "id", "")
                if isinstance(deco, ast.Call):
                    inner = deco.func
                    name = (
                        inner.attr if isinstance(inner, ast.Attribute) else getattr(inner, "id", "")
                    )
                assert name not in CACHING, f"{path.name}: {node.name} caches in a global"
        if value is None:
            continue
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        empty = isinstance(value, ast.List | ast.Dict | ast.Set) and not (
            getattr(value, "elts", None) or getattr(value, "keys", None)
        )
        call = isinstance(value, ast.Call) and getattr(value.func, "id", "") in MUTABLE_CALLS
        constant = all(n.isupper() or n.startswith("__") for n in names)
        assert not (empty or call), f"{path.name}: {names} is module-level mutable state"
        if isinstance(value, ast.List | ast.Dict | ast.Set):
            assert constant, f"{path.name}: {names}: a module-level container, not a CONSTANT"


def test_no_page_has_an_inline_script_or_a_hashed_policy(built_site: Path):
    script = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.I | re.S)
    pages = list(built_site.rglob("*.html"))
    assert len(pages) > 700
    for page in pages:
        text = page.read_text("utf-8")
        for attrs, body in script.findall(text):
            if re.search(r"\btype\s*=\s*[\"']?application/(ld\+)?json", attrs):
                continue
            assert re.search(r"\bsrc\s*=", attrs) and not body.strip(), page.name
        policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', text)
        assert policy, page.name
        assert "sha256-" not in policy[1] and "script-src 'self';" in policy[1], page.name
