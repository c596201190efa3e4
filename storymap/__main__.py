"""Allow `python -m storymap`."""

from storymap.cli import main

if __name__ == "__main__":
    main()
