from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("护照号码E12345678，", ["E12345678"]),
        ("护照EA1234567已签证", ["EA1234567"]),
        ("他的E12345678", ["E12345678"]),  # no context: base score is above the threshold
        ("旧护照G12345678", ["G12345678"]),
        ("外交护照D1234567", ["D1234567"]),  # D/S/P only with context
        ("编码D1234567", []),
        ("型号E12345678的零件", []),  # negative context
        ("编号E1234567", []),  # too short for a Chinese passport, no context
        ("号码E123456789", []),  # too long
        ("护照号TZ3151328", ["TZ3151328"]),  # another country's, after 护照
        ("Passport No.: A59296171", ["A59296171"]),
        ("护照C09620149", ["C09620149"]),  # not a 港澳通行证 after 护照
        ("批号TZ3151328", []),
        ("货架TZ3151328", []),  # other shapes need context
        ("护照E1234567890", []),  # too long for any
        # other countries' shapes, only after 护照 / passport in the same clause
        ("护照号码：533816427", ["533816427"]),  # nine digits (US, UK, Russia)
        ("UL passport=548839271 room=1712", ["548839271"]),
        ("持护照18FV63924办理登记", ["18FV63924"]),  # France: see passport_label
        ("订单533816427", []),  # nine digits without context
        ("护照有效。订单号533816427", []),  # context in another clause
        ("证件18FV63924", []),
        ("护照号码5338164271", []),  # ten digits: too long
        # the document type in one field, the number after a number label in the next
        ("证件类型：外国护照，证件号码：KR4471290，", ["KR4471290"]),
        ("类型：护照；号码 548839271", ["548839271"]),
        ("护照，房号TZ3151328", []),  # 房号 is not a number label of a document
        ("护照已收，型号TZ3151328", []),  # negative word
        ("证件类型：身份证，证件号码：TZ3151328", []),  # no 护照 in the window
    ],
)
def test_passport(text: str, expected: list[str]) -> None:
    assert found("PASSPORT", text) == expected
