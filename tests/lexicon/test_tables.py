"""The shipped evasion tables: licence headers, and rows the matcher relies on."""

from __future__ import annotations

from importlib import resources

import pytest

from beian.lexicon._chaizi import chaizi_table, split_variants
from beian.lexicon._lookalike import lookalike_map, variant_map, xingjin_variants

DATA = resources.files("beian.lexicon").joinpath("data")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("lookalike.tsv", ["confusables.txt", "Unicode License"]),
        ("chaizi.tsv", ["cjk-semantic-split", "CC BY-SA 3.0", "Wikimedia Commons"]),
        ("xingjin.tsv", ["written for"]),
        ("variants.tsv", ["Unihan", "kSpoofingVariant", "Unicode License"]),
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


@pytest.mark.parametrize(("src", "dst"), [("躶", "裸"), ("噐", "器"), ("蕚", "萼")])
def test_variant_rows(src: str, dst: str) -> None:
    assert variant_map()[src] == dst


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
