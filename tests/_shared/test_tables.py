"""One table reader: CSV / TSV / XLSX / JSONL rows with file:line, one kind of error."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook

from beian._shared.tables import iter_jsonl, iter_records, iter_rows
from beian.errors import InputError


def test_csv_rows_keep_the_line_a_record_starts_on(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text('id,text\n1,"two\nlines"\n\n2,plain\n', encoding="gb18030")
    got = [(r.where, rec) for r, rec in iter_records(p)]
    assert got == [
        (f"{p}:2", {"id": "1", "text": "two\nlines"}),
        (f"{p}:5", {"id": "2", "text": "plain"}),
    ]


def test_tsv_is_split_on_tabs(tmp_path: Path) -> None:
    p = tmp_path / "t.tsv"
    p.write_text("a\tb\n", encoding="utf-8")
    assert [r.cells for r in iter_rows(p)] == [("a", "b")]


def test_workbook_rows_name_their_sheet(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "甲"
    ws.append(["id", "text", None])
    ws.append([None, None, None])
    ws.append([1, "x", "dropped: no header"])
    other = wb.create_sheet("乙")
    other.append(["id"])
    other.append([2])
    p = tmp_path / "t.xlsx"
    wb.save(p)
    rows = [(r.where, rec) for r, rec in iter_records(p, sheets="all")]
    assert rows == [(f"{p}!甲:3", {"id": 1, "text": "x"}), (f"{p}!乙:2", {"id": 2})]
    assert [r.sheet for r in iter_rows(p)] == ["甲"] * 3  # the first sheet only by default


@pytest.mark.parametrize(
    ("name", "data", "needle"),
    [
        ("broken.xlsx", b"not a zip", "无法读取 XLSX"),
        ("table.ods", b"", "不支持的表格格式"),
        ("missing.csv", None, "文件不存在"),
    ],
)
def test_bad_tables_are_one_clear_error(
    tmp_path: Path, name: str, data: bytes | None, needle: str
) -> None:
    p = tmp_path / name
    if data is not None:
        p.write_bytes(data)
    with pytest.raises(InputError) as exc:
        list(iter_rows(p))
    assert needle in exc.value.what and exc.value.where == str(p)


def test_jsonl_errors_point_at_the_line(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_text('{"a": 1}\n\n[1]\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        list(iter_jsonl(p))
    assert exc.value.where == f"{p}:3"


def test_jsonl_in_a_zip_is_read_and_cited_inside_the_zip(tmp_path: Path) -> None:
    p = tmp_path / "data.jsonl.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("data.jsonl", '{"a": 1}\n{"a": "二"}\n')
        z.writestr("__MACOSX/._data.jsonl", b"\x00")
    assert list(iter_jsonl(p)) == [(1, {"a": 1}), (2, {"a": "二"})]
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("data.jsonl", '{"a": 1}\nnot json\n')
    with pytest.raises(InputError) as exc:
        list(iter_jsonl(p))
    assert exc.value.where == f"{p}!data.jsonl:2"
    with pytest.raises(InputError, match="文件不存在"):
        list(iter_jsonl(tmp_path / "missing.zip"))


def _zip_with(tmp_path: Path, patch: Callable[[bytes, int, int], bytes]) -> Path:
    """A deflated ``data.jsonl`` in a zip, its bytes changed by ``patch(raw, data_at, size)``
    (``data_at``: where the compressed member starts)."""
    p = tmp_path / "data.jsonl.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data.jsonl", '{"a": "一段足够长的文字"}\n' * 50)
    raw = p.read_bytes()
    with zipfile.ZipFile(p) as z:
        info = z.getinfo("data.jsonl")
    at = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    p.write_bytes(patch(raw, at, info.compress_size))
    return p


def _method(raw: bytes, method: int) -> bytes:
    """Every header's compression method set to ``method``."""
    out = bytearray(raw)
    for sig, off in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        i = out.find(sig)
        out[i + off : i + off + 2] = method.to_bytes(2, "little")
    return bytes(out)


# (what is broken, how): none may end in a traceback
BROKEN_ZIPS: list[tuple[str, Callable[[bytes, int, int], bytes]]] = [
    ("corrupt deflate (zlib.error)", lambda raw, at, n: raw[:at] + b"\xff" * n + raw[at + n :]),
    ("deflate64 (NotImplementedError)", lambda raw, at, n: _method(raw, 9)),
    ("member cut short (ValueError)", lambda raw, at, n: raw[: at + n // 2] + raw[at + n :]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "patch"), BROKEN_ZIPS, ids=[b[0] for b in BROKEN_ZIPS])
def test_a_broken_zip_is_one_clear_error(
    tmp_path: Path, name: str, patch: Callable[[bytes, int, int], bytes]
) -> None:
    p = _zip_with(tmp_path, patch)
    with pytest.raises(InputError) as exc:
        list(iter_jsonl(p))
    assert exc.value.what.startswith("无法读取压缩包") and exc.value.where == str(p)


def test_a_zip_with_several_jsonl_files_lists_them(tmp_path: Path) -> None:
    p = tmp_path / "several.zip"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("a.jsonl", "{}\n")
        z.writestr("b.jsonl", "{}\n")
    with pytest.raises(InputError) as exc:
        list(iter_jsonl(p))
    assert "a.jsonl、b.jsonl" in exc.value.what and "解压" in str(exc.value.fix)
