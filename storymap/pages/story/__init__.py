"""The story: the home page and chapters, each with scroll steps beside one map.

In: the Config, the figures and the map assets. Out: the chapters' Pages and the files they use
(step images, label files). :mod:`.render` renders every chapter (from the cache when unchanged),
:mod:`.chapters` one chapter, :mod:`.steps` its scroll steps, :mod:`.sandbox` and
:mod:`.templatesyntax` the Jinja sandbox and its errors in plain words, :mod:`.named` the areas
and ranked lists a chapter names, :mod:`.stepimages` each step's static image.
"""
