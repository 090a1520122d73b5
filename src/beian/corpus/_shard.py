"""Screen one shard and write its results: the code every engine runs, once per shard.

Outputs under the scan folder, each written atomically, the summary last (it marks the
shard finished, so an interrupted scan resumes from the shards without one):
``results/<id>.parquet`` (one row per document; the folder reads as one Parquet dataset), ``clean/<source>/<id>.jsonl`` when a clean
corpus is asked for, ``shards/<id>.json`` (counts and every bad record with file:line).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from beian.corpus._readers import BadRecord, Document, Shard, iter_documents
from beian.corpus._screen import RESULT_SCHEMA, Screeners, screen_documents
from beian.io import atomic_path, atomic_write_text

BATCH = 2048  # documents screened and written together; bounds a worker's memory


def summary_path(out: str | os.PathLike[str], shard_id: str) -> Path:
    return Path(out) / "shards" / f"{shard_id}.json"


def load_summary(out: str | os.PathLike[str], shard_id: str) -> dict[str, Any] | None:
    """The finished shard's summary, or None when the shard has not finished."""
    p = summary_path(out, shard_id)
    try:
        data: dict[str, Any] = json.loads(p.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    return data


def _clean_line(doc: Document) -> bytes:
    if doc.raw is not None:
        return doc.raw
    return (json.dumps({"id": doc.doc_id, "text": doc.text}, ensure_ascii=False) + "\n").encode()


@contextlib.contextmanager
def _older_objects_frozen() -> Iterator[None]:
    """Full garbage collections during a shard skip what existed before it (screeners, modules).

    Every batch of documents outlives a few young collections, so full collections come often;
    without this each one walks the whole heap of the process (the keyword library's entries,
    every imported module: about a tenth of the screening time). Left alone when the caller
    froze objects itself.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def process_shard(
    shard: Shard, screeners: Screeners, out: str | os.PathLike[str], *, clean: bool = False
) -> dict[str, Any]:
    """Screen every document of ``shard``; write its outputs; return its summary."""
    with _older_objects_frozen():
        return _process_shard(shard, screeners, Path(out), clean)


def _process_shard(shard: Shard, screeners: Screeners, out: Path, clean: bool) -> dict[str, Any]:
    by_risk: Counter[str] = Counter()
    pii_by_type: Counter[str] = Counter()
    docs = bad = pii_docs = chars = 0
    errors: list[dict[str, Any]] = []
    clean_target = out / "clean" / shard.source / f"{shard.id}.jsonl"
    with contextlib.ExitStack() as stack:
        tmp_pq = stack.enter_context(atomic_path(out / "results" / f"{shard.id}.parquet"))
        clean_fh = None
        if clean:
            clean_tmp = stack.enter_context(atomic_path(clean_target))
            clean_fh = stack.enter_context(open(clean_tmp, "wb"))
        writer = pq.ParquetWriter(tmp_pq, RESULT_SCHEMA, compression="zstd")
        stack.callback(writer.close)  # closed first; the renames follow only on success
        batch: list[Document] = []

        def flush() -> None:
            nonlocal docs, bad, pii_docs, chars
            rows = screen_documents(batch, screeners)
            for doc, row in zip(batch, rows, strict=True):
                docs += 1
                chars += row["chars"]
                by_risk.update(row["risks"])
                if row["pii_count"]:
                    pii_docs += 1
                    pii_by_type.update(row["pii_types"])
                if row["bad"]:
                    bad += 1
                elif clean_fh is not None:
                    clean_fh.write(_clean_line(doc))
            writer.write_table(pa.Table.from_pylist(rows, schema=RESULT_SCHEMA))
            batch.clear()

        for item in iter_documents(shard):
            if isinstance(item, BadRecord):
                errors.append({"file": item.file, "line": item.line, "message": item.message})
                continue
            batch.append(item)
            if len(batch) >= BATCH:
                flush()
        if batch or docs == 0:
            flush()
    summary = {
        "id": shard.id,
        "source": shard.source,
        "file": shard.display,
        "start": shard.start,
        "end": shard.end,
        "bytes": shard.size,
        "docs": docs,
        "bad": bad,
        "chars": chars,
        "pii_docs": pii_docs,
        "by_risk": dict(sorted(by_risk.items())),
        "pii_by_type": dict(sorted(pii_by_type.items())),
        "errors": errors,
    }
    atomic_write_text(summary_path(out, shard.id), json.dumps(summary, ensure_ascii=False))
    return summary
