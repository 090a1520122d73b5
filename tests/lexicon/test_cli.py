"""``beian lexicon`` run as a user would (subprocess)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

from tests.lexicon.test_audit import write_library
from tests.lexicon.test_export import read_xlsx_rows

Cli = Callable[..., CompletedProcess[str]]

LIB = "keyword,risk,mode\n法轮功,A1a,pinyin\n台独,A1c,\nsex,A1f,\n"


def _lib(tmp_path: Path) -> Path:
    p = tmp_path / "lib.csv"
    p.write_text(LIB, "utf-8")
    return p


def test_scan_file_jsonl(cli: Cli, tmp_path: Path) -> None:
    lib = _lib(tmp_path)
    doc = tmp_path / "doc.txt"
    doc.write_bytes("第一行没有\n第二行 法 轮 功\nEssex 和 falungong，臺獨\n".encode("gb18030"))
    r = cli("lexicon", "scan", "-l", str(lib), str(doc), "--format", "jsonl")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(x["keyword"], x["line"], x["text"], x["rules"]) for x in rows] == [
        ("法轮功", 2, "法 轮 功", ["noise"]),
        ("法轮功", 3, "falungong", ["pinyin"]),
        ("台独", 3, "臺獨", ["t2s"]),
    ]
    text = doc.read_bytes().decode("gb18030")
    for x in rows:
        assert set(x) == {"start", "end", "text", "keyword", "risk", "rules", "file", "line"}
        assert text[x["start"] : x["end"]] == x["text"] and x["file"] == str(doc)


def test_scan_stdin_json_and_table(cli: Cli, tmp_path: Path) -> None:
    lib = _lib(tmp_path)
    r = cli("lexicon", "scan", "-l", str(lib), "-", "-f", "json", input="说 SEX 和臺 獨")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [(x["text"], x["risk"]) for x in rows] == [("SEX", "A1f"), ("臺 獨", "A1c")]
    assert (rows[0]["file"], rows[0]["line"]) == ("-", 1)
    r = cli("lexicon", "scan", "-l", str(lib), "-", input="法轮功")
    assert r.returncode == 0 and "命中 1 处" in r.stdout and "A1a" in r.stdout


def test_scan_stdin_is_decoded_like_a_file_with_line_numbers(tmp_path: Path) -> None:
    """A GBK pipe used to be read as UTF-8 and scanned as mojibake: no hit, exit 0."""
    import os
    import subprocess
    import sys

    lib = _lib(tmp_path)
    env = {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    for codec in ("gbk", "utf-8-sig"):
        r = subprocess.run(
            [sys.executable, "-m", "beian", "lexicon", "scan", "-l", str(lib), "-", "-f", "jsonl"],
            input="第一行\n第二行 法轮功\n".encode(codec),
            capture_output=True,
            env=env,
            cwd=tmp_path,
            check=False,
        )
        assert r.returncode == 0, r.stderr.decode()
        rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
        assert [(x["keyword"], x["file"], x["line"], x["start"]) for x in rows] == [
            ("法轮功", "-", 2, 8)
        ], codec


def test_scan_a_spreadsheet_given_as_text_says_so(cli: Cli, tmp_path: Path) -> None:
    from openpyxl import Workbook

    lib = _lib(tmp_path)
    wb = Workbook()
    wb.active.append(["法轮功"])  # type: ignore[union-attr]
    wb.save(tmp_path / "文本.xlsx")
    r = cli("lexicon", "scan", "-l", str(lib), "文本.xlsx")
    assert r.returncode == 2
    assert "Excel" in r.stderr and "CSV" in r.stderr and "无法识别文件编码" not in r.stderr


def test_unknown_mode_lists_every_mode(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("keyword,risk,mode\n枪支,A1d,pinyn\n", "utf-8")
    r = cli("lexicon", "audit", str(bad))
    assert r.returncode == 2 and f"{bad}:2" in r.stderr
    for mode in ("pinyin/拼音", "initials/首字母", "nopinyin/无拼音", "nohomophone/无谐音"):
        assert mode in r.stderr


def test_audit_as_of_a_day_before_the_last_update(cli: Cli, tmp_path: Path) -> None:
    lib = tmp_path / "lib.csv"
    lib.write_text("keyword,risk,updated\n枪支,A1d,2026-11-28\n炸弹,A1d,2062-11-28\n", "utf-8")
    r = cli("lexicon", "audit", str(lib), "--today", "2026-11-30")
    assert "晚于检查日期" in r.stdout and "天前" not in r.stdout
    assert "BA-LEX-013" in r.stdout and f"{lib}:3" in r.stdout


def test_scan_switches(cli: Cli, tmp_path: Path) -> None:
    lib = _lib(tmp_path)
    r = cli("lexicon", "scan", "-l", str(lib), "-", "-f", "json", "--off", "t2s", input="臺獨 台独")
    assert [x["text"] for x in json.loads(r.stdout)] == ["台独"]
    r = cli("lexicon", "scan", "-l", str(lib), "-", "-f", "json", "--cross-lines", input="台\n独")
    assert [x["text"] for x in json.loads(r.stdout)] == ["台\n独"]
    r = cli("lexicon", "scan", "-l", str(lib), "-", "--off", "bogus", input="x")
    assert r.returncode == 2 and "未知的规则" in r.stderr + r.stdout


def test_scan_bad_library_exit_2_with_location(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("好词,A1a\n坏词,Z9\n", "utf-8")
    r = cli("lexicon", "scan", "-l", str(bad), "-", input="好词")
    assert r.returncode == 2
    out = r.stdout + r.stderr
    assert f"{bad}:2" in out and "--lenient" in out
    r = cli("lexicon", "scan", "-l", str(bad), "--lenient", "-", "-f", "json", input="好词")
    assert r.returncode == 0 and json.loads(r.stdout)[0]["keyword"] == "好词"
    assert "已跳过" in r.stderr


def test_audit_json_and_exit_code(cli: Cli, tmp_path: Path) -> None:
    lib = tmp_path / "lib10k.csv"
    write_library(lib)
    r = cli("lexicon", "audit", str(lib), "--today", "2026-11-30", "-f", "json")
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    assert data["total"] == 10_000 and data["conforms"] is False
    assert data["missing_risks"] == ["A2e"]
    r = cli("lexicon", "audit", str(lib), "--today", "2026-11-30")
    assert r.returncode == 1 and "不符合" in r.stdout and "BA-LEX-002" in r.stdout


def test_audit_conforming_with_config_overrides(cli: Cli, tmp_path: Path) -> None:
    lib = tmp_path / "lib.csv"
    lib.write_text(
        "keyword,risk,updated\n"
        + "".join(
            f"具体词{chr(0x4E00 + i)},A{1 if i < 8 else 2}{'abcdefghi'[i % 8 if i < 8 else i - 8]},2026-11-28\n"
            for i in range(17)
        ),
        "utf-8",
    )
    cfg = tmp_path / "beian.yaml"
    cfg.write_text(
        "standards:\n  overrides:\n    lexicon.total_min: 17\n    lexicon.per_a1_risk_min: 1\n"
        "    lexicon.per_a2_risk_min: 1\n",
        "utf-8",
    )
    r = cli("--config", str(cfg), "lexicon", "audit", str(lib), "--today", "2026-11-30")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "符合" in r.stdout and "不符合" not in r.stdout.split("\n")[1]


def test_export(cli: Cli, tmp_path: Path) -> None:
    lib = _lib(tmp_path)
    out = tmp_path / "out.xlsx"
    r = cli("lexicon", "export", str(lib), "--xlsx", str(out))
    assert r.returncode == 0, r.stderr
    rows = read_xlsx_rows(out)
    assert rows[0] == ["序号", "关键词", "风险类别", "风险代码"]
    assert [row[1] for row in rows[1:]] == ["法轮功", "台独", "sex"]


def test_lexicon_config_section(cli: Cli, tmp_path: Path) -> None:
    lib = _lib(tmp_path)
    cfg = tmp_path / "beian.yaml"
    cfg.write_text("lexicon:\n  max_gap: 0\n", "utf-8")
    r = cli(
        "--config",
        str(cfg),
        "lexicon",
        "scan",
        "-l",
        str(lib),
        "-",
        "-f",
        "json",
        input="台 独台独",
    )
    assert r.returncode == 0, r.stderr
    assert [x["text"] for x in json.loads(r.stdout)] == ["台独"]
    cfg.write_text("lexicon:\n  max_gap: -1\n", "utf-8")
    r = cli("--config", str(cfg), "lexicon", "scan", "-l", str(lib), "-", input="x")
    assert r.returncode == 2 and "max_gap" in r.stdout + r.stderr
