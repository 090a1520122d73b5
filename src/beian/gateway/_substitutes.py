"""The approved-answer library (代答库): answers the provider approved for blocked questions.

A file is YAML (``answers:`` a list of ``{id, risk, questions, answer}``) or a table (XLSX /
CSV / TSV with the columns 编号, 风险代码, 问题, 代答; several rows with one 编号 are one answer
with several example questions). ``risk`` is a code (``A1a``), a category (``A1``) or ``*``.

:meth:`SubstituteLibrary.match` picks, among the answers for the most specific risk that has
any (the code, else its category, else ``*``), the one whose example questions are the most
similar to the user's question: cosine similarity of character 1–2-gram TF-IDF vectors
(scikit-learn), which needs no word segmentation and no downloaded model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from beian._shared.tables import iter_records
from beian.errors import ConfigError
from beian.io import load_yaml_model

__all__ = ["Substitute", "SubstituteLibrary", "load_substitutes"]

_COLUMNS = {
    "id": ("编号", "id"),
    "risk": ("风险代码", "risk"),
    "question": ("问题", "question"),
    "answer": ("代答", "answer"),
}
_FIX = "参见 docs/gateway.md 中“代答库”一节的文件格式"


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    risk: str = Field(min_length=1)
    questions: list[str] = Field(default_factory=list)
    answer: str = Field(min_length=1)


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: list[_Entry]


@dataclass(frozen=True)
class Substitute:
    """One approved answer, and where it came from."""

    id: str
    risk: str
    answer: str
    questions: tuple[str, ...] = ()
    source: str = ""


def _column(record: dict[str, Any], name: str) -> str:
    fields = {k.strip().lower(): k for k in record}
    key = next((fields[c] for c in _COLUMNS[name] if c in fields), None)
    return str(record.get(key) or "").strip() if key is not None else ""


def _read_table(path: Path) -> list[Substitute]:
    by_id: dict[str, Substitute] = {}
    for row, record in iter_records(path):
        sid, risk = _column(record, "id"), _column(record, "risk")
        question, answer = _column(record, "question"), _column(record, "answer")
        old = by_id.get(sid)
        if old is not None and not risk:  # a further row of an answer may leave its code blank
            risk = old.risk
        if not sid or not risk:
            raise ConfigError("代答库的一行缺少编号或风险代码", where=row.where, fix=_FIX)
        if old is None:
            if not answer:
                raise ConfigError(f"代答 {sid} 缺少代答内容", where=row.where, fix=_FIX)
            by_id[sid] = Substitute(sid, risk, answer, (question,) if question else (), row.where)
        elif (answer and answer != old.answer) or risk != old.risk:
            raise ConfigError(
                f"编号 {sid} 重复，且风险代码或代答内容与前面不同", where=row.where,
                fix="同一编号的多行只能补充“问题”；不同的代答请用不同编号",
            )  # fmt: skip
        elif question:
            by_id[sid] = Substitute(sid, risk, old.answer, (*old.questions, question), old.source)
    return list(by_id.values())


def _read_file(path: Path) -> list[Substitute]:
    if not path.is_file():
        raise ConfigError("代答库文件不存在", where=str(path), fix=_FIX)
    if path.suffix.lower() in (".yaml", ".yml"):
        doc, lines = load_yaml_model(path, _File, error=ConfigError, fix=_FIX)
        return [
            Substitute(e.id, e.risk, e.answer, tuple(e.questions),
                       f"{path}:{lines.get(('answers', i), 0)}")
            for i, e in enumerate(doc.answers)
        ]  # fmt: skip
    return _read_table(path)


@dataclass
class SubstituteLibrary:
    """The approved answers in force, with their question vectors."""

    entries: list[Substitute]
    sources: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._vectorizer: Any = None
        self._rows: Any = None
        docs = [" ".join(e.questions) for e in self.entries]
        if any(docs):
            from sklearn.feature_extraction.text import TfidfVectorizer

            self._vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 2))
            self._rows = self._vectorizer.fit_transform(docs)

    def _with(self, key: str) -> list[int]:
        return [i for i, e in enumerate(self.entries) if e.risk == key]

    def match(self, risks: tuple[str, ...], question: str) -> tuple[Substitute, float] | None:
        """The most similar approved answer for the first of ``risks`` that has any (by its
        code, else its category), else among those for ``*``; with its similarity (0–1)."""
        for risk in risks:
            for key in (risk, risk[:2]):
                found = self._with(key)
                if found:
                    return self._best(found, question)
        found = self._with("*")
        return self._best(found, question) if found else None

    def _best(self, found: list[int], question: str) -> tuple[Substitute, float]:
        if self._vectorizer is None or not question:
            return self.entries[found[0]], 0.0
        q = self._vectorizer.transform([question])
        scores = (self._rows[found] @ q.T).toarray().ravel()
        best = int(scores.argmax())  # the first of equals: file order
        return self.entries[found[best]], round(float(scores[best]), 4)


def load_substitutes(paths: list[str]) -> SubstituteLibrary:
    """Read the approved-answer files (ConfigError at ``file:line`` on a bad one)."""
    entries: list[Substitute] = []
    seen: dict[str, str] = {}
    for p in paths:
        for e in _read_file(Path(p)):
            if e.id in seen:
                raise ConfigError(
                    f"代答编号 {e.id} 重复（另见 {seen[e.id]}）", where=e.source, fix=_FIX
                )
            seen[e.id] = e.source
            entries.append(e)
    return SubstituteLibrary(entries, list(paths))
