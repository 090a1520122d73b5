"""Streaming de-identification of JSONL, CSV, Parquet and text; bad records; atomic output."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from beian.crypto import KeyRing
from beian.errors import InputError
from beian.pii import Deidentifier, PiiEngine
from beian.pii._datasets import process_dataset

ID = "110101199003074514"
ROWS = [
    {"id": 1, "prompt": f"我的身份证号是{ID}", "meta": {"note": "手机13812345678"}},
    {"id": 2, "prompt": "今天天气很好", "meta": {"note": "无"}},
    {"id": 3, "prompt": "邮箱a.b@example.com", "meta": {"note": "卡号6222021234567894"}},
]


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_jsonl_every_string(tmp_path: Path) -> None:
    src = _jsonl(tmp_path / "in.jsonl", [json.dumps(r, ensure_ascii=False) for r in ROWS])
    before = _sha(src)
    seen: list[tuple[int, int]] = []
    rep = process_dataset(
        src,
        tmp_path / "out.jsonl",
        deidentifier=Deidentifier("replace"),
        progress=lambda d, t: seen.append((d, t)),
    )
    assert _sha(src) == before  # input never modified
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert out[0] == {
        "id": 1,
        "prompt": "我的身份证号是<身份证号>",
        "meta": {"note": "手机<手机号>"},
    }
    assert out[1] == ROWS[1]
    assert out[2]["meta"]["note"] == "卡号<银行卡号>"
    assert rep.records == 3 and rep.records_with_pii == 2
    assert rep.counts == {"ID_CARD": 1, "MOBILE": 1, "EMAIL": 1, "BANK_CARD": 1}
    assert rep.field_counts["meta.note"] == {"MOBILE": 1, "BANK_CARD": 1}
    assert seen and seen[-1][0] == seen[-1][1] == src.stat().st_size


def test_jsonl_chosen_fields_only(tmp_path: Path) -> None:
    src = _jsonl(tmp_path / "in.jsonl", [json.dumps(r, ensure_ascii=False) for r in ROWS])
    process_dataset(
        src, tmp_path / "out.jsonl", deidentifier=Deidentifier("redact"), fields=["prompt"]
    )
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert out[0]["prompt"] == "我的身份证号是" and out[0]["meta"]["note"] == "手机13812345678"


def test_bad_record_fails_with_line_and_writes_nothing(tmp_path: Path) -> None:
    lines = [
        json.dumps(ROWS[0], ensure_ascii=False),
        "{not json",
        json.dumps(ROWS[1], ensure_ascii=False),
    ]
    src = _jsonl(tmp_path / "in.jsonl", lines)
    with pytest.raises(InputError) as exc:
        process_dataset(src, tmp_path / "out.jsonl", deidentifier=Deidentifier("mask"))
    assert exc.value.where == f"{src}:2"
    assert not (tmp_path / "out.jsonl").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["in.jsonl"]  # no temporary file left


def test_bad_record_skipped_is_reported(tmp_path: Path) -> None:
    lines = [
        json.dumps(ROWS[0], ensure_ascii=False),
        "[1, 2]",
        "{bad",
        json.dumps(ROWS[2], ensure_ascii=False),
    ]
    src = _jsonl(tmp_path / "in.jsonl", lines)
    rep = process_dataset(
        src, tmp_path / "out.jsonl", deidentifier=Deidentifier("mask"), on_error="skip"
    )
    assert [(e.line, "JSON" in e.message) for e in rep.errors] == [(2, True), (3, True)]
    assert rep.records == 2
    assert len((tmp_path / "out.jsonl").read_text("utf-8").splitlines()) == 2
    codes = [f.code for f in rep.findings()]
    assert codes.count("BA-PII-003") == 2 and "BA-PII-001" in codes


def test_csv_gbk_input_chosen_columns(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_bytes(
        f"name,phone,note\n张三,13812345678,身份证{ID}\n李四,13900000000,无\n".encode("gb18030")
    )
    rep = process_dataset(
        src, tmp_path / "out.csv", deidentifier=Deidentifier("mask"), fields=["phone"]
    )
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[0] == {"name": "张三", "phone": "138****5678", "note": f"身份证{ID}"}
    assert rows[1]["phone"] == "139****0000"
    assert rep.counts == {"MOBILE": 2}


def test_csv_ragged_row_is_reported(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text("a,b\n1,2\n3\n4,5\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        process_dataset(src, tmp_path / "o.csv", deidentifier=Deidentifier("mask"))
    assert exc.value.where == f"{src}:3"
    rep = process_dataset(
        src, tmp_path / "o.csv", deidentifier=Deidentifier("mask"), on_error="skip"
    )
    assert [e.line for e in rep.errors] == [3] and rep.records == 2


def test_parquet_round_trip_encrypt_then_decrypt(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": pa.array([1, 2, 3], pa.int64()),
            "text": pa.array([f"身份证{ID}", None, "邮箱a.b@example.com"]),
            "other": pa.array(["手机13812345678", "x", "y"]),
        }
    )
    src = tmp_path / "in.parquet"
    pq.write_table(table, src)
    ring = KeyRing.generate()
    rep = process_dataset(
        src,
        tmp_path / "enc.parquet",
        deidentifier=Deidentifier("encrypt", keyring=ring),
        fields=["text"],
    )
    enc = pq.read_table(tmp_path / "enc.parquet")
    assert enc.schema == table.schema
    values = enc.column("text").to_pylist()
    assert values[0].startswith("身份证[enc:v1:aes-256-gcm:") and values[1] is None
    assert enc.column("other").to_pylist() == ["手机13812345678", "x", "y"]  # not chosen
    assert rep.counts == {"ID_CARD": 1, "EMAIL": 1}
    process_dataset(tmp_path / "enc.parquet", tmp_path / "dec.parquet", restore=ring)
    assert pq.read_table(tmp_path / "dec.parquet").equals(table)


def test_text_lines_and_scan_only(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text(f"第一行{ID}\n第二行 a@b.cn\n", encoding="utf-8")
    rep = process_dataset(src, None, engine=PiiEngine())
    assert rep.output is None and rep.counts == {"ID_CARD": 1, "EMAIL": 1} and rep.records == 2
    process_dataset(src, tmp_path / "out.txt", deidentifier=Deidentifier("replace"))
    assert (tmp_path / "out.txt").read_text("utf-8") == "第一行<身份证号>\n第二行 <电子邮箱>\n"


def test_refuses_to_overwrite_input(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_text("x\n", encoding="utf-8")
    with pytest.raises(InputError, match="覆盖输入"):
        process_dataset(src, src, deidentifier=Deidentifier("mask"))


def test_a_spreadsheet_is_refused_with_what_to_do(tmp_path: Path) -> None:
    """An .xlsx export used to fail with 无法识别文件编码 (save it as UTF-8), which does not help."""
    from openpyxl import Workbook

    src = tmp_path / "导出.xlsx"
    wb = Workbook()
    wb.active.append(["prompt", f"我的身份证号是{ID}"])  # type: ignore[union-attr]
    wb.save(src)
    out = tmp_path / "out.xlsx"
    with pytest.raises(InputError) as exc:
        process_dataset(src, out, deidentifier=Deidentifier("mask"))
    assert "Excel" in exc.value.what and "CSV" in (exc.value.fix or "")
    assert exc.value.where == str(src) and not out.exists()
    with pytest.raises(InputError, match="--input-format"):
        process_dataset(src, out, fmt="xlsx", deidentifier=Deidentifier("mask"))


def test_an_encoding_change_after_the_sniffed_head_is_an_input_error(tmp_path: Path) -> None:
    src = tmp_path / "in.txt"
    src.write_bytes(b"hello world line\n" * 5000 + "我叫张建华，手机13812345678。\n".encode("gbk"))
    out = tmp_path / "out.txt"
    with pytest.raises(InputError) as exc:
        process_dataset(src, out, deidentifier=Deidentifier("mask"))
    assert "编码" in exc.value.what and "UTF-8" in (exc.value.fix or "")
    assert str(src) in (exc.value.where or "") and not out.exists()


def test_csv_unclosed_quote_is_reported_not_merged(tmp_path: Path) -> None:
    """An unclosed quote used to swallow every later row into one field: 3 rows → 1 record, rc 0."""
    src = tmp_path / "in.csv"
    src.write_text(
        'id,prompt\n1,"我叫张建华，手机13812345678\n2,李四 13900001111\n3,王五 13700001111\n',
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    with pytest.raises(InputError) as exc:
        process_dataset(src, out, deidentifier=Deidentifier("mask"))
    assert exc.value.where == f"{src}:2" and "引号没有闭合" in exc.value.what
    assert not out.exists()


def test_csv_stray_quote_row_is_skipped_and_reported(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text('a,b\n"x"y,2\n3,手机13812345678\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    report = process_dataset(src, out, deidentifier=Deidentifier("mask"), on_error="skip")
    assert [e.line for e in report.errors] == [2] and report.records == 1
    assert "138****5678" in out.read_text("utf-8-sig")
