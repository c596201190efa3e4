"""Downloading a publisher's files: retries, paging, size limits, and zips opened safely.

In: a requests session made by :func:`make_session`, a source id, its URL and the
:class:`FetchOptions`. Out: the raw downloaded files in a staging folder, or a FetchError naming
the source, the URL and what to do. Nothing here touches the cache: :mod:`storymap.data.fetch`
installs files only when every source has succeeded.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from storymap.config import Config
from storymap.errors import FetchError

MAX_DOWNLOAD_BYTES = 1_000_000_000
MAX_PAGES = 2_000
CHUNK = 1 << 16
RETRY_STATUS = (429, 500, 502, 503, 504)
HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body")


@dataclass(frozen=True)
class FetchOptions:
    """Network settings; ``base_url`` replaces scheme and host of every url (local test servers)."""

    timeout: float = 60.0
    retries: int = 3
    backoff: float = 1.0
    base_url: str | None = None
    update: bool = False


def make_session(options: FetchOptions) -> requests.Session:
    """A requests session that retries GETs on connection errors, timeouts and 5xx with back-off."""
    retry = Retry(
        total=options.retries,
        connect=options.retries,
        read=options.retries,
        status=options.retries,
        backoff_factor=options.backoff,
        status_forcelist=RETRY_STATUS,
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "storymap-fetch (+https://github.com/; open data refresh)"
    return session


def download_source(
    session: requests.Session,
    config: Config,
    source_id: str,
    url: str,
    folder: Path,
    options: FetchOptions,
) -> list[Path]:
    """Download one source's pages (ArcGIS, Nomis) or single file; return the raw file paths."""
    source = config.sources[source_id]
    spec = source.fetch
    params = dict(spec.params) if spec else {}
    folder = folder / source_id
    folder.mkdir(parents=True, exist_ok=True)
    fmt = source.format or ""
    if fmt.startswith("arcgis") and spec and spec.page_size:
        return arcgis_pages(session, source_id, url, params, spec.page_size, folder, options)
    if fmt == "nomis_api_csv" and spec and spec.page_size:
        return nomis_pages(session, source_id, url, params, spec.page_size, folder, options)
    raw = download(session, source_id, url, params, folder / "download", options)
    if fmt == "nomis_bulk_zip":
        member = spec.member if spec and spec.member else "*.csv"
        return [extract_member(raw, member, folder / "unzipped", source_id, url)]
    return [raw]


def arcgis_pages(session, source_id, url, params, size, folder, options) -> list[Path]:
    """Page an ArcGIS FeatureServer query with resultOffset/resultRecordCount."""

    def query(offset: int) -> dict:
        return {**params, "resultOffset": offset, "resultRecordCount": size}

    def records_if_more(page: Path) -> int | None:
        data = read_json(page, source_id, url)
        if "error" in data:
            raise FetchError(
                f"source '{source_id}' ({url}): the ArcGIS server answered with an error: "
                f"{data['error']}. Check the service name and query in site_config.yml."
            )
        features = data.get("features") or []
        more = data.get("exceededTransferLimit") or (data.get("properties") or {}).get(
            "exceededTransferLimit"
        )
        return len(features) if more and features else None

    return paged(session, source_id, url, folder, options, query, records_if_more)


def nomis_pages(session, source_id, url, params, size, folder, options) -> list[Path]:
    """Page a Nomis API CSV query with RecordOffset/RecordLimit until a short page."""

    def query(offset: int) -> dict:
        return {**params, "RecordOffset": offset, "RecordLimit": size}

    def records_if_more(page: Path) -> int | None:
        with page.open("rb") as fh:
            rows = max(sum(1 for line in fh if line.strip()) - 1, 0)
        return rows if rows >= size else None

    return paged(session, source_id, url, folder, options, query, records_if_more)


def paged(session, source_id, url, folder, options, query, records_if_more) -> list[Path]:
    """Download pages from offset 0 until ``records_if_more(page)`` says the last has come
    (None); otherwise it gives the number of records read, which moves the offset on."""
    pages: list[Path] = []
    offset = 0
    while len(pages) < MAX_PAGES:
        target = folder / f"page-{len(pages):04d}"
        page = download(session, source_id, url, query(offset), target, options)
        pages.append(page)
        records = records_if_more(page)
        if records is None:
            return pages
        offset += records
    raise FetchError(f"source '{source_id}' ({url}): more than {MAX_PAGES} pages; stopped.")


