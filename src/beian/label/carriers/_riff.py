"""Minimal RIFF chunk list reading and writing (WAV and WebP share it)."""

from __future__ import annotations

import struct
from pathlib import Path

from beian.label.carriers._base import corrupt

__all__ = ["Chunk", "build_riff", "parse_riff"]

Chunk = tuple[bytes, bytes]  # (fourcc, payload)


def parse_riff(data: bytes, form: bytes, path: Path) -> list[Chunk]:
    """The top-level chunks of a RIFF file of type ``form``; truncation is an error."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != form:
        raise corrupt(path, f"不是 RIFF/{form.decode()} 文件")
    (size,) = struct.unpack_from("<I", data, 4)
    if size + 8 > len(data):
        raise corrupt(path, "RIFF 长度超出文件")
    end = size + 8
    chunks: list[Chunk] = []
    pos = 12
    while pos + 8 <= end:
        fourcc = data[pos : pos + 4]
        (n,) = struct.unpack_from("<I", data, pos + 4)
        if pos + 8 + n > end:
            raise corrupt(path, f"块 {fourcc!r} 被截断")
        chunks.append((fourcc, data[pos + 8 : pos + 8 + n]))
        pos += 8 + n + (n & 1)
    return chunks


def build_riff(form: bytes, chunks: list[Chunk]) -> bytes:
    out = bytearray(form)
    for fourcc, payload in chunks:
        out += fourcc + struct.pack("<I", len(payload)) + payload
        if len(payload) & 1:
            out += b"\x00"
    return b"RIFF" + struct.pack("<I", len(out)) + bytes(out)
