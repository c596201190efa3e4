"""Figures: wards and boroughs, every indicator's ward figures, and the over-65 risk index.

In: the Config and tables read by :mod:`storymap.data`. Out: a
:class:`~.geography.Geography` (ward layer, boroughs, small-area lookups), one
:class:`~.indicators.IndicatorResult` per indicator (ward, borough and area figures, ranks, class
breaks) and the :class:`~.riskindex.IndexResult`. Nothing here writes a file or knows about pages.

- :mod:`.geography`: wards, boroughs and small-area lookups; summing small areas into wards.
- :mod:`.indicators`: ward figures, rates recomputed from summed counts, ranks and classes.
- :mod:`.riskindex`: the composite index, its bands and how robust they are to the weights.
- :mod:`.neighbourhoods`: each small area's own figures, classes, lookups and hidden hotspots.
- :mod:`.weights`: population weights that share a larger area (an MSOA) between wards.
- :mod:`.format`: how every figure is shown, rounded once; :mod:`.extremes`: highest and lowest
  areas with ties kept together; :mod:`.evidence`: the data behind an indicator's direction.
"""
