"""Raw HTML set aside before Markdown and put back after gives the HTML Markdown itself gives.

storymap.site.rawhtml keeps MkDocs from parsing the HTML storymap generated; these tests convert
every page of the real site both ways with Python-Markdown (MkDocs' extensions) and compare.
"""

from __future__ import annotations

import markdown
import pytest

from storymap.figures.help import compute_help
from storymap.pages.places.profiles import profile_pages
from storymap.pages.story.render import render_pages
from storymap.site.mkdocs import mkdocs_config
from storymap.site.plainmd import convert as plain
from storymap.site.rawhtml import restore, stash


@pytest.fixture(scope="module")
def site_pages(real_figures):
    config, geo, results, index = real_figures
    pages, _maps, _files = render_pages(
        config, geo, results, None, None, index, help_=compute_help(config, geo, index)
    )
    return config, pages + profile_pages(config, geo, results)


def convert(text: str, extensions: list[str]) -> str:
    return markdown.markdown(text, extensions=extensions)


def test_every_page_converts_to_the_same_html(site_pages, tmp_path):
    config, pages = site_pages
    extensions = mkdocs_config(config, pages, [], tmp_path, tmp_path)["markdown_extensions"]
    assert len(pages) > 700
    set_aside = set()
    for page in pages:
        reduced, kept = stash(page.markdown)
        fast = restore(convert(reduced, extensions), kept)
        assert fast == convert(page.markdown, extensions), page.path
        if kept.blocks:
            set_aside.add(page.path.split("/")[0])
    assert {"wards", "boroughs", "method.md"} <= set_aside


def test_scripts_and_styles_without_a_tag_in_them_are_set_aside():
    text = (
        '<script src="a.js" defer> </script><style>.s td::before{content:"A"}</style>'
        "<table><tr><td>1</td></tr></table>\n\n<style>a[title='<b>']{}</style><p>x</p>"
    )
    reduced, kept = stash(text)
    assert kept.blocks == [
        '<script src="a.js" defer> </script>\n<style>.s td::before{content:"A"}'
        "</style>\n<table><tr><td>1</td></tr></table>\n"
    ]
    assert "<style>a[title='<b>']{}</style>" in reduced


EXTENSIONS = ["attr_list", "md_in_html", "tables", "toc", "admonition"]


@pytest.mark.parametrize(
    "text",
    [
        "# T\n\n<figure><p>a</p></figure>\n<p class=x>b</p>\n\n## H\n\n<p>c</p>\n\ntext",
        "<ul><li>a</li></ul><p>b</p><ul><li>c</li></ul>",
        "<p>x</p>",
        "<div>\n\n<p>x</p>\n\n</div>",  # unclosed at its block's end: left to Markdown
        "<div>\n<div>\n\n<p>x</p>\n\n</div>\n\n<p>y</p>\n\n</div>\n\n<p>z</p>",
        '<div markdown="1">\n*md inside*\n</div>',  # md_in_html converts inside: left
        "<p>foo</p>\nbar\n\nmore *text*",  # text after the element: left
        "<div>a</div> tail\n\n<div>b</div>",
        "<!-- a comment --><p>x</p>",
        "<p>one</p>\n\n\n<p>two</p>\n\n   \n<table><tr><td>3</td></tr></table>\n",
        "- a list\n\n<p>after it</p>\n\n    <p>indented: code</p>",
        "<details><summary>S</summary>\n<p>x</p>\n</details>\n\n!!! note\n    an admonition",
        "<div/>\n\n<p>x</p>",
        "<span>inline</span> text\n\n<hr>",
        '<script src="a.js" defer> </script><style>.x td::before{content:"A"}</style><table>'
        "<tr><td>1</td></tr></table>\n\n<p>after</p>",
        "<style>p > a{color:red}</style><p>x</p>",
        "<style>a[title='<b>']{}</style><p>x</p>",  # a "<" in the text: left to Markdown
        "<script>if (a < b) {}</script>\n\n<p>x</p>",
        "<style>a{}</style>\n<div>\n\n*not html*\n\n</div>",
    ],
)
def test_set_aside_only_what_markdown_passes_through(text):
    reduced, kept = stash(text)
    assert restore(convert(reduced, EXTENSIONS), kept) == convert(text, EXTENSIONS)


def test_a_placeholder_that_does_not_come_back_is_refused():
    reduced, kept = stash("<p>x</p>\n\n<p>y</p>")
    assert kept.blocks
    assert restore("<p>something else</p>", kept) is None
    assert restore(convert(reduced, EXTENSIONS).replace("<p>", "<p class=z>", 1), kept) is None


def _markdown_toc(text: str, extensions: list[str]) -> tuple[str, list]:
    md = markdown.Markdown(extensions=extensions)
    return md.convert(text), md.toc_tokens


def test_pages_of_headings_and_html_convert_without_markdown_to_what_markdown_gives(
    site_pages, tmp_path
):
    """storymap.site.plainmd: nearly every ward and borough page takes the way without Markdown
    (a name with an apostrophe, escaped in the markdown, is left to Markdown), and every page
    that takes it gets Markdown's own HTML, table of contents and title."""
    config, pages = site_pages
    extensions = mkdocs_config(config, pages, [], tmp_path, tmp_path)["markdown_extensions"]
    converted = set()
    for page in pages:
        reduced, kept = stash(page.markdown)
        done = plain(reduced, kept.words(), kept.blocks)
        if done is None:
            continue
        converted.add(page.path)
        html, tokens = _markdown_toc(page.markdown, extensions)
        assert restore(done.html, kept) == html, page.path
        assert done.toc_tokens == tokens, page.path
        title = tokens[0]["name"] if html.startswith("<h1") else None
        assert done.title == title, page.path
    places = {p.path for p in pages if p.path.startswith(("wards/", "boroughs/"))}
    assert len(places) > 700 and len(places & converted) >= 0.95 * len(places)


@pytest.mark.parametrize(
    "text",
    [
        "# St. Mary's (North)\n\n<p>x</p>\n\n## Older residents\n\n## Older residents\n\n### A-Z",
        "## Sources\n\n<ul><li>a</li></ul>\n\n# Title later",
        "# 1st ward, east\n\n<table><tr><td id=t>1</td></tr></table>",
        "# Eastbrook &amp; Rush Green\n\n## Eastbrook &amp; Rush Green",
    ],
)
def test_headings_and_html_convert_as_markdown_converts_them(text):
    reduced, kept = stash(text)
    done = plain(reduced, kept.words(), kept.blocks)
    assert done is not None
    html, tokens = _markdown_toc(text, EXTENSIONS)
    assert (restore(done.html, kept), done.toc_tokens) == (html, tokens)


@pytest.mark.parametrize(
    "text",
    [
        "# Fish & chips\n\n<p>x</p>",  # a bare "&": escaped by Markdown, left to it
        "# *Emphasis*",
        "# Title {: #own-id }",
        "# Title\n\nsome text",
        "# Title\n\n\n<p>x</p>",  # two blank lines
        "# Title #",
    ],
)
def test_anything_else_is_left_to_markdown(text):
    reduced, kept = stash(text)
    assert plain(reduced, kept.words(), kept.blocks) is None
