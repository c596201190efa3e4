"""Data: reading the bundled files, fetching the publishers' files, and checking them.

In: the validated Config. Out: pandas tables (codes as text, needed columns checked) read from the
bundled file of each source or its fetched copy in ``data/cache/``; the fetched-file cache and its
manifest; ``storymap fetch`` (download, tidy, verify, install); and the data checks report. Nothing
here knows about wards' figures, pages or the site generator.

- :mod:`.sources`: read a source's table or boundaries (the fetched copy first, else bundled).
- :mod:`.validate`: checks on one table (codes, blanks, numbers, counts, ranges).
- :mod:`.checks`: every input table checked together, and the joins between them.
- :mod:`.fetched`: where fetched files live, their manifest, recording a checksum in the config.
- :mod:`.download`: HTTP downloads with retries, paging, size and time limits, safe zips.
- :mod:`.fetch`: ``storymap fetch``: download every source, tidy, verify, then install.
- :mod:`.normalise`: a publisher's raw download turned into the bundled file's tidy table.
- :mod:`.compact`: compact TopoJSON copies of boundary files (``python -m``), and reading them.
"""
