"""`storymap fetch` against a real HTTP server on 127.0.0.1 serving publisher-shaped files.

The files are made from the bundled data: the ward GeoJSON and lookups as ArcGIS FeatureServer
pages, RM121 as a Nomis API long CSV, TS038 as a Nomis bulk zip, IoD 2019 as File 7, IoD 2025 as
a File 8 workbook and DERI as GMCA's CSV. Every test works on a copy of the project.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import time
import zipfile
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from codepoint import codepoint_zip
from werkzeug import Request, Response

from storymap.commands.cli import main
from storymap.config import load_config
from storymap.data.fetched import manifest_rows
from storymap.figures.geography import load_geography
from storymap.figures.indicators import compute_indicators
from storymap.pages.about.reference import NO_MANIFEST, manifest_markdown

REPO = Path(__file__).resolve().parent.parent
ARCGIS = "/ESMARspQHYMw9BZ9/arcgis/rest/services/{}/FeatureServer/0/query"
NOMIS_API = "/api/v01/dataset/NM_9999_1.data.csv"  # RM121's id is unknown; tests use their own
CENSUS_AGE_URL = "    url: https://www.nomisweb.co.uk/datasets/c2021rm121\n"


# ---------------------------------------------------------------------------------------------
# the project copy


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True)
    shutil.copy2(REPO / "site_config.yml", dest / "site_config.yml")
    shutil.copytree(REPO / "chapters", dest / "chapters")
    shutil.copytree(REPO / "data", dest / "data", ignore=shutil.ignore_patterns("cache"))
    edit_config(
        dest,
        CENSUS_AGE_URL,
        f"    url: https://www.nomisweb.co.uk{NOMIS_API}\n    format: nomis_api_csv\n",
    )
    return dest


def edit_config(project: Path, old: str, new: str, source: str | None = None) -> None:
    """Replace ``old`` (inside source ``source``'s block if given) in the copy's config."""
    path = project / "site_config.yml"
    text = path.read_text(encoding="utf-8")
    start = text.index(f"\n  {source}:\n") if source else 0
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")


def hash_tree(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return copy_project(tmp_path / "project")


# ---------------------------------------------------------------------------------------------
# publisher-shaped responses


def bundled(name: str) -> pd.DataFrame:
    return pd.read_csv(REPO / "data" / name, dtype=str, keep_default_na=False)


def inverse_columns(config, source_id: str) -> dict[str, str]:
    return {tidy: raw for raw, tidy in config.sources[source_id].fetch.columns.items()}


def arcgis_handler(rows: list[dict], geojson: bool, seen: list[int]):
    def handle(request: Request) -> Response:
        offset = int(request.args.get("resultOffset", 0))
        count = int(request.args.get("resultRecordCount", 2000))
        seen.append(offset)
        page = rows[offset : offset + count]
        more = offset + count < len(rows)
        if geojson:
            body = {"type": "FeatureCollection", "features": page}
            body["properties"] = {"exceededTransferLimit": True} if more else {}
        else:
            body = {"features": [{"attributes": r} for r in page]}
            if more:
                body["exceededTransferLimit"] = True
        return Response(json.dumps(body), content_type="application/json")

    return handle


def nomis_rows() -> list[list[str]]:
    age = bundled("census2021/london_lsoa21_age65plus_census2021_rm121.csv")
    cats = {
        "Total": "pop_total",
        "Aged 65 years": "age_65",
        "Aged 66 to 69 years": "age_66_69",
        "Aged 70 to 74 years": "age_70_74",
        "Aged 75 to 79 years": "age_75_79",
        "Aged 80 to 84 years": "age_80_84",
        "Aged 85 years and over": "age_85_plus",
    }
    return [
        [r.LSOA21CD, cat, getattr(r, col)] for r in age.itertuples() for cat, col in cats.items()
    ]


def nomis_handler(rows: list[list[str]], seen: list[int]):
    def handle(request: Request) -> Response:
        offset = int(request.args.get("RecordOffset", 0))
        limit = min(int(request.args.get("RecordLimit", 25000)), 25000)
        seen.append(offset)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["GEOGRAPHY_CODE", "C2021_AGE_NAME", "OBS_VALUE"])
        writer.writerows(rows[offset : offset + limit])
        return Response(out.getvalue(), content_type="text/csv")

    return handle


def ts038_zip(extra_member: str | None = None) -> bytes:
    dis = bundled("census2021/london_lsoa21_disability_census2021_ts038.csv")
    raw = pd.DataFrame(
        {
            "date": "2021",
            "geography": dis["LSOA21CD"],
            "geography code": dis["LSOA21CD"],
            "Disability: Total: All usual residents; measures: Value": dis["pop_total"],
            "Disability: Disabled under the Equality Act; measures: Value": dis[
                "disabled_equality_act"
            ],
            "Disability: Not disabled under the Equality Act; measures: Value": dis["not_disabled"],
        }
    )
    raw.loc[len(raw)] = ["2021", "Cardiff 001A", "W01001701", "1500", "300", "1200"]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("census2021-ts038-lsoa.csv", raw.to_csv(index=False))
        zf.writestr("metadata/census2021-ts038-metadata.txt", "TS038")
        if extra_member:
            zf.writestr(extra_member, "not for us")
    return buf.getvalue()


def file7_csv(config) -> str:
    inverse = inverse_columns(config, "iod2019")
    iod = bundled("deprivation/london_lsoa11_iod2019_imd_idaopi.csv")
    raw = iod[[c for c in iod.columns if c in inverse]].rename(columns=inverse)
    outside = ["E01012345", "Somewhere 001A", "E06000001", "Hartlepool"] + ["5"] * (
        raw.shape[1] - 4
    )
    raw.loc[len(raw)] = outside
    return raw.to_csv(index=False)


def file8_xlsx(config) -> bytes:
    inverse = inverse_columns(config, "iod2025_indicators")
    ind = bundled("deprivation/london_lsoa21_iod2025_indicators.csv")
    raw = ind.rename(columns=lambda c: inverse.get(c, c.replace("_", " ").capitalize()))
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        pd.DataFrame({"Notes": ["IoD2025 File 8"]}).to_excel(xl, sheet_name="Notes", index=False)
        raw.to_excel(xl, sheet_name=config.sources["iod2025_indicators"].fetch.sheet, index=False)
    return buf.getvalue()


def deri_csv(config) -> str:
    deri = bundled("deri/london_lsoa11_deri_v1.6_national_scores.csv")
    return deri.rename(columns=inverse_columns(config, "deri16")).to_csv(index=False)


class Publishers:
    """Registers every source's endpoint on ``server``; ``seen`` records paging offsets."""

    def __init__(self, server, project: Path):
        self.server = server
        self.config = load_config(project / "site_config.yml")
        self.seen: dict[str, list[int]] = {"wards_2022": [], "census_age": []}
        self.base = server.url_for("/").rstrip("/")

    def path(self, source_id: str) -> str:
        return unquote(urlsplit(self.config.sources[source_id].url).path)

    def serve_all(self) -> Publishers:
        for source_id in self.config.sources:
            if self.config.sources[source_id].format:
                self.serve(source_id)
        return self

    def serve(self, source_id: str, response: Response | None = None) -> None:
        route = self.server.expect_request(self.path(source_id))
        if response is not None:
            route.respond_with_response(response)
            return
        route.respond_with_handler(self.handler(source_id))

    def handler(self, source_id: str):
        if source_id == "wards_2022":
            gj = json.loads((REPO / self.config.sources[source_id].file).read_text("utf-8"))
            return arcgis_handler(gj["features"], True, self.seen[source_id])
        if source_id in ("ward_lad_2022", "lsoa21_ward22"):
            fields = self.config.sources[source_id].fetch.params["outFields"].split(",")
            table = bundled(self.config.sources[source_id].file.removeprefix("data/"))[fields]
            return arcgis_handler(table.to_dict("records"), False, [])
        if source_id == "census_age":
            return nomis_handler(nomis_rows(), self.seen[source_id])
        body = {
            "census_disability": lambda: ts038_zip(),
            "iod2019": lambda: file7_csv(self.config),
            "iod2025_indicators": lambda: file8_xlsx(self.config),
            "deri16": lambda: deri_csv(self.config),
            "postcodes": codepoint_zip,
        }[source_id]()
        return lambda _request: Response(body)


def fetch(project: Path, base: str, *args: str):
    opts = ["--base-url", base, "--retries", "2", "--backoff", "0", "--timeout", "2"]
    cfg = str(project / "site_config.yml")
    return CliRunner().invoke(main, ["fetch", "--config", cfg, *opts, *args])


# ---------------------------------------------------------------------------------------------
# a full fetch


def compare_tables(tidy: pd.DataFrame, old: pd.DataFrame, code: str, name: str) -> None:
    assert list(tidy.columns) == list(old.columns), name
    tidy, old = tidy.set_index(code).sort_index(), old.set_index(code).sort_index()
    assert list(tidy.index) == list(old.index), name
    for col in tidy.columns:
        if (tidy[col] == "").all():
            continue  # the publisher's file does not carry this column
        a, b = pd.to_numeric(tidy[col], errors="coerce"), pd.to_numeric(old[col], errors="coerce")
        if a.notna().any():
            assert np.allclose(a, b, atol=0.006, equal_nan=True), f"{name}.{col}"
        else:
            assert (tidy[col] == old[col]).all(), f"{name}.{col}"


def test_full_fetch_then_build_matches_bundled(project, httpserver, tmp_path):
    pubs = Publishers(httpserver, project).serve_all()
    result = fetch(project, pubs.base)
    assert result.exit_code == 0, result.output
    config = load_config(project / "site_config.yml")
    fetched = [k for k, s in config.sources.items() if s.format]
    assert sorted(r["source"] for r in manifest_rows(config)) == sorted(fetched)
    for source_id in fetched:
        source = config.sources[source_id]
        cached = project / "data/cache" / source_id / Path(source.file).name
        assert cached.is_file(), source_id
        if cached.suffix == ".csv":
            compare_tables(
                pd.read_csv(cached, dtype=str, keep_default_na=False),
                bundled(source.file.removeprefix("data/")),
                source.code_column,
                source_id,
            )
    assert pubs.seen["census_age"] == [0, 25000]  # 34,958 rows: two Nomis pages

    geo_cached = load_geography(config)
    cached_results = compute_indicators(config, geo_cached)
    bundled_config = load_config(REPO / "site_config.yml")
    bundled_results = compute_indicators(bundled_config, load_geography(bundled_config))
    assert len(geo_cached.wards) == 680
    for ind in config.indicator_ids:
        a = cached_results[ind].wards["value"].sort_index()
        b = bundled_results[ind].wards["value"].sort_index()
        assert list(a.index) == list(b.index)
        assert np.allclose(a, b, atol=0.01, equal_nan=True), ind

    table = manifest_markdown(config)
    assert "| census_disability |" in table and pubs.base in table
    site = tmp_path / "site"
    built = CliRunner().invoke(
        main, ["build", "--config", str(project / "site_config.yml"), "--out", str(site)]
    )
    assert built.exit_code == 0, built.output
    assert "from data/cache" in built.output
    assert (site / "index.html").is_file()


def test_no_manifest_sentence(project):
    config = load_config(project / "site_config.yml")
    assert manifest_rows(config) == []
    assert manifest_markdown(config) == NO_MANIFEST


def test_arcgis_paging_across_three_pages(project, httpserver):
    edit_config(project, "      page_size: 2000\n", "      page_size: 300\n", source="wards_2022")
    pubs = Publishers(httpserver, project)
    pubs.serve("wards_2022")
    result = fetch(project, pubs.base, "--source", "wards_2022")
    assert result.exit_code == 0, result.output
    assert pubs.seen["wards_2022"] == [0, 300, 600]
    cached = project / "data/cache/wards_2022/london_wards_2022_bsc_citymerged_4326.geojson"
    assert len(json.loads(cached.read_text("utf-8"))["features"]) == 680


def test_500_then_200_is_retried(project, httpserver):
    pubs = Publishers(httpserver, project)
    calls: list[int] = []
    good = pubs.handler("deri16")

    def flaky(request: Request) -> Response:
        calls.append(1)
        return Response("busy", status=500) if len(calls) == 1 else good(request)

    httpserver.expect_request(pubs.path("deri16")).respond_with_handler(flaky)
    result = fetch(project, pubs.base, "--source", "deri16")
    assert result.exit_code == 0, result.output
    assert len(calls) == 2
    assert (project / "data/cache/deri16/london_lsoa11_deri_v1.6_national_scores.csv").is_file()


def test_first_fetch_records_checksum_keeping_comments(project, httpserver):
    """iod2019 ships without a sha256 (its bundled file has File 8 columns File 7 lacks): its
    first fetch records one line, later fetches are checked against it."""
    pubs = Publishers(httpserver, project)
    pubs.serve("iod2019")
    assert load_config(project / "site_config.yml").sources["iod2019"].sha256 is None
    before = (project / "site_config.yml").read_text("utf-8").splitlines()
    result = fetch(project, pubs.base, "--source", "iod2019")
    assert result.exit_code == 0, result.output
    assert "recorded" in result.output
    after = (project / "site_config.yml").read_text("utf-8").splitlines()
    added = [ln for ln in after if ln not in before]
    assert len(after) == len(before) + 1 and len(added) == 1
    assert added[0].startswith("    sha256: ")
    config = load_config(project / "site_config.yml")
    assert config.sources["iod2019"].sha256 == manifest_rows(config)[0]["sha256"]
    # the same data again changes nothing; --update with it changes nothing either
    assert fetch(project, pubs.base, "--source", "iod2019").exit_code == 0
    assert fetch(project, pubs.base, "--source", "iod2019", "--update").exit_code == 0
    assert (project / "site_config.yml").read_text("utf-8").splitlines() == after


def test_shipped_checksums_are_the_bundled_files():
    """Every sha256 in the shipped config is the bundled file's, as `fetch --update` records it
    after a download of the same vintage (test_full_fetch_then_build_matches_bundled fetches
    these sources against them)."""
    config = load_config(REPO / "site_config.yml")
    pinned = {k: s.sha256 for k, s in config.sources.items() if s.sha256}
    assert set(pinned) == {"wards_2022", "iod2025_indicators", "deri16"}
    for source_id, sha in pinned.items():
        data = (REPO / config.sources[source_id].file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha, source_id


# ---------------------------------------------------------------------------------------------
# failures: a clear Error naming source and URL; cache and site untouched


@pytest.fixture
def previous(project: Path):
    """A previous cache (one fetched source and its manifest) and a previous site."""
    cache = project / "data/cache/iod2019"
    cache.mkdir(parents=True)
    shutil.copy2(project / "data/deprivation/london_lsoa11_iod2019_imd_idaopi.csv", cache)
    manifest = {"sources": {"iod2019": {"url": "https://example.invalid/f7.csv", "size": 1}}}
    (project / "data/cache/manifest.json").write_text(json.dumps(manifest))
    (project / "site").mkdir()
    (project / "site/index.html").write_text("<h1>previous site</h1>")
    return lambda: (hash_tree(project / "data"), hash_tree(project / "site"))


def assert_failed(result, base: str, source_id: str, path: str, *words: str) -> None:
    assert result.exit_code == 1
    out = result.output
    assert out.startswith("Error: ") or "\nError: " in out, out
    assert f"'{source_id}'" in out and f"{base}{quote(path)}" in out, out
    for word in words:
        assert word in out, out
    assert "Traceback" not in out


def test_timeout(project, httpserver, previous):
    pubs = Publishers(httpserver, project)
    before = previous()

    def slow(_request: Request) -> Response:
        time.sleep(1.5)
        return Response("late")

    httpserver.expect_request(pubs.path("iod2019")).respond_with_handler(slow)
    base = ["--base-url", pubs.base, "--retries", "1", "--backoff", "0", "--timeout", "0.5"]
    cfg = str(project / "site_config.yml")
    result = CliRunner().invoke(main, ["fetch", "--config", cfg, "--source", "iod2019", *base])
    assert_failed(
        result, pubs.base, "iod2019", pubs.path("iod2019"), "no answer", "cached copy was kept"
    )
    assert previous() == before


def test_truncated_body(project, httpserver, previous):
    pubs = Publishers(httpserver, project)
    before = previous()
    body = file7_csv(pubs.config).encode()
    # a streamed body, so that werkzeug keeps the (wrong) Content-Length we set
    response = Response(iter([body[:5000]]), headers={"Content-Length": str(len(body))})
    pubs.serve("iod2019", response)
    result = fetch(project, pubs.base, "--source", "iod2019")
    assert_failed(result, pubs.base, "iod2019", pubs.path("iod2019"), "cut short")
    assert previous() == before


def test_wrong_checksum(project, httpserver, previous):
    edit_config(
        project, "    format: csv\n", f"    format: csv\n    sha256: {'3f2a' * 16}\n", "iod2019"
    )
    pubs = Publishers(httpserver, project)
    pubs.serve("iod2019")
    before = previous()
    result = fetch(project, pubs.base, "--source", "iod2019")
    assert_failed(
        result,
        pubs.base,
        "iod2019",
        pubs.path("iod2019"),
        "sha256",
        "expected 3f2a3f2a…",
        "--update",
    )
    assert previous() == before


def test_html_page_instead_of_csv(project, httpserver, previous):
    pubs = Publishers(httpserver, project)
    page = "<!DOCTYPE html><html><body><h1>Page not available</h1></body></html>"
    pubs.serve("iod2019", Response(page, status=200, content_type="text/html; charset=utf-8"))
    before = previous()
    result = fetch(project, pubs.base, "--source", "iod2019")
    assert_failed(result, pubs.base, "iod2019", pubs.path("iod2019"), "HTML page")
    assert previous() == before


def test_404(project, httpserver, previous):
    pubs = Publishers(httpserver, project)
    pubs.serve("iod2019", Response("gone", status=404))
    before = previous()
    result = fetch(project, pubs.base, "--source", "iod2019")
    assert_failed(result, pubs.base, "iod2019", pubs.path("iod2019"), "HTTP 404")
    assert previous() == before


def test_zip_with_parent_path(project, httpserver, previous, tmp_path):
    pubs = Publishers(httpserver, project)
    pubs.serve("census_disability", Response(ts038_zip(extra_member="../evil.csv")))
    before = previous()
    result = fetch(project, pubs.base, "--source", "census_disability")
    assert_failed(
        result, pubs.base, "census_disability", pubs.path("census_disability"), "unsafe path"
    )
    assert previous() == before
    assert not list(tmp_path.rglob("evil.csv"))


def test_failure_in_a_later_source_keeps_all_of_the_cache(project, httpserver, previous):
    pubs = Publishers(httpserver, project)
    pubs.serve("census_disability")  # fetched first (config order), then iod2019 fails
    pubs.serve("iod2019", Response("gone", status=404))
    before = previous()
    result = fetch(project, pubs.base, "--source", "census_disability", "--source", "iod2019")
    assert_failed(result, pubs.base, "iod2019", pubs.path("iod2019"), "HTTP 404")
    assert previous() == before
    assert not list((project / "data").glob(".storymap-fetch-*"))
