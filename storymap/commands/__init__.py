"""Commands: the command line and what its commands do beyond building.

In: options typed by the user. Out: calls into :mod:`storymap.build` (build, check), and the
preview server, publishing and new-chapter commands. Each command is thin: it parses, loads the
config and calls one function; every user error ends in one ``Error:`` block and exit status 1.

- :mod:`.cli`: the ``storymap`` command and its subcommands.
- :mod:`.serve`: live preview on 127.0.0.1, rebuilding on save (``preview.js``: its reload).
- :mod:`.publish`: build, then push the site to the ``gh-pages`` branch.
- :mod:`.gitsource`: the project's commit, uncommitted changes and git identity, for publish.
- :mod:`.newchapter`: start a chapter from the template and list it in the config.
"""
