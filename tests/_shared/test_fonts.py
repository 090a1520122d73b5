"""Finding a font that draws Chinese: one finder for the PDF and the image label."""

from __future__ import annotations

from pathlib import Path

import pytest

from beian._shared.fonts import ENV_VAR, find_cjk_font
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


def test_what_it_is_needed_for_is_said(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)
    with pytest.raises(ConfigError) as exc:
        find_cjk_font(need="添加图片显式标识", known=(), fontconfig=False)
    assert exc.value.what == "找不到可用于添加图片显式标识的中文字体"
