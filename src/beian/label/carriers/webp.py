"""WebP: an ``XMP `` chunk, with the ``VP8X`` header's XMP flag set (added when absent)."""

from __future__ import annotations

import struct
from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, pixel_digest, register_carrier
from beian.label.carriers._riff import build_riff, parse_riff
from beian.label.carriers._xmp import build_xmp, find_label

_XMP_FLAG = 0x04
_ALPHA_FLAG = 0x10


@register_carrier
class WebpCarrier(Carrier):
    name = "WebP"
    suffixes = (".webp",)
    kind = "image"
    where = "RIFF XMP 块 TC260:AIGC"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"

    def read(self, path: Path) -> list[str]:
        chunks = parse_riff(path.read_bytes(), b"WEBP", path)
        return [t for c, p in chunks if c == b"XMP " for t in find_label(p)]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        chunks = parse_riff(src.read_bytes(), b"WEBP", src)
        old = next((p for c, p in chunks if c == b"XMP "), None)
        chunks = [(c, p) for c, p in chunks if c != b"XMP "]
        if not chunks:
            raise corrupt(src, "WebP 没有图像块")
        if chunks[0][0] == b"VP8X":
            head = bytearray(chunks[0][1])
            head[0] |= _XMP_FLAG
            chunks[0] = (b"VP8X", bytes(head))
        else:
            from PIL import Image

            with Image.open(src) as im:
                w, h = im.size
                alpha = "A" in im.getbands()
            flags = _XMP_FLAG | (_ALPHA_FLAG if alpha else 0)
            vp8x = (
                bytes([flags, 0, 0, 0])
                + struct.pack("<I", w - 1)[:3]
                + struct.pack("<I", h - 1)[:3]
            )
            chunks.insert(0, (b"VP8X", vp8x))
        chunks.append((b"XMP ", build_xmp(label_json, old)))
        dst.write_bytes(build_riff(b"WEBP", chunks))

    def content_digest(self, path: Path) -> bytes:
        parse_riff(path.read_bytes(), b"WEBP", path)
        return pixel_digest(path)
