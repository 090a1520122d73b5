"""The word lists of the two-character look-alike checks: jieba's dictionary, read (never
imported) only where ``lookalike_two`` needs it, and a Chinese error where jieba is missing."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from beian.lexicon._words import phrases, word_parts, words


def test_jieba_words_join_pypinyin_phrases() -> None:
    assert "目睹" not in phrases() and "目睹" in words()  # a word pypinyin's table lacks
    assert "迟疑不决" in words()
    assert "麻姑" in word_parts() and "麻姑" not in words()  # a piece of 麻姑献寿
    assert "睹博" not in word_parts()  # an evasion form is no word


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )


def test_jieba_is_read_not_imported() -> None:
    r = _run(
        """
        import sys
        from beian.lexicon import KeywordEntry, Lexicon, LexiconConfig
        lex = Lexicon.from_entries([KeywordEntry("赌档", "A1a")], LexiconConfig(lookalike_two=True))
        assert [h.keyword for h in lex.scan("他在睹档输光了")] == ["赌档"]
        assert [h.keyword for h in lex.scan("亲睹档案")] == []  # 档案 is a word of jieba's
        print("jieba" in sys.modules)
        """
    )
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "False"


def test_missing_jieba_says_how_to_install_it() -> None:
    r = _run(
        """
        import sys
        sys.modules["jieba"] = None  # as if not installed: find_spec gives None
        from beian.errors import ConfigError
        from beian.lexicon import KeywordEntry, Lexicon, LexiconConfig
        Lexicon.from_entries([KeywordEntry("法轮功", "A1a")]).scan("x")  # default: no jieba
        try:
            Lexicon.from_entries(
                [KeywordEntry("赌档", "A1a")], LexiconConfig(lookalike_two=True)
            ).scan("x")
        except ConfigError as e:
            print(e.what, "|", e.fix)
        """
    )
    assert r.returncode == 0, r.stderr
    assert "lookalike_two 需要 jieba" in r.stdout
    assert "genai-beian[words]" in r.stdout
