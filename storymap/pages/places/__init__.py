"""Places: a page for every ward and borough, and the ways a reader finds theirs.

In: the Config, the Geography, the figures and the risk index. Out: ward and borough Pages
(:mod:`.profiles`, :mod:`.ward`, :mod:`.borough`, :mod:`.neighbourhoods`, :mod:`.hotspots`,
:mod:`.boroughs`), the place search index (:mod:`.search`), postcode lookups
(:mod:`.postcodes`), link-preview images (:mod:`.share`) and the A–Z page (:mod:`.wayfinding`).
"""
