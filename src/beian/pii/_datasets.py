"""Streaming de-identification (or scan) of JSONL, CSV, Parquet and plain-text files.

Records are read one at a time; the output is written to a temporary file and renamed over the
target only when the run succeeds, so the input is never modified and no half-written output is
left. A record that cannot be read is reported with its line number: the run stops
(``on_error="fail"``) or goes on and lists it in the report (``on_error="skip"``).
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from beian.crypto import KeyRing
from beian.errors import InputError, json_message
from beian.io import atomic_path, decode_bytes
from beian.pii._engine import PiiEngine
from beian.pii._operators import Deidentifier, reidentify
from beian.pii._report import DatasetReport, RecordError

__all__ = ["FORMATS", "Progress", "detect_format", "process_dataset"]

FORMATS = ("jsonl", "csv", "parquet", "text")
Progress = Callable[[int, int], None]  # (units done so far, total units)
OnError = Literal["fail", "skip"]
_SUFFIX = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet"}


def detect_format(path: str | os.PathLike[str]) -> str:
    return _SUFFIX.get(Path(path).suffix.lower(), "text")


class _Processor:
    """Applies the engine (and the operator, or decryption) to the strings of one record."""

    def __init__(
        self,
        engine: PiiEngine,
        report: DatasetReport,
        deidentifier: Deidentifier | None,
        restore: KeyRing | None,
    ) -> None:
        self.engine, self.report = engine, report
        self.deidentifier, self.restore = deidentifier, restore
        self.hit = False

    def text(self, value: str, field: str) -> str:
        if self.restore is not None:
            return reidentify(value, keyring=self.restore)
        entities = self.engine.analyze(value)
        if not entities:
            return value
        self.hit = True
        for e in entities:
            self.report.add(field, e.type)
        return value if self.deidentifier is None else self.deidentifier.apply(value, entities).text

    def value(self, value: Any, field: str) -> Any:
        if isinstance(value, str):
            return self.text(value, field)
        if isinstance(value, list):
            return [self.value(v, field) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v, f"{field}.{k}") for k, v in value.items()}
        return value

    def record(self, rec: dict[str, Any], fields: list[str] | None) -> dict[str, Any]:
        self.hit = False
        if fields is None:
            out = {k: self.value(v, k) for k, v in rec.items()}
        else:
            out = dict(rec)
            for f in fields:
                if f in out:
                    out[f] = self.value(out[f], f)
        self.report.records += 1
        self.report.records_with_pii += self.hit
        return out


def _encoding(path: Path) -> str:
    with path.open("rb") as fh:
        head = fh.read(1 << 16)
    # Cut at the last newline so a multi-byte character is never split.
    cut = head.rfind(b"\n")
    _, enc = decode_bytes(head[: cut + 1] if cut > 0 else head, where=str(path))
    return "utf-8-sig" if enc in ("utf-8", "utf-8-sig") else enc


def _lines(path: Path, progress: Progress | None, total: int) -> Iterator[tuple[int, str]]:
    done = 0
    with path.open("r", encoding=_encoding(path), newline="") as fh:
        for no, line in enumerate(fh, 1):
            done += len(line.encode("utf-8"))
            if progress is not None and no % 256 == 0:
                progress(min(done, total), total)
            yield no, line
    if progress is not None:
        progress(total, total)


def _fail_or_keep(
    report: DatasetReport, on_error: OnError, path: Path, line: int, msg: str
) -> None:
    if on_error == "fail":
        raise InputError(
            msg, where=f"{path}:{line}", fix="修复该记录，或加 --on-error skip 跳过并记入报告"
        )
    report.errors.append(RecordError(line=line, message=msg))


@dataclass(frozen=True)
class _Job:
    src: Path
    dst: Path | None
    fields: list[str] | None
    on_error: OnError
    progress: Progress | None


def _jsonl(p: _Processor, job: _Job) -> None:
    src, dst, fields, on_error, progress = job.src, job.dst, job.fields, job.on_error, job.progress
    report = p.report
    with dst.open("w", encoding="utf-8") if dst else io.StringIO() as out:
        for no, line in _lines(src, progress, report.bytes):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                _fail_or_keep(report, on_error, src, no, f"第 {no} 行不是有效的 JSON：{json_message(exc)}")
                continue
            if not isinstance(rec, dict):
                _fail_or_keep(report, on_error, src, no, f"第 {no} 行不是 JSON 对象")
                continue
            new = p.record(rec, fields)
            if dst:
                out.write(json.dumps(new, ensure_ascii=False) + "\n")


def _text(p: _Processor, job: _Job) -> None:
    src, dst, progress = job.src, job.dst, job.progress
    with dst.open("w", encoding="utf-8", newline="") if dst else io.StringIO() as out:
        for _, line in _lines(src, progress, p.report.bytes):
            new = p.record({"text": line}, None)["text"]
            if dst:
                out.write(new)


def _csv(p: _Processor, job: _Job) -> None:
    src, dst, fields, on_error, progress = job.src, job.dst, job.fields, job.on_error, job.progress
    report = p.report
    with (
        src.open("r", encoding=_encoding(src), newline="") as fh,
        dst.open("w", encoding="utf-8-sig", newline="") if dst else io.StringIO() as out,
    ):
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None:
            return
        missing = [f for f in fields or () if f not in header]
        if missing:
            raise InputError(
                f"CSV 中没有字段：{'、'.join(missing)}",
                where=f"{src}:1",
                fix=f"可用字段：{'、'.join(header)}",
            )
        writer = csv.writer(out)
        writer.writerow(header)
        chosen = set(fields or header)
        for row in reader:
            line = reader.line_num
            if progress is not None and report.records % 256 == 0:
                progress(min(fh.tell() if not fh.closed else 0, report.bytes), report.bytes)
            if len(row) != len(header):
                _fail_or_keep(
                    report,
                    on_error,
                    src,
                    line,
                    f"第 {line} 行有 {len(row)} 列，表头有 {len(header)} 列",
                )
                continue
            rec = dict(zip(header, row, strict=True))
            new = p.record(rec, [h for h in header if h in chosen])
            writer.writerow([new[h] for h in header])
        if progress is not None:
            progress(report.bytes, report.bytes)


def _parquet(p: _Processor, job: _Job) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    src, dst, fields, progress = job.src, job.dst, job.fields, job.progress

    pf = pq.ParquetFile(src)
    schema = pf.schema_arrow
    strings = [
        f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)
    ]
    missing = [f for f in fields or () if f not in schema.names]
    if missing:
        raise InputError(
            f"Parquet 中没有字段：{'、'.join(missing)}",
            where=str(src),
            fix=f"可用字段：{'、'.join(schema.names)}",
        )
    chosen = [f for f in (fields or strings) if f in strings]
    total = pf.metadata.num_rows
    writer = pq.ParquetWriter(dst, schema) if dst else None
    try:
        done = 0
        for batch in pf.iter_batches(batch_size=2048):
            columns = {name: batch.column(name).to_pylist() for name in chosen}
            for i in range(batch.num_rows):
                rec = {name: columns[name][i] for name in chosen}
                new = p.record({k: v for k, v in rec.items() if v is not None}, None)
                for name, v in new.items():
                    columns[name][i] = v
            arrays = [
                pa.array(columns[f.name], type=f.type)
                if f.name in columns
                else batch.column(f.name)
                for f in schema
            ]
            if writer is not None:
                writer.write_batch(pa.RecordBatch.from_arrays(arrays, schema=schema))
            done += batch.num_rows
            if progress is not None:
                progress(done, total)
    finally:
        if writer is not None:
            writer.close()


def process_dataset(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str] | None = None,
    *,
    engine: PiiEngine | None = None,
    deidentifier: Deidentifier | None = None,
    restore: KeyRing | None = None,
    fields: list[str] | None = None,
    fmt: str | None = None,
    on_error: OnError = "fail",
    progress: Progress | None = None,
) -> DatasetReport:
    """Scan ``src`` (``dst=None``) or write its de-identified copy to ``dst``.

    ``deidentifier`` replaces what the engine finds; ``restore`` instead decrypts ``[enc:v1:…]``
    tokens written by the ``encrypt`` operator. ``fields`` limits the work to those fields
    (JSONL keys, CSV columns, Parquet string columns); by default every string is processed.
    """
    src_p = Path(src)
    if not src_p.is_file():
        raise InputError("输入文件不存在", where=str(src_p), fix="请检查路径")
    fmt = fmt or detect_format(src_p)
    if fmt not in FORMATS:
        raise InputError(
            f"不支持的格式：{fmt}", where="--format", fix=f"可选：{'、'.join(FORMATS)}"
        )
    if dst is not None and Path(dst).resolve() == src_p.resolve():
        raise InputError("输出不能覆盖输入文件", where=str(dst), fix="请指定另一个输出路径")
    if dst is not None and deidentifier is None and restore is None:
        raise InputError("写输出需要指定脱敏算子", where="--operator", fix="例如 --operator mask")
    op = deidentifier.operator if deidentifier is not None else ("decrypt" if restore else None)
    report = DatasetReport(
        input=str(src_p),
        output=str(dst) if dst is not None else None,
        format=fmt,
        operator=op
        if isinstance(op, str) or op is None
        else json.dumps(dict(op), ensure_ascii=False),
        fields=fields,
        bytes=src_p.stat().st_size,
    )
    proc = _Processor(engine or PiiEngine(), report, deidentifier, restore)
    t0 = time.perf_counter()

    def run(target: Path | None) -> None:
        step = {"jsonl": _jsonl, "csv": _csv, "parquet": _parquet}.get(fmt, _text)
        step(proc, _Job(src_p, target, fields, on_error, progress))

    if dst is None:
        run(None)
    else:
        with atomic_path(dst, suffix=Path(dst).suffix + ".tmp") as tmp:
            run(tmp)
    report.seconds = round(time.perf_counter() - t0, 3)
    return report
