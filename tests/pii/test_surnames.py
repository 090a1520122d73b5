"""The rare one-character surnames of the 百家姓 in the shipped surname table, and the names they
let the engine find (``scripts/build_pii_names.py``, ``scripts/data/baijiaxing.txt``)."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest

from beian.pii import PiiEngine

BAIJIAXING = Path(__file__).resolve().parents[2] / "scripts" / "data" / "baijiaxing.txt"


def _table() -> dict[str, object]:
    data: dict[str, object] = json.loads(
        files("beian.pii").joinpath("data/names.json").read_text("utf-8")
    )
    return data


def _text() -> str:
    lines = BAIJIAXING.read_text("utf-8").splitlines()
    return "".join("".join(ln for ln in lines if not ln.startswith("#")).split())


def test_rare_surnames_come_from_the_baijiaxing_with_the_lowest_frequency() -> None:
    table = _table()
    sources = table["sources"]
    assert isinstance(sources, dict) and sources["baijiaxing"]["licence"] == "public domain"
    surnames = table["surnames"]
    assert isinstance(surnames, dict)
    rare = {ch for ch, f in surnames.items() if f == 0.001}
    faker_least = min(f for f in surnames.values() if f != 0.001)
    assert {"笪", "厍", "宓", "逄", "訾", "仉"} <= rare
    assert faker_least > 0.001
    text = _text()
    assert text.startswith("赵钱孙李") and text.endswith("百家姓终")
    assert all(ch in text for ch in rare)
    # characters of everyday words stay out, though the 百家姓 lists them
    assert not {"有", "年", "后", "从", "能", "爱"} & set(surnames)


@pytest.mark.parametrize(
    ("text", "name"),
    [("会议由宓晓燕主持。", "宓晓燕"), ("笪老师今天不在。", "笪")],
)
def test_a_rare_surname_is_found(text: str, name: str) -> None:
    found = [e.text for e in PiiEngine().analyze(text) if e.type == "NAME"]
    assert found == [name]
