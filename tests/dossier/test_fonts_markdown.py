from __future__ import annotations

from pathlib import Path

import pytest

from beian.dossier.render._blocks import Bullets, Heading, Para, Table
from beian.dossier.render._markdown import markdown_document
from beian.dossier.render.fonts import ENV_VAR, find_cjk_font
from beian.errors import ConfigError


def test_no_cjk_font_is_a_clear_chinese_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(ConfigError) as exc:
        find_cjk_font(known=(), fontconfig=False)
    assert "中文字体" in exc.value.what and "fonts-noto-cjk" in (exc.value.fix or "")


def test_env_font_must_exist(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "none.ttf"))
    with pytest.raises(ConfigError, match=ENV_VAR):
        find_cjk_font()


def test_installed_noto_cjk_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    font = find_cjk_font()
    assert font.path.is_file()
    if font.path.name.startswith("NotoSansCJK"):
        assert font.index == 2  # the SC face of the collection


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
