"""GIF: the XMP application extension (``XMP DataXMP`` + the 258-byte "magic trailer").

The block walk below only finds block boundaries; frames are copied byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, pixel_digest, register_carrier
from beian.label.carriers._xmp import build_xmp, find_label

_APP_ID = b"\x21\xff\x0bXMP DataXMP"
_TRAILER = b"\x01" + bytes(range(255, -1, -1)) + b"\x00"  # 258 bytes


def _skip_subblocks(data: bytes, pos: int, path: Path) -> int:
    while True:
        if pos >= len(data):
            raise corrupt(path, "GIF 数据子块被截断")
        n = data[pos]
        pos += 1 + n
        if n == 0:
            return pos


def _blocks(path: Path) -> tuple[bytes, list[bytes]]:
    """The header (signature, screen descriptor, global palette) and every following block."""
    data = path.read_bytes()
    if data[:6] not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise corrupt(path, "缺少 GIF 文件头")
    flags = data[10]
    pos = 13 + (3 * (2 ** ((flags & 7) + 1)) if flags & 0x80 else 0)
    header, blocks = data[:pos], []
    while True:
        if pos >= len(data):
            raise corrupt(path, "缺少 GIF 结束符")
        start, kind = pos, data[pos]
        if kind == 0x3B:
            blocks.append(data[pos : pos + 1])
            return header, blocks
        if kind == 0x21:
            pos = _skip_subblocks(data, pos + 2, path)
        elif kind == 0x2C:
            if pos + 10 > len(data):
                raise corrupt(path, "GIF 图像描述符被截断")
            lflags = data[pos + 9]
            pos += 10 + (3 * (2 ** ((lflags & 7) + 1)) if lflags & 0x80 else 0)
            pos = _skip_subblocks(data, pos + 1, path)
        else:
            raise corrupt(path, f"未知 GIF 块 0x{kind:02x}")
        blocks.append(data[start:pos])


def _xmp_of(block: bytes) -> bytes | None:
    if block.startswith(_APP_ID) and block.endswith(_TRAILER):
        return block[len(_APP_ID) : -len(_TRAILER)]
    return None


@register_carrier
class GifCarrier(Carrier):
    name = "GIF"
    suffixes = (".gif",)
    kind = "image"
    where = "XMP 应用扩展 TC260:AIGC"
    magic = (b"GIF87a", b"GIF89a")

    def read(self, path: Path) -> list[str]:
        _, blocks = _blocks(path)
        return [t for b in blocks if (x := _xmp_of(b)) is not None for t in find_label(x)]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        header, blocks = _blocks(src)
        old = next((x for b in blocks if (x := _xmp_of(b)) is not None), None)
        kept = [b for b in blocks if not b.startswith(_APP_ID)]
        xmp = build_xmp(label_json, old)
        if b"\x00" in xmp:
            raise corrupt(src, "XMP 含 NUL 字节")
        header = b"GIF89a" + header[6:]  # extensions need 89a
        dst.write_bytes(header + _APP_ID + xmp + _TRAILER + b"".join(kept))

    def content_digest(self, path: Path) -> bytes:
        _blocks(path)
        return pixel_digest(path)
