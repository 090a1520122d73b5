from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("援藏医生扎西平措说，第一次走进日喀则", ["扎西平措"]),  # Tibetan, in running text
        ("发展对象扎西顿珠、章程的入党材料", ["扎西顿珠"]),
        ("乌兰其木格是锡林浩特市人", ["乌兰其木格"]),  # Mongolian, sentence start
        ("户主姓名额尔敦巴雅尔，户别：家庭户", ["额尔敦巴雅尔"]),
        ("收件人阿布都热西提 13870736203", ["阿布都热西提"]),  # not the label's 阿布
        ("验证通知：买买提江，您的护照", ["买买提江"]),  # an element and the suffix 江
        ("| 吉克伍沙 | 昭觉县四开乡", ["吉克伍沙"]),  # Yi
        ("格日勒图的蒙古包", ["格日勒图"]),  # one long element is a whole name
        ("阿依古丽·买买提在吗", ["阿依古丽·买买提"]),  # a dotted name, default engine too
        ("合格人员：白玛次仁、周瑜、申屠浩。", ["白玛次仁", "周瑜", "申屠浩"]),  # a list
        ("扎西岗乡的牧民", []),  # a place: 乡 after the run
        ("乌兰浩特市", []),  # one element and a place
        ("我们在古丽家吃饭", []),  # one element alone says too little
        ("格桑花开满了山坡", []),
    ],
)
def test_minority_name(text: str, expected: list[str]) -> None:
    assert found("NAME", text) == expected
    assert found("NAME", text, context_names=True) == expected
