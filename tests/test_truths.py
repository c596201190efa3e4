"""Every sentence true: one rounding rule, ties sharing a rank, deciles and ranges told truly.

Rounding: every formatter rounds half away from zero from the figure's decimal digits, so exact
halves, positive and negative, go away from zero (13.35 -> 13.4, -0.015 -> -0.02, -0.025 ->
-0.03), where rounding the binary expansion took 13.35 and -0.015 down and -0.025 up. The weights
explorer's JavaScript rounds the same (checked in Chromium). Ranks: wards (and boroughs) showing
the same figure share a rank. Deciles: one definition, tenths closed where the running count
comes nearest an equal share, so many equal values never leave deciles empty. Figures are
recomputed here from the bundled data, not read from the site.
"""

from __future__ import annotations

import subprocess
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from storymap.figures.format import (
    about,
    approximately,
    format_count,
    format_number,
    format_value,
    ordinal,
    percent_of,
    shown,
)
from storymap.figures.indicators import shown_values

PERCENT = SimpleNamespace(unit="percent", decimals=1)
SCORE = SimpleNamespace(unit="score", decimals=2)
COUNT = SimpleNamespace(unit="count", decimals=1)

# (value, decimals, as shown): exact decimal halves, both signs, whose binary expansions lie on
# either side of the half
HALVES = [
    (-0.015, 2, "-0.02"),
    (-0.025, 2, "-0.03"),
    (0.015, 2, "0.02"),
    (0.025, 2, "0.03"),
    (13.35, 1, "13.4"),
    (-13.35, 1, "-13.4"),
    (2.675, 2, "2.68"),
    (-2.675, 2, "-2.68"),
    (1.005, 2, "1.01"),
    (0.5, 0, "1"),
    (-0.5, 0, "-1"),
    (2.5, 0, "3"),
    (-2.5, 0, "-3"),
    (1234.5, 0, "1,235"),
    (-1234.5, 0, "-1,235"),
]


def by_hand(value: float, digits: int) -> str:
    """The figure a reader rounding the written decimal by hand gets: half away from zero on
    the exact fraction the decimal names (Fraction of the written text, not of the float)."""
    exact = Fraction(repr(value))
    scaled = abs(exact) * 10**digits
    whole = int(scaled) + (1 if scaled - int(scaled) >= Fraction(1, 2) else 0)
    text = f"{Decimal(whole).scaleb(-digits):,f}"
    return "-" + text if exact < 0 and whole else text


@pytest.mark.parametrize(("value", "digits", "text"), HALVES)
def test_exact_halves_go_away_from_zero_in_every_formatter(value, digits, text) -> None:
    assert by_hand(value, digits) == text  # the expectation itself, worked independently
    assert format_number(value, digits) == text
    assert str(shown(value, digits)) == text.replace(",", "")
    assert shown_values(np.array([value]), SimpleNamespace(unit="score", decimals=digits))[
        0
    ] == float(text.replace(",", ""))
    if digits == 1:
        assert format_value(value, PERCENT) == text + "%"
    if digits == 2:
        assert format_value(value, SCORE) == text
    if digits == 0:
        assert format_count(value) == text
        assert format_value(value, COUNT) == text


def test_the_binary_expansion_no_longer_decides() -> None:
    # the floats nearest these halves lie below (13.35, -0.015) and above (-0.025) them: the
    # old rule read them so and rounded the halves both ways
    assert Decimal(13.35) < Decimal("13.35") and Decimal(-0.015) > Decimal("-0.015")
    assert Decimal(-0.025) < Decimal("-0.025")
    assert Decimal(13.35).quantize(Decimal("0.1"), ROUND_HALF_UP) == Decimal("13.3")
    assert format_value(13.35, PERCENT) == "13.4%"
    # just either side of a half: the full value decides, once (never 11.65 then 11.7)
    assert format_value(11.6497, PERCENT) == "11.6%"
    assert format_value(13.3499999999, PERCENT) == "13.3%"
    assert format_value(-0.0149999999, SCORE) == "-0.01"
    assert format_value(-0.004, SCORE) == "0.00"  # no "-0.00"


