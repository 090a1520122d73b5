"""Complaints that feed back: an operator turns a complaint into a candidate keyword (a review list
in the lexicon's CSV format) or a candidate test question (a JSONL bank), and the link between
the complaint and the candidate is kept in the records database (``complaint_links``).

The review list is never loaded by the gateway: an operator approves a candidate
(:meth:`Feedback.approve`, ``beian gateway complaints approve``), which appends it to a library in
``screening.lexicon`` (atomically, in that file's layout) and marks its row 已采纳, or rejects it
(不采纳); either way the link records the outcome, when, and the reviewer's note. The gateway
takes the new library on its next reload. Its columns are the lexicon's (关键词, 风险代码, 模式, 备注,
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
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select, update

from beian.errors import ConfigError, InputError
from beian.gateway._complaints import ComplaintDesk
from beian.gateway._config import GatewayConfig
from beian.gateway._db import complaint_links, open_database, release_engine
from beian.gateway._lexicon_append import NewKeyword, append_keywords
from beian.io import atomic_write_text
from beian.standards import parse_risk_code

__all__ = [
    "APPROVED",
    "REJECTED",
    "REVIEW_COLUMNS",
    "Candidate",
    "Feedback",
    "candidate_paths",
    "lexicon_target",
    "open_feedback",
]

REVIEW_COLUMNS = ("关键词", "风险代码", "模式", "备注", "更新日期", "状态", "投诉编号")
PENDING = "待审核"
APPROVED = "已采纳"
REJECTED = "不采纳"
_MODES = ("", "pinyin", "homophone", "exact")
_KINDS = ("must_refuse", "must_answer", "generation")
_MAX_KEYWORD = 64
_MAX_QUESTION = 2000

_L = complaint_links.c


@dataclass(frozen=True)
class Candidate:
    """One link: complaint ``ticket`` ↔ a keyword or a question (its id) in ``target``; a
    keyword's review: ``status`` (None: 待审核), when, the note, the library it went into."""

    ticket: str
    kind: str  # keyword | question
    target: str
    value: str
    risk: str
    at: float
    id: int = 0  # the link's number (what approve and reject name)
    status: str | None = None
    decided_at: float | None = None
    note: str | None = None
    lexicon: str | None = None

    def to_json(self) -> dict[str, Any]:
        def iso(t: float) -> str:
            return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="seconds")

        out = {"id": self.id, "ticket": self.ticket, "kind": self.kind, "target": self.target,
               "value": self.value, "risk": self.risk, "at": iso(self.at)}  # fmt: skip
        if self.kind == "keyword":
            out |= {"status": self.status or PENDING, "note": self.note, "lexicon": self.lexicon,
                    "decided_at": iso(self.decided_at) if self.decided_at else None}  # fmt: skip
        return out


