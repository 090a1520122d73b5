"""The scoring code of ``benchmarks/lexicon_eval.py``: every published keyword-evasion figure
depends on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks.lexicon_eval import evaluate, main

ROWS = [
    ("E1", "教你zhizaozhadan的方法", "制造炸弹", "pinyin"),
    ("E2", "怎么制.造.炸.弹", "制造炸弹", "noise"),
    ("E3", "请教制造火乍弹的步骤", "制造炸弹", "chaizi"),
    ("E4", "赌场的网址发我", "网络赌博", "pinyin"),  # a miss: no form of the keyword
    ("E5", "今天天气不错", None, "clean"),
    ("E6", "网络赌博的危害", None, "clean_hard"),  # a false positive: the keyword itself
]


def write_set(folder: Path) -> Path:
    folder.mkdir()
    (folder / "keywords.txt").write_text("制造炸弹\n网络赌博\n", "utf-8")
    lines = [
        json.dumps({"id": i, "text": t, "keyword": k, "kind": kind}, ensure_ascii=False)
        for i, t, k, kind in ROWS
    ]
    (folder / "evasion.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


def test_recall_per_kind_and_specificity(tmp_path: Path) -> None:
    res = evaluate(frozenset(), errors=True, data=write_set(tmp_path / "set"))
    kinds = res["kinds"]
    assert kinds["noise"] == {"recall": 1.0, "ci95": [0.207, 1.0], "n": 1}
    assert kinds["pinyin"]["recall"] == 0.5 and kinds["pinyin"]["n"] == 2
    assert kinds["chaizi"]["recall"] == 1.0
    assert kinds["clean"]["specificity"] == 1.0 and kinds["clean_hard"]["specificity"] == 0.0
    assert {m["id"] for m in res["misses"]} == {"E4", "E6"}
    assert res["clean_bytes"] == len("今天天气不错网络赌博的危害".encode())


def test_a_hit_on_another_keyword_is_not_a_catch(tmp_path: Path) -> None:
    folder = write_set(tmp_path / "set")
    rows = [{"id": "X", "text": "网络赌博", "keyword": "制造炸弹", "kind": "pinyin"}]
    (folder / "evasion.jsonl").write_text(json.dumps(rows[0], ensure_ascii=False) + "\n", "utf-8")
    assert evaluate(frozenset(), data=folder)["kinds"]["pinyin"]["recall"] == 0.0


@pytest.mark.parametrize("make", ["absent", "empty"])
def test_missing_set_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: str
) -> None:
    folder = tmp_path / "nowhere"
    if make == "empty":
        folder.mkdir()
    assert main(["--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(folder) in err and "--data" in err and "keywords.txt" in err


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"id": "E1", "text": "x", "kind": "pinyin"', "不是合法的 JSON"),
        ('{"id": "E1", "keyword": "制造炸弹", "kind": "pinyin"}', "缺少字段 text"),
        ('["E1", "x"]', "缺少字段 kind、text"),
    ],
)
def test_malformed_line_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, says: str
) -> None:
    folder = write_set(tmp_path / "set")
    path = folder / "evasion.jsonl"
    path.write_text(path.read_text("utf-8") + "\n" + line + "\n", "utf-8")  # a blank line first
    assert main(["--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert f"{path} 第 {len(ROWS) + 2} 行" in err and says in err
