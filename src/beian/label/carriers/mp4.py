"""MP4 / MOV: a ``moov/udta/meta/ilst`` item ``AIGC`` (freeform ``----`` atom, via mutagen).

mutagen has no writer for the QuickTime ``keys`` atom; the freeform item it writes in the same
``moov/udta/meta/ilst`` box is read by exiftool and ffprobe as tag ``AIGC``. The content digest
hashes the payloads of every ``mdat`` box (the media samples), which labelling never touches.
"""

from __future__ import annotations

import hashlib
import shutil
import struct
from pathlib import Path
from typing import Any

from beian.label.carriers._base import Carrier, corrupt, register_carrier

_KEY = "----:com.apple.iTunes:AIGC"


def _top_boxes(path: Path) -> list[tuple[bytes, int, int]]:
    """Top-level boxes as (type, payload offset, payload size); truncation is an error."""
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
            boxes.append((kind, pos + hdr, n - hdr))
            pos += n
    kinds = {k for k, _, _ in boxes}
    if b"moov" not in kinds or b"mdat" not in kinds:
        raise corrupt(path, "缺少 moov 或 mdat")
    return boxes


def _open(path: Path) -> Any:
    from mutagen import mp4

    m: Any = mp4
    _top_boxes(path)
    try:
        return m.MP4(path)
    except (mp4.error, mp4.MP4StreamInfoError, OSError, struct.error) as exc:
        raise corrupt(path, f"MP4 无法解析：{exc}") from None


@register_carrier
class Mp4Carrier(Carrier):
    name = "MP4"
    suffixes = (".mp4", ".m4a", ".m4v", ".mov")
    kind = "video"
    where = "moov/udta/meta/ilst AIGC"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[4:8] in (b"ftyp", b"moov", b"mdat", b"wide", b"free")

    def read(self, path: Path) -> list[str]:
        f = _open(path)
        if f.tags is None:
            return []
        return [bytes(v).decode("latin-1") for v in f.tags.get(_KEY, [])]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        from mutagen import mp4

        m: Any = mp4
        _open(src)
        shutil.copyfile(src, dst)
        f = _open(dst)
        if f.tags is None:
            f.add_tags()
        f.tags[_KEY] = [m.MP4FreeForm(label_json.encode("ascii"), m.AtomDataType.UTF8)]
        f.save()

    def content_digest(self, path: Path) -> bytes:
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for kind, off, n in _top_boxes(path):
                if kind != b"mdat":
                    continue
                fh.seek(off)
                h.update(n.to_bytes(8, "little"))
                remaining = n
                while remaining:
                    block = fh.read(min(remaining, 1 << 20))
                    if not block:
                        raise corrupt(path, "mdat 被截断")
                    h.update(block)
                    remaining -= len(block)
        return h.digest()
