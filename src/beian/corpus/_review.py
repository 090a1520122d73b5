"""The manual sample as a review workbook (``beian._shared.review``), and reading the verdicts back."""

from __future__ import annotations

import os
from collections import Counter

from beian._shared.review import Column, Problems, read_workbook, write_workbook
from beian.assess import ItemResult, evaluate_item
from beian.corpus._readers import Document
from beian.corpus._sample import SamplePlan
from beian.standards import Edition

SHEET = "人工抽检"
COLUMNS = (
    Column("序号", 7),
    Column("样本ID", 28),
    Column("来源", 14),
    Column("位置", 24),
    Column("文本", 80, wrap=True),
    Column("自动筛查", 18),
    Column("是否合格（是/否）", 16, choices=("是", "否")),
    Column("风险代码（不合格时填写）", 20),
    Column("审核人", 10),
    Column("备注", 20),
)
HEADERS = tuple(c.header for c in COLUMNS)
_YES = {"是", "合格", "y", "yes", "1", "true"}
_NO = {"否", "不合格", "n", "no", "0", "false"}


def export_review(path: str | os.PathLike[str], plan: SamplePlan, docs: list[Document]) -> None:
    """Write the manual sample to ``path`` (atomically): one row per document to judge."""
    rows = (
        [
            i,
            d.doc_id,
            d.source,
            f"{d.file}:{d.line}",
            doc.text,
            "；".join(d.auto_reasons) if d.auto_bad else "未发现问题",
            None,
            None,
            None,
            None,
        ]
        for i, (d, doc) in enumerate(zip(plan.manual, docs, strict=True), start=1)
    )
    write_workbook(
        path,
        sheet=SHEET,
        columns=COLUMNS,
        rows=rows,
        truncation_hint="全文见“位置”",
        info=(
            ("抽样依据", "TC260-003 §9.2 a)：人工随机抽检"),
            ("随机种子", plan.seed),
            ("样本数", len(plan.manual)),
            ("总体文档数", plan.population),
            ("来源", "、".join(plan.sources)),
            (
                "填写方法",
                "逐条阅读“文本”，在“是否合格”列填 是 或 否；不合格时填写风险代码（如 A1a）",
            ),
        ),
    )


def import_review(path: str | os.PathLike[str], plan: SamplePlan, edition: Edition) -> ItemResult:
    """Read the reviewers' verdicts; every sampled row must be judged exactly once."""
    c_id, c_ok, c_risk = HEADERS[1], HEADERS[6], HEADERS[7]
    rows = read_workbook(
        path,
        sheet=SHEET,
        required=(c_id, c_ok, c_risk),
        fix=f"请使用导出的模板填写；表头应为：{'、'.join(HEADERS)}",
    )
    expected = {d.doc_id for d in plan.manual}
    seen: dict[str, int] = {}
    problems = Problems(path)
    k = n = 0
    risk_bad: Counter[str] = Counter()
    for row in rows:
        doc_id = row.text(c_id)
        if doc_id not in expected:
            problems.add(row.where, f"样本ID {doc_id or '(空)'} 不在本次抽样中")
            continue
        if doc_id in seen:
            problems.add(row.where, f"样本ID {doc_id} 与第 {seen[doc_id]} 行重复")
            continue
        seen[doc_id] = row.row
        verdict = row.text(c_ok).lower()
        if verdict in _YES:
            k += 1
        elif verdict in _NO:
            codes = [c.strip() for c in row.text(c_risk).replace("，", ",").split(",") if c.strip()]
            for code in codes:
                if code not in edition.risks:
                    problems.add(row.where, f"风险代码 {code} 不在附录A中")
            risk_bad.update(set(codes))
        else:
            problems.add(row.where, f"“是否合格”应为 是 或 否，实际为 {verdict or '(空)'}")
            continue
        n += 1
    unjudged = [d for d in plan.manual if d.doc_id not in seen]
    if unjudged:
        problems.add("", f"{len(unjudged)} 个样本没有出现在审核表中（如 {unjudged[0].doc_id}）")
    problems.raise_if_any()
    res = evaluate_item(
        edition,
        "9.2-manual",
        k=k,
        n=n,
        by_risk={code: (n - c, n) for code, c in risk_bad.items()},
    )
    res.notes.append(f"随机种子 {plan.seed}；审核表 {os.path.basename(path)}")
    return res
