"""MP4 / MOV: ``moov/udta/meta`` with handler ``mdta``, ``keys`` entry ``AIGC`` and its ``ilst`` item.

This is the video practice guide's layout, the one ffmpeg writes with
``-movflags use_metadata_tags -metadata AIGC=…``; exiftool reads it as ``Keys:AIGC`` and ffprobe
as format tag ``AIGC``. The box writer is :mod:`._mp4box` (mutagen writes only the iTunes form).
Labels in the iTunes free-form item ``----:com.apple.iTunes:AIGC`` (earlier versions of this
tool) and in a ``moov/meta`` keys box are read as well and replaced when a label is written.
The content digest hashes the payloads of every ``mdat`` box (the media samples), which
labelling never touches: the labelled copy is the rebuilt ``moov`` spliced between the original's
byte ranges, copied by the kernel.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._fastio import hash_spans, mapped, splice
from beian.label.carriers._mp4box import data_value, find_all, meta_items, rebuild_moov

_TopBox = tuple[bytes, int, int, int]  # (type, box start, payload start, end) in the file


def _top_boxes(path: Path) -> list[_TopBox]:
    """Top-level boxes; truncation is an error."""
    size = path.stat().st_size
    boxes = []
    with open(path, "rb") as fh:
        pos = 0
        while pos < size:
            fh.seek(pos)
            head = fh.read(16)
            if len(head) < 8:
                raise corrupt(path, "MP4 盒子头被截断")
            n, kind = struct.unpack(">I4s", head[:8])
            hdr = 8
            if n == 1:
                if len(head) < 16:
                    raise corrupt(path, "MP4 盒子头被截断")
                n, hdr = struct.unpack(">Q", head[8:16])[0], 16
            elif n == 0:
                n = size - pos
            if n < hdr or pos + n > size:
                raise corrupt(path, f"MP4 盒子 {kind!r} 超出文件")
            boxes.append((kind, pos, pos + hdr, pos + n))
            pos += n
    kinds = {k for k, _, _, _ in boxes}
    if b"moov" not in kinds or b"mdat" not in kinds:
        raise corrupt(path, "缺少 moov 或 mdat")
    return boxes


def _moov(path: Path, boxes: list[_TopBox]) -> tuple[_TopBox, bytes]:
    top = next(b for b in boxes if b[0] == b"moov")
    with open(path, "rb") as fh:
        fh.seek(top[2])
        return top, fh.read(top[3] - top[2])


def _check(path: Path) -> None:
    """Let mutagen parse the whole file (tracks, sample tables) before anything is written."""
    from mutagen import mp4

    m: Any = mp4
    try:
        m.MP4(path)
    except (mp4.error, mp4.MP4StreamInfoError, OSError, struct.error) as exc:
        raise corrupt(path, f"MP4 无法解析：{exc}") from None


def labels_in_moov(moov: bytes) -> list[str]:
    """Every AIGC value in ``moov/udta/meta`` and ``moov/meta`` (keys or iTunes form)."""
    found = []
    for _, _, a, b in find_all(moov, (b"udta", b"meta")) + find_all(moov, (b"meta",)):
        for name, values in meta_items(moov, a, b):
            if name == "AIGC":
                found += [data_value(v) for v in values]
    return found


@register_carrier
class Mp4Carrier(Carrier):
    name = "MP4"
    suffixes = (".mp4", ".m4a", ".m4v", ".mov")
    kind = "video"
    where = "moov/udta/meta keys AIGC (mdta) + ilst"
    verbatim = True

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free")

    def read(self, path: Path) -> list[str]:
        boxes = _top_boxes(path)
        _check(path)
        return labels_in_moov(_moov(path, boxes)[1])

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        boxes = _top_boxes(src)
        _check(src)
        (_, begin, _, end), moov = _moov(src, boxes)
        new = rebuild_moov(moov, label_json, shift_from=begin, delta_of=end - begin)
        splice(src, dst, [(0, begin), new, (end, boxes[-1][3] - end)])

    def content_digest(self, path: Path) -> bytes:
        spans = [(off, end - off) for kind, _, off, end in _top_boxes(path) if kind == b"mdat"]
        with mapped(path) as view:
            return hash_spans(view, spans)
