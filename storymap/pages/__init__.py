"""Pages: everything a reader sees, as markdown and HTML, and the files the pages use.

In: the Config, the Geography, the IndicatorResults and the IndexResult from
:mod:`storymap.figures`, and the data checks report. Out: :class:`~.page.Page` objects (docs path,
title, markdown with raw HTML) and extra files (map geometry and data scripts, static step images,
downloads). Nothing here knows the site generator. The rooms, by what a reader meets:

- :mod:`.story`: the home page and chapters (Jinja2 in a sandbox), their scroll steps, the areas
  and ranked lists chapters name, each step's static image.
- :mod:`.maps`: the live maps' geometry and data, static SVG and PNG images, legends, place-name
  labels, text summaries of every map view, the neighbourhood maps.
- :mod:`.places`: ward and borough pages, their neighbourhoods and hotspots, the place search
  index, postcode lookups, link-preview images, the A–Z of places.
- :mod:`.about`: the method and data-checks pages, the weights explorer, the guidance, the
  accessibility statement, "where each claim is tested".
- :mod:`.downloads`: CSV, GeoJSON and workbook downloads and their columns.

Beside them: :mod:`.page` (the Page), :mod:`.urls` (every page's address), :mod:`.palette`,
:mod:`.stack` (tables that stack on a phone) and :mod:`.mdtext` (text safe in Markdown).
"""
