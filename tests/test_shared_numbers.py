"""One list of 属地 and one reading of 备案号 for the dossier and the registry."""

from __future__ import annotations

import datetime as dt

import pytest

from beian._shared.numbers import PROVINCES, FilingNumber, number_problem, parse_filing_number
from beian.errors import InputError
from beian.registry.domain import PROVINCES as REGISTRY_PROVINCES
from beian.registry.domain import filing_number


@pytest.mark.parametrize(("number", "parsed"), [
    ("Beijing-DeepseekChat-202404280016", FilingNumber("北京", "DeepseekChat", dt.date(2024, 4, 28), 16)),
    ("Beijing-YunQue-20230821", FilingNumber("北京", "YunQue", dt.date(2023, 8, 21), None)),
    ("ZheJiang-TongYiQianWen-20230901", FilingNumber("浙江", "TongYiQianWen", dt.date(2023, 9, 1), None)),
    ("BingTuan-LvZhou-202405060001", FilingNumber("新疆生产建设兵团", "LvZhou", dt.date(2024, 5, 6), 1)),
    ("zhongyangqiye-JiuTian-20240123", FilingNumber("国资委", "JiuTian", dt.date(2024, 1, 23), None)),
])
def test_numbers_read(number: str, parsed: FilingNumber) -> None:
    assert parse_filing_number(number) == parsed and number_problem(number) is None


@pytest.mark.parametrize(("number", "why"), [
    ("京ICP备12345号", "格式"), ("Tokyo-ShiLi-20240428", "属地"), ("Beijing-ShiLi-20241332", "日期"),
    ("Beijing-ShiLi-2024042800161", "格式"),
])
def test_bad_numbers(number: str, why: str) -> None:
    with pytest.raises(InputError):
        parse_filing_number(number)
    assert why in (number_problem(number) or "")


def test_the_registry_issues_numbers_the_dossier_reads() -> None:
    assert REGISTRY_PROVINCES is PROVINCES
    for province in PROVINCES:
        number = filing_number(province, "示例模型", dt.date(2025, 10, 14), 7)
        assert parse_filing_number(number).province == province
