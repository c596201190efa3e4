"""Allow `python -m storymap`."""

from storymap.commands.cli import main

if __name__ == "__main__":
    main(prog_name="storymap")
