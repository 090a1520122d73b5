"""MP3: ID3v2 ``TXXX`` frame with description ``AIGC`` (written with mutagen)."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from beian.label.carriers._base import Carrier, corrupt, register_carrier


def _audio_span(path: Path) -> tuple[int, int]:
    """Byte range of the MPEG audio frames (ID3v2 at the start, ID3v1/APE at the end excluded)."""
    from mutagen import mp3

    m: Any = mp3
    try:
        m.MP3(path)
    except (mp3.HeaderNotFoundError, mp3.error, OSError) as exc:
        raise corrupt(path, f"MP3 无法解码：{exc}") from None
    data_len = path.stat().st_size
    with open(path, "rb") as fh:
        start = 0
        while True:  # one or more ID3v2 tags
            fh.seek(start)
            head = fh.read(10)
            if len(head) < 10 or head[:3] != b"ID3":
                break
            size = (head[6] << 21) | (head[7] << 14) | (head[8] << 7) | head[9]
            start += 10 + size + (10 if head[5] & 0x10 else 0)
        end = data_len
        fh.seek(max(0, end - 128))
        if fh.read(3) == b"TAG":
            end -= 128
    if start >= end:
        raise corrupt(path, "没有音频帧")
    _check_frames(path, start, end)
    return start, end


_BITRATES = {  # kbit/s by (MPEG-1?, layer) and index
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


def _frame_len(h: bytes) -> int | None:
    """Length of the MPEG audio frame whose 4-byte header is ``h``; None if not a header."""
    if h[0] != 0xFF or h[1] & 0xE0 != 0xE0:
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


def _check_frames(path: Path, start: int, end: int) -> None:
    """Walk the frame chain; the last frame must end inside the file (else it was cut)."""
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    pos = 0
    while pos + 4 <= len(data):
        n = _frame_len(data[pos : pos + 4])
        if n is None:
            return  # trailing non-audio data (APE tag, padding): nothing more to check
        if pos + n > len(data):
            raise corrupt(path, "MP3 最后一帧不完整（文件被截断）")
        pos += n


@register_carrier
class Mp3Carrier(Carrier):
    name = "MP3"
    suffixes = (".mp3",)
    kind = "audio"
    where = "ID3v2 TXXX:AIGC"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)

    def read(self, path: Path) -> list[str]:
        from mutagen import id3

        m: Any = id3
        _audio_span(path)
        try:
            tags = m.ID3(path)
        except id3.ID3NoHeaderError:
            return []
        return [str(t) for f in tags.getall("TXXX:AIGC") for t in f.text]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        from mutagen import id3

        m: Any = id3
        _audio_span(src)
        shutil.copyfile(src, dst)
        try:
            tags = m.ID3(dst)
        except id3.ID3NoHeaderError:
            tags = m.ID3()
        tags.delall("TXXX:AIGC")
        tags.add(m.TXXX(encoding=0, desc="AIGC", text=[label_json]))
        tags.save(dst, v2_version=4)

    def content_digest(self, path: Path) -> bytes:
        start, end = _audio_span(path)
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            fh.seek(start)
            remaining = end - start
            while remaining:
                block = fh.read(min(remaining, 1 << 20))
                if not block:
                    break
                h.update(block)
                remaining -= len(block)
        return h.digest()