def test_large_counts_and_shares_round_halves_away_from_zero() -> None:
    assert approximately(166_500) == "167,000" and approximately(-166_500) == "-167,000"
    assert approximately(1_045_000) == "1.05 million"
    assert approximately(-1_045_000) == "-1.05 million"
    assert about(2_345_000) == "about 2.35 million" and about(12_350) == "about 12,400"
    assert approximately(999.5) == "1,000" and approximately(-999.5) == "-1,000"
    assert percent_of(1, 8) == "13%" and percent_of(-1, 8) == "-13%"
    assert percent_of(3, 8) == "38%" and percent_of(5, 8) == "63%"


def test_shown_values_agree_with_shown_on_many_halves() -> None:
    # every multiple of 0.005 from -20 to 20: half of them exact halves at 2 decimals
    values = np.array([k / 200 for k in range(-4000, 4001)])
    spec = SimpleNamespace(unit="score", decimals=2)
    fast = shown_values(values, spec)
    for v, f in zip(values, fast, strict=True):
        assert f == float(by_hand(float(v), 2).replace(",", "")), v


def test_other_figures_in_words_round_halves_away_from_zero() -> None:
    from storymap.pages.about.explorer import control_weights
    from storymap.pages.downloads.files import _size
    from storymap.pages.maps.legend import how_made

    # Python's round() and format(…, ".0%") round halves to even: 10.5 -> 10, 0.125 -> 12%
    assert "(about 11 each)" in how_made("quantiles", 4, 42, "London")
    assert "(about 9 each)" in how_made("quantiles", 4, 34, "London")
    assert _size(1_250_000) == "1.3 MB" and _size(2_350_000) == "2.4 MB"
    components = [SimpleNamespace(id="a", weight=4.0), SimpleNamespace(id="b", weight=1.8)]
    ix = SimpleNamespace(section=SimpleNamespace(components=components))
    assert control_weights(ix) == {"a": 10, "b": 5}  # 4.5 -> 5 (round() gave 4)


def test_the_weights_explorer_rounds_as_the_pages_do(page) -> None:
    from conftest import REPO

    script = (REPO / "storymap" / "assets" / "weights.js").read_text("utf-8")
    page.set_content("<!doctype html><title>t</title><p>t</p>")
    page.add_script_tag(content=script)
    cases = (
        [(v, d) for v, d, _ in HALVES]
        + [(k / 200, 2) for k in range(-2000, 2001, 7)]
        + [(11.6497, 1), (13.3499999999, 1), (-0.004, 2), (1e-7, 2), (7.7749999999, 2)]
    )
    got = page.evaluate(
        "cases => cases.map(c => window.StorymapWeights.roundShown(c[0], c[1]))", cases
    )
    for (value, digits), js in zip(cases, got, strict=True):
        assert js == float(shown(value, digits)), (value, digits, js)


# ---------------------------------------------------------------------------------------------
# ties share a rank; deciles from one definition (the London figures, from the bundled data)


def _figure(value: float, spec) -> float:
    """The figure a reader sees, worked by hand (not with the code under test)."""
    digits = 0 if spec.unit == "count" else int(spec.decimals)
    return float(by_hand(float(value), digits).replace(",", ""))


def _more_at_risk(a: float, b: float, spec) -> bool:
    return a > b if spec.direction == "higher_is_more_risk" else a < b


def test_wards_and_boroughs_showing_the_same_figure_share_a_rank(real_figures) -> None:
    _config, geo, results, _index = real_figures
    for ind, res in results.items():
        for frame in (res.wards, res.boroughs.dropna(subset=["value"])):
            figures = [_figure(v, res.spec) for v in frame["value"]]
            for code, mine in zip(frame.index, figures, strict=True):
                above = sum(_more_at_risk(f, mine, res.spec) for f in figures)
                assert int(frame.at[code, "rank"]) == above + 1, (ind, code)
        for code in res.boroughs.dropna(subset=["value"]).index:
            rank, tied = res.borough_rank(code)
            same = sum(
                _figure(v, res.spec) == _figure(res.boroughs.at[code, "value"], res.spec)
                for v in res.boroughs["value"].dropna()
            )
            assert tied == same and rank == int(res.boroughs.at[code, "rank"])
    index = results["risk_index"].wards
    names = geo.wards["name"]
    dulwich, champion = (
        index.index[names.loc[index.index] == n][0] for n in ("Dulwich Hill", "Champion Hill")
    )
    assert format_value(index.at[dulwich, "value"], SCORE) == "3.77"
    assert index.at[dulwich, "rank"] == index.at[champion, "rank"] == 524
    assert results["risk_index"].tied(524) == 2


