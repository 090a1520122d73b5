"""Identifier forms added in p23ab to existing recognizers, each with forms written here."""

from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("entity_type", "text", "expected"),
    [
        # an escaped tab or line break before the number, as in a JSON log or an export
        ("MOBILE", "姓名\\t王芳\\t15823407716\\t", ["15823407716"]),
        ("MOBILE", '"msg":"回拨\\n13912873044"', ["13912873044"]),
        ("MOBILE", "x\\q13912873044", []),  # not an escape: a glued letter
        # the area code in brackets after +86, with ext.
        ("PHONE", "call +86 (571) 8702 1146 ext. 203", ["+86 (571) 8702 1146 ext. 203"]),
        ("PHONE", "tel +86 (10) 6275 1234", ["+86 (10) 6275 1234"]),
        # an em dash or an en dash after the area code
        ("PHONE", "值班室0351—7264410，", ["0351—7264410"]),
        ("PHONE", "传真 0898–66210537", ["0898–66210537"]),
        ("PHONE", "编号0351—7264410", []),  # negative word
        # the ID number in its three parts
        ("ID_CARD", "证件 110105 19850312 0017 已核验", ["110105 19850312 0017"]),
        ("ID_CARD", "110105 19851312 0017", []),  # month 13
        ("ID_CARD", "110105 1985031 20017", []),  # other grouping
        # USCC registered by a central authority (region 100000)
        ("USCC", "信用代码12100000400000318P", ["12100000400000318P"]),
        ("USCC", "代码12100000400000318X", []),  # wrong check character
        # passport labels: 是 / 为 between, traditional 護照, letter + six digits
        ("PASSPORT", "她的护照是KJ2094417，", ["KJ2094417"]),
        ("PASSPORT", "護照號碼：LM4410982", ["LM4410982"]),
        ("PASSPORT", "护照号为H603118（也门）", ["H603118"]),
        ("PASSPORT", "护照有效期为2031年", []),
        ("PASSPORT", "护照是ABCDEFGH", []),  # no digits
    ],
)
def test_identifier_forms(entity_type: str, text: str, expected: list[str]) -> None:
    assert found(entity_type, text) == expected
