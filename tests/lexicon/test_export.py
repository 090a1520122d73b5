"""The 拦截关键词列表 attachment, read back without openpyxl (zip + XML)."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from beian.lexicon import ATTACHMENT_COLUMNS, KeywordEntry, export_xlsx
from beian.standards import load_edition

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def read_xlsx_rows(path: Path) -> list[list[str]]:
    """Cell values of the first sheet, decoded with the standard library only."""
    with zipfile.ZipFile(path) as z:
        shared: list[str] = []
        if "xl/sharedStrings.xml" in z.namelist():
            root = ET.fromstring(z.read("xl/sharedStrings.xml"))
            shared = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in root]
        sheet = ET.fromstring(z.read("xl/worksheets/sheet1.xml"))
    rows: list[list[str]] = []
    for row in sheet.iter(f"{{{NS['m']}}}row"):
        cells = []
        for c in row.findall("m:c", NS):
            v = c.find("m:v", NS)
            if c.get("t") == "s" and v is not None:
                cells.append(shared[int(v.text or 0)])
            elif c.get("t") == "inlineStr":
                cells.append("".join(t.text or "" for t in c.iter(f"{{{NS['m']}}}t")))
            else:
                cells.append(v.text if v is not None and v.text else "")
        rows.append(cells)
    return rows


def test_export_layout(tmp_path: Path) -> None:
    ed = load_edition(None)
    out = tmp_path / "附件" / "拦截关键词列表.xlsx"
    entries = [
        KeywordEntry("法轮功", "A1a"),
        KeywordEntry("学习", "allow"),
        KeywordEntry("地域黑", "A2d"),
    ]
    assert export_xlsx(entries, out, ed) == 2
    rows = read_xlsx_rows(out)
    assert rows[0] == list(ATTACHMENT_COLUMNS) == ["序号", "关键词", "风险类别", "风险代码"]
    assert rows[1] == ["1", "法轮功", ed.risk("A1a").name, "A1a"]
    assert rows[2] == ["2", "地域黑", "地域歧视内容", "A2d"]
    assert len(rows) == 3
    assert [p.name for p in out.parent.iterdir()] == ["拦截关键词列表.xlsx"]  # no temp files left
