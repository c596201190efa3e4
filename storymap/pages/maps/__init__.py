"""Maps: what every map is drawn from, live (JavaScript) and static (SVG, PNG).

In: the Config, the Geography and the figures. Out: map geometry and data files
(:mod:`.assets`, :mod:`.files`, :mod:`.geometry`, :mod:`.codec`), static images (:mod:`.static`,
:mod:`.svg`, :mod:`.raster`), legends (:mod:`.legend`), place-name labels (:mod:`.labels`), text
summaries and tables of every map view (:mod:`.alt`), and the neighbourhood maps
(:mod:`.neighbourhood`).
"""
