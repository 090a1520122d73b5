"""Multi-pattern matchers over normalized text, chosen by measurement (see the benchmark).

Every backend reports every match (overlapping); :class:`~beian.lexicon.Lexicon` verifies each
candidate and then applies leftmost-longest selection itself, so a candidate rejected by
verification never hides another one.

* ``hyperscan`` (optional extra ``fast``): the normalized code points are first mapped to a
  compact two-byte alphabet with no zero byte (characters that occur in no pattern all become
  ``00 00``), one numpy gather, and the literal databases scan those bytes. Matches at odd byte
  offsets are misaligned and dropped; since every match is reported, this is exact. Without
  normalization (raw mode) the text's code points are encoded the same way: on the benchmark's
  Chinese text that is faster than scanning its UTF-8 bytes (half again as many) and converting
  hit offsets. Large pattern sets are split into a few databases that compile in parallel
  (compiling is superlinear in the number of literals). Compiled databases are cached on disk by
  pattern hash, so worker processes and repeated runs reuse them.
* ``ahocorasick``: ahocorasick-rs over the same compact encoding (bytes automaton; again,
  misaligned matches are dropped).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import hashlib
import os
import struct
import threading
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from beian.io import atomic_write_bytes

__all__ = [
    "Matcher",
    "hyperscan_available",
    "latin_matches",
    "latin_sets",
    "make_matcher",
    "window_sets",
]

Match = tuple[int, int, int]  # pattern index, start, end (normalized character indices)

_SHARD_PATTERNS = 8_000  # patterns per hyperscan database, at most ...
_MAX_SHARDS = 4  # ... up to this many databases (scanning costs about the same up to 4)
# In a large set, the patterns of one and of two characters (two and four bytes) get databases
# of their own: a database's shortest literal sets how often its scan stops to confirm a
# candidate, and the 2-byte ones mixed into a shard of thousands made that shard cost as much as
# the three others together (the benchmark's 20,000 keywords: 27 -> 20 ms per 10 MB, k23p)
_SHORT_BYTES = (2, 4)
_CACHE_MAGIC = b"BEIANHS2"


class Matcher(Protocol):
    name: str

    def find(self, text: str, codes: npt.NDArray[np.uint32] | None) -> list[Match]: ...

    def find_array(self, codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
        """:meth:`find` on normalized ``codes`` as rows ``(pattern, start, end)``, same order."""
        ...


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
        codes = "".join(patterns).encode("utf-32-le", "surrogatepass")
        flat = enc[np.frombuffer(codes, "<u4")].tobytes()
        ends = np.cumsum(self._lens * 2).tolist()
        self.encoded = [flat[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)]

    def encode(self, text: str, codes: npt.NDArray[np.uint32] | None) -> bytes:
        return self.encode_array(text, codes).tobytes()

    def encode_array(
        self, text: str, codes: npt.NDArray[np.uint32] | None
    ) -> npt.NDArray[np.uint16]:
        """:meth:`encode` as an array (hyperscan reads its buffer: no copy into ``bytes``)."""
        if codes is None:
            codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
        out: npt.NDArray[np.uint16] = np.take(self._enc, codes)
        return out


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

    def find_array(self, codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
        return np.array(self.find("", codes), dtype=np.int64).reshape(-1, 3)


class _LiteralDatabases:
    """Hyperscan literal databases over byte patterns (no zero byte): one per shard of at most
    ``_SHARD_PATTERNS`` patterns, compiled in parallel threads (hyperscan releases the GIL) and
    cached on disk as one file. ``scan`` reports ``(pattern index, end byte offset)``."""

    def __init__(self, encoded: list[bytes], cache_dir: Path | None) -> None:
        import hyperscan

        version = str(getattr(hyperscan, "__version__", ""))
        shards = _shards(encoded)
        layout = b",".join(b"%d" % len(x) for x in shards)
        key = hashlib.sha256(b"\0".join([_CACHE_MAGIC, version.encode(), layout, *encoded]))
        path = cache_dir / f"hs-{key.hexdigest()[:24]}.db" if cache_dir else None
        dbs = _load_databases(path) if path is not None and path.is_file() else None
        if dbs is None or len(dbs) != len(shards):
            dbs = _compile_shards(encoded, shards)
            if path is not None:
                with contextlib.suppress(OSError):
                    atomic_write_bytes(path, _dump_databases(dbs))
        self._dbs = dbs
        self._scratch = [hyperscan.Scratch(db) for db in dbs]
        self._local = threading.local()
        self._lock = threading.Lock()

    def _thread_scratch(self) -> list[Any]:
        s: list[Any] | None = getattr(self._local, "scratch", None)
        if s is None:
            with self._lock:
                s = self._local.scratch = [x.clone() for x in self._scratch]
        return s

    def scan(self, data: bytes | npt.NDArray[np.uint16]) -> list[int]:
        """The matches as one flat list ``pid, end byte, pid, end byte, ...``."""
        flat: list[int] = []
        add = flat.extend

        def on_match(pid: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            add((pid, to))

        for db, scratch in zip(self._dbs, self._thread_scratch(), strict=True):
            db.scan(data, match_event_handler=on_match, scratch=scratch)
        return flat


def _shards(encoded: list[bytes]) -> list[list[int]]:
    """Pattern indices per database: up to ``_SHARD_PATTERNS`` patterns one database; a larger
    set ordered by length (similar lengths share a database), its patterns of each length of
    ``_SHORT_BYTES`` in a database of their own and the rest split evenly into up to
    ``_MAX_SHARDS`` more (as many as before: compiling is superlinear in the literals)."""
    n = len(encoded)
    order = sorted(range(n), key=lambda i: len(encoded[i]))
    if n <= _SHARD_PATTERNS:
        return [order]
    short = [[i for i in order if len(encoded[i]) == b] for b in _SHORT_BYTES]
    short = [x for x in short if x]
    rest = [i for i in order if len(encoded[i]) not in _SHORT_BYTES]
    k = max(1, min(_MAX_SHARDS, -(-len(rest) // _SHARD_PATTERNS)))
    m = len(rest)
    return short + [x for x in (rest[j * m // k : (j + 1) * m // k] for j in range(k)) if x]


def _compile_shards(encoded: list[bytes], shards: list[list[int]]) -> list[Any]:
    import hyperscan

    k = len(shards)

    def build(ids: list[int]) -> Any:
        db = hyperscan.Database()
        db.compile(
            expressions=[encoded[i] for i in ids],
            ids=ids,
            elements=len(ids),
            flags=0,
            literal=True,
        )
        return db

    if k == 1:
        return [build(shards[0])]
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    workers = min(k, cpus or 1)
    with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix="beian-hs") as pool:
        return list(pool.map(build, shards))


def _dump_databases(dbs: list[Any]) -> bytes:
    import hyperscan

    blobs = [bytes(hyperscan.dumpb(db)) for db in dbs]
    head = struct.pack(f"<8sI{len(blobs)}Q", _CACHE_MAGIC, len(blobs), *map(len, blobs))
    return head + b"".join(blobs)


def _load_databases(path: Path) -> list[Any] | None:
    import hyperscan

    with contextlib.suppress(Exception):
        raw = path.read_bytes()
        magic, count = struct.unpack_from("<8sI", raw)
        if magic != _CACHE_MAGIC:
            return None
        sizes = struct.unpack_from(f"<{count}Q", raw, 12)
        pos = 12 + 8 * count
        dbs = []
        for size in sizes:
            dbs.append(hyperscan.loadb(raw[pos : pos + size], hyperscan.HS_MODE_BLOCK))
            pos += size
        return dbs if pos == len(raw) else None
    return None


class HyperscanMatcher(_CompactAlphabet):
    """Hyperscan over the compact two-byte encoding of normalized code points."""

    name = "hyperscan"

    def __init__(self, patterns: list[str], cache_dir: Path | None) -> None:
        super().__init__(patterns)
        self._db = _LiteralDatabases(self.encoded, cache_dir)
        self.encoded = []  # the databases hold them now
        self._len = self._lens.tolist()

    def find(self, text: str, codes: npt.NDArray[np.uint32] | None) -> list[Match]:
        lens = self._len
        flat = self._db.scan(self.encode_array(text, codes))
        return [
            (pid, (to >> 1) - lens[pid], to >> 1)
            for pid, to in zip(flat[::2], flat[1::2], strict=True)
            if not to & 1
        ]

    def find_array(self, codes: npt.NDArray[np.uint32]) -> npt.NDArray[np.int64]:
        flat = np.array(self._db.scan(self.encode_array("", codes)), dtype=np.int64)
        m = flat.reshape(-1, 2)
        m = m[(m[:, 1] & 1) == 0]
        out = np.empty((len(m), 3), dtype=np.int64)
        out[:, 0] = m[:, 0]
        out[:, 2] = m[:, 1] >> 1
        out[:, 1] = out[:, 2] - self._lens[m[:, 0]]
        return out


def make_matcher(patterns: list[str], backend: str, cache_dir: Path | None) -> Matcher:
    """``backend``: ``auto`` (hyperscan when installed), ``hyperscan`` or ``ahocorasick``."""
    if backend == "hyperscan" or (backend == "auto" and hyperscan_available()):
        return HyperscanMatcher(patterns, cache_dir)
    return AhoCorasickMatcher(patterns)


def latin_matches(
    m: Matcher,
    text: str,
    codes: npt.NDArray[np.uint32] | None,
    longest: int,
    table: npt.NDArray[np.uint32] | None = None,
) -> list[Match]:
    """Matches of a pattern set whose every pattern has an ASCII letter and at most ``longest``
    characters (the pinyin forms): only the windows of normalized text around letters can hold
    one. Those windows are joined, each followed by a code no pattern contains (0: normalized
    text never holds U+0000, which is noise), and scanned in one call; offsets map back through
    the joined index. Raw mode (no codes) scans the whole text. ``table`` maps the windows'
    codes before the scan (syllable codes: the mixed forms with homophones)."""
    return latin_sets([(m, table)], text, codes, longest)[0]


def latin_sets(
    sets: list[tuple[Matcher, npt.NDArray[np.uint32] | None]],
    text: str,
    codes: npt.NDArray[np.uint32] | None,
    longest: int,
    letters: npt.NDArray[np.intp] | None = None,
) -> list[list[Match]]:
    """:func:`latin_matches` of several pattern sets (each with its ``table``) on the same
    windows, found and joined once; ``letters``: the positions of the ASCII letters in
    ``codes`` where the caller has them."""
    if codes is None:
        return [m.find(text, None) for m, _ in sets]
    if letters is None:
        letters = (((codes | 32) - 97) < 26).nonzero()[0]  # uint32: below 'a' wraps around
    return window_sets(sets, codes, letters, longest)


def window_sets(
    sets: list[tuple[Matcher, npt.NDArray[np.uint32] | None]],
    codes: npt.NDArray[np.uint32],
    centers: npt.NDArray[np.intp],
    longest: int,
    *,
    runs: bool = False,
) -> list[list[Match]]:
    """Matches of pattern sets of at most ``longest`` characters that must each cover one of
    the positions ``centers`` (sorted) of the normalized ``codes``: only the windows around
    them are scanned, joined as in :func:`latin_sets` (each set's ``table`` maps the codes).

    ``runs``: the matches must instead have a center at each of their characters but the
    first (a separator before each): only the runs of consecutive centers, each with the
    character before it, are scanned (``longest`` is not used)."""
    n = len(codes)
    if not centers.size:
        return [[] for _ in sets]
    w = max(0, longest - 1)
    if runs:
        lo = np.maximum(centers - 1, 0)
        hi = np.minimum(centers + 1, n)
    elif centers.size * (2 * w + 1) >= n:  # centers everywhere: one scan of it all
        return [m.find("", codes if t is None else np.ascontiguousarray(t[codes])) for m, t in sets]
    else:
        lo = np.maximum(centers - w, 0)
        hi = np.minimum(centers + w + 1, n)
    new = np.ones(len(lo), dtype=bool)
    reach = np.maximum.accumulate(hi)[:-1]
    # runs: segments only sharing a character merge (centers k, k+1); merely touching ones
    # (k, k+2) do not, the place between them has no separator
    new[1:] = lo[1:] >= reach if runs else lo[1:] > reach
    firsts = new.nonzero()[0]
    starts, lens = lo[firsts], np.maximum.reduceat(hi, firsts) - lo[firsts]
    seg = lens + 1
    offs = np.cumsum(seg) - seg
    index = np.arange(int(seg.sum())) - np.repeat(offs - starts, seg)
    sep = offs + lens
    index[sep] = 0
    base = codes[index]
    base[sep] = 0  # every table maps 0 to 0
    back = index.tolist()
    out = []
    for m, t in sets:
        joined = base if t is None else np.ascontiguousarray(t[base])
        out.append([(pid, back[s], back[e - 1] + 1) for pid, s, e in m.find("", joined)])
    return out
