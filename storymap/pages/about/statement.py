"""What a reader and an author expect on every page: an accessibility statement, a contact,
and "Edit this page" links.

In: the Config (``site.contact``, ``site.organisation``, ``site.repo_url``, ``site.edit_uri``,
``maps.basemap``) and a chapter's file. Out: the accessibility statement as a
:class:`~storymap.pages.page.Page`, the footer's contact line as HTML, and a chapter's edit link.

The statement says only what the project's tests check: :data:`CHECKS` pairs each claim with
the test that holds it (``tests/test_aboutsite.py`` fails if a named test is missing), so the
statement cannot promise more than the build is held to. Its known limits are what those tests
do not cover.
"""

from __future__ import annotations

import html
import re

from storymap.config import Config
from storymap.pages.page import Page
from storymap.pages.urls import ACCESSIBILITY

PAGE = ACCESSIBILITY
TITLE = "Accessibility statement"

# (what a reader can rely on, the test that checks it as tests/FILE.py::NAME)
CHECKS = (
    (
        "No failures of WCAG 2.2 A or AA rules in an automated axe-core scan of every kind of page "
        "(home, chapter, ward, borough, method, data checks, about and downloads), on a desktop "
        "screen and on a 320-pixel-wide phone screen.",
        "test_a11y.py::test_axe_finds_no_violations",
        "test_a11y.py::test_axe_finds_no_violations_on_a_phone",
    ),
    (
        "Every page has a title that says what it is, and declares its language.",
        "test_a11y.py::test_every_page_has_a_language_and_a_descriptive_title",
    ),
    (
        "Every map is also told in words: each step of a chapter has a written summary, a table of "
        'the figures ("View as table") and a legend with the range of each colour.',
        "test_a11y.py::test_every_map_says_in_words_what_it_shows",
    ),
    (
        "Everything can be used with a keyboard alone: every step, table control and link of a "
        "chapter can be reached with the Tab key, focus is always visible and never hidden behind "
        "the map, and a step reached by keyboard shows its view on the map.",
        "test_a11y.py::test_keyboard_reaches_every_step_control_and_link_of_a_chapter",
        "test_a11y.py::test_a_step_reached_by_keyboard_shows_its_view_on_the_map",
        "test_story_browser.py::test_tab_reaches_every_step_and_table_control_and_focus_is_never_"
        "behind_the_map",
    ),
    (
        "Pages reflow on a screen 320 pixels wide without scrolling sideways, "
        "and nothing overlaps.",
        "test_a11y.py::test_pages_reflow_at_320_px_without_horizontal_scrolling",
        "test_story_browser.py::test_phone_width_nothing_overlaps",
    ),
    (
        "Text, links, focus rings and legend swatches meet WCAG contrast ratios (4.5:1 for text, "
        "3:1 for outlines), links are underlined rather than marked by colour alone, and the map "
        "colours run from light to dark in a colour-blind-safe palette.",
        "test_contrast.py::test_body_text_and_links_contrast_with_the_page",
        "test_contrast.py::test_links_are_underlined_not_marked_by_colour_alone",
        "test_contrast.py::test_focus_rings_contrast_with_what_they_sit_on",
        "test_contrast.py::test_ward_outlines_contrast_with_every_fill",
        "test_contrast.py::test_configured_palette_is_ordered_light_to_dark",
    ),
    (
        "Without JavaScript every step still shows its map as an image with its summary, and the "
        "contents stay available.",
        "test_story_browser.py::test_without_javascript_each_step_shows_its_image",
        "test_theme.py::test_without_javascript_the_contents_remain_and_search_is_hidden",
    ),
    (
        "If you ask your device for less motion, the map jumps between views instead of flying.",
        "test_story_browser.py::test_reduced_motion_jumps_instead_of_flying",
    ),
    (
        "Pages are small enough for slow connections: every page is held to a download budget, and "
        "nothing is loaded from another website.",
        "test_weight.py::test_every_page_is_within_the_configured_budgets",
        "test_build.py::test_no_page_links_to_a_third_party_host",
    ),
)

