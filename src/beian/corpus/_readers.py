"""Shards (pieces of input files) and the documents read from them, with file:line for each.

JSONL and TXT files are cut into byte ranges at line ends, so one large file spreads over
many workers; a CSV file is one shard (quoted fields may hold line breaks); a Parquet file
gives one shard per row group. A shard's id hashes the file's identity (size, mtime), its
range and the screening fingerprint, so a rerun recognises finished work and changed inputs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from beian.corpus._sources import SourceConfig, SourceSpec
from beian.errors import json_message
from beian.io import decode_bytes

_BLOCK = 1 << 22  # bytes read at a time while planning
_NL = ord("\n")


@dataclass(frozen=True)
class Shard:
    """A unit of work: ``[start, end)`` bytes (or a row group) of one file of one source."""

    id: str
    source: str
    path: str  # absolute
    display: str  # as shown in locations and document ids
    format: str
    start: int  # byte offset, or row-group index for Parquet
    end: int
    first_line: int  # 1-based line (or row) number of the shard's first record
    encoding: str
    text_field: str
    id_field: str | None
    size: int  # bytes this shard covers (Parquet: compressed row-group size)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Shard:
        return cls(**d)


@dataclass(frozen=True)
class Document:
    doc_id: str
    source: str
    file: str
    line: int
    text: str
    raw: bytes | None  # the original JSONL line, kept for the clean corpus
    offset: int = -1  # byte offset of the line in the file (JSONL/TXT), for fetching it again


@dataclass(frozen=True)
class BadRecord:
    """A record that could not be screened: reported with its place, counted, never dropped."""

    source: str
    file: str
    line: int
    message: str


def _shard_id(fingerprint: str, path: str, st: os.stat_result, start: int, end: int) -> str:
    key = f"{fingerprint}|{path}|{st.st_size}|{st.st_mtime_ns}|{start}|{end}"
    return hashlib.sha256(key.encode()).hexdigest()[:20]


def _detect_encoding(path: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if len(head) == 1 << 20:
        head = head[: head.rfind(b"\n") + 1] or head
    try:
        return decode_bytes(head, where=path)[1]
    except UnicodeDecodeError:  # a truncated multi-byte character at the cut
        return "utf-8"


def _count_newlines(fh: io.BufferedReader, nbytes: int, buf: bytearray) -> int:
    """Newlines in the next ``nbytes`` of ``fh``, read through ``buf``.

    Planning reads every byte before any worker starts; numpy counts a few times faster than
    ``bytes.count``, and reusing one buffer spares a fresh allocation per block.
    """
    n = 0
    view = memoryview(buf)
    while nbytes > 0:
        got = fh.readinto(view[: min(len(buf), nbytes)])
        if not got:
            break
        n += int(np.count_nonzero(np.frombuffer(buf, np.uint8, got) == _NL))
        nbytes -= got
    return n


def _line_ranges(path: str, size: int, shard_bytes: int) -> Iterator[tuple[int, int, int]]:
    """Yield ``(start, end, first_line)`` cutting ``path`` at line ends near every ``shard_bytes``."""
    start, line = 0, 1
    buf = bytearray(min(_BLOCK, size))
    with open(path, "rb") as fh:
        while start < size:
            end = start + shard_bytes
            if end >= size:
                end = size
            else:
                fh.seek(end)
                while True:
                    block = fh.read(1 << 16)
                    if not block:
                        end = size
                        break
                    nl = block.find(b"\n")
                    if nl >= 0:
                        end += nl + 1
                        break
                    end += len(block)
            yield start, end, line
            fh.seek(start)
            line += _count_newlines(fh, end - start, buf)
            start = end


def _shards_of_file(
    src: SourceSpec, path: str, display: str, fingerprint: str, shard_bytes: int
) -> Iterator[Shard]:
    fmt = src.file_format(path)
    st = os.stat(path)

    def mk(start: int, end: int, first: int, enc: str, size: int) -> Shard:
        return Shard(
            id=_shard_id(fingerprint, path, st, start, end),
            source=src.name,
            path=os.path.abspath(path),
            display=display,
            format=fmt,
            start=start,
            end=end,
            first_line=first,
            encoding=enc,
            text_field=src.text_field,
            id_field=src.id_field,
            size=size,
        )

    if fmt == "parquet":
        import pyarrow.parquet as pq

        meta = pq.ParquetFile(path).metadata
        row = 1
        for g in range(meta.num_row_groups):
            rg = meta.row_group(g)
            yield mk(g, g + 1, row, "utf-8", rg.total_byte_size)
            row += rg.num_rows
        return
    enc = _detect_encoding(path) if st.st_size else "utf-8"
    if fmt == "csv" or enc == "utf-16" or st.st_size == 0:
        yield mk(0, st.st_size, 1, enc, st.st_size)
        return
    for start, end, first in _line_ranges(path, st.st_size, shard_bytes):
        yield mk(start, end, first, enc, end - start)


def plan_shards(cfg: SourceConfig, *, fingerprint: str, shard_bytes: int = 64 << 20) -> list[Shard]:
    """Cut every source's files into shards (deterministic order)."""
    return [
        shard
        for src in cfg.sources
        for path in cfg.files(src)
        for shard in _shards_of_file(src, path, cfg.display_path(path), fingerprint, shard_bytes)
    ]


