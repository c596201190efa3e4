"""Command line: thin commands that parse options, load the config and call one function.

Every failure the user can fix prints one ``Error:`` block and exits with status 1; ``--debug``
shows the traceback as well. So do usage mistakes (an unknown option, a bad value: ``Commands``)
and faults of the machine a user can fix (disk full, a file-size limit, a read-only folder:
``USER_FAULTS``), never "This is a bug".
"""

from __future__ import annotations

import errno
import math
import signal
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path

import click

from storymap.config import load_config
from storymap.errors import StorymapError, masked

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
        except OSError as exc:
            if exc.errno not in USER_FAULTS:
                raise_as_bug(exc, debug)
            if debug:
                traceback.print_exc()
            click.echo(StorymapError(os_fault(exc)).render(), err=True)
            sys.exit(1)
        except Exception as exc:  # a bug, not a user error: say so, briefly
            raise_as_bug(exc, debug)

    return wrapper


# Faults of the machine a user can fix (space, limits, permissions), each with what to do.
USER_FAULTS = {
    errno.ENOSPC: "free some disk space",
    errno.EDQUOT: "free some space within your disk quota",
    errno.EFBIG: "raise the file-size limit (ulimit -f) or free space",
    errno.EROFS: "choose a folder on a disk you can write to",
    errno.EACCES: "fix the file's permissions or choose another folder",
    errno.EPERM: "fix the file's permissions or choose another folder",
}


def os_fault(exc: OSError) -> str:
    """The message for a fault of the machine (disk full, file too large, read only)."""
    where = (
        f"cannot write or read {exc.filename}" if exc.filename else "a file could not be written"
    )
    return (
        f"{where}: {exc.strerror or exc}. Nothing was replaced: the previous "
        f"site, cache and files were left as they were. {USER_FAULTS[exc.errno].capitalize()}, "
        "then run the command again."
    )


def raise_as_bug(exc: Exception, debug: bool) -> None:
    if debug:
        traceback.print_exc()
    click.echo(
        f"Error: unexpected {type(exc).__name__}: {exc}\n"
        "       This is a bug in storymap. Run again with --debug and report the output.",
        err=True,
    )
    sys.exit(1)


def seconds(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """A number of seconds: finite and above 0."""
    if not math.isfinite(value) or value <= 0:
        raise click.BadParameter(f"{value} is not a number of seconds above 0, e.g. 60.")
    return value


def at_least_zero(ctx: click.Context, param: click.Parameter, value: float) -> float:
    if not math.isfinite(value) or value < 0:
        raise click.BadParameter(f"{value} is not a finite number of 0 or more, e.g. 1.")
    return value


class Commands(click.Group):
    """The command group; a usage error (an unknown option, a bad value) is one ``Error:``
    block and exit status 1, like every other mistake."""

    def main(self, *args, **kwargs):
        kwargs.pop("standalone_mode", None)
        if hasattr(signal, "SIGXFSZ"):  # past a file-size limit, a write fails (EFBIG)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        try:
            done = super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as exc:
            if type(exc).__name__ == "NoArgsIsHelpError" and exc.ctx is not None:
                click.echo(exc.ctx.get_help())  # `storymap` alone: the help, as before
                sys.exit(0)
            command = exc.ctx.command_path if exc.ctx else "storymap"
            message = exc.format_message()
            click.echo(
                StorymapError(
                    f"{message}{'' if message.endswith(('.', '?')) else '.'}\n"
                    f"Run `{command} --help` for the options and an example."
                ).render(),
                err=True,
            )
            sys.exit(1)
        except click.ClickException as exc:
            click.echo(StorymapError(exc.format_message()).render(), err=True)
            sys.exit(1)
        except click.Abort:
            click.echo("Error: interrupted; nothing was changed.", err=True)
            sys.exit(1)
        if isinstance(done, int) and done:
            sys.exit(done)
        return done


def say(message: str) -> None:
    click.echo(f"  ✓ {message}", err=True)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
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
    type=click.Path(path_type=Path),  # a file here is refused by build with an Error:, status 1
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
    from storymap.data.fetched import describe_origins

    say(describe_origins(config))
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


@main.command()
@CONFIG_OPTION
@click.option(
    "--remote",
    default="origin",
    show_default=True,
    help="Git remote name, or a repository URL or path, to publish to.",
)
@click.option("--branch", default="gh-pages", show_default=True, help="Branch to publish to.")
@click.option("--message", default=None, help="Commit message for the published site.")
@click.option(
    "--allow-dirty",
    is_flag=True,
    help="Publish even if chapters, config or data have uncommitted changes (the commit "
    "message says so).",
)
@DEBUG_OPTION
@friendly_errors
def publish(
    config_path: Path, remote: str, branch: str, message: str | None, allow_dirty: bool
) -> None:
    """Build the site and push it to the gh-pages branch (nothing is pushed if the build fails).

    The chapters, config and data must be committed first, so the live site matches a commit
    (its message records which); the commit is made with your git identity (the repository's
    git config, else your global one). Your own files and branches are not touched: the site
    is committed in a temporary folder.

    \b
    Example:
      storymap publish
      storymap publish --remote https://github.com/ORG/REPO.git --message "Add chapter 9"
    """
    from storymap.commands.publish import publish as run_publish

    config = load_config(config_path)
    click.echo(f"Publishing {config.site.title!r} to branch {branch} of {masked(remote)}", err=True)
    result = run_publish(
        config, remote=remote, branch=branch, message=message, report=say, allow_dirty=allow_dirty
    )
    click.echo(
        f"Published {result.commit[:8]} to branch {result.branch} of {masked(result.remote)}."
    )
    if result.url:
        click.echo(f"The site will be at {result.url} within a few minutes.")
    else:
        click.echo("Set site.url in site_config.yml to have the public address shown here.")


@main.command()
@CONFIG_OPTION
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(1, 65535),
    help="Port on 127.0.0.1 to serve the preview on.",
)
@DEBUG_OPTION
@friendly_errors
def serve(config_path: Path, port: int) -> None:
    """Preview the site in your browser; it rebuilds and reloads when you save a file.

    Watches site_config.yml, chapters/ and data/; the open page reloads itself after each
    save. A mistake is reported here and in a banner on the page, the last good build stays
    on screen, and no mistake stops the preview. Stop with Ctrl+C.

    \b
    Example:
      storymap serve
      storymap serve --port 8001
    """
    from storymap.commands.serve import serve as run_serve

    run_serve(config_path, port=port, echo=lambda msg: click.echo(msg, err=True))


