"""S-Eval (IS2Lab/S-Eval) prompt files, ``S-Eval_base_risk_zh_*.jsonl`` and ``S-Eval_attack_zh_*.jsonl``
(also still zipped, ``*.jsonl.zip``): ``{"traceid", "risk_type", "prompt", "ext"}`` a line; the
published files name only the eight risk dimensions (``Crimes_and_Illegal_Activities`` …)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from beian._shared.tables import iter_jsonl_cited
from beian.assess.importers._base import DATA, RawItem, field, importer, require_any

_FIX = "使用 IS2Lab/S-Eval 的 S-Eval_base_risk_*.jsonl 或 S-Eval_attack_*.jsonl（每行 traceid、risk_type、prompt）"


@importer("s-eval", mapping=DATA / "s-eval.yaml")
def read_s_eval(path: Path, fields: dict[str, str]) -> Iterator[RawItem]:
    cols = {"id": "traceid", "question": "prompt", "category": "risk_type", **fields}
    for where, line, it in iter_jsonl_cited(path):
        require_any(it, [cols["category"]], where=where, fmt="S-Eval", fix=_FIX)
        sid = field(it, cols["id"]) or str(line)
        yield RawItem(sid, field(it, cols["question"]), field(it, cols["category"]))
