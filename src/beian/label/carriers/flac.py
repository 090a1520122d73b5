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
    crc = 0
    for b in data:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC16[(crc >> 8) ^ b]
    return crc


def _check_last_frame(path: Path, start: int) -> None:
    """The file must end with a complete frame: some sync code in the tail starts a frame whose
    CRC-16 footer matches. A file cut inside a frame fails this check."""
    size = path.stat().st_size
    if size <= start:
        raise corrupt(path, "FLAC 没有音频帧")
    with open(path, "rb") as fh:
        tail_start = max(start, size - _TAIL_WINDOW)
        fh.seek(tail_start)
        tail = fh.read()
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


@register_carrier
class FlacCarrier(Carrier):
    name = "FLAC"
    suffixes = (".flac",)
    kind = "audio"
    where = "Vorbis 注释 AIGC"
    magic = (b"fLaC",)

    def read(self, path: Path) -> list[str]:
        labels = read_comment(path)
        _check_last_frame(path, _frames_offset(path))
        return labels

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        _check_last_frame(src, _frames_offset(src))
        write_comment(src, dst, label_json)

    def content_digest(self, path: Path) -> bytes:
        open_tagged(path)
        offset = _frames_offset(path)
        _check_last_frame(path, offset)
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            fh.seek(offset)
            while block := fh.read(1 << 20):
                h.update(block)
        return h.digest()
