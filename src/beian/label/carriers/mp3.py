"""MP3: ID3v2 ``TXXX`` frame with description ``AIGC`` (frames built with mutagen).

Only the ID3v2 tag(s) at the start and the last frames are read: the new tag is built by mutagen
from the old tag's bytes and the labelled copy is that tag plus the original's audio byte range,
copied by the kernel. A file cut inside its last frame is refused: the fast check looks for two
chained frames that end exactly where the audio ends, and falls back to walking every frame.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._fastio import hash_spans, mapped, splice

_BITRATES = {  # kbit/s by (MPEG-1?, layer) and index
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
_MAX_FRAME = 2881  # MPEG-1 layer III at 320 kbit/s, 32 kHz, padded (layer I/II are shorter)


def _frame_len(h: bytes) -> int | None:
    """Length of the MPEG audio frame whose 4-byte header is ``h``; None if not a header."""
    if len(h) < 4 or h[0] != 0xFF or h[1] & 0xE0 != 0xE0:
        return None
    version, layer_bits = (h[1] >> 3) & 3, (h[1] >> 1) & 3
    br_idx, sr_idx, padding = h[2] >> 4, (h[2] >> 2) & 3, (h[2] >> 1) & 1
    if version == 1 or layer_bits == 0 or br_idx in (0, 15) or sr_idx == 3:
        return None
    layer, mpeg1 = 4 - layer_bits, version == 3
    bitrate = _BITRATES[(mpeg1, layer if mpeg1 else min(layer, 2))][br_idx] * 1000
    rate = _RATES[version][sr_idx]
    if layer == 1:
        return (12 * bitrate // rate + padding) * 4
    return (144 if mpeg1 or layer == 2 else 72) * bitrate // rate + padding


@dataclass(frozen=True)
class _Layout:
    start: int  # first byte after the ID3v2 tag(s)
    end: int  # first byte of a trailing ID3v1 tag, else the file size
    size: int


def _frame_ending_at(tail: bytes, end: int, low: int) -> int | None:
    """Start of a frame in ``tail[low:end]`` that ends exactly at ``end``."""
    pos = end - 4
    while pos >= low:
        pos = tail.rfind(b"\xff", low, pos + 1)
        if pos < 0:
            return None
        if _frame_len(tail[pos : pos + 4]) == end - pos:
            return pos
        pos -= 1
    return None


def _ends_cleanly(view: memoryview, start: int, end: int) -> bool:
    """Two chained frames end exactly at ``end`` (the common, untruncated case)."""
    base = max(start, end - 3 * _MAX_FRAME)
    tail = bytes(view[base:end])
    last = _frame_ending_at(tail, len(tail), max(0, len(tail) - _MAX_FRAME))
    return last is not None and _frame_ending_at(tail, last, max(0, last - _MAX_FRAME)) is not None


def _walk_frames(path: Path, view: memoryview, start: int, end: int) -> None:
    """Walk the frame chain; the last frame must end inside the file (else it was cut)."""
    pos = start
    while pos + 4 <= end:
        n = _frame_len(bytes(view[pos : pos + 4]))
        if n is None:
            return  # trailing non-audio data (APE tag, padding): nothing more to check
        if pos + n > end:
            raise corrupt(path, "MP3 最后一帧不完整（文件被截断）")
        pos += n


_SYNC_WINDOW = 1 << 16  # junk tolerated between the tags and the first frame (as mutagen does)


def _first_frame(path: Path, view: memoryview, start: int, end: int) -> None:
    """Two chained frame headers near the start, else the file is not MPEG audio."""
    head = bytes(view[start : min(end, start + _SYNC_WINDOW + 2 * _MAX_FRAME)])
    pos = head.find(b"\xff")
    while 0 <= pos < _SYNC_WINDOW:
        n = _frame_len(head[pos : pos + 4])
        if n is not None and (pos + n == len(head) or _frame_len(head[pos + n : pos + n + 4])):
            return
        pos = head.find(b"\xff", pos + 1)
    raise corrupt(path, "MP3 无法解码：找不到 MPEG 音频帧")


def _layout(path: Path, view: memoryview) -> _Layout:
    """Byte range of the MPEG audio frames (ID3v2 at the start, ID3v1 at the end excluded)."""
    size, start = len(view), 0
    while start + 10 <= size and bytes(view[start : start + 3]) == b"ID3":  # one or more tags
        h = view[start : start + 10]
        start += (
            10 + ((h[6] << 21) | (h[7] << 14) | (h[8] << 7) | h[9]) + (10 if h[5] & 0x10 else 0)
        )
    end = size - 128 if size >= 128 and bytes(view[size - 128 : size - 125]) == b"TAG" else size
    if start >= end:
        raise corrupt(path, "没有音频帧")
    _first_frame(path, view, start, end)
    if not _ends_cleanly(view, start, end):
        _walk_frames(path, view, start, end)
    return _Layout(start, end, size)


def _tags(view: memoryview, layout: _Layout) -> Any:
    from mutagen import id3

    m: Any = id3
    try:
        return m.ID3(io.BytesIO(bytes(view[: layout.start])))
    except id3.ID3NoHeaderError:
        return None


@register_carrier
class Mp3Carrier(Carrier):
    name = "MP3"
    suffixes = (".mp3",)
    kind = "audio"
    where = "ID3v2 TXXX:AIGC"
    verbatim = True

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)

    def read(self, path: Path) -> list[str]:
        with mapped(path) as view:
            tags = _tags(view, _layout(path, view))
        if tags is None:
            return []
        return [str(t) for f in tags.getall("TXXX:AIGC") for t in f.text]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        from mutagen import id3

        m: Any = id3
        with mapped(src) as view:
            layout = _layout(src, view)
            tags = _tags(view, layout)
            old = bytes(view[: layout.start])
        if tags is None:
            tags, old = m.ID3(), b""
        tags.delall("TXXX:AIGC")
        tags.add(m.TXXX(encoding=0, desc="AIGC", text=[label_json]))
        buf = io.BytesIO(old)
        tags.save(buf, v2_version=4, v1=0)
        splice(src, dst, [buf.getvalue(), (layout.start, layout.size - layout.start)])

    def content_digest(self, path: Path) -> bytes:
        with mapped(path) as view:
            layout = _layout(path, view)
            return hash_spans(view, [(layout.start, layout.end - layout.start)], lengths=False)
