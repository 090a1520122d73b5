"""Passports and phones in a table whose header names the column (forms written for p23ab)."""

from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found

_MD = "| 姓名 | 护照号码 | 国籍 |\n|---|---|---|\n| Ana Lima | {} | 巴西 |\n"
_TSV = "Guest\tPassport\tRoom\nKim Min\t{}\t1203\n"


@pytest.mark.parametrize(
    ("entity_type", "text", "expected"),
    [
        ("PASSPORT", _MD.format("FX5521873"), ["FX5521873"]),
        ("PASSPORT", _MD.format("28KD71043"), ["28KD71043"]),  # France: 2 digits, 2 letters, 5
        ("PASSPORT", _MD.format("K7290315"), ["K7290315"]),
        ("PASSPORT", _MD.format("45 1187209"), ["45 1187209"]),  # Russia: series and number
        ("PASSPORT", _MD.format("待补充"), []),
        ("PASSPORT", _MD.format("ABCDEFGH"), []),  # a word in capitals, no digits
        ("PASSPORT", _TSV.format("M61K2P7Q4"), ["M61K2P7Q4"]),
        ("PASSPORT", _TSV.format("2024"), []),
        ("PASSPORT", "Guest\\tPassport\\tRoom\nKim Min\\tHT0417726\\t1203\n", ["HT0417726"]),
        (
            "PASSPORT",
            "name,passport,gate\nLee,ZB8830215,B12\nWu,KP1022387,B14\n",
            ["ZB8830215", "KP1022387"],
        ),
        # no passport column: the same cells are something else
        ("PASSPORT", "| 姓名 | 订单号 |\n|---|---|\n| Ana | FX5521873 |\n", []),
        # a row that does not have the header's number of cells is not read
        ("PASSPORT", "| 姓名 | 护照 |\n| Ana | FX5521873 | 多一列 |\n", []),
        # the rows end at a line without the separator
        ("PASSPORT", "| 姓名 | 护照 |\n\n代码 FX5521873\n", []),
        ("PHONE", "楼栋\t联系电话\t备注\n3栋\t8842 1907\t夜间\n", ["8842 1907"]),
        ("PHONE", "户主|座机|人口\n王|56320418|3\n", ["56320418"]),
        ("PHONE", "id,name,phone\n7,Lim,+60 3 2718 5540\n", ["+60 3 2718 5540"]),
        ("PHONE", "id,name,phone\n7,Lim,12\n", []),
        ("MOBILE", "id,name,phone\n7,Lim,+86 139 1287 3044\n", ["+86 139 1287 3044"]),
        ("PHONE", "id,name,telecom\n7,Lim,88421907\n", []),  # not a phone header
    ],
)
def test_table_column(entity_type: str, text: str, expected: list[str]) -> None:
    assert found(entity_type, text) == expected