def download(session, source_id, url, params, dest: Path, options: FetchOptions) -> Path:
    """GET ``url`` into ``dest``; refuse HTTP errors, HTML pages and truncated bodies."""
    shown = requests.Request("GET", url, params=params).prepare().url or url
    where = f"source '{source_id}' ({shown})"
    try:
        with session.get(url, params=params, stream=True, timeout=options.timeout) as resp:
            if resp.status_code >= 400:
                raise FetchError(
                    f"{where}: HTTP {resp.status_code} {resp.reason}. Check "
                    f"sources.{source_id}.url in site_config.yml; the cached copy was kept."
                )
            expected = resp.headers.get("Content-Length")
            try:
                written, first = write_body(resp, dest, where)
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError):
                raise truncated(where, expected or "?", dest.stat().st_size) from None
            encoded = resp.headers.get("Content-Encoding", "identity") != "identity"
            if expected and not encoded and int(expected) != written:
                raise truncated(where, expected, written)
            if "text/html" in resp.headers.get("Content-Type", "") or looks_html(first):
                raise FetchError(
                    f"{where}: the server sent an HTML page, not data (the publisher may have "
                    "moved the file or shown an error page). Open the URL in a browser and fix "
                    f"sources.{source_id}.url; the cached copy was kept."
                )
    except (requests.exceptions.Timeout, requests.exceptions.RetryError) as exc:
        raise no_answer(where, options, exc) from None
    except requests.exceptions.ConnectionError as exc:
        if "timed out" in str(exc).lower():
            raise no_answer(where, options, exc) from None
        raise FetchError(
            f"{where}: cannot connect ({exc.__class__.__name__}) after {options.retries + 1} "
            "attempt(s). Check the network and the url; the cached copy was kept."
        ) from None
    return dest


def write_body(resp: requests.Response, dest: Path, where: str) -> tuple[int, bytes]:
    """Stream the body into ``dest``; return (bytes written, first bytes)."""
    written = 0
    first = b""
    with dest.open("wb") as fh:
        for chunk in resp.iter_content(CHUNK):
            if not first:
                first = chunk[:512]
            written += len(chunk)
            if written > MAX_DOWNLOAD_BYTES:
                raise FetchError(
                    f"{where}: more than {MAX_DOWNLOAD_BYTES:,} bytes; stopped. Is this the file?"
                )
            fh.write(chunk)
    return written, first


def no_answer(where: str, options: FetchOptions, exc: Exception) -> FetchError:
    return FetchError(
        f"{where}: no answer within {options.timeout:g} s after {options.retries + 1} attempt(s) "
        f"({type(exc).__name__}). Try again later or raise --timeout; the cached copy was kept."
    )


def truncated(where: str, expected: object, got: int) -> FetchError:
    return FetchError(
        f"{where}: the download was cut short (Content-Length {expected}, received {got:,} "
        "bytes). Try again; the cached copy was kept."
    )


def looks_html(first: bytes) -> bool:
    head = first.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(HTML_STARTS)


def read_json(path: Path, source_id: str, url: str) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FetchError(
            f"source '{source_id}' ({url}): the answer is not JSON ({exc}). Check the query's "
            "f= parameter; the cached copy was kept."
        ) from None
    if not isinstance(data, dict):
        raise FetchError(f"source '{source_id}' ({url}): expected a JSON object from ArcGIS.")
    return data


def extract_member(archive: Path, pattern: str, folder: Path, source_id: str, url: str) -> Path:
    """Extract the one member matching ``pattern``; refuse archives holding unsafe paths."""
    where = f"source '{source_id}' ({url})"
    try:
        zf = zipfile.ZipFile(archive)
    except zipfile.BadZipFile:
        raise FetchError(
            f"{where}: not a zip archive. Check the url; the cached copy was kept."
        ) from None
    with zf:
        for info in zf.infolist():
            parts = PurePosixPath(info.filename.replace("\\", "/")).parts
            is_link = (info.external_attr >> 16) & 0o170000 == 0o120000
            if (
                info.filename.startswith(("/", "\\"))
                or ".." in parts
                or ":" in info.filename
                or is_link
            ):
                raise FetchError(
                    f"{where}: the zip holds an unsafe path {info.filename!r} (outside the target "
                    "folder or a link); nothing was extracted and the cached copy was kept."
                )
        names = [
            i for i in zf.infolist() if fnmatch.fnmatch(PurePosixPath(i.filename).name, pattern)
        ]
        if len(names) != 1:
            listed = ", ".join(i.filename for i in zf.infolist()[:10])
            raise FetchError(
                f"{where}: expected one file matching {pattern!r} in the zip, found {len(names)} "
                f"(members: {listed}). Fix sources.{source_id}.fetch.member."
            )
        info = names[0]
        if info.file_size > MAX_DOWNLOAD_BYTES:
            raise FetchError(
                f"{where}: {info.filename} unpacks to {info.file_size:,} bytes; refused."
            )
        folder.mkdir(parents=True, exist_ok=True)
        dest = folder / PurePosixPath(info.filename).name
        with zf.open(info) as src, dest.open("wb") as out:
            shutil.copyfileobj(src, out, CHUNK)
    return dest


