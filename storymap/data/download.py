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
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from storymap.config import Config
from storymap.errors import FetchError

MAX_DOWNLOAD_BYTES = 1_000_000_000
MAX_PAGES = 2_000
MAX_REDIRECTS = 10
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
    hosts = tuple(spec.allow_hosts) if spec else ()
    if fmt.startswith("arcgis") and spec and spec.page_size:
        return arcgis_pages(session, source_id, url, params, spec.page_size, folder, options, hosts)
    if fmt == "nomis_api_csv" and spec and spec.page_size:
        return nomis_pages(session, source_id, url, params, spec.page_size, folder, options, hosts)
    raw = download(session, source_id, url, params, folder / "download", options, hosts)
    if fmt == "nomis_bulk_zip":
        member = spec.member if spec and spec.member else "*.csv"
        return [extract_member(raw, member, folder / "unzipped", source_id, url)]
    return [raw]


def arcgis_pages(session, source_id, url, params, size, folder, options, hosts) -> list[Path]:
    """Page an ArcGIS FeatureServer query with resultOffset/resultRecordCount."""

    def query(offset: int) -> dict:
        return {**params, "resultOffset": offset, "resultRecordCount": size}

    def records_if_more(page: Path) -> int | None:
        data = read_json(page, source_id, url)
        if "error" in data:
            raise FetchError(
                f"source '{source_id}' ({url}): the ArcGIS server answered with an error: "
                f"{data['error']}. Check the service name and query under sources.{source_id} "
                "in the config."
            )
        features = data.get("features") or []
        more = data.get("exceededTransferLimit") or (data.get("properties") or {}).get(
            "exceededTransferLimit"
        )
        return len(features) if more and features else None

    return paged(session, source_id, url, folder, options, query, records_if_more, hosts)


def nomis_pages(session, source_id, url, params, size, folder, options, hosts) -> list[Path]:
    """Page a Nomis API CSV query with RecordOffset/RecordLimit until a short page."""

    def query(offset: int) -> dict:
        return {**params, "RecordOffset": offset, "RecordLimit": size}

    def records_if_more(page: Path) -> int | None:
        with page.open("rb") as fh:
            rows = max(sum(1 for line in fh if line.strip()) - 1, 0)
        return rows if rows >= size else None

    return paged(session, source_id, url, folder, options, query, records_if_more, hosts)


def paged(session, source_id, url, folder, options, query, records_if_more, hosts=()) -> list[Path]:
    """Download pages from offset 0 until ``records_if_more(page)`` says the last has come
    (None); otherwise it gives the number of records read, which moves the offset on."""
    pages: list[Path] = []
    offset = 0
    while len(pages) < MAX_PAGES:
        target = folder / f"page-{len(pages):04d}"
        page = download(session, source_id, url, query(offset), target, options, hosts)
        pages.append(page)
        records = records_if_more(page)
        if records is None:
            return pages
        offset += records
    raise FetchError(f"source '{source_id}' ({url}): more than {MAX_PAGES} pages; stopped.")


def download(
    session,
    source_id,
    url,
    params,
    dest: Path,
    options: FetchOptions,
    allow_hosts: tuple[str, ...] = (),
) -> Path:
    """GET ``url`` into ``dest`` within ``options.timeout`` seconds in all, following redirects
    only to http(s) addresses on the source's own host (or ``allow_hosts``); refuse HTTP errors,
    HTML pages, truncated or falsely compressed bodies, each with an Error of its own."""
    shown = requests.Request("GET", url, params=params).prepare().url or url
    where = f"source '{source_id}' ({shown})"
    deadline = time.monotonic() + options.timeout
    encoding = "?"
    try:
        resp = follow(session, source_id, url, params, where, options, deadline, allow_hosts)
        encoding = resp.headers.get("Content-Encoding", "identity")
        with resp:
            if resp.status_code >= 400:
                raise FetchError(
                    f"{where}: HTTP {resp.status_code} {resp.reason}. Check "
                    f"sources.{source_id}.url in the config; the cached copy was kept."
                )
            expected = content_length(resp, where)
            written, first = write_body(resp, dest, where, deadline, options)
            wire = resp.raw.tell() if encoding != "identity" else written
            if expected is not None and expected != wire:
                raise truncated(where, expected, wire)
            if "text/html" in resp.headers.get("Content-Type", "") or looks_html(first):
                raise FetchError(
                    f"{where}: the server sent an HTML page, not data (the publisher may have "
                    "moved the file or shown an error page). Open the URL in a browser and fix "
                    f"sources.{source_id}.url; the cached copy was kept."
                )
            if written == 0:
                raise FetchError(
                    f"{where}: the server sent an empty file. Try again later; the "
                    "cached copy was kept."
                )
    except (requests.exceptions.ContentDecodingError, urllib3.exceptions.DecodeError):
        raise FetchError(
            f"{where}: the server said the file was compressed (Content-Encoding: "
            f"{encoding}) but its bytes are not; the download "
            "was discarded and the cached copy kept. Try again later or tell the publisher."
        ) from None
    except (requests.exceptions.ChunkedEncodingError, urllib3.exceptions.ProtocolError):
        raise truncated(where, "?", dest.stat().st_size if dest.exists() else 0) from None
    except (
        requests.exceptions.Timeout,
        requests.exceptions.RetryError,
        urllib3.exceptions.TimeoutError,
    ) as exc:
        raise no_answer(where, options, exc) from None
    except requests.exceptions.ConnectionError as exc:
        if "timed out" in str(exc).lower():
            raise no_answer(where, options, exc) from None
        raise FetchError(
            f"{where}: cannot connect ({exc.__class__.__name__}) after {options.retries + 1} "
            "attempt(s). Check the network and the url; the cached copy was kept."
        ) from None
    except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise FetchError(
            f"{where}: the server's answer could not be read ({type(exc).__name__}: "
            f"{str(exc)[:200]}). Try again later; the cached copy was kept."
        ) from None
    return dest


