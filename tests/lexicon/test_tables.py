"""The shipped evasion tables: licence headers, and rows the matcher relies on."""

from __future__ import annotations

from importlib import resources

import pytest

from beian.lexicon._chaizi import FULL_FORMS, chaizi_table, split_forms, split_variants, typed_table
from beian.lexicon._lookalike import (
    lookalike_map,
    traditional_more,
    variant_map,
    xingjin_variants,
)
from beian.lexicon._words import phrases

DATA = resources.files("beian.lexicon").joinpath("data")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("lookalike.tsv", ["confusables.txt", "Unicode License"]),
        ("chaizi.tsv", ["cjk-semantic-split", "CC BY-SA 3.0", "Wikimedia Commons"]),
        ("xingjin.tsv", ["written for"]),
        ("variants.tsv", ["Unihan", "kSpoofingVariant", "Unicode License"]),
        ("variants_yitizi.tsv", ["yitizi", "CC0 1.0", "variants.tsv lacks"]),
        ("components.tsv", ["chaizi.tsv", "chaizi_typed.tsv", "CC BY-SA 3.0"]),
        ("xingjin_strokes.tsv", ["char-similar", "MIT", "Apache-2.0"]),
        ("chaizi_typed.tsv", ["char-similar", "MIT", "Apache-2.0"]),
        ("traditional_more.tsv", ["OpenCC", "STCharacters", "Apache-2.0"]),
    ],
)
def test_table_names_its_source_and_licence(name: str, words: list[str]) -> None:
    head = DATA.joinpath(name).read_text("utf-8")[:600]
    assert all(w in head for w in words), name


@pytest.mark.parametrize(
    ("char", "halves"),
    [("法", "氵去"), ("枪", "木仓"), ("强", "弓虽"), ("好", "女子"), ("明", "日月")],
)
def test_chaizi_rows(char: str, halves: str) -> None:
    assert chaizi_table()[char] == halves


@pytest.mark.parametrize(
    ("src", "dst"),
    [("а", "a"), ("ο", "o"), ("⺡", "氵"), ("カ", "力"), ("ѕ", "s")],
)
def test_lookalike_rows(src: str, dst: str) -> None:
    assert lookalike_map()[src] == dst


def test_lookalike_folds_keep_readings() -> None:
    # pairs of ideographs with different readings are variants, never folds (士/土, 己/已)
    fold = lookalike_map()
    assert "士" not in fold and "己" not in fold and "夭" not in fold
    assert "夭安门" in xingjin_variants("天安门")


def test_split_variants_single_first_and_capped() -> None:
    assert split_variants("法轮功") == ["氵去轮功", "法车仑功"]
    assert split_variants("法轮功", cap=3) == ["氵去轮功", "法车仑功", "法轮工力"]
    assert split_variants("平法", cap=8) == ["平氵去"]  # 平 has no split
    assert split_variants("法轮", cap=8)[-1] == "氵去车仑"  # both, after the single splits


@pytest.mark.parametrize(
    ("src", "dst"),
    [
        ("躶", "裸"),
        ("噐", "器"),
        ("蕚", "萼"),
        ("妳", "你"),  # the variant read like the source (nǐ), not the first listed (奶)
        ("亱", "夜"),  # from yitizi's variant graph: Unihan has no variant for these
        ("冐", "冒"),
        ("亰", "京"),
        ("鉱", "矿"),
        ("丄", "上"),
        ("朩", "木"),  # a 拆字 component as typed (components.tsv), not yitizi's 等
        ("𥫗", "竹"),
        ("𧾷", "足"),
    ],
)
def test_variant_rows(src: str, dst: str) -> None:
    assert variant_map()[src] == dst


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("作獘噐", "作獘器"),
        ("一亱情", "1夜情"),
        ("炸妳全家", "炸你全家"),
        ("二十⼀点", "2十1点"),
        ("⺮官", "竹官"),  # a radical-supplement form, named like the Kangxi radical ⽵
        ("⻊", "足"),
        ("𥫗官", "竹官"),  # the split table's component folds the same way
    ],
)
def test_variants_and_kangxi_numerals_fold_like_the_keyword(text: str, folded: str) -> None:
    """Variants fold to the common character; a Kangxi radical that NFKC makes a numeral
    (⼀ → 一) goes on into the numeral fold like 一 itself."""
    from beian.lexicon._fold import FoldFlags, fold_table

    assert fold_table(FoldFlags()).fold(text) == folded


def test_variants_are_rare_and_fold_to_common_characters() -> None:
    for src, dst in variant_map().items():
        with pytest.raises(UnicodeEncodeError):
            src.encode("gb2312")
        dst.encode("gb2312")


@pytest.mark.parametrize(
    ("word", "form"),
    [("代考", "伐考"), ("洗钱", "冼钱"), ("刻章", "劾章"), ("人体", "人休"), ("罂粟壳", "罂栗壳")],
)
def test_xingjin_pairs_derived_from_the_split_table(word: str, form: str) -> None:
    assert form in xingjin_variants(word, cap=8)