def test_deciles_share_ties_and_leave_none_empty(real_figures) -> None:
    _config, _geo, results, _index = real_figures
    income = results["older_income_deprived"].wards
    zero = income[[_figure(v, PERCENT) == 0.0 for v in income["value"]]]
    assert len(zero) == 156
    assert set(zero["decile"]) == {10}  # not 8, with 9 and 10 empty
    for ind, res in results.items():
        frame = res.wards.assign(figure=[_figure(v, res.spec) for v in res.wards["value"]])
        assert frame.groupby("figure")["decile"].nunique().max() == 1, ind  # ties share
        k = min(10, frame["figure"].nunique())
        assert sorted(set(frame["decile"])) == list(range(1, k + 1)), ind  # none empty
        # deciles run with the figure: every ward of decile d is at least as much at risk as
        # every ward of decile d + 1
        by = frame.groupby("decile")["figure"]
        for d in range(1, k):
            worst_of_d = by.min()[d] if res.spec.direction == "higher_is_more_risk" else by.max()[d]
            best_next = (
                by.max()[d + 1] if res.spec.direction == "higher_is_more_risk" else by.min()[d + 1]
            )
            assert _more_at_risk(worst_of_d, best_next, res.spec), (ind, d)
        # a tenth is about a tenth, unless one figure is shared by more wards than that
        sizes = frame["decile"].value_counts()
        biggest_tie = frame["figure"].value_counts().max()
        assert sizes.max() <= max(2 * len(frame) / 10, biggest_tie), ind


# ---------------------------------------------------------------------------------------------
# the reweightings, recomputed here; the ward pages' range and firmness sentences


def _reweightings(config, index):
    """Every run's ranks and bands-kept, recomputed from the documented recipe: each indicator
    and component weight times U(1 - spread, 1 + spread) (indicators drawn first, then
    components, from the seeded generator), normalised within and across components, score =
    clipped weighted sum of the rescaled indicators, kept to 12 significant figures, ranked and
    banded as shown (2 decimals)."""
    from storymap.figures.indicators import class_breaks, classify

    rob = config.index.robustness
    comps = [
        (c.id, c.weight, [(i.indicator, i.weight) for i in c.indicators])
        for c in config.index.components
    ]
    inds = [i for _, _, items in comps for i, _ in items]
    matrix = index.scaled[inds].to_numpy()
    rng = np.random.default_rng(rob.seed)

    def scores(fi, fc):
        total = sum(w * fc[c] for c, w, _ in comps)
        weights = []
        for c, w, items in comps:
            within = sum(iw * fi[i] for i, iw in items)
            weights += [iw * fi[i] / within * (w * fc[c] / total) for i, iw in items]
        raw = np.clip(matrix @ np.array(weights), 0, 10)
        return np.array([float(by_hand(float(f"{v:.12g}"), 2)) for v in raw])

    def band(shown):
        return classify(shown, class_breaks(shown, config.index.banding, config.index.bands))

    base = band(scores({i: 1.0 for i in inds}, {c: 1.0 for c, _, _ in comps}))
    ranks, kept = [], np.zeros(len(matrix), dtype=int)
    for _ in range(rob.runs):
        fi = dict(zip(inds, rng.uniform(1 - rob.spread, 1 + rob.spread, len(inds)), strict=True))
        fc = dict(
            zip(
                [c for c, _, _ in comps],
                rng.uniform(1 - rob.spread, 1 + rob.spread, len(comps)),
                strict=True,
            )
        )
        shown_now = scores(fi, fc)
        ranks.append([1 + int((shown_now > s).sum()) for s in shown_now])
        kept += band(shown_now) == base
    return np.array(ranks), kept


@pytest.fixture(scope="module")
def ward_pages(real_figures):
    from storymap.pages.places.profiles import profile_pages

    config, geo, results, index = real_figures
    pages = profile_pages(config, geo, results, index)
    return {
        p.path.rsplit("/", 1)[-1][:-3]: p.markdown for p in pages if p.path.startswith("wards/")
    }


