"""``benchmarks/pii_tagger_errors.py``: the tagger's errors on the development sets sorted into
kinds, counted (never printed as texts)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from benchmarks import pii_eval as pe
from benchmarks import pii_tagger_errors as te


def _item(marked: str) -> pe.Item:
    text, spans = pe.parse_marked(marked)
    return pe.Item("t1", "测试", text, spans, "")


# Written for this test (not from the evaluation sets).
ITEM = _item(
    "联系人：【NAME|王芳】，地址：【ADDRESS|朝阳区建国路88号】，同行【NAME|李雷】。寄到Room 5, 1 Main Road"
)


def _span(value: str, t: str, item: pe.Item = ITEM) -> list[object]:
    a = item.text.index(value)
    return [t, a, a + len(value)]


def test_kinds_of_each_error() -> None:
    tagged = {
        "t1": [
            _span("王芳", "NAME"),  # exact hit: no error
            _span("朝阳区建国路", "ADDRESS"),  # inside the marked address: shorter
            _span("建国", "NAME"),  # inside the address: a name where an address is marked
            _span("Room 5", "NAME"),  # nothing marked there
        ]
    }
    c = te.kinds([ITEM], tagged)
    assert c["NAME: gold"] == 2 and c["ADDRESS: gold"] == 1
    assert c["ADDRESS: inexact hit: shorter"] == 1 and c["ADDRESS: miss"] == 0
    assert c["NAME: miss"] == 1 and c["NAME: miss: nothing tagged"] == 1  # 李雷
    assert c["NAME: miss: 2 chars"] == 1
    assert c["NAME: false alarm"] == 2
    assert c["NAME: false alarm: gold is the other type"] == 1
    assert c["NAME: false alarm: nothing marked"] == 1 and c["NAME: false alarm: latin"] == 1


def test_address_miss_kinds() -> None:
    item = _item("收货地址：【ADDRESS|Room 5, 1 Main Road】；另寄【ADDRESS|万达广场三楼】")
    c = te.kinds([item], {"t1": [_span("Room 5", "NAME", item)]})
    assert c["ADDRESS: miss"] == 2
    assert c["ADDRESS: miss: latin"] == 1 and c["ADDRESS: miss: after a label"] == 1
    assert c["ADDRESS: miss: tagged as the other type"] == 1
    assert c["ADDRESS: miss: no street word"] == 1  # 万达广场三楼
    assert c["ADDRESS: miss: no admin word"] == 2


def test_main_reads_a_dump_of_development_texts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = pe.read_set(pe.DEV_SETS[0])[0]
    dump = tmp_path / "dump.jsonl"
    dump.write_text(json.dumps({"id": first.id, "spans": []}) + "\n", "utf-8")
    assert te.main([str(dump), "--json", str(tmp_path / "k.json")]) == 0
    counts = json.loads((tmp_path / "k.json").read_text("utf-8"))
    gold = [s for s in first.spans if s[0] in te.TYPES]
    assert sum(v for k, v in counts.items() if k.endswith(": gold")) == len(gold)
    assert sum(v for k, v in counts.items() if k.endswith(": miss")) == len(gold)
    out = capsys.readouterr().out
    assert first.text[:10] not in out  # counts only
