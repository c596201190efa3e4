"""Output checks: what every built page must be before it is published.

In: the built pages' HTML and the Config's budgets. Out: each page's Content-Security-Policy
(:mod:`.csp`), pages refused when a browser would read them wrongly (:mod:`.htmlcheck`), and page
weights against the budgets (:mod:`.weight`, measured afresh only where a page changed:
:mod:`.weightmemo`). Nothing here knows MkDocs.
"""
