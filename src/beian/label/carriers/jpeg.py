"""JPEG: XMP in an APP1 segment (``http://ns.adobe.com/xap/1.0/``).

Pillow would re-compress the image (lossy) to add XMP, so the APP1 segment is inserted into the
marker list directly; the entropy-coded data is copied unchanged.
"""

from __future__ import annotations

import struct
from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, pixel_digest, register_carrier
from beian.label.carriers._xmp import XMP_HEADER, build_xmp, find_label


def _segments(path: Path) -> tuple[list[tuple[int, bytes]], bytes]:
    """Header segments up to SOS as (marker, payload), and the rest of the file from SOS on."""
    data = path.read_bytes()
    if not data.startswith(b"\xff\xd8"):
        raise corrupt(path, "缺少 JPEG SOI 标记")
    pos, segs = 2, list[tuple[int, bytes]]()
    while True:
        if pos + 4 > len(data) or data[pos] != 0xFF:
            raise corrupt(path, "JPEG 标记段被截断")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:  # SOS: the rest is scan data
            rest = data[pos:]
            if not rest.rstrip(b"\x00").endswith(b"\xff\xd9"):
                raise corrupt(path, "缺少 JPEG EOI 标记")
            return segs, rest
        (n,) = struct.unpack_from(">H", data, pos + 2)
        if n < 2 or pos + 2 + n > len(data):
            raise corrupt(path, "JPEG 标记段长度超出文件")
        segs.append((marker, data[pos + 4 : pos + 2 + n]))
        pos += 2 + n


def _is_xmp(marker: int, payload: bytes) -> bool:
    return marker == 0xE1 and payload.startswith(XMP_HEADER)


@register_carrier
class JpegCarrier(Carrier):
    name = "JPEG"
    suffixes = (".jpg", ".jpeg", ".jpe")
    kind = "image"
    where = "APP1 XMP TC260:AIGC"
    magic = (b"\xff\xd8\xff",)

    def read(self, path: Path) -> list[str]:
        segs, _ = _segments(path)
        return [t for m, p in segs if _is_xmp(m, p) for t in find_label(p[len(XMP_HEADER) :])]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        segs, rest = _segments(src)
        old = next((p[len(XMP_HEADER) :] for m, p in segs if _is_xmp(m, p)), None)
        kept = [(m, p) for m, p in segs if not _is_xmp(m, p)]
        payload = XMP_HEADER + build_xmp(label_json, old)
        if len(payload) + 2 > 0xFFFF:
            raise corrupt(src, "已有 XMP 过大，无法放入单个 APP1 段")
        # After JFIF (APP0) / Exif (APP1) at the start, as readers expect.
        at = 0
        while at < len(kept) and kept[at][0] in (0xE0, 0xE1):
            at += 1
        kept.insert(at, (0xE1, payload))
        out = bytearray(b"\xff\xd8")
        for m, p in kept:
            out += bytes([0xFF, m]) + struct.pack(">H", len(p) + 2) + p
        dst.write_bytes(bytes(out) + rest)

    def content_digest(self, path: Path) -> bytes:
        _segments(path)
        return pixel_digest(path)
