"""JPEG: XMP in an APP1 segment (``http://ns.adobe.com/xap/1.0/``); EXIF ``UserComment`` is read too.

Only the marker segments before the first scan are parsed; the labelled copy is spliced from the
original's byte ranges plus the new APP1 segment, so the entropy-coded data is copied by the
kernel and never decoded (Pillow would re-compress, lossy). A label in EXIF ``UserComment`` (the
guides' other JPEG site, :mod:`._exif`) is read, reported as a second label by ``verify`` when
XMP has one too, and blanked in place when a label is written (one label per file).

The content digest covers every segment that defines the image (quantisation and Huffman tables,
frame and scan headers, restart interval) and the scan data to the end of the file; APPn and
COM segments (metadata) are left out.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._exif import EXIF_HEADER, blank, user_comment
from beian.label.carriers._fastio import Piece, hash_spans, mapped, splice
from beian.label.carriers._xmp import XMP_HEADER, build_xmp, find_label


@dataclass(frozen=True)
class _Segment:
    marker: int
    start: int  # offset of the 0xFF marker byte
    length: int  # the length field (payload + 2)

    @property
    def whole(self) -> tuple[int, int]:
        return self.start, self.length + 2


@dataclass(frozen=True)
class _Layout:
    segments: list[_Segment]  # from after SOI up to (not including) the first SOS
    scan: int  # offset of the first SOS marker; the rest of the file is image data
    size: int


def _layout(path: Path, view: memoryview) -> _Layout:
    if bytes(view[:2]) != b"\xff\xd8":
        raise corrupt(path, "缺少 JPEG SOI 标记")
    pos, segs, size = 2, list[_Segment](), len(view)
    while True:
        if pos + 4 > size or view[pos] != 0xFF:
            raise corrupt(path, "JPEG 标记段被截断")
        marker = view[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:  # SOS: the rest is scan data
            break
        (n,) = struct.unpack_from(">H", view, pos + 2)
        if n < 2 or pos + 2 + n > size:
            raise corrupt(path, "JPEG 标记段长度超出文件")
        segs.append(_Segment(marker, pos, n))
        pos += 2 + n
    end = size
    while end > pos and view[end - 1] == 0:
        end -= 1
    if bytes(view[end - 2 : end]) != b"\xff\xd9":
        raise corrupt(path, "缺少 JPEG EOI 标记")
    return _Layout(segs, pos, size)


def _payload(view: memoryview, s: _Segment) -> bytes:
    return bytes(view[s.start + 4 : s.start + 2 + s.length])


def _is_app1(view: memoryview, s: _Segment, header: bytes) -> bool:
    return s.marker == 0xE1 and bytes(view[s.start + 4 : s.start + 4 + len(header)]) == header


def _labels(view: memoryview, layout: _Layout) -> list[str]:
    found: list[str] = []
    for s in layout.segments:
        if _is_app1(view, s, XMP_HEADER):
            found += find_label(_payload(view, s)[len(XMP_HEADER) :])
        elif _is_app1(view, s, EXIF_HEADER):
            comment = user_comment(_payload(view, s)[len(EXIF_HEADER) :])
            if comment is not None and comment.label is not None:
                found.append(comment.label)
    return found


def _segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _without_exif_label(view: memoryview, s: _Segment) -> Piece:
    """The EXIF segment, with a UserComment that holds a label zeroed."""
    tiff = _payload(view, s)[len(EXIF_HEADER) :]
    comment = user_comment(tiff)
    if comment is None or comment.label is None:
        return s.whole
    return _segment(0xE1, EXIF_HEADER + blank(tiff, comment))


@register_carrier
class JpegCarrier(Carrier):
    name = "JPEG"
    suffixes = (".jpg", ".jpeg", ".jpe")
    kind = "image"
    where = "APP1 XMP TC260:AIGC"
    magic = (b"\xff\xd8\xff",)
    verbatim = True
    supports_xmp = True

    def xmp_packets(self, path: Path) -> list[bytes]:
        with mapped(path) as view:
            layout = _layout(path, view)
            return [
                _payload(view, s)[len(XMP_HEADER) :]
                for s in layout.segments
                if _is_app1(view, s, XMP_HEADER)
            ]

    def read(self, path: Path) -> list[str]:
        with mapped(path) as view:
            return _labels(view, _layout(path, view))

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        with mapped(src) as view:
            layout = _layout(src, view)
            old = next(
                (
                    _payload(view, s)[len(XMP_HEADER) :]
                    for s in layout.segments
                    if _is_app1(view, s, XMP_HEADER)
                ),
                None,
            )
            kept = [s for s in layout.segments if not _is_app1(view, s, XMP_HEADER)]
            pieces: list[Piece] = [
                _without_exif_label(view, s) if _is_app1(view, s, EXIF_HEADER) else s.whole
                for s in kept
            ]
        payload = XMP_HEADER + build_xmp(label_json, old, self.extra_xmp)
        if len(payload) + 2 > 0xFFFF:
            raise corrupt(src, "已有 XMP 过大，无法放入单个 APP1 段")
        # After JFIF (APP0) / Exif (APP1) at the start, as readers expect.
        at = 0
        while at < len(kept) and kept[at].marker in (0xE0, 0xE1):
            at += 1
        pieces.insert(at, _segment(0xE1, payload))
        splice(src, dst, [(0, 2), *pieces, (layout.scan, layout.size - layout.scan)])

    def content_digest(self, path: Path) -> bytes:
        with mapped(path) as view:
            layout = _layout(path, view)
            spans = [s.whole for s in layout.segments if not (0xE0 <= s.marker <= 0xEF)]
            spans = [s for s in spans if view[s[0] + 1] != 0xFE]  # COM
            return hash_spans(view, [*spans, (layout.scan, layout.size - layout.scan)])
