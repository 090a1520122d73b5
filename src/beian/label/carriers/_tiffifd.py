"""Classic TIFF image file directories: read the chain, and append changed directories.

A labelled TIFF is the original's bytes, copied by the kernel, plus new data at the end: the new
XMP packet and a new copy of each directory that changes, with the pointer to that directory
(the header's, or the previous directory's "next" field) patched to the copy. Strips and tiles
never move, so their offsets stay valid and the image is never decoded or re-compressed. Old XMP
values that held a label are zeroed in place, so no stale label stays in the file.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from beian.label.carriers._base import corrupt
from beian.label.carriers._fastio import Piece

__all__ = ["Entry", "Ifd", "Tiff", "appended_pieces", "read_tiff"]

_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_MAX_IFDS = 65536


@dataclass(frozen=True)
class Entry:
    tag: int
    type: int
    count: int
    field: bytes  # the 4-byte value/offset field, as stored
    at: int  # offset of the 12-byte entry

    def span(self, bo: str) -> tuple[int, int]:
        """(offset, length) of the value: inline in the entry or elsewhere in the file."""
        n = _SIZES.get(self.type, 1) * self.count
        if n <= 4:
            return self.at + 8, n
        return struct.unpack(bo + "I", self.field)[0], n


@dataclass(frozen=True)
class Ifd:
    offset: int
    entries: list[Entry]
    pointer: int  # where the offset of this directory is stored (header or previous "next")

    @property
    def next_at(self) -> int:
        """Offset of this directory's "next directory" field."""
        return self.offset + 2 + 12 * len(self.entries)

    def get(self, tag: int) -> Entry | None:
        return next((e for e in self.entries if e.tag == tag), None)


@dataclass(frozen=True)
class Tiff:
    bo: str  # "<" or ">"
    ifds: list[Ifd]
    size: int

    def value(self, view: memoryview, e: Entry) -> bytes:
        offset, n = e.span(self.bo)
        return bytes(view[offset : offset + n])

    def ints(self, view: memoryview, e: Entry) -> list[int]:
        fmt = {3: "H", 4: "I", 13: "I", 1: "B"}.get(e.type)
        if fmt is None:
            return []
        return list(struct.unpack(f"{self.bo}{e.count}{fmt}", self.value(view, e)))


def read_tiff(path: Path, view: memoryview) -> Tiff:
    """The directory chain of a classic TIFF; values outside the file are an error."""
    bo = {b"II": "<", b"MM": ">"}.get(bytes(view[:2]))
    size = len(view)
    if bo is None or size < 8:
        raise corrupt(path, "缺少 TIFF 文件头")
    magic, offset = struct.unpack_from(bo + "HI", view, 2)
    if magic == 43:
        raise corrupt(path, "BigTIFF 暂不支持")
    if magic != 42:
        raise corrupt(path, "缺少 TIFF 文件头")
    ifds: list[Ifd] = []
    pointer, seen = 4, set[int]()
    while offset:
        if offset in seen or len(ifds) >= _MAX_IFDS or offset + 2 > size:
            raise corrupt(path, "TIFF 目录链损坏")
        seen.add(offset)
        (count,) = struct.unpack_from(bo + "H", view, offset)
        end = offset + 2 + 12 * count
        if end + 4 > size:
            raise corrupt(path, "TIFF 目录被截断")
        entries = []
        for i in range(count):
            at = offset + 2 + 12 * i
            tag, typ, n = struct.unpack_from(bo + "HHI", view, at)
            e = Entry(tag, typ, n, bytes(view[at + 8 : at + 12]), at)
            start, length = e.span(bo)
            if start + length > size:
                raise corrupt(path, f"TIFF 标签 {tag} 的值超出文件（文件被截断）")
            entries.append(e)
        ifds.append(Ifd(offset, entries, pointer))
        pointer = end
        (offset,) = struct.unpack_from(bo + "I", view, end)
    if not ifds:
        raise corrupt(path, "TIFF 没有图像目录")
    return Tiff(bo, ifds, size)


def _directory(bo: str, entries: list[tuple[int, int, int, bytes]], next_offset: int) -> bytes:
    out = struct.pack(bo + "H", len(entries))
    for tag, typ, count, field in sorted(entries):
        out += struct.pack(bo + "HHI", tag, typ, count) + field
    return out + struct.pack(bo + "I", next_offset)


def appended_pieces(
    tiff: Tiff,
    view: memoryview,
    new_value: Callable[[int, Ifd], tuple[int, bytes | None] | None],
) -> list[Piece]:
    """The whole file with changed directories appended; ``new_value(i, ifd)`` returns
    ``(tag, value or None to drop the tag)`` for a directory that changes, else ``None``."""
    bo, tail, patches = tiff.bo, bytearray(), dict[int, bytes]()
    next_pointer: dict[int, int] = {}  # directory index → relocated pointer position
    for i, ifd in enumerate(tiff.ifds):
        change = new_value(i, ifd)
        if change is None:
            continue
        tag, value = change
        old = ifd.get(tag)
        if old is not None:
            offset, n = old.span(bo)
            patches[offset] = b"\x00" * n  # no stale copy of the old value stays readable
        entries = [(e.tag, e.type, e.count, e.field) for e in ifd.entries if e.tag != tag]
        if value is not None:
            tail += b"\x00" * (len(tail) & 1)
            at = tiff.size + len(tail)
            tail += value
            entries.append((tag, 1, len(value), struct.pack(bo + "I", at)))
        tail += b"\x00" * ((tiff.size + len(tail)) & 1)
        ifd_at = tiff.size + len(tail)
        (next_offset,) = struct.unpack_from(bo + "I", view, ifd.next_at)
        tail += _directory(bo, entries, next_offset)
        patches[next_pointer.get(i, ifd.pointer)] = struct.pack(bo + "I", ifd_at)
        next_pointer[i + 1] = ifd_at + 2 + 12 * len(entries)
    return _patched(tiff.size, patches, bytes(tail))


def _patched(size: int, patches: dict[int, bytes], tail: bytes) -> list[Piece]:
    """Pieces for the original bytes with ``patches`` applied, then ``tail``."""
    pieces: list[Piece] = []
    buf = bytearray(tail)
    pos = 0
    for at in sorted(patches):
        data = patches[at]
        if at >= size:  # a pointer inside an appended directory
            buf[at - size : at - size + len(data)] = data
            continue
        pieces += [(pos, at - pos), data]
        pos = at + len(data)
    return [*pieces, (pos, size - pos), bytes(buf)]
