"""Fast file access for carriers: memory-mapped views, span hashing and range splicing.

A label write must hash the content once (the integrity code) but should never decode it, read it
into Python objects or copy it through Python: carriers find their boxes/chunks by reading the
headers only, hash content spans straight from a read-only memory map, and build the labelled
copy with :func:`splice`, where unchanged byte ranges are copied by the kernel
(``copy_file_range``) and only the new metadata passes through Python.
"""

from __future__ import annotations

import hashlib
import mmap
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from beian.io import atomic_path

__all__ = ["Piece", "Span", "hash_spans", "mapped", "splice"]

Span = tuple[int, int]  # (offset, length) in the source file
Piece = bytes | Span  # new bytes, or a range copied from the source


@contextmanager
def mapped(path: Path) -> Iterator[memoryview]:
    """A read-only view of the whole file (empty files give an empty view)."""
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            yield memoryview(b"")
            return
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            view = memoryview(mm)
            try:
                yield view
            finally:
                view.release()


def hash_spans(view: memoryview, spans: Iterable[Span], *, lengths: bool = True) -> bytes:
    """SHA-256 over the given spans of ``view`` (each prefixed with its length by default)."""
    h = hashlib.sha256()
    for offset, length in spans:
        if lengths:
            h.update(length.to_bytes(8, "little"))
        h.update(view[offset : offset + length])
    return h.digest()


def _merged(pieces: Iterable[Piece]) -> Iterator[Piece]:
    """Adjacent source ranges joined, so the kernel copies them in one call."""
    pending: Span | None = None
    for piece in pieces:
        if isinstance(piece, tuple):
            if piece[1] == 0:
                continue
            if pending is not None and pending[0] + pending[1] == piece[0]:
                pending = (pending[0], pending[1] + piece[1])
                continue
            if pending is not None:
                yield pending
            pending = piece
        else:
            if pending is not None:
                yield pending
                pending = None
            if piece:
                yield piece
    if pending is not None:
        yield pending


def _copy_range(src: int, dst: int, offset: int, length: int) -> None:
    kernel = getattr(os, "copy_file_range", None)  # Linux only
    while length:
        try:
            n = kernel(src, dst, length, offset) if kernel is not None else 0
        except OSError:  # another file system, or no kernel support: copy through a buffer
            n = 0
        if n <= 0:
            data = os.pread(src, min(length, 1 << 22), offset)
            if not data:
                raise EOFError("source file shorter than expected")
            n = os.write(dst, data)
        offset += n
        length -= n


def splice(src: Path, dst: Path, pieces: Iterable[Piece]) -> None:
    """Write ``dst`` from new byte strings and ``(offset, length)`` ranges of ``src``.

    ``dst`` may be ``src`` itself: the result is then written beside it and renamed over it.
    """
    if dst.exists() and os.path.samefile(src, dst):
        with atomic_path(dst, suffix=dst.suffix) as tmp:
            splice(src, tmp, pieces)
        return
    with open(src, "rb") as fi, open(dst, "wb") as fo:
        fi_no, fo_no = fi.fileno(), fo.fileno()
        for piece in _merged(pieces):
            if isinstance(piece, tuple):
                _copy_range(fi_no, fo_no, piece[0], piece[1])
            else:
                view = memoryview(piece)
                while view:
                    view = view[os.write(fo_no, view) :]
