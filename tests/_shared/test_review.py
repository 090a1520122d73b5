"""The shared review workbook: written atomically with its layout, read back with row locations."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from beian._shared.review import (
    MAX_CELL,
    Column,
    Problems,
    cell_text,
    read_workbook,
    write_workbook,
)
from beian.errors import InputError

COLUMNS = (Column("编号", 10), Column("文本", 60, wrap=True), Column("结论", 8, choices=("是", "否")))


def _write(path: Path, rows: list[list[object]], **kw: object) -> int:
    return write_workbook(path, sheet="人工抽检", columns=COLUMNS, rows=rows, info=[("说明", "填 是 或 否")], **kw)  # type: ignore[arg-type]


def test_layout(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    assert _write(out, [["a", "第一条", None], ["b", "第二条", None], ["c", "第三条", None]], marked=[1]) == 3
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["人工抽检", "说明"] and wb["说明"]["B1"].value == "填 是 或 否"
    ws = wb["人工抽检"]
    assert [c.value for c in ws[1]] == ["编号", "文本", "结论"] and ws[1][0].font.bold
    assert ws.freeze_panes == "A2" and ws.column_dimensions["B"].width == 60
    assert ws["B2"].alignment.wrap_text
    (dv,) = ws.data_validations.dataValidation
    assert dv.formula1 == '"是,否"' and str(dv.sqref) == "C2:C4"
    fills = [ws.cell(r, 1).fill.start_color.rgb for r in (2, 3, 4)]
    assert fills[1].endswith("FFF2CC") and not fills[0].endswith("FFF2CC") and not fills[2].endswith("FFF2CC")
    assert not list(tmp_path.glob(".r.xlsx.*"))  # no temporary file left behind


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("普通文本", "普通文本"),
        ("控制\x01字符\x1f", "控制\ufffd字符\ufffd"),
        ("长" * (MAX_CELL + 5), "长" * MAX_CELL + f"……（已截断，共 {MAX_CELL + 5} 字，全文见原文件）"),
    ],
)
def test_cell_text(text: str, expected: str) -> None:
    assert cell_text(text, "全文见原文件") == expected


def test_cells_that_excel_cannot_hold_are_written(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    _write(out, [["a", "回答里有\x07响铃" + "字" * 40_000, None]])
    value = openpyxl.load_workbook(out)["人工抽检"]["B2"].value
    assert value.startswith("回答里有\ufffd响铃") and "已截断" in value and len(value) < 32_767


def test_read_rows_by_header_with_locations(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    _write(out, [["a", "一", None], ["b", "二", None]])
    wb = openpyxl.load_workbook(out)
    ws = wb["人工抽检"]
    ws.insert_cols(1)  # a reviewer added a column in front: headers still find the cells
    ws["A1"] = "我的备注"
    ws["D2"] = "是"
    ws.append([None, None, None, None])  # a blank row is left out
    wb.save(out)
    rows = read_workbook(out, sheet="人工抽检", required=("编号", "结论"), optional=("不存在",))
    assert [(r.row, r.text("编号"), r.text("结论")) for r in rows] == [(2, "a", "是"), (3, "b", "")]
    assert rows[0].where == "r.xlsx!人工抽检:2" and rows[0].text("不存在") == ""


@pytest.mark.parametrize(
    ("edit", "message", "where"),
    [
        ("rename_sheet", "缺少工作表“人工抽检”", "r.xlsx"),
        ("drop_header", "缺少“结论”列", "r.xlsx!人工抽检:1"),
        ("not_xlsx", "无法读取 XLSX 工作簿", "r.xlsx"),
        ("missing", "文件不存在", "r.xlsx"),
    ],
)
def test_read_errors(tmp_path: Path, edit: str, message: str, where: str) -> None:
    out = tmp_path / "r.xlsx"
    _write(out, [["a", "一", None]])
    if edit == "rename_sheet":
        wb = openpyxl.load_workbook(out)
        wb["人工抽检"].title = "改名了"
        wb.save(out)
    elif edit == "drop_header":
        wb = openpyxl.load_workbook(out)
        wb["人工抽检"]["C1"] = None
        wb.save(out)
    elif edit == "not_xlsx":
        out.write_text("这不是表格", "utf-8")
    else:
        out.unlink()
    with pytest.raises(InputError) as exc:
        read_workbook(out, sheet="人工抽检", required=("编号", "结论"))
    assert message in exc.value.what and str(exc.value.where).endswith(where)


def test_any_sheet_reads_a_renamed_first_sheet(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    _write(out, [["a", "一", "否"]])
    wb = openpyxl.load_workbook(out)
    wb["人工抽检"].title = "Sheet1"
    wb.save(out)
    (row,) = read_workbook(out, sheet="人工抽检", required=("编号",), optional=("结论",), any_sheet=True)
    assert row.where == "r.xlsx!Sheet1:2" and row.text("结论") == "否"


def test_problems_are_raised_together(tmp_path: Path) -> None:
    p = Problems(tmp_path / "r.xlsx")
    p.raise_if_any()  # nothing to report
    p.add("r.xlsx!人工抽检:2", "结论无效", "可填：是 / 否")
    with pytest.raises(InputError) as one:
        p.raise_if_any()
    assert one.value.what == "审核表有 1 处问题：\nr.xlsx!人工抽检:2 结论无效"
    assert str(one.value.where).endswith("r.xlsx!人工抽检:2") and one.value.fix == "可填：是 / 否"
    for r in range(3, 30):
        p.add(f"r.xlsx!人工抽检:{r}", "结论无效", "可填：是 / 否")
    p.add("", "3 个样本没有出现在审核表中")
    with pytest.raises(InputError) as many:
        p.raise_if_any()
    assert many.value.what.startswith("审核表有 29 处问题") and "……另有 9 处" in many.value.what
    assert many.value.fix == "可填：是 / 否"
