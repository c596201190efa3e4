"""`storymap fetch` against odd answers from a real server on 127.0.0.1 that writes raw HTTP.

Each odd answer (a body cut short with or without Content-Length, a one-byte drip, a redirect
loop, a redirect to file:// or to another host, a false gzip header, a zip that misstates its
size, a nonsense Content-Length) ends in one Error naming the source and URL, exit status 1, no
traceback, and data/ (bundled files and cache) byte for byte as before.
"""

from __future__ import annotations

import gzip
import io
import socket
import socketserver
import struct
import threading
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_fetch import copy_project, edit_config, file7_csv, hash_tree, ts038_zip

from storymap.commands.cli import main
from storymap.config import load_config

Answer = Callable[[str], list[tuple[bytes, float]]]  # request path -> [(bytes, pause before)]


class RawServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), RawHandler)
        self.answer: Answer = lambda _path: [(b"HTTP/1.1 404 Not Found\r\n\r\n", 0)]

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class RawHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            data += chunk
        path = data.split(b" ", 2)[1].decode()
        try:
            for part, pause in self.server.answer(path):
                time.sleep(pause)
                self.request.sendall(part)
        except OSError:  # the client gave up: fine
            pass
        finally:
            try:
                self.request.shutdown(socket.SHUT_RDWR)
            except OSError:  # the client closed first: nothing left to shut
                pass


@pytest.fixture
def server():
    srv = RawServer()
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    project = copy_project(tmp_path / "project")
    cache = project / "data/cache/iod2019"  # a previous fetch, which must survive
    cache.mkdir(parents=True)
    (cache / "london_lsoa11_iod2019_imd_idaopi.csv").write_bytes(
        (project / "data/deprivation/london_lsoa11_iod2019_imd_idaopi.csv").read_bytes()
    )
    return project


def response(body: bytes, *headers: str, status: str = "200 OK") -> list[tuple[bytes, float]]:
    head = f"HTTP/1.1 {status}\r\nConnection: close\r\n" + "".join(h + "\r\n" for h in headers)
    return [(head.encode() + b"\r\n" + body, 0)]


def run_fetch(project: Path, base: str, source: str = "iod2019", timeout: str = "5"):
    args = [
        "fetch",
        "--config",
        str(project / "site_config.yml"),
        "--source",
        source,
        "--base-url",
        base,
        "--retries",
        "0",
        "--backoff",
        "0",
        "--timeout",
        timeout,
    ]
    return CliRunner().invoke(main, args)


def assert_refused(project: Path, before: dict, result, *words: str) -> None:
    out = result.output
    assert result.exit_code == 1, out
    assert out.startswith("Error: ") or "\nError: " in out, out
    assert "Traceback" not in out and "This is a bug" not in out, out
    assert "source 'iod2019'" in out or "source 'census_disability'" in out, out
    for word in words:
        assert word in out, out
    assert hash_tree(project / "data") == before, "data/ changed"


def file7(project: Path) -> bytes:
    return file7_csv(load_config(project / "site_config.yml")).encode()