LIMITS = (
    "The interactive map itself cannot be explored area by area with a screen reader. Each "
    'step\'s written summary and its "View as table" give the same figures.',
    "The checks above are automated. The site has not yet been tested by disabled people using "
    "their own assistive technology; we would value hearing how it works for you.",
    "The downloads (CSV spreadsheets and GeoJSON map files) are data files: they are not "
    "checked for accessibility beyond having a data dictionary.",
    "Ward boundaries are simplified, so small wards can be hard to pick out on the map; the "
    "ward pages and search give every ward's figures as text.",
)


def accessibility_page(config: Config, section: str | None) -> Page:
    """The statement, from :data:`CHECKS` and :data:`LIMITS` and the config's contact."""
    site = config.site
    who = site.organisation or "the team that publishes it"
    limits = list(LIMITS)
    if config.maps.basemap is not None:
        limits.append(
            "The background map (tiles from another website, chosen for this site) is not "
            "checked for contrast."
        )
    lines = [
        f"# {TITLE}",
        "",
        f"This statement covers *{_md(site.title)}*, run by {_md(who)}. We want as many people "
        "as possible to be able to use it. It aims to meet the Web Content Accessibility "
        "Guidelines (WCAG) 2.2 at level AA, as the Public Sector Bodies Accessibility "
        "Regulations 2018 ask.",
        "",
        "## What is checked every time the site is built",
        "",
        "Each of these is checked by an automated test of the site, in a real web browser "
        "where it matters:",
        "",
        *[f"- {claim}" for claim, *_tests in CHECKS],
        "",
        "## What we know is not yet right",
        "",
        *[f"- {limit}" for limit in limits],
        "",
        "## Feedback and contact",
        "",
        contact_sentence(
            config, "If you find a problem not listed here, or need the figures in another format"
        ),
        "",
        "## If you are not happy with our response",
        "",
        "The Equality and Human Rights Commission is responsible for enforcing the "
        "accessibility regulations. If you are not happy with how we respond to your "
        "complaint, contact the Equality Advisory and Support Service (EASS).",
        "",
        "## How this statement was prepared",
        "",
        "It is written by the tool that builds the site, from the checks listed above, each of "
        "which is run on the site before it is published.",
        "",
    ]
    return Page(PAGE, TITLE, "\n".join(lines), section)


def contact_sentence(config: Config, lead: str) -> str:
    """ "<lead>, email x@y." (markdown), or what to do when the site names no contact."""
    contact = config.site.contact
    if not contact:
        return (
            f"{lead}, please tell the organisation that shared this site with you: this site "
            "does not yet give a contact address."
        )
    return f"{lead}, {_contact_link(contact)}."


def footer_html(config: Config) -> str:
    """The footer's feedback line (HTML), or "" when the site names no contact; the theme adds
    the link to the accessibility statement after it."""
    contact = config.site.contact
    if not contact:
        return ""
    link = _contact_link(contact)
    return f"Questions or feedback? {link[:1].upper()}{link[1:]}."


def edit_link(config: Config, file: str) -> str:
    """An "Edit this page" paragraph for a page made from ``file``, or "" without repo_url."""
    repo = config.site.repo_url
    if not repo:
        return ""
    url = f"{repo.rstrip('/')}/{config.site.edit_uri.strip('/')}/{file.lstrip('./')}"
    return (
        f'\n\n<p class="page-edit"><a href="{html.escape(url)}">Edit this page</a> '
        "(for the project team: opens the chapter's file in the repository)</p>\n"
    )


def _contact_link(contact: str) -> str:
    """ "email <a mailto>" for an address, "contact us at <a>" for a web page, else the text."""
    text = html.escape(contact)
    if re.fullmatch(r"[^@\s:/]+@[^@\s:/]+\.[^@\s:/]+", contact):
        return f'email <a href="mailto:{text}">{text}</a>'
    if re.match(r"https?://", contact):
        return f'contact us at <a href="{text}">{text}</a>'
    return f"contact {text}"


def _md(text: str) -> str:
    """Plain text made safe inside markdown prose (no markup, no HTML)."""
    return html.escape(text).replace("*", r"\*").replace("_", r"\_")
