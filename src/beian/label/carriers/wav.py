"""WAV: a RIFF chunk ``AIGC`` holding the label JSON (readers skip unknown chunks).

Only chunk headers are read; the labelled copy is the original's chunks copied by the kernel plus
the new ``AIGC`` chunk at the end. The content digest covers ``fmt `` and ``data``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._fastio import Piece, mapped
from beian.label.carriers._riff import RiffChunk, chunk_bytes, riff_chunks, write_riff


def _chunks(path: Path, view: memoryview) -> list[RiffChunk]:
    chunks = riff_chunks(path, view, b"WAVE")
    names = {c.fourcc for c in chunks}
    if b"fmt " not in names or b"data" not in names:
        raise corrupt(path, "缺少 fmt 或 data 块")
    return chunks


@register_carrier
class WavCarrier(Carrier):
    name = "WAV"
    suffixes = (".wav", ".wave")
    kind = "audio"
    where = "RIFF 块 AIGC"
    verbatim = True

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[:4] == b"RIFF" and head[8:12] == b"WAVE"

    def read(self, path: Path) -> list[str]:
        with mapped(path) as view:
            return [c.text(view) for c in _chunks(path, view) if c.fourcc == b"AIGC"]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        with mapped(src) as view:
            kept = [c for c in _chunks(src, view) if c.fourcc != b"AIGC"]
        pieces: list[Piece] = [p for c in kept for p in c.pieces()]
        write_riff(src, dst, b"WAVE", [*pieces, chunk_bytes(b"AIGC", label_json.encode("ascii"))])

    def content_digest(self, path: Path) -> bytes:
        h = hashlib.sha256()
        with mapped(path) as view:
            for c in _chunks(path, view):
                if c.fourcc in (b"fmt ", b"data"):
                    h.update(c.fourcc + c.n.to_bytes(8, "little"))
                    h.update(view[c.start + 8 : c.start + 8 + c.n])
        return h.digest()