def lexicon_target(cfg: GatewayConfig, chosen: str | None) -> Path:
    """The library in ``screening.lexicon`` approved keywords go into: ``chosen`` (a file the
    setting lists, as written there or resolved), or the only one listed."""
    files = [Path(p) for p in cfg.screening.lexicon]
    if chosen is None:
        if len(files) == 1:
            return files[0]
        raise ConfigError(
            "screening.lexicon 中没有词库文件" if not files else "screening.lexicon 中有多个词库文件",
            where="--lexicon",
            fix="在 screening.lexicon 中列出词库文件" if not files
            else "用 --lexicon 指定其中一个：" + "、".join(f.name for f in files),
        )  # fmt: skip
    base = Path(cfg.path).resolve().parent if cfg.path else Path.cwd()
    want = Path(chosen) if Path(chosen).is_absolute() else base / chosen
    for f in files:
        if f.resolve() == want.resolve() or f.name == chosen:
            return f
    raise ConfigError(f"{chosen} 不在 screening.lexicon 中", where="--lexicon",
                      fix="只能写入网关加载的词库：" + "、".join(f.name for f in files))  # fmt: skip


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
            got = db.execute(insert(complaint_links), {"ticket": c.ticket, "kind": c.kind,
                       "target": c.target, "value": c.value, "risk": c.risk, "at": c.at})  # fmt: skip
            key = got.inserted_primary_key
        return replace(c, id=int(key[0])) if key else c

    def links(self, ticket: str | None = None, ids: list[int] | None = None) -> list[Candidate]:
        q = select(_L.ticket, _L.kind, _L.target, _L.value, _L.risk, _L.at, _L.seq, _L.status,
                   _L.decided_at, _L.decision_note, _L.lexicon)  # fmt: skip
        if ticket is not None:
            q = q.where(_L.ticket == ticket)
        if ids is not None:
            q = q.where(_L.seq.in_(ids))
        with self._engine.execution_options(beian_read=True).connect() as db:
            rows = db.execute(q.order_by(_L.seq)).all()
        return [Candidate(*r) for r in rows]

    # -- review ----------------------------------------------------------------------------
    def _pending(self, ids: list[int]) -> list[Candidate]:
        """The keyword candidates ``ids``, every one of them still to be reviewed."""
        if not ids:
            raise InputError("没有给出候选编号", where="CANDIDATE", fix="编号见 `beian gateway complaints candidates`")
        found = {c.id: c for c in self.links(ids=ids)}
        for i in ids:
            c = found.get(i)
            if c is None:
                raise InputError(f"没有编号为 {i} 的候选", where="CANDIDATE",
                                 fix="编号见 `beian gateway complaints candidates`")  # fmt: skip
            if c.kind != "keyword":
                raise InputError(f"候选 {i} 是测试题（{c.value}），已在题库文件中", where="CANDIDATE",
                                 fix="审核测试题请编辑题库文件；这里只审核候选关键词")  # fmt: skip
            if c.status is not None:
                raise InputError(f"候选 {i}（{c.value}）已审核：{c.status}", where="CANDIDATE",
                                 fix="已审核的候选不能再改；如需撤销，请直接编辑词库文件")  # fmt: skip
        return [found[i] for i in dict.fromkeys(ids)]

    def approve(self, ids: list[int], lexicon: Path, note: str | None = None) -> list[Candidate]:
        """Move the keyword candidates ``ids`` into ``lexicon`` (a file in ``screening.lexicon``);
        their review rows become 已采纳 and their links record it. A keyword the library already
        has with the same risk code is not added twice (still approved)."""
        with self._lock:
            chosen = self._pending(ids)
            today = dt.date.today().isoformat()
            append_keywords(lexicon, [
                NewKeyword(c.value, c.risk, self._mode(c), f"来自投诉 {c.ticket}", today)
                for c in chosen
            ])  # fmt: skip
            return self._decide(chosen, APPROVED, note, str(lexicon))

    def reject(self, ids: list[int], note: str | None = None) -> list[Candidate]:
        """The keyword candidates ``ids`` are not taken: 不采纳, recorded with ``note``."""
        with self._lock:
            return self._decide(self._pending(ids), REJECTED, note, None)

    def _mode(self, c: Candidate) -> str:
        """The match mode written with the candidate in its review list."""
        for row in self._review_rows(Path(c.target))[1:]:
            if len(row) >= 7 and row[0] == c.value and row[6] == c.ticket:
                return row[2]
        return ""

    @staticmethod
    def _review_rows(path: Path) -> list[list[str]]:
        if not path.is_file():
            return []
        return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))

    def _decide(self, chosen: list[Candidate], status: str, note: str | None,
                lexicon: str | None) -> list[Candidate]:  # fmt: skip
        now = time.time()
        note = (note or "").strip()[:2000] or None
        for target in dict.fromkeys(c.target for c in chosen):  # each review list, atomically
            mine = {(c.value, c.ticket) for c in chosen if c.target == target}
            rows = self._review_rows(Path(target))
            for row in rows[1:]:
                if len(row) >= 7 and (row[0], row[6]) in mine and row[5] == PENDING:
                    row[5] = status
            if rows:
                buf = io.StringIO()
                csv.writer(buf, lineterminator="\n").writerows(rows)
                atomic_write_text(Path(target), buf.getvalue())
        with self._engine.begin() as db:
            for c in chosen:
                db.execute(
                    update(complaint_links).where(_L.seq == c.id, _L.status.is_(None))
                    .values(status=status, decided_at=now, decision_note=note, lexicon=lexicon)
                )  # fmt: skip
        return self.links(ids=[c.id for c in chosen])

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
