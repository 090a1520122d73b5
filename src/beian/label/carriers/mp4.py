"""MP4 / MOV: a ``moov/udta/meta/ilst`` item ``AIGC`` (freeform ``----`` atom, via mutagen).

mutagen has no writer for the QuickTime ``keys`` atom; the freeform item it writes in the same
``moov/udta/meta/ilst`` box is read by exiftool and ffprobe as tag ``AIGC``. Labels that other
tools wrote the TC260 way (``meta`` with handler ``mdta``: ``keys`` + ``ilst``, as ffmpeg does
with ``-movflags use_metadata_tags``) are read too; replacing one is refused with a clear error
because that would need a box rewriter with chunk-offset fixing. The content digest hashes the
payloads of every ``mdat`` box (the media samples), which labelling never touches.
"""

from __future__ import annotations

import hashlib
import shutil
import struct
from pathlib import Path
from typing import Any

from beian.errors import InputError
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


def _children(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """Child boxes of a container payload as (type, payload start, payload end)."""
    out, pos = [], start
    while pos + 8 <= end:
        n, kind = struct.unpack_from(">I4s", data, pos)
        hdr = 8
        if n == 1 and pos + 16 <= end:
            n, hdr = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif n == 0:
            n = end - pos
        if n < hdr or pos + n > end:
            break
        out.append((kind, pos + hdr, pos + n))
        pos += n
    return out


def _keys_labels(moov: bytes) -> list[str]:
    """AIGC values from ``meta`` boxes with handler ``mdta`` (keys + ilst) in moov or moov/udta."""
    metas = [(k, a, b) for k, a, b in _children(moov, 0, len(moov)) if k == b"meta"]
    for k, a, b in _children(moov, 0, len(moov)):
        if k == b"udta":
            metas += [(k2, a2, b2) for k2, a2, b2 in _children(moov, a, b) if k2 == b"meta"]
    found = []
    for _, a, b in metas:
        boxes = {k: (x, y) for k, x, y in _children(moov, a + 4, b)}  # meta is a full box
        if b"keys" not in boxes or b"ilst" not in boxes:
            continue
        ka, kb = boxes[b"keys"]
        names: dict[int, bytes] = {}
        pos, index = ka + 8, 1
        while pos + 8 <= kb:
            (n,) = struct.unpack_from(">I", moov, pos)
            if n < 8:
                break
            names[index] = moov[pos + 8 : pos + n]
            pos, index = pos + n, index + 1
        ia, ib = boxes[b"ilst"]
        for kind, x, y in _children(moov, ia, ib):
            if names.get(int.from_bytes(kind, "big")) != b"AIGC":
                continue
            for dkind, dx, dy in _children(moov, x, y):
                if dkind == b"data":
                    found.append(moov[dx + 8 : dy].decode("latin-1"))
    return found


def _moov(path: Path) -> bytes:
    for kind, off, n in _top_boxes(path):
        if kind == b"moov":
            with open(path, "rb") as fh:
                fh.seek(off)
                return fh.read(n)
    raise corrupt(path, "缺少 moov")


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
        found = [] if f.tags is None else [bytes(v).decode("latin-1") for v in f.tags.get(_KEY, [])]
        return found + _keys_labels(_moov(path))

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        from mutagen import mp4

        m: Any = mp4
        _open(src)
        if any(v != label_json for v in _keys_labels(_moov(src))):
            raise InputError(
                "文件已有 keys 方式写入的其他 AIGC 标识，本工具不能替换它",
                where=str(src),
                fix="请用原工具移除旧标识，或用 ffmpeg 重新封装（ffmpeg -i 输入 -c copy -map 0 -map_metadata -1 输出）后再加标识",
            )
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
