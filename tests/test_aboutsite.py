"""Pages an author expects: the accessibility statement (made from what the tests check), the
feedback contact in every footer, "Edit this page" links, and printing on A4 with legends and
tables kept whole and no heading left at the foot of a page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import REPO

from storymap.build import indicators
from storymap.config import load_config
from storymap.figures.geography import load_geography
from storymap.figures.help import compute_help
from storymap.pages.about.statement import (
    CHECKS,
    LIMITS,
    accessibility_page,
    edit_link,
    footer_html,
)
from storymap.pages.story.render import render_pages


@pytest.fixture(scope="module")
def config():
    return load_config(REPO / "site_config.yml")


def with_site(config, **changes):
    return config.model_copy(update={"site": config.site.model_copy(update=changes)})


def test_every_claim_of_the_statement_is_held_by_a_test_that_exists():
    defined = {
        f"{path.name}::{name}"
        for path in (REPO / "tests").glob("test_*.py")
        for name in re.findall(r"^def (test_\w+)", path.read_text("utf-8"), re.M)
    }
    named = [test for _claim, *tests in CHECKS for test in tests]
    assert len(named) >= 15
    assert [t for t in named if t not in defined] == []


def test_the_statement_names_the_aim_the_checks_the_limits_and_the_contact(config):
    page = accessibility_page(
        with_site(
            config, contact="inclusion@brent.example", organisation="the London Borough of Brent"
        ),
        "About",
    )
    text = page.markdown
    assert page.path == "accessibility.md" and page.title == "Accessibility statement"
    assert "run by the London Borough of Brent" in text
    assert "Web Content Accessibility Guidelines (WCAG) 2.2 at level AA" in text
    for claim, *_tests in CHECKS:
        assert f"- {claim}" in text
    for limit in LIMITS:
        assert f"- {limit}" in text
    assert (
        'or need the figures in another format, email <a href="mailto:inclusion@brent.example">'
        "inclusion@brent.example</a>."
    ) in text
    assert "Equality Advisory and Support Service" in text


def test_without_a_contact_the_statement_says_so_and_the_footer_asks_nothing(config):
    assert config.site.contact is None
    text = accessibility_page(config, None).markdown
    assert "this site does not yet give a contact address" in text
    assert footer_html(config) == ""


def test_the_footer_contact_is_a_link_and_never_a_script(config):
    assert footer_html(with_site(config, contact="https://brent.example/feedback")) == (
        'Questions or feedback? Contact us at <a href="https://brent.example/feedback">'
        "https://brent.example/feedback</a>."
    )
    assert footer_html(with_site(config, contact="javascript:alert(1)")) == (
        "Questions or feedback? Contact javascript:alert(1)."
    )


def test_pages_from_chapters_get_an_edit_link_when_repo_url_is_set(config):
    assert edit_link(config, "chapters/01-introduction.md") == ""
    github = with_site(config, repo_url="https://github.com/london-org/storymap/")
    geo = load_geography(github)
    results, index = indicators(github, geo)
    pages, _maps, _files = render_pages(
        github, geo, results, None, None, index, help_=compute_help(github, geo, index)
    )
    by_path = {p.path: p for p in pages}
    link = (
        '<a href="https://github.com/london-org/storymap/edit/main/chapters/'
        '01-introduction.md">Edit this page</a>'
    )
    assert link in by_path["introduction.md"].markdown
    assert "/edit/main/chapters/index.md" in by_path["index.md"].markdown
    assert "Edit this page" not in by_path["accessibility.md"].markdown  # not from a file
    gitlab = with_site(config, repo_url="https://gitlab.com/o/r", edit_uri="-/edit/dev/site/")
    assert 'href="https://gitlab.com/o/r/-/edit/dev/site/chapters/x.md"' in edit_link(
        gitlab, "chapters/x.md"
    )


def test_every_built_page_links_to_the_statement(built_site: Path):
    assert (built_site / "accessibility.html").is_file()
    for page, href in [
        ("index.html", "accessibility.html"),
        ("wards/camden/E05013660.html", "../../accessibility.html"),
    ]:
        text = (built_site / page).read_text("utf-8")
        assert f'<a href="{href}">Accessibility statement</a>' in text, page


@pytest.mark.browser
def test_print_is_a4_with_legends_and_tables_whole_and_headings_kept_with_their_text(
    site_url, page, tmp_path
):
    page.goto(f"{site_url}/where-older-londoners-live.html", wait_until="load")
    page.emulate_media(media="print")
    styles = page.evaluate("""() => {
      const of = (sel, prop) => {
        const el = document.querySelector(sel);
        return el ? getComputedStyle(el).getPropertyValue(prop) : null;
      };
      return {legend: of('.step-alt .storymap-legend', 'break-inside'),
              table: of('.step-table table, table', 'break-inside'),
              step: of('.storymap-step', 'break-inside'),
              h2: of('.page-text h2', 'break-after'),
              h1: of('.page-text h1', 'break-after'),
              nav: of('.nav-wide', 'display')};
    }""")
    assert styles == {
        "legend": "avoid",
        "table": "avoid",
        "step": "avoid",
        "h2": "avoid",
        "h1": "avoid",
        "nav": "none",
    }
    pdf = page.pdf(prefer_css_page_size=True)
    (tmp_path / "chapter.pdf").write_bytes(pdf)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert boxes, "no page sizes in the PDF"
    for width, height in boxes:  # A4 is 595.28 x 841.89 points; US Letter is 612 x 792
        assert abs(float(width) - 595.28) < 1 and abs(float(height) - 841.89) < 1