def test_xingjin_leaves_out_words() -> None:
    assert "不能自己" not in xingjin_variants("不能自已", cap=8, words=frozenset({"不能自己"}))
    assert "不能自己" in xingjin_variants("不能自已", cap=8)


@pytest.mark.parametrize(
    ("char", "parts"),
    [
        ("贩", "贝反"),
        ("替", "夫夫日"),
        ("刷", "尸巾刂"),
        ("迷", "米辶"),
        ("房", "户方"),
        ("合", "人一口"),
    ],
)
def test_typed_splits(char: str, parts: str) -> None:
    assert typed_table()[char] == parts


def test_typed_splits_only_where_asked_and_after_the_first_table() -> None:
    assert "贝反毒" not in split_variants("贩毒", cap=24)
    forms = split_variants("刷单", cap=24, typed=True)
    assert forms.index("𡰯刂单") < forms.index("尸巾刂单")
    # no part of a typed split is a radical-supplement form (⺮, ⻊): folding drops those
    assert not any("\u2e80" <= c <= "\u2fdf" for v in typed_table().values() for c in v)


def test_traditional_more_rows() -> None:
    assert traditional_more()["枪"] == "鎗"  # 槍 is OpenCC's first form, folded already


@pytest.mark.parametrize(
    ("word", "form"),
    [
        ("户口查询", "户口杳询"),
        ("车主信息", "车王信息"),
        ("持刀行凶", "待刀行凶"),
        ("黄色网站", "黄色网砧"),
    ],
)
def test_wide_xingjin(word: str, form: str) -> None:
    assert form in xingjin_variants(word, cap=96, wide=True)
    assert form not in xingjin_variants(word, cap=96)


def test_full_form_splits_after_the_table_splits_and_guarded() -> None:
    forms = split_variants("监控", cap=24, typed=True)
    assert "监扌空" in forms and "监手空" in forms
    assert forms.index("监扌空") < forms.index("监手空")
    assert "监手空" not in split_variants("监控", cap=24)  # large libraries: the table's only
    assert FULL_FORMS["讠"] == "言" and FULL_FORMS["扌"] == "手"
    # 女人 is a word: 女人尤 (for 女优) is plain text far more often than an evasion
    forms = [f for f, _ in split_forms("女优", 24, True, phrases())]
    assert "女亻尤" in forms and "女人尤" not in forms


# (what the fold table is built over): changing any of them alone must give another cache file
# (round seven widened _LOOP_RANGES without a new cache version: old tables were reused)
FOLD_INPUTS = [
    ("_LOOP_RANGES", ((0, 0x20000), (0xE0000, 0xE01F0))),
    ("_CJK_BLOCKS", ((0x4E00, 0xA000),)),
    ("_SKIP", ((0xAC00, 0xD7A4),)),
    ("_VERSION", 7),
]


@pytest.mark.parametrize(("name", "other"), FOLD_INPUTS, ids=[n for n, _ in FOLD_INPUTS])
def test_the_fold_cache_key_covers_what_the_table_is_built_over(
    monkeypatch: pytest.MonkeyPatch, name: str, other: object
) -> None:
    from beian.lexicon import _fold

    flags = _fold.FoldFlags()
    before = _fold._cache_file(flags)
    monkeypatch.setattr(_fold, name, other)
    assert _fold._cache_file(flags) != before


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("杀人", "鼓吹乂木人的视频"),  # 杀 = 乂朩 in the split table, typed 乂木
        ("管制刀具", "店里卖⺮官制刀具"),  # 管 = 𥫗官, typed with the radical ⺮
        ("卡痛叶", "上下疒甬口十小份装"),  # 卡 = 丄下, read 上下 once 丄 folds
    ],
)
def test_rare_components_match_as_typed(keyword: str, text: str) -> None:
    from beian.lexicon import Lexicon

    hits = Lexicon.from_entries([(keyword, "A1a")]).scan(text)
    assert [h.keyword for h in hits] == [keyword]
    assert "chaizi" in hits[0].rules


@pytest.mark.parametrize(
    ("keyword", "text"),
    [
        ("卡其", "上下其手"),  # 丄下 folds to 上下: a word, no disguise of 卡
        ("收卡", "老师收上下两册课本"),
        ("孝服", "老子服了"),  # 孝 = 耂子, read 老子
    ],
)
def test_splits_that_folding_makes_words_are_left_out(keyword: str, text: str) -> None:
    from beian.lexicon import Lexicon

    assert Lexicon.from_entries([(keyword, "A1a")]).scan(text) == []


def test_a_split_into_the_character_and_a_stroke_is_no_split() -> None:
    """上 = 丄一 folds to 上一: 马上一分钟 holds 马上 itself, not a 拆字 form of it."""
    from beian.lexicon import Lexicon

    hits = Lexicon.from_entries([("马上", "A1a")]).scan("马上一分钟")
    assert [(h.text, h.rules) for h in hits] == [("马上", ("exact",))]
