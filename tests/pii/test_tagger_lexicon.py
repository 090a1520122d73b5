"""The tagger's word cues (column x, round p23w): which words are found, with which class, and
that the fast rows read them as the reference features do."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from beian.pii import _tagger as tg
from beian.pii._tagger_features import TEMPLATES, Featurizer, cue_column
from beian.pii._tagger_lexicon import CUE_WORDS, WORD_CLASSES, cue_words

# (text, the cue words expected as (class, word)), written for this test.
CASES = [
    ("请联系王芳", [("V", "联系")]),
    ("请联系人事部", [("L", "联系人")]),  # leftmost longest: the label wins over the verb
    ("联系人：韩梅梅", [("L", "联系人")]),
    ("张老师说明天考试", [("T", "老师")]),
    ("我儿子在上学", [("K", "儿子")]),
    ("把文件交给赵立新", [("V", "交给")]),
    ("他在银行上班", [("O", "银行")]),
    ("阳光小区东门集合", [("A", "小区"), ("A", "东门")]),
    ("寄到杭州市西湖区", [("D", "杭州市"), ("D", "西湖区")]),
    ("杭州和西湖都很美", [("Z", "杭州"), ("Z", "西湖")]),
    ("浦东机场", [("Z", "浦东"), ("A", "机场")]),  # 浦东新区 without 新区
    ("内蒙古自治区呼和浩特市", [("D", "内蒙古自治区"), ("D", "呼和浩特市")]),
    ("今天天气很好", []),
    ("", []),
]


@pytest.mark.parametrize(("text", "want"), CASES)
def test_cue_words(text: str, want: list[tuple[str, str]]) -> None:
    found = cue_words(text)
    assert [(c, text[a:b]) for c, a, b in found] == want
    assert all(a < b for _, a, b in found)
    assert all(b1 <= a2 for (_, _, b1), (_, a2, _) in itertools.pairwise(found))


def test_cue_column_marks_first_and_following_characters() -> None:
    text = "联系人：张老师，住朝阳区。"
    assert "".join(cue_column(text)) == "Lll--Tt--Ddd-"
    # Outside the BMP the offsets are still characters.
    assert "".join(cue_column("𠀀张老师")) == "--Tt"


def test_word_lists_are_clean() -> None:
    assert set(CUE_WORDS) <= set(WORD_CLASSES)
    for words in CUE_WORDS.values():
        assert all(len(w) >= 2 for w in words.split())


def _rules(text: str) -> list[tuple[str, int, int]]:
    """A rules' NAME span on the first character (the rule columns take part too)."""
    return [("NAME", 0, 1)] if text else []


def _toy_model(texts: list[str]) -> tg.TaggerModel:
    """A model whose vocabulary is every feature key of ``texts`` (zero weights)."""
    feat = Featurizer()
    vocab = {"": 0}
    for text in texts:
        for col in feat.columns(text, _rules(text)):
            for key in col:
                vocab.setdefault(key, len(vocab))
    weights = np.zeros((len(vocab), len(tg.TAGS)), dtype=np.float16)
    trans = np.zeros((len(tg.TAGS) + 1, len(tg.TAGS)), dtype=np.float32)
    return tg.TaggerModel(vocab, weights, trans)


SEEN = [
    "联系人：张老师，住杭州市西湖区文三路88号阳光小区东门。",
    "约翰·史密斯和玛丽亚·佩特罗娃在浦东机场见到了王经理的儿子。",
]
UNSEEN = [
    *SEEN,
    "收件人李娜，地址朝阳区建国路，交给门卫室。",  # some keys the toy model lacks
    "𠀀联系人𠀁：阿卜杜拉，交给㐀银行",  # outside the BMP beside cue words
    "联",
    "",
]


@pytest.mark.parametrize("text", UNSEEN)
def test_fast_rows_read_the_new_columns_as_the_reference(text: str) -> None:
    """With a vocabulary that holds the new templates' keys, the fast rows are those of the
    key lookup (the shipped model is checked on the development sets in test_tagger.py)."""
    model = _toy_model(SEEN)
    assert {name for name, _ in TEMPLATES} >= {"x-1", "x1", "x2", "x3"}
    assert {"x-1 L", "x1 T", "x2 D", "x3 Z"} <= set(model.vocab)
    fast = tg.FastIds(model.vocab)
    rules = _rules(text)
    slow = model.ids(Featurizer().columns(text, rules))
    got = fast.ids(text, rules)
    assert slow.shape == got.shape
    assert np.array_equal(slow, got)
    if text in SEEN:
        assert (got[:, 1:] > 0).all()  # every key of a seen text is in the vocabulary


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("张经理\ud800到了", "经理"),
        ("\udfff联系人王芳", "联系人"),
        ("收件人\ud83d李雷\ude00", "收件人"),
    ],
)
def test_lone_surrogates_keep_offsets(text: str, word: str) -> None:
    """A lone surrogate (possible in decoded JSON) does not stop the cue-word scan (it raised
    UnicodeEncodeError in the matcher), and offsets still point into the original text."""
    assert word in {text[a:b] for _cls, a, b in cue_words(text)}