def _doc_id(shard: Shard, line: int, record: dict[str, Any] | None) -> str:
    if shard.id_field and record is not None:
        value = record.get(shard.id_field)
        if value is not None and value != "":
            return f"{shard.source}:{value}"
    return f"{shard.source}:{shard.display}:{line}"


def _from_record(
    shard: Shard, line: int, record: Any, raw: bytes | None, offset: int = -1
) -> Document | BadRecord:
    where = f"{shard.display}:{line}"
    if not isinstance(record, dict):
        return BadRecord(shard.source, shard.display, line, f"记录不是对象：{where}")
    text = record.get(shard.text_field)
    if not isinstance(text, str):
        what = "缺少" if text is None else "类型不是字符串的"
        return BadRecord(
            shard.source, shard.display, line, f"{what}文本字段 {shard.text_field}：{where}"
        )
    return Document(
        _doc_id(shard, line, record), shard.source, shard.display, line, text, raw, offset
    )


def _iter_lines(shard: Shard) -> Iterator[tuple[int, int, bytes]]:
    with open(shard.path, "rb") as fh:
        fh.seek(shard.start)
        line, pos = shard.first_line, shard.start
        while pos < shard.end:
            raw = fh.readline()
            if not raw:
                break
            yield line, pos, raw
            pos += len(raw)
            line += 1


def _decode_line(shard: Shard, line: int, raw: bytes) -> str | BadRecord:
    if line == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("gb18030" if shard.encoding == "gb18030" else "utf-8")
    except UnicodeDecodeError as exc:
        return BadRecord(
            shard.source,
            shard.display,
            line,
            f"无法按 {shard.encoding} 解码（第 {exc.start + 1} 字节）：{shard.display}:{line}",
        )


def iter_documents(shard: Shard) -> Iterator[Document | BadRecord]:
    """Every document of ``shard`` in file order; bad records come back as :class:`BadRecord`."""
    if shard.format == "parquet":
        yield from _iter_parquet(shard)
        return
    if shard.format == "csv" or shard.encoding == "utf-16":
        yield from _iter_whole_file(shard)
        return
    for line, pos, raw in _iter_lines(shard):
        text = _decode_line(shard, line, raw)
        if isinstance(text, BadRecord):
            yield text
            continue
        body = text.rstrip("\r\n")
        if not body.strip():
            continue  # blank lines are not records
        if shard.format == "txt":
            yield Document(
                _doc_id(shard, line, None), shard.source, shard.display, line, body, None, pos
            )
            continue
        try:
            record = json.loads(body)
        except json.JSONDecodeError as exc:
            yield BadRecord(
                shard.source,
                shard.display,
                line,
                f"JSON 解析失败（第 {exc.colno} 列：{json_message(exc)}）：{shard.display}:{line}",
            )
            continue
        yield _from_record(shard, line, record, raw if raw.endswith(b"\n") else raw + b"\n", pos)


def _iter_whole_file(shard: Shard) -> Iterator[Document | BadRecord]:
    with open(shard.path, "rb") as fh:
        text, _ = decode_bytes(fh.read(), where=shard.display)
    if shard.format == "csv":
        reader = csv.DictReader(io.StringIO(text, newline=""))
        if reader.fieldnames is None or shard.text_field not in reader.fieldnames:
            yield BadRecord(
                shard.source,
                shard.display,
                1,
                f"CSV 表头缺少文本列 {shard.text_field}：{shard.display}:1",
            )
            return
        start = 2
        for row in reader:
            yield _from_record(shard, start, row, None)
            start = reader.line_num + 1
        return
    sub = Shard(**{**shard.to_dict(), "encoding": "utf-8"})
    for n, body in enumerate(text.splitlines(), start=1):
        if not body.strip():
            continue
        if shard.format == "txt":
            yield Document(_doc_id(sub, n, None), sub.source, sub.display, n, body, None)
            continue
        try:
            record = json.loads(body)
        except json.JSONDecodeError as exc:
            yield BadRecord(
                sub.source, sub.display, n, f"JSON 解析失败：{json_message(exc)}：{sub.display}:{n}"
            )
            continue
        yield _from_record(sub, n, record, (body + "\n").encode())


def _iter_parquet(shard: Shard) -> Iterator[Document | BadRecord]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(shard.path)
    cols = [c for c in (shard.text_field, shard.id_field) if c]
    missing = [c for c in cols if c not in pf.schema_arrow.names]
    if missing:
        yield BadRecord(
            shard.source,
            shard.display,
            shard.first_line,
            f"Parquet 缺少列 {', '.join(missing)}：{shard.display}",
        )
        return
    row = shard.first_line
    for batch in pf.iter_batches(batch_size=4096, row_groups=[shard.start], columns=cols):
        for rec in batch.to_pylist():
            yield _from_record(shard, row, rec, None)
            row += 1


def fetch_documents(shard: Shard, lines: set[int], offsets: dict[int, int]) -> dict[int, Document]:
    """The documents of ``shard`` at ``lines``; seeks straight to them when offsets are known."""
    found: dict[int, Document] = {}
    if offsets and len(offsets) == len(lines) and all(o >= 0 for o in offsets.values()):
        with open(shard.path, "rb") as fh:
            for line, off in sorted(offsets.items()):
                fh.seek(off)
                one = Shard(**{**shard.to_dict(), "start": off, "end": off + 1, "first_line": line})
                for item in iter_documents(one):
                    if isinstance(item, Document):
                        found[line] = item
        return found
    for item in iter_documents(shard):
        if isinstance(item, Document) and item.line in lines:
            found[item.line] = item
    return found
