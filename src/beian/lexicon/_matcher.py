"""Multi-pattern matchers over normalized text, chosen by measurement (see the benchmark).

Both backends report every match (overlapping); :class:`~beian.lexicon.Lexicon` verifies each
candidate and then applies leftmost-longest selection itself, so a candidate rejected by
verification never hides another one.

* ``hyperscan`` (optional extra ``fast``): the normalized code points are first mapped to a
  compact two-byte alphabet with no zero byte (characters that occur in no pattern all become
  ``00 00``), one numpy gather, and the literal database scans those bytes. Matches at odd byte
  offsets are misaligned and dropped; since every match is reported, this is exact. Compiled
  databases are cached on disk by pattern hash, so worker processes and repeated runs reuse them.
* ``ahocorasick``: ahocorasick-rs over the same compact encoding (bytes automaton; again,
  misaligned matches are dropped).
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from beian.io import atomic_write_bytes

__all__ = ["Matcher", "hyperscan_available", "make_matcher"]

Match = tuple[int, int, int]  # pattern index, start, end (normalized character indices)


class Matcher(Protocol):
    name: str

    def find(self, text: str, codes: npt.NDArray[np.uint32] | None) -> list[Match]: ...


def hyperscan_available() -> bool:
    try:
        import hyperscan  # noqa: F401
    except ImportError:
        return False
    return True


class _CompactAlphabet:
    """Characters that occur in some pattern get a two-byte code with no zero byte; every other
    character becomes ``00 00``, which no pattern contains. One numpy gather encodes a text."""

    def __init__(self, patterns: list[str]) -> None:
        alphabet = sorted({c for p in patterns for c in p})
        if len(alphabet) > 255 * 255:
            raise ValueError("alphabet too large for the two-byte code")
        enc = np.zeros(0x110000, dtype="<u2")
        idx = np.arange(len(alphabet), dtype=np.int64)
        enc[[ord(c) for c in alphabet]] = (1 + idx // 255) << 8 | (1 + idx % 255)
        enc.setflags(write=False)
        self._enc = enc
        self._lens = np.array([len(p) for p in patterns], dtype=np.int64)
        flat = enc[np.frombuffer("".join(patterns).encode("utf-32-le"), "<u4")].tobytes()
        ends = np.cumsum(self._lens * 2).tolist()
        self.encoded = [flat[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]

    def encode(self, text: str, codes: npt.NDArray[np.uint32] | None) -> bytes:
        if codes is None:
            codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        return bytes(self._enc[codes].tobytes())


class AhoCorasickMatcher(_CompactAlphabet):
    """ahocorasick-rs over the compact two-byte encoding (about twice as fast as over ``str``)."""

    name = "ahocorasick"

    def __init__(self, patterns: list[str]) -> None:
        import ahocorasick_rs

        super().__init__(patterns)
        self._ac = ahocorasick_rs.BytesAhoCorasick(
            self.encoded, matchkind=ahocorasick_rs.MatchKind.Standard
        )

    def find(self, text: str, codes: npt.NDArray[np.uint32] | None) -> list[Match]:
        found = self._ac.find_matches_as_indexes(self.encode(text, codes), overlapping=True)
        return [(pid, s >> 1, e >> 1) for pid, s, e in found if not s & 1]


class HyperscanMatcher(_CompactAlphabet):
    name = "hyperscan"

    def __init__(self, patterns: list[str], cache_dir: Path | None) -> None:
        import hyperscan

        super().__init__(patterns)
        encoded = self.encoded
        key = hashlib.sha256(
            (hyperscan.__version__ if hasattr(hyperscan, "__version__") else "").encode()
            + b"\0".join(encoded)
        ).hexdigest()[:24]
        path = cache_dir / f"hs-{key}.db" if cache_dir else None
        db = None
        if path is not None and path.is_file():
            with contextlib.suppress(Exception):
                db = hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
        if db is None:
            db = hyperscan.Database()
            db.compile(
                expressions=encoded,
                ids=list(range(len(encoded))),
                elements=len(encoded),
                flags=0,
                literal=True,
            )
            if path is not None:
                with contextlib.suppress(OSError):
                    atomic_write_bytes(path, hyperscan.dumpb(db))
        self.encoded = []  # the database holds them now
        self._db = db
        self._scratch = hyperscan.Scratch(db)
        self._local = threading.local()
        self._lock = threading.Lock()

    def _thread_scratch(self) -> Any:
        s = getattr(self._local, "scratch", None)
        if s is None:
            with self._lock:
                s = self._local.scratch = self._scratch.clone()
        return s

    def find(self, text: str, codes: npt.NDArray[np.uint32] | None) -> list[Match]:
        data = self.encode(text, codes)
        ends: list[tuple[int, int]] = []
        add = ends.append

        def on_match(pid: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            add((pid, to))

        self._db.scan(data, match_event_handler=on_match, scratch=self._thread_scratch())
        out: list[Match] = []
        lens = self._lens
        for pid, to in ends:
            if to & 1:
                continue
            end = to >> 1
            out.append((pid, end - int(lens[pid]), end))
        return out


def make_matcher(patterns: list[str], backend: str, cache_dir: Path | None) -> Matcher:
    """``backend``: ``auto`` (hyperscan when installed), ``hyperscan`` or ``ahocorasick``."""
    if backend == "hyperscan" or (backend == "auto" and hyperscan_available()):
        return HyperscanMatcher(patterns, cache_dir)
    return AhoCorasickMatcher(patterns)
