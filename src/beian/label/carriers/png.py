"""PNG: one ``tEXt`` chunk with keyword ``AIGC`` (the image practice guide's site).

GB 45438 6.1 c) allows one label per file, so the label is written in ``tEXt`` only; a
``TC260:AIGC`` in the XMP packet (``iTXt XML:com.adobe.xmp``), ``zTXt`` or ``iTXt`` ``AIGC`` is
still read (and reported as a second label by ``verify``) and removed when a label is written.

Pillow can only add text chunks by re-encoding the image, so the chunks are inserted directly
(length, type, data, CRC), leaving every other chunk byte-identical.
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, pixel_digest, register_carrier
from beian.label.carriers._xmp import find_label, strip_label

_SIG = b"\x89PNG\r\n\x1a\n"
_XMP_KEY = b"XML:com.adobe.xmp"


def _chunks(path: Path) -> list[tuple[bytes, bytes]]:
    data = path.read_bytes()
    if not data.startswith(_SIG):
        raise corrupt(path, "缺少 PNG 文件头")
    pos, out = 8, []
    while pos < len(data):
        if pos + 12 > len(data):
            raise corrupt(path, "PNG 块被截断")
        (n,) = struct.unpack_from(">I", data, pos)
        ctype = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + n]
        if len(body) != n or pos + 12 + n > len(data):
            raise corrupt(path, f"PNG 块 {ctype.decode('latin-1')} 被截断")
        (crc,) = struct.unpack_from(">I", data, pos + 8 + n)
        if zlib.crc32(ctype + body) != crc:
            raise corrupt(path, f"PNG 块 {ctype.decode('latin-1')} 校验和错误")
        out.append((ctype, body))
        pos += 12 + n
        if ctype == b"IEND":
            break
    if not out or out[0][0] != b"IHDR" or out[-1][0] != b"IEND":
        raise corrupt(path, "缺少 IHDR 或 IEND")
    return out


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
    if ctype == b"iTXt":
        key, text = _itxt(body)
        if key == b"AIGC":
            return [text.decode("utf-8")]
        if key == _XMP_KEY:
            return find_label(text)
    return []


def _chunk(ctype: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body))


@register_carrier
class PngCarrier(Carrier):
    name = "PNG"
    suffixes = (".png", ".apng")
    kind = "image"
    where = "tEXt AIGC"
    magic = (_SIG,)

    def read(self, path: Path) -> list[str]:
        try:
            return [t for ctype, body in _chunks(path) for t in _labels(ctype, body)]
        except (zlib.error, UnicodeDecodeError, IndexError) as exc:
            raise corrupt(path, str(exc)) from None

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        chunks = _chunks(src)
        old_xmp = None
        kept = []
        for ctype, body in chunks:
            if ctype in (b"tEXt", b"zTXt", b"iTXt") and body.split(b"\x00", 1)[0] == b"AIGC":
                continue
            if ctype == b"iTXt" and body.startswith(_XMP_KEY + b"\x00"):
                old_xmp = _itxt(body)[1]
                continue
            kept.append((ctype, body))
        new = [(b"tEXt", b"AIGC\x00" + label_json.encode("ascii"))]
        xmp = strip_label(old_xmp) if old_xmp is not None else None
        if xmp is not None:  # other XMP properties stay, without a second label
            new.append((b"iTXt", _XMP_KEY + b"\x00\x00\x00\x00\x00" + xmp))
        out = [kept[0], *new, *kept[1:]]
        dst.write_bytes(_SIG + b"".join(_chunk(t, b) for t, b in out))

    def content_digest(self, path: Path) -> bytes:
        _chunks(path)
        return pixel_digest(path)
