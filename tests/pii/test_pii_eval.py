"""The scoring code of ``benchmarks/pii_eval.py``: every published PII figure depends on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from benchmarks import pii_eval
from benchmarks.judge_metrics import prop
from benchmarks.pii_eval import (
    HELD_BACK,
    Item,
    evaluate_set,
    kinds_of,
    main,
    match,
    parse_marked,
    summary,
)


def item(marked: str, note: str = "") -> Item:
    text, spans = parse_marked(marked)
    return Item("t", "chat", text, spans, note)


def test_parse_marked_gives_plain_text_and_offsets() -> None:
    text, spans = parse_marked("客户【NAME|张伟】，手机【MOBILE|13812345678】。")
    assert text == "客户张伟，手机13812345678。"
    assert spans == (("NAME", 2, 4), ("MOBILE", 7, 18))
    assert [text[a:b] for _, a, b in spans] == ["张伟", "13812345678"]
    assert parse_marked("无标注【的】文本") == ("无标注【的】文本", ())  # not a mark: no TYPE|
    assert parse_marked("【NAME|李】【NAME|四】") == ("李四", (("NAME", 0, 1), ("NAME", 1, 2)))


@pytest.mark.parametrize(
    ("gold", "pred", "pairs"),
    [
        ([("NAME", 0, 3)], [("NAME", 0, 3)], [(0, 0)]),  # exact
        ([("NAME", 0, 4)], [("NAME", 0, 2)], [(0, 0)]),  # half of the longer: a match
        ([("NAME", 0, 5)], [("NAME", 0, 2)], []),  # less than half
        ([("NAME", 0, 4)], [("NAME", 2, 6)], [(0, 0)]),  # 2 of 4 shared
        ([("NAME", 0, 3)], [("ADDRESS", 0, 3)], []),  # another type never matches
        ([("NAME", 0, 2)], [("NAME", 2, 4)], []),  # touching is not overlapping
        # one to one, best overlap first: the long prediction takes the gold span it covers more
        ([("A", 0, 4), ("A", 4, 6)], [("A", 1, 6)], [(0, 0)]),
        ([("A", 0, 2), ("A", 0, 2)], [("A", 0, 2)], [(0, 0)]),  # one prediction, one gold span
    ],
)
def test_match(
    gold: list[tuple[str, int, int]], pred: list[tuple[str, int, int]], pairs: list[tuple[int, int]]
) -> None:
    assert match(gold, pred) == pairs


def test_evaluate_set_counts_overlap_exact_and_errors() -> None:
    items = [item("【NAME|张伟】和【NAME|李娜】在【ADDRESS|北京市海淀区中关村】")]
    found = {
        "张伟和李娜在北京市海淀区中关村": [("NAME", 0, 2), ("ADDRESS", 6, 12), ("EMAIL", 1, 3)]
    }
    tally, errors = evaluate_set(items, lambda text: found[text])
    f = tally.figures()
    assert f["NAME"]["recall"]["k"] == 1 and f["NAME"]["recall"]["n"] == 2
    assert f["NAME"]["precision"]["value"] == 1.0 and f["NAME"]["exact_recall"]["k"] == 1
    assert f["ADDRESS"]["recall"]["value"] == 1.0 and f["ADDRESS"]["exact_recall"]["k"] == 0
    assert f["EMAIL"]["precision"]["value"] == 0.0 and f["EMAIL"]["support"] == 0
    assert sorted(e["kind"] for e in errors) == ["boundary", "false alarm", "miss"]
    s = summary(tally, ["NAME", "ADDRESS"])
    assert (s["precision"]["k"], s["precision"]["n"]) == (2, 2)
    assert (s["recall"]["k"], s["recall"]["n"]) == (2, 3)


def test_kinds_of() -> None:
    it = item(
        "请【NAME|欧阳娜娜】老师和老【NAME|黄】来，身份证【ID_CARD|110101199003074515】",
        "wrong checksum",
    )
    kinds = [kinds_of(it, s) for s in it.spans]
    assert "compound surname" in kinds[0] and "title after" in kinds[0]
    assert "老/小/阿 + surname" in kinds[1] and "surname only (title or nickname)" in kinds[1]
    assert {"wrong check digit", "glued to a label"} <= set(kinds[2])
    addr = item("寄到：【ADDRESS|张家村三组】")
    assert kinds_of(addr, addr.spans[0]) == ["rural", "no administrative word", "after a label"]


@pytest.mark.parametrize(
    ("k", "n", "value", "lo", "hi"),
    [
        (8, 10, 0.8, 0.4902, 0.9433),  # the textbook Wilson 95 % interval
        (0, 10, 0.0, 0.0, 0.2775),
        (60, 60, 1.0, 0.9398, 1.0),  # why n = 60 per kind cannot show 0.98
        (0, 0, None, 0.0, 1.0),
    ],
)
def test_wilson_interval_in_figures(
    k: int, n: int, value: float | None, lo: float, hi: float
) -> None:
    assert prop(k, n) == {"k": k, "n": n, "value": value, "ci95": [lo, hi]}


def test_missing_set_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A data folder without the held-back set: the real one has it now, and it must never be
    # read by a test (it is measured once per change, by hand).
    (tmp_path / "P1.jsonl").write_text("", "utf-8")
    monkeypatch.setattr(pii_eval, "DATA", tmp_path)
    assert main(["--set", HELD_BACK]) == 2
    err = capsys.readouterr().err
    assert f"找不到评测集 {HELD_BACK}" in err and f"{HELD_BACK}.jsonl" in err
    assert "保留集尚未写成" in err and "--set" in err and "P1" in err
    assert main(["--set", "P9"]) == 2 and "P9.jsonl" in capsys.readouterr().err
