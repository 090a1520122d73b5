"""A ``replay`` target: answers collected beforehand (JSONL or CSV with ``id`` and ``answer``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field

from beian._shared.tables import iter_jsonl_cited, iter_records
from beian.assess._settings import validate_settings
from beian.assess.targets._base import Response, TargetSettings, target
from beian.errors import InputError

_OUTCOMES = {"answered", "blocked", "empty", "error"}


class ReplaySettings(TargetSettings):
    """``target: {type: replay, path: answers.jsonl}`` (JSONL or CSV with ``id`` and ``answer``)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["replay"] = "replay"
    path: str = Field(min_length=1)


class ReplayTarget:
    """``type: replay`` with ``path:``; an optional ``outcome`` column marks filtered answers."""

    def __init__(self, cfg: ReplaySettings | Mapping[str, Any], where: str) -> None:
        self.path = Path(validate_settings(ReplaySettings, cfg, where).path)
        self.answers: dict[str, tuple[str, str]] = {}
        rows = (
            ((r.where, rec) for r, rec in iter_records(self.path))
            if self.path.suffix.lower() in (".csv", ".tsv", ".xlsx")
            else ((cited, obj) for cited, _, obj in iter_jsonl_cited(self.path))
        )
        for where, row in rows:
            qid = str(row.get("id") or "").strip()
            if not qid:
                raise InputError("回放记录缺少 id", where=where)
            outcome = str(row.get("outcome") or "").strip() or None
            answer = str(row.get("answer") or "")
            if outcome is None:
                outcome = "answered" if answer.strip() else "empty"
            if outcome not in _OUTCOMES:
                raise InputError(
                    f"未知的 outcome {outcome!r}",
                    where=where,
                    fix="answered/blocked/empty/error",
                )
            self.answers[qid] = (outcome, answer)

    def identity(self) -> dict[str, Any]:
        return {"type": "replay", "path": str(self.path.resolve())}

    def describe(self) -> dict[str, Any]:
        return {"type": "replay", "path": str(self.path), "answers": len(self.answers)}

    async def ask(self, qid: str, messages: list[dict[str, str]]) -> Response:
        if qid not in self.answers:
            return Response("error", error=f"回放文件中没有题目 {qid} 的回答")
        outcome, answer = self.answers[qid]
        return Response(outcome, answer=answer)  # type: ignore[arg-type]

    async def aclose(self) -> None:
        return None


@target("replay", settings=ReplaySettings)
def _make(cfg: ReplaySettings, where: str) -> ReplayTarget:
    return ReplayTarget(cfg, where)
