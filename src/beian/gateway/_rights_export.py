"""A user's copy of their data (PIPL Art. 45): JSON and CSV.

Each conversation appears as the user sent it and as they received it (``sent``: what reached
them, labels included); the model's raw answer is left out, since a blocked answer is exactly
what must not reach the user. Erased conversations appear with their erasure time and nothing
else of their content; corrections appear beside the conversation they correct.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

from beian.gateway._complaints import ComplaintDesk
from beian.gateway._rights import RightsDesk

__all__ = ["CSV_COLUMNS", "export_csv", "question_text", "user_conversations", "user_export"]

CSV_COLUMNS = ("记录编号", "开始时间", "模型", "结果", "提问", "回答", "已删除", "更正")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds")


def _asked(request: dict[str, Any]) -> list[dict[str, Any]]:
    messages = request.get("messages")
    return [m for m in messages if isinstance(m, dict)] if isinstance(messages, list) else []


def user_conversations(desk: RightsDesk, user: str, limit: int | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """The user's conversations, oldest first (``limit``: at most that many)."""
    desk.store.flush()
    items = list(desk.store.exchanges(user=user, limit=limit))
    erased = desk.erased(ex.id for ex in items)
    fixes = desk.corrections(user)
    out = []
    for ex in items:
        gone = erased.get(ex.id)
        out.append({
            "id": ex.id, "started": _iso(ex.started), "finished": _iso(ex.finished),
            "model": ex.model, "stream": ex.stream, "outcome": ex.outcome,
            "messages": [] if gone else _asked(ex.request),
            "answer": "" if gone else ex.sent,
            "erased": gone, "corrections": fixes.get(ex.id, []),
        })  # fmt: skip
    return out


def user_export(desk: RightsDesk, user: str, complaints: ComplaintDesk | None = None) -> dict[str, Any]:
    """Everything the gateway holds about ``user``, decrypted (with ``complaints``: the
    complaints they filed while authenticated, contact details included)."""
    filed = complaints.filed_by(desk.store.user_hash(user)) if complaints is not None else []
    return {
        "user": user,
        "generated": _iso(dt.datetime.now(dt.UTC).timestamp()),
        "conversations": user_conversations(desk, user, desk.rules.max_export_records),
        "consents": desk.consents(user),
        "training_opt_out": [
            {"opted_out": e["opted_out"], "at": _iso(e["at"]), "via": e["via"]}
            for e in desk.store.opt_out_events(user)
        ],
        "requests": [r.public() for r in desk.requests(user=user)],
        "complaints": [c.public() | {"content": c.content, "contact": c.contact} for c in filed],
    }


def _cell(value: str) -> str:
    """A cell spreadsheet programs will not run as a formula (CSV injection)."""
    return "'" + value if value.startswith(_FORMULA) else value


def question_text(messages: list[dict[str, Any]]) -> str:
    parts = []
    for m in messages:
        content = m.get("content")
        if m.get("role") == "user" and isinstance(content, str):
            parts.append(content)
        elif m.get("role") == "user" and isinstance(content, list):
            parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "\n".join(parts)


def export_csv(data: dict[str, Any]) -> str:
    """The conversations of :func:`user_export` as CSV (UTF-8 with BOM: Excel opens it)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for c in data["conversations"]:
        w.writerow([_cell(str(x)) for x in (
            c["id"], c["started"], c["model"], c["outcome"], question_text(c["messages"]), c["answer"],
            c["erased"]["erased_at"] if c["erased"] else "",
            "\n".join(f["text"] for f in c["corrections"]),
        )])  # fmt: skip
    return "\ufeff" + buf.getvalue()
