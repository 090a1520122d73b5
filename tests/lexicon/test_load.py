"""Loading library files: formats, encodings, modes, errors with file:line, lenient mode."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from beian.errors import InputError
from beian.lexicon import Lexicon
from tests.support.office import libreoffice_convert

CSV = "关键词,风险代码,模式,备注,更新日期\n法轮功,A1a,拼音|谐音,邪教,2026-11-20\n台独,A.1.c,,,\n学习,白名单,,,\n"


def test_csv_with_chinese_header(tmp_path: Path) -> None:
    p = tmp_path / "lib.csv"
    p.write_text(CSV, "utf-8")
    lex = Lexicon.load([p])
    [a, b] = lex.entries
    assert (a.keyword, a.risk, a.modes, a.note, a.line) == (
        "法轮功",
        "A1a",
        frozenset({"pinyin", "homophone"}),
        "邪教",
        2,
    )
    assert a.updated == date(2026, 11, 20) and a.source == str(p)
    assert (b.keyword, b.risk, b.line) == ("台独", "A1c", 3)
    assert lex.allow == ("学习",)
    assert lex.is_blocked("fa lun gong") and lex.is_blocked("发伦工")


def test_csv_positional_utf8_bom_and_tsv(tmp_path: Path) -> None:
    p = tmp_path / "lib.csv"
    p.write_bytes("\ufeff法轮功,A1a\n台独,A1c,exact\n".encode())
    t = tmp_path / "lib.tsv"
    t.write_text("暴恐\tA1d\n", "utf-8")
    lex = Lexicon.load([p, t])
    assert [(e.keyword, e.risk, e.modes) for e in lex.entries] == [
        ("法轮功", "A1a", frozenset()),
        ("台独", "A1c", frozenset({"exact"})),
        ("暴恐", "A1d", frozenset()),
    ]


def test_gbk_txt_with_risk_directive(tmp_path: Path) -> None:
    src = tmp_path / "utf8.txt"
    src.write_text("# risk: A2d\n地域黑词\n# 注释\n\n# risk: A1f\n色情词\t\t\t备注\n", "utf-8")
    gbk = tmp_path / "gbk.txt"
    if shutil.which("iconv"):  # an independent encoder when available
        subprocess.run(["iconv", "-f", "UTF-8", "-t", "GBK", "-o", str(gbk), str(src)], check=True)
    else:
        gbk.write_bytes(src.read_text("utf-8").encode("gbk"))
    with pytest.raises(UnicodeDecodeError):
        gbk.read_bytes().decode("utf-8")
    lex = Lexicon.load([gbk])
    assert [(e.keyword, e.risk, e.line, e.note) for e in lex.entries] == [
        ("地域黑词", "A2d", 2, ""),
        ("色情词", "A1f", 6, "备注"),
    ]


def test_txt_default_risk_argument(tmp_path: Path) -> None:
    p = tmp_path / "words.txt"
    p.write_text("词一\n词二\n", "utf-8")
    assert {e.risk for e in Lexicon.load([p], default_risk="A1g").entries} == {"A1g"}
    with pytest.raises(InputError) as exc:
        Lexicon.load([p])
    assert "缺少风险代码" in exc.value.what and exc.value.where == f"{p}:1"


@pytest.mark.slow
def test_xlsx_written_by_libreoffice(tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is installed by scripts/test"
    src = tmp_path / "lib.csv"
    src.write_text(CSV, "utf-8")
    libreoffice_convert(
        [src],
        "xlsx",
        tmp_path / "out",
        profile=tmp_path / "lo",
        infilter="CSV:44,34,76",
        timeout=120,
    )
    lex = Lexicon.load([tmp_path / "out" / "lib.xlsx"])
    assert [(e.keyword, e.risk, e.line) for e in lex.entries] == [
        ("法轮功", "A1a", 2),
        ("台独", "A1c", 3),
    ]
    assert lex.entries[0].updated == date(2026, 11, 20)
    assert lex.allow == ("学习",)


def test_every_problem_is_listed_with_file_and_line(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(
        "好词,A1a\n,A1a\n坏码,A9z\n符号,A1a,fuzzy\n…，。,A1b\n日期,A1a,,,2026-13-45\n", "utf-8"
    )
    with pytest.raises(InputError) as exc:
        Lexicon.load([p])
    what = exc.value.what
    assert "5 处错误" in what
    for line, text in [(2, "关键词为空"), (3, "A9z"), (4, "fuzzy"), (5, "标点"), (6, "YYYY-MM-DD")]:
        assert f"{p}:{line}" in what and text in what
    assert exc.value.where == f"{p}:2" and "--lenient" in (exc.value.fix or "")


def test_lenient_loads_the_rest_and_reports(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("好词,A1a\n坏码,A9z\n另一个,A1b\n", "utf-8")
    lex = Lexicon.load([p], lenient=True)
    assert [e.keyword for e in lex.entries] == ["好词", "另一个"]
    assert [(s.where, s.kind) for s in lex.report.skipped] == [(f"{p}:2", "error")]


def test_duplicates_and_conflicts_are_reported(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text("台独,A1c\nＡＢＣ,A1a\n", "utf-8")
    b = tmp_path / "b.csv"
    b.write_text("台独,A1c\n台独,A1b\nabc,A1a\n", "utf-8")
    lex = Lexicon.load([a, b])
    assert [d.where for d in lex.report.duplicates] == [f"{b}:1", f"{b}:3"]
    assert f"{a}:1" in lex.report.duplicates[0].message
    assert [c.where for c in lex.report.conflicts] == [f"{b}:2"]
    assert "A1b" in lex.report.conflicts[0].message and "A1c" in lex.report.conflicts[0].message
    assert [(e.keyword, e.risk) for e in lex.entries] == [
        ("台独", "A1c"),
        ("ＡＢＣ", "A1a"),
        ("台独", "A1b"),
    ]


def test_missing_file_and_no_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="文件不存在"):
        Lexicon.load([tmp_path / "none.csv"])
    with pytest.raises(InputError, match="没有给出"):
        Lexicon.load([])


@pytest.mark.parametrize("mode", ["首字母", "initials", "INITIALS"])
def test_initials_mode_gives_two_letter_initials(tmp_path: Path, mode: str) -> None:
    p = tmp_path / "lib.csv"
    p.write_text(f"毒品,A1h,{mode}\n冰毒,A1h\n", "utf-8")
    lex = Lexicon.load([p])
    assert lex.entries[0].modes == frozenset({"initials"})
    assert [h.keyword for h in lex.scan("出ＤＰ了")] == ["毒品"]
    assert not lex.scan("出BD了")  # the unmarked keyword keeps its letters whole only
    assert [h.keyword for h in lex.scan("出 bingdu 了")] == ["冰毒"]  # whole pinyin (pinyin_two)
    assert not lex.scan("出 Bing Du 了")  # written as a name: not counted
    assert [h.keyword for h in lex.scan("出 bing毒 了")] == ["冰毒"]  # mixed forms by default
