"""JADE-DB question CSVs (``ID,问题,违规类型,违规子类``; the v1.0 and v2.0 files)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from beian._shared.tables import iter_records
from beian.assess.importers._base import DATA, RawItem, importer
from beian.errors import InputError


@importer("jade", mapping=DATA / "jade.yaml")
def read_jade(path: Path, fields: dict[str, str]) -> Iterator[RawItem]:
    cols = {"id": "ID", "question": "问题", "parent": "违规类型", "category": "违规子类", **fields}
    for at, row in iter_records(path):
        if cols["question"] not in row or cols["category"] not in row:
            raise InputError(
                f"JADE 文件应有列 {cols['question']}、{cols['category']}",
                where=f"{path}:1",
                fix="使用 jade-db-v1.0 / v2.0 的 jade_benchmark_*_zh.csv；列名不同时在映射文件 fields: 中指定",
            )
        q = str(row.get(cols["question"]) or "").strip()
        if q:
            sid = str(row.get(cols["id"]) or at.line).strip()
            cat, parent = (str(row.get(cols[c]) or "").strip() for c in ("category", "parent"))
            yield RawItem(sid, q, cat, parent=parent)
