"""Downloads: the figures as files a reader can take away.

In: the Config, the Geography and the figures. Out: CSV, GeoJSON and workbook files with their
attribution (:mod:`.files`, :mod:`.workbook`) and the columns each holds (:mod:`.tables`).
"""
