"""Command line: thin commands that parse options, load the config and call one function.

Every failure the user can fix prints one ``Error:`` block and exits with status 1; ``--debug``
shows the traceback as well.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import click

from storymap.config import load_config
from storymap.errors import StorymapError

CONFIG_OPTION = click.option(
    "--config",
    "config_path",
    default="site_config.yml",
    show_default=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The site configuration file.",
)
DEBUG_OPTION = click.option("--debug", is_flag=True, help="Show a traceback on errors.")


def friendly_errors(func: Callable) -> Callable:
    """Turn StorymapError (and anything unexpected) into an Error: block and exit status 1."""

    @wraps(func)
    def wrapper(*args, debug: bool = False, **kwargs):
        try:
            return func(*args, **kwargs)
        except StorymapError as exc:
            if debug:
                traceback.print_exc()
            click.echo(exc.render(), err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("Error: interrupted; the previous site was left as it was.", err=True)
            sys.exit(1)
        except Exception as exc:  # a bug, not a user error: say so, briefly
            if debug:
                traceback.print_exc()
            click.echo(
                f"Error: unexpected {type(exc).__name__}: {exc}\n"
                "       This is a bug in storymap. Run again with --debug and report the output.",
                err=True,
            )
            sys.exit(1)

    return wrapper


def say(message: str) -> None:
    click.echo(f"  ✓ {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="storymap")
def main() -> None:
    """Build the London over-65 digital exclusion story map.

    \b
    Example:
      storymap check
      storymap build --out site
    """


@main.command()
@CONFIG_OPTION
@click.option(
    "--out",
    default="site",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the site into (replaced only when the build succeeds).",
)
@DEBUG_OPTION
@friendly_errors
def build(config_path: Path, out: Path) -> None:
    """Build the static site from the config, data and chapters.

    \b
    Example:
      storymap build --config site_config.yml --out site
    """
    from storymap.build import build as run_build

    config = load_config(config_path)
    click.echo(f"Building {config.site.title!r} from {config_path}", err=True)
    result = run_build(config, out, report=say)
    total = sum(result.timings.values())
    click.echo(
        f"Built {result.pages} pages with {result.maps} maps into {result.out} in {total:.1f} s.",
        err=True,
    )


@main.command()
@CONFIG_OPTION
@DEBUG_OPTION
@friendly_errors
def check(config_path: Path) -> None:
    """Check the config, data and chapters without building.

    \b
    Example:
      storymap check --config site_config.yml
    """
    from storymap.build import check as run_check

    config = load_config(config_path)
    result = run_check(config, report=say)
    click.echo(f"OK: config, data and {result.pages} pages with {result.maps} maps check out.")
