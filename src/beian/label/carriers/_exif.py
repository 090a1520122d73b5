"""EXIF ``UserComment`` (tag 0x9286 in the Exif IFD), a second label site some guides name for JPEG.

The TC260 image practice guide, as relayed by independent validators, allows the label in JPEG's
APP1 XMP **or** in EXIF ``UserComment`` [S]; this project writes XMP only (one label per file,
GB 45438 6.1 c)) and reads ``UserComment`` so a file labelled there, or in both places, is seen.
Only the TIFF structure is walked (byte order, IFD0, the Exif IFD pointer 0x8769); a damaged
EXIF block yields no comment rather than an error, as readers skip it too.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

__all__ = ["EXIF_HEADER", "UserComment", "blank", "user_comment"]

EXIF_HEADER = b"Exif\x00\x00"
_EXIF_IFD = 0x8769
_USER_COMMENT = 0x9286
_CHARSETS = {b"ASCII\x00\x00\x00": "ascii", b"UNICODE\x00": "utf-16", b"\x00" * 8: "latin-1"}


@dataclass(frozen=True)
class UserComment:
    offset: int  # of the value inside the TIFF block (after the Exif header)
    length: int
    text: str

    @property
    def label(self) -> str | None:
        """The AIGC JSON held in the comment, if that is what it holds."""
        text = self.text.strip("\x00 \t\r\n")
        return text if text.startswith("{") and '"AIGC"' in text else None


def _entries(tiff: bytes, bo: str, ifd: int) -> dict[int, tuple[int, int, int]]:
    """tag → (type, count, entry offset) of one IFD."""
    (count,) = struct.unpack_from(bo + "H", tiff, ifd)
    out = {}
    for i in range(count):
        at = ifd + 2 + 12 * i
        tag, typ, n = struct.unpack_from(bo + "HHI", tiff, at)
        out[tag] = (typ, n, at)
    return out


def user_comment(tiff: bytes) -> UserComment | None:
    """The ``UserComment`` of a TIFF-structured EXIF block (without the ``Exif\\0\\0`` header)."""
    try:
        bo = {b"II": "<", b"MM": ">"}[tiff[:2]]
        (ifd0,) = struct.unpack_from(bo + "I", tiff, 4)
        exif = _entries(tiff, bo, ifd0).get(_EXIF_IFD)
        if exif is None:
            return None
        (exif_ifd,) = struct.unpack_from(bo + "I", tiff, exif[2] + 8)
        entry = _entries(tiff, bo, exif_ifd).get(_USER_COMMENT)
        if entry is None:
            return None
        _typ, n, at = entry
        offset = at + 8 if n <= 4 else struct.unpack_from(bo + "I", tiff, at + 8)[0]
        raw = tiff[offset : offset + n]
        if len(raw) != n or n < 8:
            return None
        encoding = _CHARSETS.get(raw[:8], "latin-1")
        if encoding == "utf-16":
            encoding = "utf-16-le" if bo == "<" else "utf-16-be"
        return UserComment(offset, n, raw[8:].decode(encoding, "replace"))
    except (KeyError, struct.error, IndexError):
        return None


def blank(tiff: bytes, comment: UserComment) -> bytes:
    """``tiff`` with the comment's value zeroed in place (same length: no offset moves)."""
    return (
        tiff[: comment.offset] + b"\x00" * comment.length + tiff[comment.offset + comment.length :]
    )
