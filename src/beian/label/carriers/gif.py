"""GIF: the XMP application extension (``XMP DataXMP`` + the 258-byte "magic trailer").

The block walk below only finds block boundaries; the labelled copy is spliced from the
original's byte ranges, so frames are copied by the kernel, byte for byte. The content digest
covers the screen descriptor, the palettes and every block except the XMP and C2PA extensions and
comments.
"""

from __future__ import annotations

from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._fastio import Span, hash_spans, mapped, splice
from beian.label.carriers._xmp import build_xmp, find_label

_APP_ID = b"\x21\xff\x0bXMP DataXMP"
_TRAILER = b"\x01" + bytes(range(255, -1, -1)) + b"\x00"  # 258 bytes
_C2PA_ID = b"\x21\xff\x0bC2PA_GIF"  # a C2PA manifest store (metadata, like XMP)


def _skip_subblocks(data: memoryview, pos: int, path: Path) -> int:
    size = len(data)
    while pos < size:
        n = data[pos]
        pos += 1 + n
        if n == 0:
            return pos
    raise corrupt(path, "GIF 数据子块被截断")


def _blocks(path: Path, data: memoryview) -> tuple[int, list[Span]]:
    """The header's length (signature, screen descriptor, global palette) and every block."""
    if bytes(data[:6]) not in (b"GIF87a", b"GIF89a") or len(data) < 13:
        raise corrupt(path, "缺少 GIF 文件头")
    flags = data[10]
    pos = 13 + (3 * (2 ** ((flags & 7) + 1)) if flags & 0x80 else 0)
    header, blocks = pos, []
    while True:
        if pos >= len(data):
            raise corrupt(path, "缺少 GIF 结束符")
        start, kind = pos, data[pos]
        if kind == 0x3B:
            blocks.append((pos, 1))
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
        blocks.append((start, pos - start))


def _xmp_of(data: memoryview, span: Span) -> bytes | None:
    start, n = span
    if n < len(_APP_ID) + len(_TRAILER) or bytes(data[start : start + len(_APP_ID)]) != _APP_ID:
        return None
    block = bytes(data[start : start + n])
    return block[len(_APP_ID) : -len(_TRAILER)] if block.endswith(_TRAILER) else None


def _is_app(data: memoryview, span: Span) -> bool:
    return bytes(data[span[0] : span[0] + len(_APP_ID)]) == _APP_ID


def _is_metadata(data: memoryview, span: Span) -> bool:
    """XMP and C2PA application extensions and comments: not part of the image."""
    head = bytes(data[span[0] : span[0] + len(_APP_ID)])
    return head.startswith((_APP_ID, _C2PA_ID, b"\x21\xfe"))


@register_carrier
class GifCarrier(Carrier):
    name = "GIF"
    suffixes = (".gif",)
    kind = "image"
    where = "XMP 应用扩展 TC260:AIGC"
    magic = (b"GIF87a", b"GIF89a")
    verbatim = True
    supports_xmp = True

    def xmp_packets(self, path: Path) -> list[bytes]:
        with mapped(path) as data:
            _, blocks = _blocks(path, data)
            return [x for b in blocks if (x := _xmp_of(data, b)) is not None]

    def read(self, path: Path) -> list[str]:
        with mapped(path) as data:
            _, blocks = _blocks(path, data)
            return [t for b in blocks if (x := _xmp_of(data, b)) is not None for t in find_label(x)]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        with mapped(src) as data:
            header, blocks = _blocks(src, data)
            old = next((x for b in blocks if (x := _xmp_of(data, b)) is not None), None)
            kept = [b for b in blocks if not _is_app(data, b)]
        xmp = build_xmp(label_json, old, self.extra_xmp)
        if b"\x00" in xmp:
            raise corrupt(src, "XMP 含 NUL 字节")
        # extensions need 89a
        splice(src, dst, [b"GIF89a", (6, header - 6), _APP_ID + xmp + _TRAILER, *kept])

    def content_digest(self, path: Path) -> bytes:
        with mapped(path) as data:
            header, blocks = _blocks(path, data)
            kept = [b for b in blocks if not _is_metadata(data, b)]
            return hash_spans(data, [(6, header - 6), *kept])
