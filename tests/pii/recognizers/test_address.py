from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "住在北京市朝阳区建国路88号院3号楼2单元501室。",
            ["北京市朝阳区建国路88号院3号楼2单元501室"],
        ),
        ("寄到广东省深圳市南山区科技路1号就行", ["广东省深圳市南山区科技路1号"]),
        ("浙江省杭州市西湖区，", []),  # divisions only: no street, no place to go to
        ("家住海淀区中关村大街27号", ["海淀区中关村大街27号"]),
        ("地址：上海市", []),
        ("老家在四川省南充市仪陇县马鞍镇石板村7组，", ["四川省南充市仪陇县马鞍镇石板村7组"]),
        ("让他打车到玉林北路2号附3号，我下楼接", ["玉林北路2号附3号"]),  # no division
        ("送到万科城市花园11栋1单元602，电话", ["万科城市花园11栋1单元602"]),
        ("您家7幢302的水管漏水", ["7幢302"]),
        (
            "收货地址:内蒙古自治区锡林郭勒盟正蓝旗上都镇哈登胡硕嘎查\n",
            ["内蒙古自治区锡林郭勒盟正蓝旗上都镇哈登胡硕嘎查"],
        ),
        (
            "事故发生在长沙市岳麓区麓谷大道由南向北方向",
            ["长沙市岳麓区麓谷大道"],
        ),  # a road after a division
        ("住所地银川市金凤区北京中路168号。", ["银川市金凤区北京中路168号"]),  # label word left out
        ("我们约在中山路吃饭", []),  # a road named in passing
        ("12月5号见，坐7号线", []),  # dates and metro lines
        ("3号楼工地停工", []),  # one part, no context
        ("他去年去过北京市旅游", []),  # one division, no street, no context
        ("城区的交通很好", []),  # generic words are not anchors
        ("地址栏填统一社会信用代码", []),  # 一社 of 统一社会 is no group of a village
        ("住院的旅客请到三号窗口办理", []),  # a window numbered in words
        ("地址：石川村二社，返乡", ["石川村二社"]),  # the group is still read
        ("住在三号楼二单元", ["三号楼二单元"]),
    ],
)
def test_address(text: str, expected: list[str]) -> None:
    assert found("ADDRESS", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Pieces of one address with a name the parts do not read between them: one span.
        ("寄到福田区深南大道6008号特区报业大厦A座1203", ["福田区深南大道6008号特区报业大厦A座1203"]),
        ("送到江北区观音桥步行街9号融恒时代3栋2单元5楼", ["江北区观音桥步行街9号融恒时代3栋2单元5楼"]),
        ("地址：金桥路与长江路交叉口 远洋公馆6幢1104", ["金桥路与长江路交叉口 远洋公馆6幢1104"]),
        # A crossing of two roads, with a corner or an entrance after it.
        ("昨晚在和平路与胜利街交叉口东北角发生追尾", ["和平路与胜利街交叉口东北角"]),
        ("我们约在青年路与文化路路口见", ["青年路与文化路路口"]),
        ("设备安装在二楼西侧楼梯间", []),  # a floor and a side: no address
        ("前方路口请减速", []),
    ],
)  # fmt: skip
def test_address_pieces_and_crossings(text: str, expected: list[str]) -> None:
    assert found("ADDRESS", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("集合地点：奥林匹克森林公园南门。", ["奥林匹克森林公园南门"]),  # a named entrance
        ("明早从大理古城南门出发", ["大理古城南门"]),  # no context word: the entrance counts
        ("今晚我在人民广场地铁站8号口等你", ["人民广场地铁站8号口"]),
        ("快递放在天山区新华南路408号门口了", ["天山区新华南路408号"]),  # 门口 is outside
        ("房号：银杏苑12-3-1101，业主", ["银杏苑12-3-1101"]),  # building-unit-room, label out
        ("惠民路锦华苑6-1-302 Iris", ["惠民路锦华苑6-1-302"]),
        ("会议在2024-06-15召开", []),  # a date is no room
        ("我们公司东门有个快递柜", []),  # no named place before the entrance
    ],
)
def test_address_entrances_and_blocks(text: str, expected: list[str]) -> None:
    assert found("ADDRESS", text) == expected
