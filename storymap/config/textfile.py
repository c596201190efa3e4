"""Text files are text: a config or chapter that is binary, holds NUL or other control bytes or
bidirectional controls, or is saved in another encoding is refused, naming the file and the byte
offset (or line).

In: a path, the name to show for it, the kind of error to raise and the fix to suggest. Out: the
file's text (a UTF-8 byte-order mark dropped).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from storymap.errors import StorymapError

# Control characters no text file of ours holds: all of C0 but tab, newline, carriage return and
# form feed, and DEL.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Bidirectional embedding, override and isolate controls: they make text show in another order
# than it is stored ("Trojan Source"), so a name or sentence can read differently from what
# the checks and search see. The marks (U+200E, U+200F, U+061C) that right-to-left text needs
# are allowed.
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
OTHER_BOMS = {
    codecs.BOM_UTF32_LE: "UTF-32",
    codecs.BOM_UTF32_BE: "UTF-32",
    codecs.BOM_UTF16_LE: "UTF-16",
    codecs.BOM_UTF16_BE: "UTF-16",
}


def read_text_file(path: Path, shown: str, kind: type[StorymapError], fix: str) -> str:
    """The UTF-8 text of ``path``; ``kind`` raised naming ``shown`` and the byte offset if not."""
    return check_text(path.read_bytes(), shown, kind, fix)


def check_text(data: bytes, shown: str, kind: type[StorymapError], fix: str) -> str:
    for bom, encoding in OTHER_BOMS.items():
        if data.startswith(bom):
            raise kind(
                f"{shown}: saved as {encoding} (byte 0 is a {encoding} byte-order mark), "
                f"not UTF-8. {fix}"
            )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise kind(f"{shown}: this is a binary file, not text (a NUL byte at byte {nul}). {fix}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise kind(
            f"{shown}: not UTF-8 text (byte {exc.start} is 0x{data[exc.start]:02x}; the file may "
            f"be binary or saved in another encoding such as Windows-1252). {fix}"
        ) from None
    text = text.removeprefix("\ufeff")
    bad = CONTROL.search(text)
    if bad:
        offset = len(text[: bad.start()].encode("utf-8")) + (
            3 if data.startswith(b"\xef\xbb\xbf") else 0
        )
        line = text.count("\n", 0, bad.start()) + 1
        raise kind(
            f"{shown}: a control character (0x{ord(bad.group()):02x}) at byte {offset} (line "
            f"{line}); text files hold none, so this may be a binary file. {fix}"
        )
    bidi = BIDI.search(text)
    if bidi:
        line = text.count("\n", 0, bidi.start()) + 1
        raise kind(f"{shown} line {line}: {bidi_problem(bidi.group())}")
    return text


def bidi_problem(char: str) -> str:
    return (
        f"a bidirectional control character (U+{ord(char):04X}), which makes text show in "
        "another order than it is written, so a reader could see something other than what "
        "was checked. Delete it (an editor may show it as a space or nothing)."
    )
