"""The build engine: what makes a rebuild fast and a failed build harmless, knowing nothing of
what the site is made of.

In: stages (plain functions) and the inputs they are given. Out: their values, from the store
while the inputs and the code are unchanged. :mod:`.runner` runs and times the stages;
:mod:`.keys` hashes inputs and code; :mod:`.store` keeps values and files between builds;
:mod:`.pickled` pickles them; :mod:`.fork` runs work in a second process; :mod:`.outdir` swaps
a finished site into the output folder; :mod:`.files` writes and links files.
"""
