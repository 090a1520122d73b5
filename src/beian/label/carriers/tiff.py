"""TIFF: XMP in tag 700 (0x2BC) of the first directory (classic TIFF; BigTIFF is refused).

The labelled copy is the original plus an appended XMP packet and directory (:mod:`._tiffifd`):
strips and tiles are copied by the kernel and never re-compressed. One label per file: an XMP
label in any later directory (page) is removed. The content digest covers each page's
image-structure tags and its strip or tile bytes.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._fastio import mapped, splice
from beian.label.carriers._tiffifd import Ifd, Tiff, appended_pieces, read_tiff
from beian.label.carriers._xmp import build_xmp, find_label, strip_label

_XMP_TAG = 700
#: Tags that define how the strip/tile bytes become pixels (TIFF 6.0 baseline and extensions).
_STRUCTURE = (
    256,
    257,
    258,
    259,
    262,
    266,
    277,
    278,
    284,
    317,
    320,
    322,
    323,
    338,
    339,
    347,
    529,
    530,
    531,
    532,
)
_DATA = ((273, 279), (324, 325))  # (offsets, byte counts): strips, tiles


def _xmp(tiff: Tiff, view: memoryview, ifd: Ifd) -> bytes | None:
    entry = ifd.get(_XMP_TAG)
    return None if entry is None else tiff.value(view, entry)


def _page_digest(path: Path, tiff: Tiff, view: memoryview, ifd: Ifd, h: hashlib._Hash) -> None:
    for tag in _STRUCTURE:
        e = ifd.get(tag)
        if e is not None:
            value = tiff.value(view, e)
            h.update(tag.to_bytes(2, "little") + len(value).to_bytes(8, "little") + value)
    for offsets_tag, counts_tag in _DATA:
        offsets, counts = ifd.get(offsets_tag), ifd.get(counts_tag)
        if offsets is None or counts is None:
            continue
        starts, lengths = tiff.ints(view, offsets), tiff.ints(view, counts)
        if len(starts) != len(lengths):
            raise corrupt(path, "TIFF 条带偏移与长度数目不一致")
        for start, n in zip(starts, lengths, strict=True):
            if start + n > tiff.size:
                raise corrupt(path, "TIFF 图像数据超出文件（文件被截断）")
            h.update(n.to_bytes(8, "little"))
            h.update(view[start : start + n])


@register_carrier
class TiffCarrier(Carrier):
    name = "TIFF"
    suffixes = (".tif", ".tiff")
    kind = "image"
    where = "标签 0x2BC XMP TC260:AIGC"
    magic = (b"II*\x00", b"MM\x00*")
    verbatim = True
    supports_xmp = True

    def xmp_packets(self, path: Path) -> list[bytes]:
        with mapped(path) as view:
            tiff = read_tiff(path, view)
            return [x for ifd in tiff.ifds if (x := _xmp(tiff, view, ifd))]

    def read(self, path: Path) -> list[str]:
        with mapped(path) as view:
            tiff = read_tiff(path, view)
            return [t for ifd in tiff.ifds if (x := _xmp(tiff, view, ifd)) for t in find_label(x)]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        with mapped(src) as view:
            tiff = read_tiff(src, view)

            def change(i: int, ifd: Ifd) -> tuple[int, bytes | None] | None:
                old = _xmp(tiff, view, ifd)
                if i == 0:
                    return _XMP_TAG, build_xmp(label_json, old, self.extra_xmp)
                if old is not None and find_label(old):
                    return _XMP_TAG, strip_label(old)
                return None

            pieces = appended_pieces(tiff, view, change)
        splice(src, dst, pieces)

    def content_digest(self, path: Path) -> bytes:
        h = hashlib.sha256()
        with mapped(path) as view:
            tiff = read_tiff(path, view)
            for ifd in tiff.ifds:
                _page_digest(path, tiff, view, ifd, h)
        return h.digest()
