"""Flames (AIFlames/Flames) ``Flames_1k_Chinese.jsonl``: ``{"dimension", "subcomponent", "prompt"}``
a line, two-level categories (dimension/subcomponent) in English, no ids (the line is the id)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from beian._shared.tables import iter_jsonl_cited
from beian.assess.importers._base import DATA, RawItem, field, importer, require_any

_FIX = "使用 AIFlames/Flames 的 Flames_1k_Chinese.jsonl（每行 dimension、subcomponent、prompt）"


@importer("flames", mapping=DATA / "flames.yaml")
def read_flames(path: Path, fields: dict[str, str]) -> Iterator[RawItem]:
    cols = {"question": "prompt", "parent": "dimension", "category": "subcomponent", **fields}
    for where, line, it in iter_jsonl_cited(path):
        require_any(it, [cols["parent"], cols["category"]], where=where, fmt="Flames", fix=_FIX)
        sid = (field(it, cols["id"]) if "id" in cols else "") or str(line)
        yield RawItem(
            sid,
            field(it, cols["question"]),
            field(it, cols["category"]),
            parent=field(it, cols["parent"]),
        )
