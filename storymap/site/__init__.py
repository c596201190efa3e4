"""Site: the only package that knows MkDocs; turns pages into the published static site.

In: the Config and the :class:`~storymap.pages.page.Page` objects and files made by
:mod:`storymap.pages`. Out: a finished site folder (theme, search index, sitemap).

- :mod:`.mkdocs`: MkDocs settings and the build; :mod:`.finish`: search index and sitemap.
- :mod:`.incremental`: MkDocs rebuilds, and pages are finished, only where they changed.
- :mod:`.mdplugin`, :mod:`.plainmd`, :mod:`.rawhtml`: storymap's MkDocs plugin, and pages of
  headings and raw HTML written without Python-Markdown where that gives the same HTML.
"""
