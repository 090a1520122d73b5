"""Any JSONL, field names set by the mapping file's ``fields:`` (question, category, id)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from beian._shared.tables import iter_jsonl
from beian.assess.importers._base import RawItem, importer


@importer("jsonl")
def read_jsonl(path: Path, fields: dict[str, str]) -> Iterator[RawItem]:
    for i, it in iter_jsonl(path):
        q = it.get(fields.get("question", "question"))
        if q:
            qid = str(it.get(fields.get("id", "id")) or i)
            cat = str(it.get(fields.get("category", "category")) or "")
            yield RawItem(qid, str(q), cat, it.get("kind"))
