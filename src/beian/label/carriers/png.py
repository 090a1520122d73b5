"""PNG: one ``tEXt`` chunk with keyword ``AIGC`` (the image practice guide's site).

GB 45438 6.1 c) allows one label per file, so the label is written in ``tEXt`` only; a
``TC260:AIGC`` in the XMP packet (``iTXt XML:com.adobe.xmp``), ``zTXt`` or ``iTXt`` ``AIGC`` is
still read (and reported as a second label by ``verify``) and removed when a label is written.

Only chunk headers are read to find the layout; the labelled copy is spliced from the original's
byte ranges plus the new chunk (length, type, data, CRC), so every other chunk stays
byte-identical and the image is never decoded. The content digest covers the chunks that define
the pixels (``IHDR``, ``PLTE``, ``tRNS``, the ``IDAT`` stream and the APNG frame chunks), each
checked against its CRC.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._fastio import Piece, hash_spans, mapped, splice
from beian.label.carriers._xmp import build_xmp, find_label, strip_label

_SIG = b"\x89PNG\r\n\x1a\n"
_XMP_KEY = b"XML:com.adobe.xmp"
_TEXT = (b"tEXt", b"zTXt", b"iTXt")
_PIXELS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"acTL", b"fcTL", b"fdAT"}


@dataclass(frozen=True)
class _Chunk:
    ctype: bytes
    start: int  # offset of the length field
    n: int  # data length

    @property
    def data(self) -> tuple[int, int]:
        return self.start + 8, self.n

    @property
    def whole(self) -> tuple[int, int]:
        return self.start, self.n + 12


def _layout(path: Path, view: memoryview) -> list[_Chunk]:
    """Every chunk up to IEND, from the headers; truncation is an error."""
    if bytes(view[:8]) != _SIG:
        raise corrupt(path, "缺少 PNG 文件头")
    pos, out, size = 8, [], len(view)
    while pos < size:
        if pos + 12 > size:
            raise corrupt(path, "PNG 块被截断")
        n, ctype = struct.unpack_from(">I4s", view, pos)
        if pos + 12 + n > size:
            raise corrupt(path, f"PNG 块 {ctype.decode('latin-1')} 被截断")
        out.append(_Chunk(ctype, pos, n))
        pos += 12 + n
        if ctype == b"IEND":
            break
    if not out or out[0].ctype != b"IHDR" or out[-1].ctype != b"IEND":
        raise corrupt(path, "缺少 IHDR 或 IEND")
    return out


def _body(path: Path, view: memoryview, c: _Chunk) -> bytes:
    """A chunk's data, checked against its CRC."""
    body = bytes(view[c.start + 8 : c.start + 8 + c.n])
    (crc,) = struct.unpack_from(">I", view, c.start + 8 + c.n)
    if zlib.crc32(body, zlib.crc32(c.ctype)) != crc:
        raise corrupt(path, f"PNG 块 {c.ctype.decode('latin-1')} 校验和错误")
    return body


def _itxt(body: bytes) -> tuple[bytes, bytes]:
    key, _, rest = body.partition(b"\x00")
    comp_flag, rest = rest[0], rest[2:]
    _lang, _, rest = rest.partition(b"\x00")
    _tkey, _, text = rest.partition(b"\x00")
    return key, zlib.decompress(text) if comp_flag else text


def _labels(ctype: bytes, body: bytes) -> list[str]:
    if ctype == b"tEXt":
        key, _, text = body.partition(b"\x00")
        return [text.decode("latin-1")] if key == b"AIGC" else []
    if ctype == b"zTXt":
        key, _, rest = body.partition(b"\x00")
        return [zlib.decompress(rest[1:]).decode("latin-1")] if key == b"AIGC" else []
    key, text = _itxt(body)
    if key == b"AIGC":
        return [text.decode("utf-8")]
    return find_label(text) if key == _XMP_KEY else []


def _chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


@register_carrier
class PngCarrier(Carrier):
    name = "PNG"
    suffixes = (".png", ".apng")
    kind = "image"
    where = "tEXt AIGC"
    magic = (_SIG,)
    verbatim = True
    supports_xmp = True

    def xmp_packets(self, path: Path) -> list[bytes]:
        with mapped(path) as view:
            return [
                _itxt(body)[1]
                for c in _layout(path, view)
                if c.ctype == b"iTXt"
                and (body := _body(path, view, c)).startswith(_XMP_KEY + b"\x00")
            ]

    def read(self, path: Path) -> list[str]:
        with mapped(path) as view:
            try:
                return [
                    t
                    for c in _layout(path, view)
                    if c.ctype in _TEXT
                    for t in _labels(c.ctype, _body(path, view, c))
                ]
            except (zlib.error, UnicodeDecodeError, IndexError) as exc:
                raise corrupt(path, str(exc)) from None

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        pieces: list[Piece] = []
        old_xmp = None
        with mapped(src) as view:
            chunks = _layout(src, view)
            for c in chunks[1:]:
                if c.ctype in _TEXT:
                    body = _body(src, view, c)
                    if body.split(b"\x00", 1)[0] == b"AIGC":
                        continue
                    if c.ctype == b"iTXt" and body.startswith(_XMP_KEY + b"\x00"):
                        old_xmp = _itxt(body)[1]
                        continue
                pieces.append(c.whole)
        new = [_chunk(b"tEXt", b"AIGC\x00" + label_json.encode("ascii"))]
        xmp = strip_label(old_xmp) if old_xmp is not None else None
        if self.extra_xmp:  # e.g. IPTC DigitalSourceType, in XMP without a second label
            xmp = build_xmp(None, xmp, self.extra_xmp)
        if xmp is not None:  # other XMP properties stay, without a second label
            new.append(_chunk(b"iTXt", _XMP_KEY + b"\x00\x00\x00\x00\x00" + xmp))
        splice(src, dst, [(0, 8), chunks[0].whole, *new, *pieces])

    def content_digest(self, path: Path) -> bytes:
        with mapped(path) as view:
            pixels = [c for c in _layout(path, view) if c.ctype in _PIXELS]
            for c in pixels:
                (crc,) = struct.unpack_from(">I", view, c.start + 8 + c.n)
                if zlib.crc32(view[c.start + 4 : c.start + 8 + c.n]) != crc:
                    raise corrupt(path, f"PNG 块 {c.ctype.decode('latin-1')} 校验和错误")
            return hash_spans(view, [(c.start + 4, c.n + 4) for c in pixels])