@main.command("new-chapter")
@click.argument("title")
@CONFIG_OPTION
@DEBUG_OPTION
@friendly_errors
def new_chapter(title: str, config_path: Path) -> None:
    """Start a new chapter called TITLE and add it to site_config.yml.

    The chapter goes before "About the data" if that is the last chapter, else at the end.

    \b
    Example:
      storymap new-chapter "Getting online at the library"
    """
    from storymap.commands.newchapter import new_chapter as run_new_chapter

    made = run_new_chapter(config_path, title)
    where = f"before {made.before!r}" if made.before else "at the end"
    click.echo(f"Wrote {made.file} and listed it in {config_path.name} ({where}).")
    click.echo("Edit it, and watch it change with: storymap serve")


@main.command()
@CONFIG_OPTION
@click.option("--source", "sources", multiple=True, metavar="ID", help="Fetch only this source.")
@click.option("--update", is_flag=True, help="Accept new checksums and record them in the config.")
@click.option(
    "--timeout",
    default=60.0,
    show_default=True,
    callback=seconds,
    help="Seconds to wait for a server.",
)
@click.option(
    "--retries",
    default=3,
    show_default=True,
    type=click.IntRange(0, 20),
    help="Retries on 5xx and lost connections.",
)
@click.option(
    "--backoff",
    default=1.0,
    show_default=True,
    callback=at_least_zero,
    help="Back-off factor between retries.",
)
@click.option(
    "--base-url",
    default=None,
    metavar="URL",
    help="Send every request to this server instead (same paths), e.g. a local mirror.",
)
@DEBUG_OPTION
@friendly_errors
def fetch(
    config_path: Path,
    sources: tuple[str, ...],
    update: bool,
    timeout: float,
    retries: int,
    backoff: float,
    base_url: str | None,
) -> None:
    """Download the publishers' files into data/cache and tidy them.

    Every source with url: and format: in the config is fetched, checked against its sha256:,
    and moved into data/cache only if all succeed; otherwise the cache is left as it was.
    `storymap build` then prefers data/cache and never needs the network.

    \b
    Example:
      storymap fetch
      storymap fetch --source iod2019 --update
    """
    from storymap.data.fetch import FetchOptions, fetch_sources

    config = load_config(config_path)
    options = FetchOptions(
        timeout=timeout, retries=retries, backoff=backoff, base_url=base_url, update=update
    )
    done = fetch_sources(config, list(sources) or None, options, report=say)
    for f in done:
        if config.sources[f.source_id].sha256 is None:
            click.echo(
                f"Note: {f.source_id} had no sha256 in {config_path.name}; recorded "
                f"{f.sha256[:12]}… there, and later fetches are checked against it.",
                err=True,
            )
    click.echo(f"Fetched {len(done)} source(s) into data/cache.", err=True)
