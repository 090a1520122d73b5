"""Ogg (Vorbis, Opus, FLAC-in-Ogg): Vorbis comment ``AIGC`` (written with mutagen).

The content digest walks the page headers straight from a memory map: the header packets of the
first logical stream (the pages with granule position 0) are split into packets and hashed except
packet 1, the comment header; every later page is hashed without its sequence number and CRC, so
mutagen's re-paging of the comment (and the renumbering that may follow) never changes it, while a
changed packet, granule position or page layout of the audio does. A page cut short is an error.
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._fastio import mapped
from beian.label.carriers._vorbis import read_comment, write_comment

_PAGE = struct.Struct("<4sBBqIIIB")  # capture, version, flags, granule, serial, seq, crc, nsegs


def _header_packets(data: bytes, lacing: list[int]) -> list[bytes]:
    packets, pos, current = [], 0, 0
    for n in lacing:
        current += n
        if n < 255:
            packets.append(data[pos : pos + current])
            pos, current = pos + current, 0
    if current:
        packets.append(data[pos : pos + current])
    return packets


def _digest(path: Path, view: memoryview) -> bytes:
    size, pos = len(view), 0
    audio = hashlib.sha256()
    head_data, head_lacing = bytearray(), list[int]()
    first: int | None = None
    in_header = True
    while pos < size:
        if pos + 27 > size:
            raise corrupt(path, "Ogg 页头被截断")
        capture, _ver, flags, granule, serial, _seq, _crc, nsegs = _PAGE.unpack_from(view, pos)
        if capture != b"OggS":
            raise corrupt(path, f"Ogg 页同步码错误（偏移 {pos}）")
        lacing = view[pos + 27 : pos + 27 + nsegs]
        body = pos + 27 + nsegs
        end = body + sum(lacing)
        if end > size:
            raise corrupt(path, "Ogg 最后一页不完整（文件被截断）")
        first = serial if first is None else first
        if serial == first and in_header and granule == 0:
            head_lacing += lacing
            head_data += view[body:end]
        else:
            in_header = in_header and serial != first
            audio.update(struct.pack("<BqIB", flags, granule, serial, nsegs))
            audio.update(lacing)
            audio.update(view[body:end])
        lacing.release()
        pos = end
    if first is None:
        raise corrupt(path, "没有 Ogg 页")
    head = hashlib.sha256()
    for i, packet in enumerate(_header_packets(bytes(head_data), head_lacing)):
        if i != 1:  # packet 1 is the comment header in Vorbis, Opus and Ogg FLAC
            head.update(len(packet).to_bytes(8, "little") + packet)
    return hashlib.sha256(head.digest() + audio.digest()).digest()


@register_carrier
class OggCarrier(Carrier):
    name = "Ogg"
    suffixes = (".ogg", ".oga", ".opus")
    kind = "audio"
    where = "Vorbis 注释 AIGC"
    magic = (b"OggS",)

    def read(self, path: Path) -> list[str]:
        return read_comment(path)

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        write_comment(src, dst, label_json)

    def content_digest(self, path: Path) -> bytes:
        with mapped(path) as view:
            return _digest(path, view)