def test_range_sentences_say_what_they_cover(real_figures, ward_pages) -> None:
    import re

    config, geo, _results, index = real_figures
    ranks, kept = _reweightings(config, index)
    rob = index.robustness
    runs = config.index.robustness.runs
    need = int(np.ceil(config.index.robustness.stable_share * runs - 1e-9))
    firm_on_pages = 0
    for w, code in enumerate(index.scaled.index):
        mine = ranks[:, w]
        low, high = (
            int(np.percentile(mine, 5, method="lower")),
            int(np.percentile(mine, 95, method="higher")),
        )
        assert (int(rob.at[code, "rank_p05"]), int(rob.at[code, "rank_p95"])) == (low, high)
        assert ((mine >= low) & (mine <= high)).mean() >= 0.9  # "in at least 9 of 10 of them"
        assert int(rob.at[code, "kept"]) == kept[w]
        text = re.sub(r"<[^>]+>", "", ward_pages[code])
        sentence = re.search(r"Under (\d+) other reasonable weightings its rank is ([^.]*)\.", text)
        assert sentence and int(sentence.group(1)) == runs, code
        if mine.min() == mine.max():
            assert sentence.group(2) == f"{ordinal(int(mine.min()))} in all of them"
        else:
            assert "all of them" not in sentence.group(2), code
            every = f"({ordinal(int(mine.min()))} to {ordinal(int(mine.max()))} in all)"
            assert sentence.group(2).endswith(f"in at least 9 of 10 of them {every}"), code
        band_text = re.search(
            r"Its band is (not )?firm: it stays in band \d in (only )?([\d,]+) of them", text
        )
        assert int(band_text.group(3).replace(",", "")) == kept[w]
        assert (band_text.group(1) is None) == (kept[w] >= need), code
        firm_on_pages += band_text.group(1) is None
    # the downloads count the same firm wards as the pages
    from storymap.pages.downloads.tables import ward_table

    table = ward_table(config, geo, _results, index).by_id()
    assert (
        (table["risk_index_band_firm"] == "yes").sum() == firm_on_pages == int((kept >= need).sum())
    )
    assert (table["risk_index_band_kept"] == kept).all()
    # the five wards that read "only 90%" keep their band in fewer than 450 runs, and say so
    names = dict(zip(geo.wards.index, geo.wards["name"], strict=True))
    croydon = next(c for c in geo.wards.index if names[c] == "South Croydon")
    assert "in only 448 of them (450 make a band firm)" in ward_pages[croydon]


def test_extremes_never_claim_all_unless_all(real_figures, ward_pages) -> None:
    _config, geo, _results, _index = real_figures
    names = dict(zip(geo.wards.index, geo.wards["name"], strict=True))
    dalgarno = next(c for c in geo.wards.index if names[c] == "Dalgarno")
    wembley = next(c for c in geo.wards.index if names[c] == "Wembley Park")
    assert "its rank is 1st in at least 9 of 10 of them (1st to 5th in all)" in ward_pages[dalgarno]
    assert "680th in at least 9 of 10 of them (675th to 680th in all)" in ward_pages[wembley]


# ---------------------------------------------------------------------------------------------
# About the data and the reader pages' words


def test_merged_city_counts_its_own_neighbourhoods(real_figures) -> None:
    import csv

    from conftest import REPO

    from storymap.pages.story.chapters import ChapterContext

    config, geo, results, index = real_figures
    with open(
        REPO / "data/lookups/lookup_lsoa21_ward22_lad22_london_bestfit.csv", encoding="utf-8-sig"
    ) as f:
        rows = [r for r in csv.DictReader(f) if r["LAD22CD"] == "E09000001"]
    lsoas, wards = {r["LSOA21CD"] for r in rows}, {r["WD22CD"] for r in rows}
    assert len(lsoas) == 6
    # the pages get the geography without its lookups (as the build's chapter stage does): the
    # counts made where the lookups were must come with it
    for g in (geo, geo.without_shapes()):
        ctx = ChapterContext(config, g, results, None, slug="t", index=index)
        (city,) = ctx.merged_boroughs()
        assert (city.name, city.neighbourhoods) == ("City of London", len(lsoas))
        assert city.wards == 25 and len(wards) <= city.wards


DEVELOPER_NOTES = [
    "random seed",
    "no files have been fetched",
    "site_config.yml",
    "bundled data",
]
BAD_PHRASES = [
    "only 0 census",
    "(DERI score (all ages))",
    "england's",
    "equality act",
    "boroughs's",
    "under all of them",
    "whose ward is not<",
]


