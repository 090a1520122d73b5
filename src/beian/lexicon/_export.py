"""Export the 拦截关键词列表 attachment (XLSX: 序号, 关键词, 风险类别, 风险代码)."""

from __future__ import annotations

import os
from collections.abc import Iterable

from beian.io import atomic_path
from beian.lexicon._models import ALLOW, KeywordEntry
from beian.standards import Edition

__all__ = ["ATTACHMENT_COLUMNS", "export_xlsx"]

ATTACHMENT_COLUMNS = ("序号", "关键词", "风险类别", "风险代码")


def export_xlsx(
    entries: Iterable[KeywordEntry], out: str | os.PathLike[str], edition: Edition
) -> int:
    """Write the attachment atomically; returns the number of keyword rows.

    风险类别 is the risk's name in Appendix A (for example 宣扬恐怖主义、极端主义). Allow-list
    entries are not part of the attachment.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "拦截关键词列表"
    ws.append(list(ATTACHMENT_COLUMNS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    n = 0
    for e in entries:
        if e.risk == ALLOW:
            continue
        n += 1
        ws.append([n, e.keyword, edition.risk(e.risk).name, e.risk])
    ws.column_dimensions["B"].width = 30
    ws.column_dimensions["C"].width = 40
    ws.freeze_panes = "A2"
    with atomic_path(out, suffix=".xlsx") as tmp:
        wb.save(tmp)
    return n
