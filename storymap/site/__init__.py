"""Site: the only package that knows MkDocs; turns pages into the published static site.

In: the Config and the :class:`~storymap.pages.page.Page` objects and files made by
:mod:`storymap.pages`. Out: a finished site folder (theme, Content-Security-Policy, search index,
sitemap), its page weights checked against the budgets, swapped into the output folder only when
everything succeeded; and the build's cache, from which unchanged stages and pages are reused.

- :mod:`.mkdocs`: MkDocs settings and the build; :mod:`.finish`: search index and sitemap.
- :mod:`.csp`: the Content-Security-Policy of every page (no inline scripts allowed).
- :mod:`.incremental`: MkDocs rebuilds, and pages are finished, only where they changed.
- :mod:`.cache`: one store for every cached result (stages, pages, page weights).
- :mod:`.weight`, :mod:`.weightmemo`: page weight against the budgets.
- :mod:`.outdir`: the output folder, written only by swapping a finished site in.
"""
