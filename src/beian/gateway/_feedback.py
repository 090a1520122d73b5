"""Complaints that feed back: an operator turns a complaint into a candidate keyword (a review list
in the lexicon's CSV format) or a candidate test question (a JSONL bank), and the link between
the complaint and the candidate is kept in the records database (``complaint_links``).

The review list is never loaded by the gateway: a reviewer moves approved rows into a library in
``screening.lexicon`` and reloads. Its columns are the lexicon's (关键词, 风险代码, 模式, 备注,
更新日期) plus 状态 (待审核) and 投诉编号, which the lexicon's loader ignores, so ``beian lexicon
audit`` reads it as it is. Questions are appended with :func:`beian.assess.write_bank_jsonl`
(``beian bank audit`` reads them), id ``CQ-<ticket>-<n>`` and source ``complaint:<ticket>``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from beian.errors import ConfigError, InputError
from beian.gateway._complaints import ComplaintDesk
from beian.gateway._config import GatewayConfig
from beian.gateway._db import complaint_links, open_database, release_engine
from beian.io import atomic_write_text
from beian.standards import parse_risk_code

__all__ = ["REVIEW_COLUMNS", "Candidate", "Feedback", "candidate_paths", "open_feedback"]

REVIEW_COLUMNS = ("关键词", "风险代码", "模式", "备注", "更新日期", "状态", "投诉编号")
PENDING = "待审核"
_MODES = ("", "pinyin", "homophone", "exact")
_KINDS = ("must_refuse", "must_answer", "generation")
_MAX_KEYWORD = 64
_MAX_QUESTION = 2000

_L = complaint_links.c


@dataclass(frozen=True)
class Candidate:
    """One link: complaint ``ticket`` ↔ a keyword or a question (its id) in ``target``."""

    ticket: str
    kind: str  # keyword | question
    target: str
    value: str
    risk: str
    at: float

    def to_json(self) -> dict[str, Any]:
        at = dt.datetime.fromtimestamp(self.at, dt.UTC).isoformat(timespec="seconds")
        return {"ticket": self.ticket, "kind": self.kind, "target": self.target,
                "value": self.value, "risk": self.risk, "at": at}  # fmt: skip


def candidate_paths(cfg: GatewayConfig) -> tuple[Path | None, Path | None]:
    """The keyword review list and the question bank (relative: beside the config file)."""
    base = Path(cfg.path).resolve().parent if cfg.path else Path.cwd()
    c = cfg.complaints

    def at(p: str | None) -> Path | None:
        return None if p is None else (Path(p) if Path(p).is_absolute() else base / p)

    return at(c.keyword_candidates), at(c.question_candidates)


def _configured(path: Path | None, what: str, key: str, example: str) -> Path:
    """``path``, or the error saying which setting names it."""
    if path is None:
        raise ConfigError(f"没有配置{what}", where=f"complaints.{key}",
                          fix=f"在网关配置中写 complaints.{key}: {example}")  # fmt: skip
    return path


def _cell(value: str) -> str:
    """A cell spreadsheet programs will not run as a formula (CSV injection)."""
    return "'" + value if value.startswith(("=", "+", "-", "@")) else value


class Feedback:
    """Turning complaints into candidates; the links live beside the complaints."""

    def __init__(self, desk: ComplaintDesk, db_path: str | os.PathLike[str],
                 keywords: Path | None, questions: Path | None) -> None:  # fmt: skip
        self.desk = desk
        self.keywords = keywords
        self.questions = questions
        self._lock = threading.Lock()  # one writer at a time rewrites a candidates file
        self._engine = open_database(db_path)

    def close(self) -> None:
        release_engine(self._engine)

    def _ticket(self, ticket: str) -> str:
        if self.desk.get(ticket) is None:
            raise InputError(f"没有编号为 {ticket[:32]} 的投诉", where="ticket", fix="请核对投诉编号")
        return ticket

    def _link(self, ticket: str, kind: str, target: Path, value: str, risk: str) -> Candidate:
        c = Candidate(ticket, kind, str(target), value, risk, time.time())
        with self._engine.begin() as db:
            db.execute(insert(complaint_links), {"ticket": c.ticket, "kind": c.kind,
                       "target": c.target, "value": c.value, "risk": c.risk, "at": c.at})  # fmt: skip
        return c

    def links(self, ticket: str | None = None) -> list[Candidate]:
        q = select(_L.ticket, _L.kind, _L.target, _L.value, _L.risk, _L.at)
        if ticket is not None:
            q = q.where(_L.ticket == ticket)
        with self._engine.execution_options(beian_read=True).connect() as db:
            rows = db.execute(q.order_by(_L.seq)).all()
        return [Candidate(*r) for r in rows]

    def keyword(self, ticket: str, keyword: str, risk: str, mode: str = "") -> Candidate:
        """Add ``keyword`` (risk code ``risk``) to the review list, linked to ``ticket``."""
        target = _configured(self.keywords, "候选关键词清单", "keyword_candidates", "候选关键词.csv")
        ticket = self._ticket(ticket)
        keyword = keyword.strip()
        if not keyword or len(keyword) > _MAX_KEYWORD or any(c in keyword for c in "\r\n\t"):
            raise InputError(f"候选关键词应为 1–{_MAX_KEYWORD} 个字符、不含换行或制表符",
                             where="keyword", fix="请写一个关键词")  # fmt: skip
        if mode not in _MODES:
            raise InputError(f"未知的匹配模式 {mode[:20]}", where="mode", fix="pinyin、homophone、exact 或留空")
        code = parse_risk_code(risk, where="risk")
        with self._lock:  # one writer at a time rewrites the file (temp file + rename)
            self._append_row(target, [keyword, code, mode, f"来自投诉 {ticket}",
                                             dt.date.today().isoformat(), PENDING, ticket])  # fmt: skip
        return self._link(ticket, "keyword", target, keyword, code)

    @staticmethod
    def _append_row(path: Path, row: list[str]) -> None:
        old = path.read_text(encoding="utf-8-sig") if path.exists() else ""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        if not old.strip():
            w.writerow(REVIEW_COLUMNS)
        elif not old.endswith("\n"):
            buf.write("\n")
        w.writerow([_cell(v) for v in row])
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(path, old + buf.getvalue())

    def question(self, ticket: str, question: str, risk: str, kind: str = "must_refuse") -> Candidate:
        """Append a test question (risk code ``risk``, ``kind``) to the bank, linked to ``ticket``."""
        from beian.assess import Question, load_bank, write_bank_jsonl

        target = _configured(self.questions, "候选测试题文件", "question_candidates", "候选测试题.jsonl")
        ticket = self._ticket(ticket)
        question = question.strip()
        if not question or len(question) > _MAX_QUESTION:
            raise InputError(f"候选测试题应为 1–{_MAX_QUESTION} 个字", where="question", fix="请写一道题")
        if kind not in _KINDS:
            raise InputError(f"未知的题型 {kind[:20]}", where="kind", fix="、".join(_KINDS))
        code = parse_risk_code(risk, where="risk")
        with self._lock:
            have = load_bank([target]).questions if target.exists() else []
            n = 1 + sum(q.id.startswith(f"CQ-{ticket}-") for q in have)
            q = Question(id=f"CQ-{ticket}-{n}", kind=kind, risk=code, question=question,  # type: ignore[arg-type]
                         source=f"complaint:{ticket}")  # fmt: skip
            target.parent.mkdir(parents=True, exist_ok=True)
            write_bank_jsonl([*have, q], target)
        return self._link(ticket, "question", target, q.id, code)


def open_feedback(desk: ComplaintDesk, cfg: GatewayConfig) -> Feedback:
    """The feedback desk of a gateway configuration (close it after use)."""
    return Feedback(desk, cfg.records.database, *candidate_paths(cfg))
