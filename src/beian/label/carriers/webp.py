"""WebP: an ``XMP `` chunk, with the ``VP8X`` header's XMP flag set (added when absent).

Only chunk headers are read; the labelled copy is spliced from the original's chunks. The content
digest covers the image chunks (``VP8 ``, ``VP8L``, ``ALPH``, ``ANIM``, ``ANMF``), so adding the
``VP8X`` header or metadata never changes it.
"""

from __future__ import annotations

import struct
from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._fastio import Piece, hash_spans, mapped
from beian.label.carriers._riff import RiffChunk, chunk_bytes, riff_chunks, write_riff
from beian.label.carriers._xmp import build_xmp, find_label

_XMP_FLAG = 0x04
_ALPHA_FLAG = 0x10
_IMAGE = (b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF")


def _payload(view: memoryview, c: RiffChunk) -> bytes:
    return bytes(view[c.start + 8 : c.start + 8 + c.n])


def _vp8x(src: Path, fourcc: bytes, payload: bytes) -> bytes:
    """A ``VP8X`` header for a simple-format file, from its bitstream header (RFC 9649)."""
    if fourcc == b"VP8L" and len(payload) >= 5 and payload[0] == 0x2F:
        bits = int.from_bytes(payload[1:5], "little")
        w, h, alpha = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1, bool(bits >> 28 & 1)
    elif fourcc == b"VP8 " and len(payload) >= 10 and payload[3:6] == b"\x9d\x01\x2a":
        w = int.from_bytes(payload[6:8], "little") & 0x3FFF
        h = int.from_bytes(payload[8:10], "little") & 0x3FFF
        alpha = False
    else:
        raise corrupt(src, "WebP 图像头无法识别")
    flags = _XMP_FLAG | (_ALPHA_FLAG if alpha else 0)
    return bytes([flags, 0, 0, 0]) + struct.pack("<I", w - 1)[:3] + struct.pack("<I", h - 1)[:3]


@register_carrier
class WebpCarrier(Carrier):
    name = "WebP"
    suffixes = (".webp",)
    kind = "image"
    where = "RIFF XMP 块 TC260:AIGC"
    verbatim = True
    supports_xmp = True

    def xmp_packets(self, path: Path) -> list[bytes]:
        with mapped(path) as view:
            chunks = riff_chunks(path, view, b"WEBP")
            return [_payload(view, c) for c in chunks if c.fourcc == b"XMP "]

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"

    def read(self, path: Path) -> list[str]:
        with mapped(path) as view:
            chunks = riff_chunks(path, view, b"WEBP")
            return [t for c in chunks if c.fourcc == b"XMP " for t in find_label(_payload(view, c))]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        with mapped(src) as view:
            chunks = riff_chunks(src, view, b"WEBP")
            old = next((_payload(view, c) for c in chunks if c.fourcc == b"XMP "), None)
            kept = [c for c in chunks if c.fourcc != b"XMP "]
            if not kept:
                raise corrupt(src, "WebP 没有图像块")
            first = _payload(view, kept[0])[:10]
        pieces: list[Piece] = [p for c in kept for p in c.pieces()]
        if kept[0].fourcc == b"VP8X":
            pieces[0] = chunk_bytes(b"VP8X", bytes([first[0] | _XMP_FLAG]) + first[1:])
        else:
            pieces.insert(0, chunk_bytes(b"VP8X", _vp8x(src, kept[0].fourcc, first)))
        write_riff(
            src,
            dst,
            b"WEBP",
            [*pieces, chunk_bytes(b"XMP ", build_xmp(label_json, old, self.extra_xmp))],
        )

    def content_digest(self, path: Path) -> bytes:
        with mapped(path) as view:
            chunks = riff_chunks(path, view, b"WEBP")
            if not any(c.fourcc in _IMAGE for c in chunks):
                raise corrupt(path, "WebP 没有图像块")
            return hash_spans(view, [(c.start, c.n + 8) for c in chunks if c.fourcc in _IMAGE])
