"""CHiSafetyBench risky questions, both files of its ``dataset/v1``.

``risky_questions_without_dialog_history.json``: ``[{"category": "应拒答", "infos": [{"id",
"question", "category"}]}]``; ``risky_questions_with_dialog_history.json``: ``[{"category",
"sub_category", "input", "history": [{"role", "content"}]}]``, imported as multi-turn questions.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from beian.assess.importers._base import RawItem, importer, read_json
from beian.errors import InputError


def _dialog(g: dict[str, Any], i: int, path: Path) -> RawItem:
    """One question of the dialogue-history file: the history, then ``input``."""
    history = g.get("history") or []
    turns: list[tuple[str, str]] = []
    for m in history if isinstance(history, list) else []:
        if not isinstance(m, dict) or m.get("role") not in ("system", "user", "assistant"):
            raise InputError(
                f"第 {i} 个对话的 history 应为 [{{role, content}}] 数组", where=str(path)
            )
        turns.append((str(m["role"]), str(m.get("content") or "")))
    text = str(g.get("input") or "")
    return RawItem(
        f"h{i}",
        text,
        str(g.get("sub_category") or ""),
        parent=str(g.get("category") or ""),
        messages=(*turns, ("user", text)),
    )


@importer("chisafetybench")
def read_chisafetybench(path: Path, fields: dict[str, str]) -> Iterator[RawItem]:
    data = read_json(path)
    for i, g in enumerate(data if isinstance(data, list) else [data], start=1):
        if isinstance(g, dict) and "input" in g and "history" in g:
            if g.get("input"):
                yield _dialog(g, i, path)
            continue
        if not isinstance(g, dict) or not isinstance(g.get("infos"), list):
            raise InputError(
                "CHiSafetyBench 文件应为 [{category, infos: [...]}]（或带 history 的多轮对话）结构",
                where=str(path),
            )
        hint = str(g.get("category") or "") or None
        for it in g["infos"]:
            q = it.get(fields.get("question", "question"))
            if q:
                cat = str(it.get(fields.get("category", "category")) or "")
                yield RawItem(str(it.get("id")), str(q), cat, hint)
