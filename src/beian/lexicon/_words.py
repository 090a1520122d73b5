"""The word lists the look-alike and 拆字 checks consult.

* :func:`phrases`: pypinyin's phrase table (MIT), always there: a look-alike form of a keyword of
  3+ characters that is a word of its own is left out (不能自已 for 不能自己), and so is a 拆字
  form whose full-form radical makes a word with its neighbour (个人分子).
* :func:`words` and :func:`word_parts`: the same with jieba's dictionary (MIT, 349,046 entries;
  the optional extra ``words``), read from the installed package's ``dict.txt`` the first time a
  library with ``lookalike_two`` is compiled (never at import): a two-character look-alike form
  (睹博) that is a word or a piece of one (麻姑 of 麻姑献寿) is left out, and one that makes a
  word with the text beside it (目睹博 …, 急不可待烟) does not count.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from beian.errors import ConfigError

__all__ = ["phrases", "word_parts", "words"]

LONGEST = 4  # the longest word consulted (characters)


def _cjk_word(w: str) -> bool:
    return 2 <= len(w) <= LONGEST and all("\u4e00" <= c <= "\u9fff" for c in w)


@functools.lru_cache(maxsize=1)
def phrases() -> frozenset[str]:
    """pypinyin's phrases (MIT): 47,000 words, most with a polyphonic character."""
    from pypinyin.phrases_dict import phrases_dict

    return frozenset(phrases_dict)


def _jieba_dict() -> Path:
    spec = importlib.util.find_spec("jieba")  # its file only: jieba itself is never imported
    path = Path(spec.origin).parent / "dict.txt" if spec and spec.origin else None
    if path is None or not path.is_file():
        raise ConfigError(
            "形近字选项 lookalike_two 需要 jieba 的词典（dict.txt），当前环境没有安装 jieba",
            fix="安装可选依赖：pip install 'genai-beian[words]'（jieba，MIT 许可）；或关闭 lookalike_two",
        )
    return path


@functools.lru_cache(maxsize=1)
def _jieba_words() -> frozenset[str]:
    with _jieba_dict().open(encoding="utf-8") as f:
        return frozenset(w for w in (line.split(" ", 1)[0] for line in f) if _cjk_word(w))


@functools.lru_cache(maxsize=1)
def words() -> frozenset[str]:
    """pypinyin's phrases and jieba's words of 2–4 Chinese characters (about 330,000)."""
    return phrases() | _jieba_words()


@functools.lru_cache(maxsize=1)
def word_parts() -> frozenset[str]:
    """:func:`words` and every two characters in a row of its words of 3–4 characters."""
    parts = {w[i : i + 2] for w in _jieba_words() if len(w) > 2 for i in range(len(w) - 1)}
    return words() | parts
