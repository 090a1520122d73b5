"""AVI: an ``AIGC`` entry in the ``LIST/INFO`` chunk (the video practice guide's AVI site [S]).

The media (``movi``, and the ``idx1`` / OpenDML indexes that point into it by offset) must not
move, so the label is placed without shifting anything: the ``INFO`` list before ``movi`` is
rewritten inside the room of the ``JUNK`` padding that follows it (ffmpeg and most muxers leave
some), or a ``JUNK`` chunk before ``movi`` becomes the ``INFO`` list; failing both, a new ``INFO``
list is appended at the end of a single-``RIFF`` file, and ``AIGC`` entries elsewhere are turned
into ``JUNK`` of the same size. ffprobe reads the entry as format tag ``AIGC``; exiftool as
``RIFF:AIGC``. The content digest covers every top-level chunk except ``INFO`` lists, ``JUNK`` and
a ``C2PA`` manifest store, plus anything after the first ``RIFF`` (OpenDML ``AVIX`` parts).
"""

from __future__ import annotations

import struct
from pathlib import Path

from beian.errors import InputError
from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._fastio import Piece, Span, hash_spans, mapped
from beian.label.carriers._riff import RiffChunk, chunk_bytes, list_chunks, riff_chunks, write_riff


def _is_info(view: memoryview, c: RiffChunk) -> bool:
    return c.fourcc == b"LIST" and c.n >= 4 and bytes(view[c.start + 8 : c.start + 12]) == b"INFO"


def _is_movi(view: memoryview, c: RiffChunk) -> bool:
    return c.fourcc == b"LIST" and c.n >= 4 and bytes(view[c.start + 8 : c.start + 12]) == b"movi"


def _entries(path: Path, view: memoryview, info: RiffChunk) -> list[RiffChunk]:
    return list_chunks(path, view, info.start + 12, info.start + 8 + info.n)


def _chunks(path: Path, view: memoryview) -> list[RiffChunk]:
    chunks = riff_chunks(path, view, b"AVI ")
    if not any(_is_movi(view, c) for c in chunks):
        raise corrupt(path, "缺少 movi 列表")
    return chunks


def _padded(c: RiffChunk) -> int:
    return 8 + c.n + (c.n & 1)


def _info(view: memoryview, entries: list[RiffChunk], label_json: str) -> bytes:
    kept = b"".join(
        bytes(view[e.start : e.start + _padded(e)]) for e in entries if e.fourcc != b"AIGC"
    )
    return chunk_bytes(b"LIST", b"INFO" + kept + chunk_bytes(b"AIGC", label_json.encode() + b"\0"))


def _fill(info: bytes, room: int) -> bytes | None:
    """``info`` padded with a JUNK chunk to exactly ``room`` bytes, if it fits."""
    spare = room - len(info)
    if spare == 0:
        return info
    if spare < 8:
        return None
    return info + chunk_bytes(b"JUNK", b"\0" * (spare - 8))


def _in_header(
    path: Path, view: memoryview, chunks: list[RiffChunk], label_json: str
) -> list[Piece] | None:
    """Pieces that put the label in the header's room: the INFO list before ``movi`` with the
    JUNK after it, or (no INFO list yet) the first JUNK chunk that is large enough."""
    movi = next(i for i, c in enumerate(chunks) if _is_movi(view, c))
    info = next((i for i, c in enumerate(chunks[:movi]) if _is_info(view, c)), None)
    if info is not None:
        candidates = [info]
    else:
        candidates = [i for i, c in enumerate(chunks[:movi]) if c.fourcc == b"JUNK"]
    for i in candidates:
        j = i + 1
        while j < movi and chunks[j].fourcc == b"JUNK":
            j += 1
        room = sum(_padded(x) for x in chunks[i:j])
        entries = _entries(path, view, chunks[i]) if i == info else []
        new = _fill(_info(view, entries, label_json), room)
        if new is not None:
            return [*_ranges(chunks[:i]), new, *_ranges(chunks[j:])]
    return None


def _ranges(chunks: list[RiffChunk]) -> list[Piece]:
    return [p for c in chunks for p in c.pieces()]


def _riff_end(view: memoryview) -> int:
    end: int = struct.unpack_from("<I", view, 4)[0] + 8
    return end + (end & 1)


def _appended(
    path: Path, view: memoryview, chunks: list[RiffChunk], label_json: str
) -> list[Piece]:
    """Pieces with the label in a trailing INFO list (the last chunk's, rebuilt, or a new one)
    and every other AIGC entry turned into JUNK of the same size."""
    if _riff_end(view) < len(view):
        raise InputError(
            "AVI 文件头没有空余（JUNK）放入标识，且为 OpenDML 多段文件，无法在末尾追加",
            where=str(path),
            fix="请用 ffmpeg 重新封装（ffmpeg -i 原文件 -c copy 新文件.avi）后再加标识",
        )
    last = chunks[-1] if _is_info(view, chunks[-1]) else None
    pieces: list[Piece] = []
    for c in chunks if last is None else chunks[:-1]:
        if not _is_info(view, c):
            pieces += c.pieces()
            continue
        pos = c.start
        for e in _entries(path, view, c):
            if e.fourcc == b"AIGC":
                pieces += [(pos, e.start - pos), b"JUNK"]
                pos = e.start + 4
        pieces += [(pos, c.start + 8 + c.n - pos), *([b"\0"] if c.n & 1 else [])]
    entries = [] if last is None else _entries(path, view, last)
    return [*pieces, _info(view, entries, label_json)]


@register_carrier
class AviCarrier(Carrier):
    name = "AVI"
    suffixes = (".avi",)
    kind = "video"
    where = "RIFF LIST/INFO AIGC"
    verbatim = True

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return head[:4] == b"RIFF" and head[8:12] == b"AVI "

    def read(self, path: Path) -> list[str]:
        with mapped(path) as view:
            return [
                e.text(view)
                for c in _chunks(path, view)
                if _is_info(view, c)
                for e in _entries(path, view, c)
                if e.fourcc == b"AIGC"
            ]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        with mapped(src) as view:
            chunks = _chunks(src, view)
            movi = next(i for i, c in enumerate(chunks) if _is_movi(view, c))
            infos = [i for i, c in enumerate(chunks) if _is_info(view, c)]
            pieces = None
            if len(infos) <= 1 and all(i < movi for i in infos):
                pieces = _in_header(src, view, chunks, label_json)
            if pieces is None:
                pieces = _appended(src, view, chunks, label_json)
            end = _riff_end(view)
            after: list[Piece] = [(end, len(view) - end)] if end < len(view) else []
        write_riff(src, dst, b"AVI ", pieces, after)

    def content_digest(self, path: Path) -> bytes:
        with mapped(path) as view:
            chunks = _chunks(path, view)
            spans: list[Span] = [
                (c.start, _padded(c))
                for c in chunks
                if not _is_info(view, c) and c.fourcc not in (b"JUNK", b"C2PA")
            ]
            end = _riff_end(view)
            spans.append((end, max(0, len(view) - end)))
            return hash_spans(view, spans)
