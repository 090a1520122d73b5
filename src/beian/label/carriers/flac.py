"""FLAC: Vorbis comment ``AIGC`` (the comment block built with mutagen).

Only the metadata blocks are read; the labelled copy is the new metadata (the old blocks copied,
the comment block rebuilt with ``AIGC``) plus the original's frames copied by the kernel. The
content digest covers the audio frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._fastio import Piece, hash_spans, mapped, splice

_STREAMINFO, _COMMENT = 0, 4


@dataclass(frozen=True)
class _Block:
    kind: int
    start: int  # offset of the 4-byte block header
    n: int


@dataclass(frozen=True)
class _Layout:
    prefix: int  # bytes before "fLaC" (an ID3v2 tag some encoders add)
    blocks: list[_Block]
    frames: int  # offset of the first audio frame
    size: int


def _layout(path: Path, view: memoryview) -> _Layout:
    size, start = len(view), 0
    if bytes(view[:3]) == b"ID3" and size >= 10:
        start = 10 + ((view[6] << 21) | (view[7] << 14) | (view[8] << 7) | view[9])
    if bytes(view[start : start + 4]) != b"fLaC":
        raise corrupt(path, "缺少 fLaC 标记")
    pos, blocks = start + 4, []
    while True:
        if pos + 4 > size:
            raise corrupt(path, "FLAC 元数据块被截断")
        head = view[pos]
        n = int.from_bytes(view[pos + 1 : pos + 4], "big")
        if pos + 4 + n > size:
            raise corrupt(path, "FLAC 元数据块被截断")
        blocks.append(_Block(head & 0x7F, pos, n))
        pos += 4 + n
        if head & 0x80:
            break
    if blocks[0].kind != _STREAMINFO:
        raise corrupt(path, "FLAC 第一个元数据块不是 STREAMINFO")
    _check_last_frame(path, view, pos)
    return _Layout(start, blocks, pos, size)


def _crc16_table() -> list[int]:
    table = []
    for i in range(256):
        c = i << 8
        for _ in range(8):
            c = ((c << 1) ^ 0x8005) if c & 0x8000 else (c << 1)
        table.append(c & 0xFFFF)
    return table


_CRC16 = _crc16_table()
_TAIL_WINDOW = 1 << 17  # more than any FLAC frame written by common encoders


def _crc16(data: bytes) -> int:
    crc, table = 0, _CRC16
    for b in data:
        crc = ((crc << 8) & 0xFFFF) ^ table[(crc >> 8) ^ b]
    return crc


def _check_last_frame(path: Path, view: memoryview, start: int) -> None:
    """The file must end with a complete frame: some sync code in the tail starts a frame whose
    CRC-16 footer matches. A file cut inside a frame fails this check."""
    size = len(view)
    if size <= start:
        raise corrupt(path, "FLAC 没有音频帧")
    tail = bytes(view[max(start, size - _TAIL_WINDOW) :])
    want = int.from_bytes(tail[-2:], "big")
    pos = len(tail) - 4
    while pos >= 0:
        pos = tail.rfind(b"\xff", 0, pos + 1)
        if pos < 0:
            break
        if tail[pos + 1] in (0xF8, 0xF9) and _crc16(tail[pos:-2]) == want:
            return
        pos -= 1
    raise corrupt(path, "FLAC 最后一帧不完整（文件被截断）")


def _comment(path: Path, view: memoryview, layout: _Layout) -> Any:
    """The Vorbis comment block, parsed by mutagen (``None`` when the file has none)."""
    from mutagen import flac

    m: Any = flac

    block = next((b for b in layout.blocks if b.kind == _COMMENT), None)
    if block is None:
        return None
    try:
        return m.VCFLACDict(bytes(view[block.start + 4 : block.start + 4 + block.n]))
    except (flac.error, ValueError, EOFError) as exc:
        raise corrupt(path, f"Vorbis 注释损坏：{exc}") from None


@register_carrier
class FlacCarrier(Carrier):
    name = "FLAC"
    suffixes = (".flac",)
    kind = "audio"
    where = "Vorbis 注释 AIGC"
    magic = (b"fLaC",)
    verbatim = True

    def read(self, path: Path) -> list[str]:
        with mapped(path) as view:
            tags = _comment(path, view, _layout(path, view))
        return [] if tags is None else [str(v) for v in tags.get("AIGC", [])]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        from mutagen import flac

        m: Any = flac
        with mapped(src) as view:
            layout = _layout(src, view)
            tags = _comment(src, view, layout)
        if tags is None:
            tags = m.VCFLACDict()
        tags["AIGC"] = [label_json]
        comment = tags.write(framing=False)
        blocks: list[tuple[int, Piece, int]] = []
        for b in layout.blocks:
            if b.kind != _COMMENT:
                blocks.append((b.kind, (b.start + 4, b.n), b.n))
            if b.kind == _STREAMINFO:
                blocks.append((_COMMENT, comment, len(comment)))
        if len(comment) >= 1 << 24:
            raise corrupt(src, "Vorbis 注释过大")
        pieces: list[Piece] = [(0, layout.prefix), b"fLaC"]
        for i, (kind, body, n) in enumerate(blocks):
            last = 0x80 if i == len(blocks) - 1 else 0
            pieces += [bytes([kind | last]) + n.to_bytes(3, "big"), body]
        splice(src, dst, [*pieces, (layout.frames, layout.size - layout.frames)])

    def content_digest(self, path: Path) -> bytes:
        with mapped(path) as view:
            layout = _layout(path, view)
            return hash_spans(view, [(layout.frames, layout.size - layout.frames)], lengths=False)