def test_reader_pages_speak_to_readers(built_site) -> None:
    import html as html_lib
    import re

    found = []
    for page in sorted(built_site.rglob("*.html")):
        rel = page.relative_to(built_site).as_posix()
        if rel in ("data-checks.html", "404.html"):
            continue
        raw = page.read_text("utf-8")
        text = html_lib.unescape(re.sub(r"<script.*?</script>", "", raw, flags=re.S))
        if re.search(r"most at risk on (?!the )", text):  # "most at risk on Aged 65+"
            found.append((rel, "most at risk on …"))
        for phrase in DEVELOPER_NOTES + BAD_PHRASES:
            if phrase in (raw if "<" in phrase else text):  # case-sensitive: "England's" is fine
                found.append((rel, phrase))
    assert not found, found[:20]
    about = html_lib.unescape((built_site / "about-the-data.html").read_text("utf-8"))
    assert "City of London has only 6 census neighbourhoods" in re.sub(r"\s+", " ", about)
    checks = (built_site / "data-checks.html").read_text("utf-8")
    assert "No file was fetched for this build" in checks and "seed 2021" in checks


def test_score_sentences_say_what_the_scores_are(real_figures, built_site) -> None:
    """No page says a ward scoring 10 is the most at risk (no ward scores 10); the combined-risk
    chapter gives the scores' real range, computed here from the index; a ward's "nearest the
    top" sentence says which figures it leaves aside."""
    import html as html_lib
    import re

    _config, _geo, results, index = real_figures
    scores = index.result.wards["value"]
    spec = index.result.spec
    text = html_lib.unescape(
        re.sub(r"<[^>]+>|\s+", " ", (built_site / "combined-risk.html").read_text("utf-8"))
    )
    text = re.sub(r"\s+", " ", text)
    low, high = format_value(scores.min(), spec), format_value(scores.max(), spec)
    assert f"ward scores run from {low} to {high} out of 10" in text
    assert float(high) < 10 and "A ward scoring 10 is the most at risk" not in text
    deri = results["deri_score"].wards["rank"]
    others = [i for i in results if i not in ("deri_score", spec.id)]
    best = results[others[0]].wards["rank"].copy()
    for i in others[1:]:
        best = np.minimum(best, results[i].wards["rank"])
    ahead = deri[(deri < best) & (best > 0)].index  # DERI ranks nearer the top than all others
    assert len(ahead) > 0
    ward = next(built_site.glob(f"wards/*/{ahead[0]}.html")).read_text("utf-8")
    ward = re.sub(r"\s+", " ", html_lib.unescape(re.sub(r"<[^>]+>", " ", ward)))
    assert "Leaving aside this site's combined index and the DERI score, all ages, it ranks" in ward
    intro = (built_site / "introduction.html").read_text("utf-8")
    assert "survey of internet users in 2020" in re.sub(r"\s+", " ", intro)


def _correlation_by_hand(codes: set[str]) -> tuple[int, float]:
    """The broadband score against DERI's broadband component over ``codes``, from the files."""
    import pandas as pd

    iod = pd.read_csv(REPO / "data/deprivation/london_lsoa21_iod2025_indicators.csv", dtype=str)
    deri = pd.read_csv(REPO / "data/deri/london_lsoa11_deri_v1.6_national_scores.csv", dtype=str)
    mine = iod.set_index("LSOA21CD")[BROADBAND].astype(float)
    theirs = deri.set_index("LSOA11CD")["broadband_comp_national"].astype(float)
    common = [c for c in mine.index if c in theirs.index and c in codes]
    return len(common), float(np.corrcoef(mine[common], theirs[common])[0, 1])


REPO = Path(__file__).resolve().parent.parent
BROADBAND = "digital_connectivity_broadband_download_and_upload_speeds"