def test_early_close_without_length_mid_line(project, server):
    body = file7(project)
    server.answer = lambda _p: response(body[: len(body) // 2])  # no Content-Length, cut mid-row
    before = hash_tree(project / "data")
    result = run_fetch(project, server.base)
    assert_refused(project, before, result, "columns: the download ends early")


def test_early_close_without_length_on_a_line_end(project, server):
    body = file7(project)
    cut = body[: body.index(b"\n", len(body) // 2) + 1]  # whole rows, half of them
    server.answer = lambda _p: response(cut)
    before = hash_tree(project / "data")
    result = run_fetch(project, server.base)
    assert_refused(project, before, result, "rows where data/cache/iod2019/", "cut short")


def test_body_shorter_than_content_length(project, server):
    body = file7(project)
    server.answer = lambda _p: response(body[:5000], f"Content-Length: {len(body)}")
    before = hash_tree(project / "data")
    result = run_fetch(project, server.base)
    assert_refused(project, before, result, "cut short")


def test_one_byte_drip_is_bounded_by_the_timeout(project, server):
    def drip(_path: str) -> list[tuple[bytes, float]]:
        head = response(b"", "Content-Length: 100000")[0][0]
        return [(head, 0)] + [(b"x", 0.05)] * 2000

    server.answer = drip
    before = hash_tree(project / "data")
    start = time.monotonic()
    result = run_fetch(project, server.base, timeout="1")
    elapsed = time.monotonic() - start
    assert_refused(project, before, result, "did not finish within 1 s")
    assert elapsed < 4, f"the fetch took {elapsed:.1f} s with --timeout 1"


def test_redirect_loop(project, server):
    server.answer = lambda path: response(b"", f"Location: {path}", status="302 Found")
    before = hash_tree(project / "data")
    assert_refused(project, before, run_fetch(project, server.base), "redirects go round in a loop")


def test_redirect_ping_pong_loop(project, server):
    def answer(path: str) -> list[tuple[bytes, float]]:
        target = "/b" if not path.startswith("/b") else "/a"
        return response(b"", f"Location: {target}", status="301 Moved Permanently")

    server.answer = answer
    before = hash_tree(project / "data")
    assert_refused(project, before, run_fetch(project, server.base), "loop")


def test_redirect_to_a_file_url(project, server):
    server.answer = lambda _p: response(b"", "Location: file:///etc/passwd", status="302 Found")
    before = hash_tree(project / "data")
    result = run_fetch(project, server.base)
    assert_refused(project, before, result, "a file: address", "only http and https")


def test_redirect_to_another_host_unless_allowed(project, server):
    body = file7(project)

    def answer(path: str) -> list[tuple[bytes, float]]:
        if path.startswith("/moved"):
            return response(body, f"Content-Length: {len(body)}")
        port = server.server_address[1]
        return response(b"", f"Location: http://localhost:{port}/moved.csv", status="302 Found")

    server.answer = answer
    before = hash_tree(project / "data")
    result = run_fetch(project, server.base)
    assert_refused(
        project,
        before,
        result,
        "redirected to another host, localhost",
        "sources.iod2019.fetch.allow_hosts",
    )
    edit_config(
        project,
        "      attributes_from: lsoa11_ward22\n",
        "      attributes_from: lsoa11_ward22\n      allow_hosts: [localhost]\n",
        "iod2019",
    )
    result = run_fetch(project, server.base)
    assert result.exit_code == 0, result.output


def test_redirect_without_location(project, server):
    server.answer = lambda _p: response(b"", status="302 Found")
    before = hash_tree(project / "data")
    assert_refused(project, before, run_fetch(project, server.base), "without saying where to")


def test_false_gzip_header(project, server):
    body = file7(project)
    server.answer = lambda _p: response(
        body, "Content-Encoding: gzip", f"Content-Length: {len(body)}"
    )
    before = hash_tree(project / "data")
    result = run_fetch(project, server.base)
    assert_refused(project, before, result, "said the file was compressed (Content-Encoding: gzip)")


def test_real_gzip_is_read(project, server):
    body = gzip.compress(file7(project))
    server.answer = lambda _p: response(
        body, "Content-Encoding: gzip", f"Content-Length: {len(body)}"
    )
    result = run_fetch(project, server.base)
    assert result.exit_code == 0, result.output


def test_nonsense_content_length(project, server):
    server.answer = lambda _p: response(b"a,b\n1,2\n", "Content-Length: lots")
    before = hash_tree(project / "data")
    result = run_fetch(project, server.base)
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert "This is a bug" not in result.output and result.output.startswith("Error: ")
    assert hash_tree(project / "data") == before


def _misstated_zip(factor: float) -> bytes:
    """The TS038 zip with its CSV's stated size (local header and central directory) scaled."""
    data = bytearray(ts038_zip())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = next(i for i in zf.infolist() if i.filename.endswith("-lsoa.csv"))
    wrong = int(info.file_size * factor)
    local = info.header_offset
    struct.pack_into("<I", data, local + 22, wrong)  # local header: uncompressed size
    central = bytes(data).find(b"PK\x01\x02")
    while central >= 0:
        name_len = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_len].endswith(b"-lsoa.csv"):
            struct.pack_into("<I", data, central + 24, wrong)  # central: uncompressed size
        central = bytes(data).find(b"PK\x01\x02", central + 4)
    return bytes(data)


@pytest.mark.parametrize("factor", [0.5, 2.0])
def test_zip_misstating_its_size(project, server, factor):
    body = _misstated_zip(factor)
    server.answer = lambda _p: response(body, f"Content-Length: {len(body)}")
    before = hash_tree(project / "data")
    result = run_fetch(project, server.base, source="census_disability")
    assert_refused(project, before, result, "misstates the file's size")
