from __future__ import annotations

import random

import pytest

from beian.pii.recognizers.passport_label import _LABEL_VALUE, _label_values
from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # other countries' shapes with fewer than six digits in a row, after a passport label
        ("持护照18FV63924办理登记", ["18FV63924"]),  # France: 2 digits, 2 letters, 5 digits
        ("护照号码C4KR81T27｜入住", ["C4KR81T27"]),  # Germany: letters and digits mixed
        ("男方护照号C01X7TF52，需提供", ["C01X7TF52"]),
        ("护照：19AF62830", ["19AF62830"]),
        ("护照号： C4K7P9R21，", ["C4K7P9R21"]),
        ("Passport No. C01X7TF52", ["C01X7TF52"]),
        ("PASSPORT#19AF62830", ["19AF62830"]),
        ("passport=C4KR81T27 room=1712", ["C4KR81T27"]),
        # a Latin label glued to a Chinese passport number
        ("PassportE12345678，请核对", ["E12345678"]),
        # the Russian shape: a two-digit series, a space, seven digits
        ("乘客：Ivan Sokolov，护照72 4416093。", ["72 4416093"]),
        ("护照号码：53 1187240，", ["53 1187240"]),
        ("护照72  4416093", []),  # two spaces
        ("护照72 441609", []),  # six digits
        ("Passport 72 44160931", []),  # eight digits
        # not a passport number
        ("护照有效期至20300815", []),  # words between the label and the digits
        ("护照号码ABCDEFGHJ", []),  # capitals without digits
        ("护照号码ABCDEFG1J", []),  # one digit
        ("护照号码C4KR81T27X", []),  # ten characters
        ("护照号码c4kr81t27", []),  # lower case
        ("证件号18FV63924", []),  # no passport label
        ("护照18FV639", []),  # seven characters
    ],
)
def test_passport_label(text: str, expected: list[str]) -> None:
    assert found("PASSPORT", text) == expected


def test_labels_found_by_str_find_match_as_finditer_does() -> None:
    # The pattern is tried only where a label starts (found with str.find): the matches must
    # be those of its own finditer over the whole text, overlapping labels and all.
    pieces = (
        *("护照", "护", "照", "passport", "Passport", "PASSPORT", "pass", "号码", "号", "编号"),
        *(" No.", " number", "：", ":", "#", "=", " ", "\t", "E12345678", "19AF62830"),
        *("C4KR81T27", "AB", "12", "X", "a", "护照护照", "passportpassport"),
    )
    rng = random.Random(23)
    matched = 0
    for _ in range(50000):
        text = "".join(rng.choices(pieces, k=rng.randint(0, 10)))
        expected = [m.span(1) for m in _LABEL_VALUE.finditer(text)]
        assert [m.span(1) for m in _label_values(text)] == expected, text
        matched += len(expected)
    assert matched > 3000
