"""About: how the figures are made and how far to trust them.

In: the Config, the figures, the risk index and the data checks report. Out: the method page
(:mod:`.method`), the weights explorer (:mod:`.explorer`), firm bands and "how not to use this
index" (:mod:`.guidance`), the reference tables (:mod:`.reference`) and the accessibility
statement with the footer and "Edit this page" links (:mod:`.statement`).
"""
