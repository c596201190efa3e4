"""Pages: everything a reader sees, as markdown and HTML, and the files the pages use.

In: the Config, the Geography, the IndicatorResults and the IndexResult from
:mod:`storymap.figures`, and the data checks report. Out: :class:`~.page.Page` objects (docs path,
title, markdown with raw HTML) and extra files (map geometry and data scripts, static step images,
downloads). Nothing here knows the site generator.

- :mod:`.chapters` and :mod:`.steps`: chapters rendered with Jinja2, their scroll steps;
  :mod:`.templatesyntax`: Jinja syntax errors told in plain words; :mod:`.places`: the areas,
  figures and ranked lists chapters name.
- :mod:`.aboutsite`: the accessibility statement, the footer contact, "Edit this page" links.
- :mod:`.maps`, :mod:`.mapcodec`, :mod:`.mapgeometry`: the map figures and their compact data.
- :mod:`.staticmap`, :mod:`.svg`: images drawn at build time (no JavaScript needed).
- :mod:`.alt`: text summaries and tables for every map view.
- :mod:`.profiles`, :mod:`.ward_parts`, :mod:`.borough_parts`: ward and borough pages.
- :mod:`.neighbourhoods`, :mod:`.neighbourhood_map`, :mod:`.hotspots`: the neighbourhoods
  (LSOAs) inside each ward and borough, their maps and shared shape files, hidden hotspots.
- :mod:`.legend`, :mod:`.labels`, :mod:`.stack`: legends that read true, place-name labels
  placed without collisions, tables that stack on a phone.
- :mod:`.method`: the risk index's method page and the data checks page; :mod:`.explorer`: its
  weights explorer; :mod:`.guidance`: firm bands and "How not to use this index".
- :mod:`.downloads`: CSV, GeoJSON and workbook downloads and the data dictionary;
  :mod:`.tables`: their columns; :mod:`.workbook`: the Excel file.
"""
