"""thu-coai Safety-Prompts JSON: ``{category: [{"prompt": …, "type": …}, …]}``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from beian.assess.importers._base import DATA, RawItem, importer, read_json
from beian.errors import InputError


@importer("safety-prompts", mapping=DATA / "safety-prompts.yaml")
def read_safety_prompts(path: Path, fields: dict[str, str]) -> Iterator[RawItem]:
    data = read_json(path)
    if not isinstance(data, dict):
        raise InputError("Safety-Prompts 文件应为 {类别: [题目…]} 的 JSON 对象", where=str(path))
    for cat, items in data.items():
        for i, it in enumerate(items if isinstance(items, list) else [], start=1):
            q = it.get(fields.get("question", "prompt")) if isinstance(it, dict) else it
            if q:
                typ = it.get("type") if isinstance(it, dict) else None
                yield RawItem(f"{cat}-{i:06d}", str(q), str(typ or cat))
