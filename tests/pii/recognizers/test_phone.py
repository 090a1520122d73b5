from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("座机010-62345678转", ["010-62345678"]),
        ("tel010-62345678", ["010-62345678"]),  # glued ASCII label
        ("x010-62345678", []),
        ("电话(0755)23456789。", ["(0755)23456789"]),
        ("电话0571 8765432", ["0571 8765432"]),
        ("热线02162345678", ["02162345678"]),
        ("客服400-123-4567", ["400-123-4567"]),
        ("分机010-1234无人", []),  # too short
        ("编号010-62345678", []),  # negative context
        ("号码0101234567890", []),  # too long
        ("代码0012345678", []),  # no such area code
        # an extension after a dash belongs to the number
        ("联系电话0571-87261930-8012", ["0571-87261930-8012"]),
        ("TEL021-62351188-2034", ["021-62351188-2034"]),
        ("名片：021-54718836-805，", ["021-54718836-805"]),
        ("电话(010)62517788-2306", ["(010)62517788-2306"]),
        ("座机010-62345678-123456", []),  # six digits after the dash: no extension
        # the country code
        ("律师电话是+86 21 6278 3390，", ["+86 21 6278 3390"]),
        ("电话+86-10-62517788", ["+86-10-62517788"]),
        ("手机+86 13812345678", []),  # a mobile number, not a landline
        # what may follow: another long number after a space, never a short group of digits
        ("含 029-64171057 19965402838", ["029-64171057"]),
        ("电话010-62345678 12号楼", []),
        # the local number in two groups
        ("咨询电话0532-8590 1276。", ["0532-8590 1276"]),
        ("致电020-3867 2290转815", ["020-3867 2290转815"]),
        ("座机(0755) 2345-6789", ["(0755) 2345-6789"]),
        ("电话0731-8451 2360 12号楼", []),  # a short group after it: not a phone number
        ("运单号0532-8590 1276", []),  # negative context
        ("卡号6226 0906 3318 2745，", []),  # the middle of a spaced card number
        # an extension after 转 / 分机 / ext belongs to the number (one space at most each side)
        ("总机0379-64318820转7，", ["0379-64318820转7"]),
        ("办公室(0816)2247 3390转 46", ["(0816)2247 3390转 46"]),
        ("找王工，027 8311 6645 分机 2201。", ["027 8311 6645 分机 2201"]),
        ("Tel 0755-26780133 ext. 305", ["0755-26780133 ext. 305"]),
        ("热线400-820-3311转5", ["400-820-3311转5"]),
        ("电话0731-88451102转人工", ["0731-88451102"]),  # no digits after 转
        ("电话0731-88451102转123456", ["0731-88451102"]),  # six digits: not an extension
        # a dash extension after a number in two groups
        ("请拨0533-7162 4408-15（总务）", ["0533-7162 4408-15"]),
        ("座机010-6251-7788", ["010-6251-7788"]),  # the dash group is the number itself
    ],
)
def test_phone(text: str, expected: list[str]) -> None:
    assert found("PHONE", text) == expected