def test_direction_evidence_is_computed_for_the_configured_area(real_figures, built_site) -> None:
    """The method page's check of the broadband direction counts the area's own neighbourhoods
    and gives their correlation; for the five project boroughs it is theirs, not London's, and
    weak or contrary evidence says so with the threshold it uses."""
    import html as html_lib
    import re

    from storymap.figures.evidence import WEAK, direction_evidence

    config, geo, _results, index = real_figures
    spec = config.indicator("broadband_speed_score")
    lookup = geo.lookups[spec.geography]
    london = set(lookup["code"])
    n, r = _correlation_by_hand(london)
    assert (index.evidence[spec.id].areas, round(index.evidence[spec.id].pearson, 6)) == (
        n,
        round(r, 6),
    )
    page = html_lib.unescape(re.sub(r"<[^>]+>", " ", (built_site / "method.html").read_text()))
    page = re.sub(r"\s+", " ", page)
    assert f"across the {n:,} neighbourhoods of London" in page
    assert f"its correlation is {format_number(r, 2)} with" in page
    if abs(r) < WEAK:
        assert f"calls a correlation weak below {format_number(WEAK, 1)}" in page
    boroughs = geo.boroughs.index[geo.boroughs["name"].isin(config.site.focus_boroughs)]
    wards = set(geo.wards.index[geo.wards["borough_code"].isin(boroughs)])
    five = set(lookup.loc[lookup["ward"].isin(wards), "code"])
    assert len(boroughs) == 5
    got = direction_evidence(config, spec, five)
    n5, r5 = _correlation_by_hand(five)
    assert (got.areas, round(got.pearson, 6)) == (n5, round(r5, 6))
    assert n5 < n and round(r5, 2) != round(r, 2)  # the five boroughs' own evidence


# ---------------------------------------------------------------------------------------------
# authors: a chapter's images


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    import yaml
    from smallproject import make_small_project

    cases = Path(__file__).parent / "cases" / "three-boroughs"
    spec = yaml.safe_load((cases / "case.yml").read_text("utf-8"))
    return make_small_project(
        tmp_path_factory.mktemp("images") / "project",
        spec["boroughs"],
        spec.get("overrides"),
        cases / "chapters",
    )


def _with_image(project: Path, line: str) -> Path:
    chapter = project / "chapters" / "01-camden.md"
    text = chapter.read_text("utf-8").splitlines()
    chapter.write_text("\n".join([*text[:2], line, *text[2:]]) + "\n", "utf-8")
    return chapter


def _build(project: Path) -> subprocess.CompletedProcess:
    """`storymap build` in ``project``, as an author runs it."""
    import sys

    return subprocess.run(
        [sys.executable, "-m", "storymap", "build", "--config", "site_config.yml", "--out", "site"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_a_missing_image_is_an_error_naming_chapter_line_and_folder(small, tmp_path) -> None:
    import shutil

    project = tmp_path / "p"
    shutil.copytree(small, project)
    _with_image(project, "![A library in Camden](images/library.jpg)")
    site = project / "site"
    result = _build(project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and not site.exists()
    assert (
        "Error: chapters/01-camden.md line 3: the image 'images/library.jpg' is not there. Put "
        "the file in chapters/images/, next to the chapters, and write ![What it shows]"
        "(images/library.jpg); or fix the name."
    ) in result.stderr
    # put there, it is published beside the chapter's page, and the page shows it
    (project / "chapters" / "images").mkdir()
    picture = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
    (project / "chapters" / "images" / "library.jpg").write_bytes(picture)
    result = _build(project)
    assert result.returncode == 0, result.stderr
    assert (site / "images" / "library.jpg").read_bytes() == picture
    page = next(p for p in site.glob("*.html") if "library.jpg" in p.read_text("utf-8"))
    assert 'src="images/library.jpg"' in page.read_text("utf-8")


def test_an_image_from_another_site_is_an_error() -> None:
    from types import SimpleNamespace

    from storymap.errors import ChapterError
    from storymap.pages.story.images import chapter_images

    root = Path(__file__).parent / "cases" / "three-boroughs"
    config = SimpleNamespace(root=root, resolve=lambda f: (root / f).resolve())
    source = '# T\n\nText.\n<img src="https://example.org/x.png" alt="x">\n'
    with pytest.raises(ChapterError) as caught:
        chapter_images(config, "chapters/01-camden.md", source, source)
    assert caught.value.problems == [
        "chapters/01-camden.md line 4: the image 'https://example.org/x.png' is on another "
        "site, and the site's pages load nothing from elsewhere. Save the image in the "
        "chapters/images/ folder and write its name there, e.g. ![What it shows]"
        "(images/photo.jpg)."
    ]
