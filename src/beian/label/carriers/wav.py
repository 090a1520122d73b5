"""WAV: a RIFF chunk ``AIGC`` holding the label JSON (readers skip unknown chunks)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._riff import build_riff, parse_riff


def _chunks(path: Path) -> list[tuple[bytes, bytes]]:
    chunks = parse_riff(path.read_bytes(), b"WAVE", path)
    names = {c for c, _ in chunks}
    if b"fmt " not in names or b"data" not in names:
        raise corrupt(path, "缺少 fmt 或 data 块")
    return chunks


@register_carrier
class WavCarrier(Carrier):
    name = "WAV"
    suffixes = (".wav", ".wave")
    kind = "audio"
    where = "RIFF 块 AIGC"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[:4] == b"RIFF" and head[8:12] == b"WAVE"

    def read(self, path: Path) -> list[str]:
        return [p.rstrip(b"\x00").decode("latin-1") for c, p in _chunks(path) if c == b"AIGC"]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        chunks = [(c, p) for c, p in _chunks(src) if c != b"AIGC"]
        chunks.append((b"AIGC", label_json.encode("ascii")))
        dst.write_bytes(build_riff(b"WAVE", chunks))

    def content_digest(self, path: Path) -> bytes:
        h = hashlib.sha256()
        for c, p in _chunks(path):
            if c in (b"fmt ", b"data"):
                h.update(c + len(p).to_bytes(8, "little") + p)
        return h.digest()
