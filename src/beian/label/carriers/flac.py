"""FLAC: Vorbis comment ``AIGC`` (written with mutagen)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._vorbis import open_tagged, read_comment, write_comment


def _frames_offset(path: Path) -> int:
    with open(path, "rb") as fh:
        data = fh.read(10)
        start = 0
        if data[:3] == b"ID3":
            start = 10 + ((data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9])
        fh.seek(start)
        if fh.read(4) != b"fLaC":
            raise corrupt(path, "缺少 fLaC 标记")
        pos = start + 4
        while True:
            head = fh.read(4)
            if len(head) < 4:
                raise corrupt(path, "FLAC 元数据块被截断")
            pos += 4 + int.from_bytes(head[1:4], "big")
            fh.seek(pos)
            if head[0] & 0x80:
                return pos


@register_carrier
class FlacCarrier(Carrier):
    name = "FLAC"
    suffixes = (".flac",)
    kind = "audio"
    where = "Vorbis 注释 AIGC"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[:4] == b"fLaC"

    def read(self, path: Path) -> list[str]:
        return read_comment(path)

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        write_comment(src, dst, label_json)

    def content_digest(self, path: Path) -> bytes:
        open_tagged(path)
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            fh.seek(_frames_offset(path))
            while block := fh.read(1 << 20):
                h.update(block)
        return h.digest()
