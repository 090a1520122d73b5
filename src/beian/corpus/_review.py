"""The manual sample as an XLSX workbook for reviewers, and reading their verdicts back."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from beian.assess import ItemResult, evaluate_item
from beian.corpus._readers import Document
from beian.corpus._sample import SamplePlan
from beian.errors import InputError
from beian.io import atomic_path
from beian.standards import Edition

SHEET = "人工抽检"
HEADERS = (
    "序号",
    "样本ID",
    "来源",
    "位置",
    "文本",
    "自动筛查",
    "是否合格（是/否）",
    "风险代码（不合格时填写）",
    "审核人",
    "备注",
)
_MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell
_YES = {"是", "合格", "y", "yes", "1", "true"}
_NO = {"否", "不合格", "n", "no", "0", "false"}


def _cell_text(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    clean: str = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if len(clean) > _MAX_CELL:
        clean = clean[:_MAX_CELL] + f"……（已截断，共 {len(text)} 字，全文见“位置”）"
    return clean


def export_review(path: str | os.PathLike[str], plan: SamplePlan, docs: list[Document]) -> None:
    """Write the manual sample to ``path`` (atomically): one row per document to judge."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(HEADERS)
    for c in ws[1]:
        c.font = Font(bold=True)
    for i, (d, doc) in enumerate(zip(plan.manual, docs, strict=True), start=1):
        auto = "；".join(d.auto_reasons) if d.auto_bad else "未发现问题"
        ws.append(
            [
                i,
                d.doc_id,
                d.source,
                f"{d.file}:{d.line}",
                _cell_text(doc.text),
                auto,
                None,
                None,
                None,
                None,
            ]
        )
    dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    ws.add_data_validation(dv)
    if plan.manual:
        dv.add(f"G2:G{len(plan.manual) + 1}")
    for col, width in zip("ABCDEFGHIJ", (7, 28, 14, 24, 80, 18, 16, 20, 10, 20), strict=True):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    info = wb.create_sheet("说明")
    for line in (
        ("抽样依据", "TC260-003 §9.2 a)：人工随机抽检"),
        ("随机种子", plan.seed),
        ("样本数", len(plan.manual)),
        ("总体文档数", plan.population),
        ("来源", "、".join(plan.sources)),
        ("填写方法", "逐条阅读“文本”，在“是否合格”列填 是 或 否；不合格时填写风险代码（如 A1a）"),
    ):
        info.append(list(line))
    with atomic_path(path, suffix=".xlsx") as tmp:
        wb.save(tmp)


def import_review(path: str | os.PathLike[str], plan: SamplePlan, edition: Edition) -> ItemResult:
    """Read the reviewers' verdicts; every sampled row must be judged exactly once."""
    from openpyxl import load_workbook

    p = Path(path)
    try:
        wb = load_workbook(p, read_only=True, data_only=True)
    except FileNotFoundError:
        raise InputError("审核表不存在", where=str(p), fix="请检查路径") from None
    except Exception as exc:  # openpyxl raises several types for a file that is not a workbook
        raise InputError(f"无法读取审核表：{exc}", where=str(p), fix="请提供 .xlsx 文件") from None
    if SHEET not in wb.sheetnames:
        raise InputError(f"审核表缺少工作表“{SHEET}”", where=str(p), fix="请使用导出的模板填写")
    rows = wb[SHEET].iter_rows(values_only=True)
    header = [str(h or "").strip() for h in next(rows, ())]
    try:
        c_id, c_ok, c_risk = (header.index(h) for h in (HEADERS[1], HEADERS[6], HEADERS[7]))
    except ValueError:
        raise InputError(
            "审核表表头与模板不一致", where=f"{p}!{SHEET}:1", fix=f"表头应为：{'、'.join(HEADERS)}"
        ) from None
    expected = {d.doc_id for d in plan.manual}
    seen: dict[str, int] = {}
    problems: list[str] = []
    k = n = 0
    risk_bad: Counter[str] = Counter()
    for r, values in enumerate(rows, start=2):
        cells = list(values) + [None] * len(header)
        doc_id = str(cells[c_id] or "").strip()
        if not doc_id and all(v in (None, "") for v in values):
            continue
        where = f"{p.name}!{SHEET}:{r}"
        if doc_id not in expected:
            problems.append(f"{where} 样本ID {doc_id or '(空)'} 不在本次抽样中")
            continue
        if doc_id in seen:
            problems.append(f"{where} 样本ID {doc_id} 与第 {seen[doc_id]} 行重复")
            continue
        seen[doc_id] = r
        verdict = str(cells[c_ok] or "").strip().lower()
        if verdict in _YES:
            k += 1
        elif verdict in _NO:
            codes = [
                c.strip()
                for c in str(cells[c_risk] or "").replace("，", ",").split(",")
                if c.strip()
            ]
            for code in codes:
                if code not in edition.risks:
                    problems.append(f"{where} 风险代码 {code} 不在附录A中")
            risk_bad.update(set(codes))
        else:
            problems.append(f"{where} “是否合格”应为 是 或 否，实际为 {verdict or '(空)'}")
            continue
        n += 1
    unjudged = [d for d in plan.manual if d.doc_id not in seen]
    if unjudged:
        problems.append(f"{len(unjudged)} 个样本没有出现在审核表中（如 {unjudged[0].doc_id}）")
    if problems:
        shown = "\n".join(problems[:20])
        more = f"\n……另有 {len(problems) - 20} 处" if len(problems) > 20 else ""
        raise InputError(
            f"审核表有 {len(problems)} 处问题：\n{shown}{more}",
            where=str(p),
            fix="补全或更正后重新导入",
        )
    res = evaluate_item(
        edition,
        "9.2-manual",
        k=k,
        n=n,
        by_risk={code: (n - c, n) for code, c in risk_bad.items()},
    )
    res.notes.append(f"随机种子 {plan.seed}；审核表 {p.name}")
    return res
