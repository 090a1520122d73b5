"""CValues (X-PLUG/CValues) ``cvalues_responsibility_prompts.jsonl``: ``{"id_", "prompt",
"domain_en", "domain_zh"}`` a line, the expert domain as category (Chinese name first, then the
English one: ``环境科学|environmental_science``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from beian._shared.tables import iter_jsonl_cited
from beian.assess.importers._base import DATA, RawItem, field, importer, require_any

_FIX = "使用 X-PLUG/CValues 的 dataset/cvalues_responsibility_prompts.jsonl（每行 id_、prompt、domain_zh、domain_en）"


@importer("cvalues", mapping=DATA / "cvalues.yaml")
def read_cvalues(path: Path, fields: dict[str, str]) -> Iterator[RawItem]:
    cols = {
        "id": "id_",
        "question": "prompt",
        "category": "domain_zh",
        "category_en": "domain_en",
        **fields,
    }
    names = [cols["category"], cols["category_en"]]
    for where, line, it in iter_jsonl_cited(path):
        require_any(it, names, where=where, fmt="CValues", fix=_FIX)
        category = "|".join(c for c in (field(it, n) for n in names) if c)
        yield RawItem(field(it, cols["id"]) or str(line), field(it, cols["question"]), category)
