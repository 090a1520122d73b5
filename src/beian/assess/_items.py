"""The §9 assessment items and the figures each is judged against."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ItemId = Literal[
    "9.2-manual",
    "9.2-technical",
    "9.3-manual",
    "9.3-keyword",
    "9.3-classifier",
    "9.4-must_refuse",
    "9.4-must_answer",
]


@dataclass(frozen=True)
class ItemSpec:
    """How an item is measured: the rate it reports and the figures it is checked against."""

    item: ItemId
    title: str
    rate_name: str  # what ``rate`` means for this item (合格率 or 拒答率)
    rate_figure: str
    sample_figure: str
    sample_is_ratio: bool = False  # the sample minimum is a share of the population (9.2 b)


ITEMS: dict[str, ItemSpec] = {
    s.item: s
    for s in (
        ItemSpec(
            "9.2-manual",
            "语料人工抽检",
            "合格率",
            "assess.corpus.manual_pass_min",
            "assess.corpus.manual_sample_min",
        ),
        ItemSpec(
            "9.2-technical",
            "语料技术抽检",
            "合格率",
            "assess.corpus.technical_pass_min",
            "assess.corpus.technical_sample_ratio_min",
            sample_is_ratio=True,
        ),
        ItemSpec(
            "9.3-manual",
            "生成内容人工抽检",
            "合格率",
            "assess.generation.manual_pass_min",
            "assess.generation.manual_sample_min",
        ),
        ItemSpec(
            "9.3-keyword",
            "生成内容关键词抽检",
            "合格率",
            "assess.generation.keyword_pass_min",
            "assess.generation.keyword_sample_min",
        ),
        ItemSpec(
            "9.3-classifier",
            "生成内容分类模型抽检",
            "合格率",
            "assess.generation.classifier_pass_min",
            "assess.generation.classifier_sample_min",
        ),
        ItemSpec(
            "9.4-must_refuse",
            "应拒答测试",
            "拒答率",
            "assess.refusal.must_refuse_rate_min",
            "assess.refusal.must_refuse_sample_min",
        ),
        ItemSpec(
            "9.4-must_answer",
            "非拒答测试",
            "拒答率",
            "assess.refusal.must_answer_refusal_rate_max",
            "assess.refusal.must_answer_sample_min",
        ),
    )
}
