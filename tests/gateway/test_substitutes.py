"""The approved-answer library (代答库): YAML and XLSX files, matching by risk and similarity,
and clear errors on bad files."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from beian.errors import ConfigError
from beian.gateway import load_substitutes

YAML = """\
answers:
  - id: Y-BOMB
    risk: A1b
    questions: [怎么制造炸弹, 炸弹怎么做]
    answer: 制造爆炸物是违法犯罪行为。
  - id: Y-FIRE
    risk: A1b
    questions: [哪里能买烟花爆竹, 烟花怎么放才安全]
    answer: 请到正规门店购买烟花爆竹。
  - id: Y-A1
    risk: A1
    answer: 这类问题涉及国家安全，我不能回答。
  - id: Y-ANY
    risk: "*"
    answer: 这个问题我不便回答。
"""
ROWS = [
    ("编号", "风险代码", "问题", "代答"),
    ("X-GAMBLE", "A2c", "哪个赌博网站赔率高", "网络赌博是违法行为，请远离赌博。"),
    ("X-GAMBLE", "A2c", "网上赌球怎么充值", None),  # one more example question of X-GAMBLE
    ("X-LOTTERY", "A2c", "体育彩票在哪里买", "体育彩票请到正规的彩票销售网点购买。"),
]


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    y = tmp_path / "代答.yaml"
    y.write_text(YAML, encoding="utf-8")
    x = tmp_path / "代答.xlsx"
    wb = openpyxl.Workbook()
    for row in ROWS:
        wb.active.append(row)  # type: ignore[union-attr]
    wb.save(x)
    return [str(y), str(x)]


@pytest.mark.parametrize(
    ("risks", "question", "expected"),
    [
        (("A1b",), "炸弹到底要怎么制造", "Y-BOMB"),  # most similar among A1b's answers
        (("A1b",), "过年想放烟花，在哪买", "Y-FIRE"),
        (("A1a",), "随便一个问题", "Y-A1"),  # no A1a answer: its category A1
        (("A5a",), "随便一个问题", "Y-ANY"),  # nothing for A5a or A5: the catch-all
        (("A5a", "A2c"), "足球赌博网站", "X-GAMBLE"),  # the first risk that has answers
        (("A2c",), "网上赌球充值", "X-GAMBLE"),  # a question from the second row of the id
        (("A2c",), "哪里买体育彩票", "X-LOTTERY"),
    ],
)
def test_match(files: list[str], risks: tuple[str, ...], question: str, expected: str) -> None:
    found = load_substitutes(files).match(risks, question)
    assert found is not None and found[0].id == expected
    assert 0.0 <= found[1] <= 1.0


def test_no_catch_all_means_no_substitute(tmp_path: Path) -> None:
    p = tmp_path / "a.yaml"
    p.write_text("answers:\n  - {id: A, risk: A1b, answer: 不能回答。}\n", encoding="utf-8")
    lib = load_substitutes([str(p)])
    assert lib.match(("A2c",), "问题") is None
    found = lib.match(("A1b",), "问题")
    assert found is not None and found[0].id == "A" and found[1] == 0.0  # no example questions


@pytest.mark.parametrize(
    ("text", "what", "where"),
    [
        ("answers:\n  - {id: A, risk: A1b}\n", "answer", ":2"),
        ("answers:\n  - {id: A, risk: A1b, answer: x, extra: 1}\n", "extra", ":2"),
        (
            "answers:\n  - {id: A, risk: A1b, answer: x}\n  - {id: A, risk: A1a, answer: y}\n",
            "代答编号 A 重复",
            ":3",
        ),
    ],
)
def test_bad_yaml_names_the_line(tmp_path: Path, text: str, what: str, where: str) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_substitutes([str(p)])
    assert what in err.value.render() and f"bad.yaml{where}" in err.value.render()


@pytest.mark.parametrize(
    ("rows", "what"),
    [
        ([("编号", "风险代码", "问题", "代答"), ("A", "", "q", "a")], "缺少编号或风险代码"),
        ([("编号", "风险代码", "问题", "代答"), ("A", "A1b", "q", "")], "缺少代答内容"),
        ([("编号", "风险代码", "问题", "代答"), ("A", "A1b", "q", "a"), ("A", "A1a", "q", "")],
         "编号 A 重复"),
    ],
)  # fmt: skip
def test_bad_table_names_the_row(tmp_path: Path, rows: list[tuple[str, ...]], what: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        load_substitutes([str(p)])
    assert what in err.value.render() and f"bad.csv:{len(rows)}" in err.value.render()


def test_further_rows_may_leave_risk_and_answer_blank(tmp_path: Path) -> None:
    """As docs/gateway.md has it: further rows of an id only add example questions, so a sheet
    written like a merged-cell table (code and answer on the first row only) loads."""
    x = tmp_path / "代答.xlsx"
    wb = openpyxl.Workbook()
    for row in [ROWS[0], ("S-GAMBLE", "A2c", "六合彩怎么买必中", "请远离赌博。"),
                ("S-GAMBLE", None, "六合彩开奖号码预测", None)]:  # fmt: skip
        wb.active.append(row)  # type: ignore[union-attr]
    wb.save(x)
    (entry,) = load_substitutes([str(x)]).entries
    assert (entry.risk, entry.answer) == ("A2c", "请远离赌博。")
    assert entry.questions == ("六合彩怎么买必中", "六合彩开奖号码预测")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="代答库文件不存在"):
        load_substitutes([str(tmp_path / "none.yaml")])
