from __future__ import annotations

import pytest

from beian.dossier.render._blocks import Bullets, Heading, Para, Table
from beian.dossier.render._markdown import markdown_document

CASES = [
    ("# 标题\n\n段落一\n续行\n", "标题", [Para("段落一 续行")]),
    ("## 一、节\n", "默认", [Heading("一、节", 1)]),
    ("- 甲\n- **乙**\n", "默认", [Bullets(("甲", "乙"))]),
    ("1. 甲\n2) 乙\n", "默认", [Bullets(("甲", "乙"), ordered=True)]),
    ("> 注\n", "默认", [Para("注", note=True)]),
    ("| a | b |\n|---|:-:|\n| 1 | `2` |\n", "默认", [Table(("a", "b"), (("1", "2"),))]),
]


@pytest.mark.parametrize(("text", "title", "blocks"), CASES)
def test_markdown(text: str, title: str, blocks: list[object]) -> None:
    doc = markdown_document(text, default_title="默认")
    assert doc.title == title
    assert doc.blocks == blocks