def follow(session, source_id, url, params, where, options, deadline, allow_hosts):
    """The response at the end of ``url``'s redirects; each hop is checked before it is taken."""
    home = (urlsplit(url).hostname or "").lower()
    allowed = {home, *(h.lower() for h in allow_hosts)}
    seen = {requests.Request("GET", url, params=params).prepare().url}
    current, query = url, params
    for _hop in range(MAX_REDIRECTS + 1):
        left = max(deadline - time.monotonic(), 0.001)
        resp = session.get(
            current,
            params=query,
            stream=True,
            allow_redirects=False,
            timeout=min(options.timeout, left),
        )
        if not 300 <= resp.status_code < 400 or resp.status_code == 304:
            return resp
        location = resp.headers.get("Location")
        resp.close()
        if not location:
            raise FetchError(
                f"{where}: the server answered HTTP {resp.status_code} (a redirect) "
                "without saying where to. Check the url; the cached copy was kept."
            )
        target = urljoin(resp.url, location)
        parts = urlsplit(target)
        scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
        if scheme not in ("http", "https"):
            raise FetchError(
                f"{where}: the server redirected to {target[:120]!r}, a {scheme or 'local'}: "
                "address; fetch follows only http and https. Nothing was read from it and the "
                "cached copy was kept. Check the url with the publisher."
            )
        if urlsplit(current).scheme == "https" and scheme == "http":
            raise FetchError(
                f"{where}: the server redirected from https to plain http ({target[:120]}), "
                "which would drop the encryption; refused, and the cached copy kept."
            )
        if host not in allowed:
            raise FetchError(
                f"{where}: the server redirected to another host, {host} ({target[:120]}); "
                "fetch stays on the source's own host. If that host is the publisher's, add it "
                f"under sources.{source_id}.fetch.allow_hosts in the config."
            )
        if target in seen:
            raise FetchError(
                f"{where}: the server's redirects go round in a loop (back to {target[:120]}). "
                "Try again later or tell the publisher; the cached copy was kept."
            )
        seen.add(target)
        current, query = target, None
    raise FetchError(f"{where}: more than {MAX_REDIRECTS} redirects; stopped. Check the url.")


def content_length(resp: requests.Response, where: str) -> int | None:
    value = resp.headers.get("Content-Length")
    if value is None:
        return None
    if not value.strip().isdigit():
        raise FetchError(
            f"{where}: the server sent a Content-Length of {value[:40]!r}, which is "
            "not a size. Try again later; the cached copy was kept."
        )
    return int(value)


def write_body(
    resp: requests.Response, dest: Path, where: str, deadline: float, options: FetchOptions
) -> tuple[int, bytes]:
    """Stream the body into ``dest`` until the deadline; return (bytes written, first bytes).
    Each read returns what has arrived (``read1``), so a server sending a byte at a time cannot
    hold the transfer past the deadline."""
    written = 0
    first = b""
    with dest.open("wb") as fh:
        while True:
            if time.monotonic() > deadline:
                raise FetchError(
                    f"{where}: the download did not finish within {options.timeout:g} s "
                    f"({written:,} bytes had arrived). Try again later or raise --timeout; the "
                    "cached copy was kept."
                )
            chunk = resp.raw.read1(CHUNK, decode_content=True)
            if not chunk:
                break
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
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
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
        try:
            with zf.open(info) as src, dest.open("wb") as out:
                shutil.copyfileobj(src, out, CHUNK)
            if dest.stat().st_size != info.file_size:
                raise zipfile.BadZipFile(f"{dest.stat().st_size:,} bytes came out")
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
            raise FetchError(
                f"{where}: {info.filename} in the zip cannot be unpacked ({exc}): the archive "
                f"is damaged or misstates the file's size ({info.file_size:,} bytes). Nothing "
                "was installed and the cached copy was kept. Try again later."
            ) from None
    return dest
