"""Allow-list files (``allow_files``): phrases that are never a hit, whichever rule found them."""

from __future__ import annotations

from pathlib import Path

import pytest

from beian.errors import InputError
from beian.lexicon import Lexicon, LexiconConfig

CASES = [
    # (allow-list line, text, keyword that would hit without the allow-list)
    ("flg公司", "flg公司发布了新品", "法轮功"),  # initials inside an allowed phrase
    ("夭安门乐队", "夭安门乐队发新歌", "天安门"),  # 形近字 variant inside an allowed phrase
    ("女子看", "那位女子看了看", "好看"),  # 拆字 variant inside an allowed phrase
]


@pytest.mark.parametrize(("phrase", "text", "keyword"), CASES)
def test_allowed_phrase_hides_the_hit(tmp_path: Path, phrase: str, text: str, keyword: str) -> None:
    allow = tmp_path / "allow.txt"
    allow.write_text(f"# 误报\n{phrase}\n", "utf-8")
    plain = Lexicon.from_entries([(keyword, "A1a")])
    with_allow = Lexicon.from_entries([(keyword, "A1a")], LexiconConfig(allow_files=(str(allow),)))
    assert phrase in with_allow.allow
    assert with_allow.scan(text) == []
    assert [h.keyword for h in plain.scan(text)] == [keyword]


def test_allow_file_in_gbk(tmp_path: Path) -> None:
    allow = tmp_path / "allow.txt"
    allow.write_bytes("夭安门乐队\t备注列被忽略\n".encode("gbk"))
    lex = Lexicon.from_entries([("天安门", "A1a")], LexiconConfig(allow_files=(str(allow),)))
    assert lex.allow == ("夭安门乐队",)
    assert lex.scan("夭安门乐队") == [] and lex.scan("夭安门")


def test_missing_allow_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        Lexicon.from_entries([("法轮功", "A1a")], LexiconConfig(allow_files=(str(tmp_path / "x"),)))
    assert "文件不存在" in str(err.value.what) and str(tmp_path / "x") in str(err.value.where)
