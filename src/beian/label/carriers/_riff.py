"""RIFF chunk layout from the headers only, and spliced rewrites (WAV, WebP and AVI share it)."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from beian.label.carriers._base import corrupt
from beian.label.carriers._fastio import Piece, splice

__all__ = ["RiffChunk", "chunk_bytes", "list_chunks", "riff_chunks", "write_riff"]


@dataclass(frozen=True)
class RiffChunk:
    fourcc: bytes
    start: int  # offset of the chunk header
    n: int  # payload size

    @property
    def payload(self) -> tuple[int, int]:
        return self.start + 8, self.n

    def text(self, view: memoryview) -> str:
        """The payload as text (a NUL-terminated INFO value or a label chunk)."""
        return bytes(view[self.start + 8 : self.start + 8 + self.n]).rstrip(b"\0").decode("latin-1")

    def pieces(self) -> list[Piece]:
        """The chunk as splice pieces (header and payload copied, the pad byte written)."""
        return [(self.start, 8 + self.n), *([b"\x00"] if self.n & 1 else [])]


def riff_chunks(path: Path, view: memoryview, form: bytes, start: int = 12) -> list[RiffChunk]:
    """The top-level chunks of a RIFF file of type ``form``; truncation is an error."""
    if len(view) < 12 or bytes(view[:4]) != b"RIFF" or bytes(view[8:12]) != form:
        raise corrupt(path, f"不是 RIFF/{form.decode()} 文件")
    (size,) = struct.unpack_from("<I", view, 4)
    if size + 8 > len(view):
        raise corrupt(path, "RIFF 长度超出文件")
    return list_chunks(path, view, start, size + 8)


def list_chunks(path: Path, view: memoryview, pos: int, end: int) -> list[RiffChunk]:
    """The chunks between ``pos`` and ``end`` (a RIFF body or a LIST body)."""
    chunks: list[RiffChunk] = []
    while pos + 8 <= end:
        fourcc = bytes(view[pos : pos + 4])
        (n,) = struct.unpack_from("<I", view, pos + 4)
        if pos + 8 + n > end:
            raise corrupt(path, f"块 {fourcc!r} 被截断")
        chunks.append(RiffChunk(fourcc, pos, n))
        pos += 8 + n + (n & 1)
    return chunks


def chunk_bytes(fourcc: bytes, payload: bytes) -> bytes:
    return (
        fourcc + struct.pack("<I", len(payload)) + payload + (b"\x00" if len(payload) & 1 else b"")
    )


def write_riff(
    src: Path, dst: Path, form: bytes, pieces: list[Piece], after: list[Piece] | None = None
) -> None:
    """``dst`` = RIFF header + ``form`` + ``pieces`` (new bytes and ranges of ``src``), then
    ``after`` (what follows the RIFF chunk, e.g. OpenDML ``AVIX`` parts; not counted in it)."""
    size = 4 + sum(len(p) if isinstance(p, bytes) else p[1] for p in pieces)
    if size > 0xFFFFFFFF:
        raise corrupt(src, "RIFF 文件超过 4 GB")
    splice(src, dst, [b"RIFF" + struct.pack("<I", size) + form, *pieces, *(after or [])])
