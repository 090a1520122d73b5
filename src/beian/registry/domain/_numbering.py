"""Filing and registration numbers.

Filing (备案) numbers follow the published form ``<province pinyin>-<model name>-<YYYYMMDD><NNNN>``
(e.g. ``Beijing-DeepseekChat-202404280016``): the date is the filing date and ``NNNN`` a serial
that is unique per province and date. Registration (登记) numbers are this project's documented
format ``<province pinyin>-DJ-<service name>-<YYYYMMDD><NNNN>`` (the official 上线编号 format is
unverified); the ``DJ`` segment keeps them apart from filing numbers.
"""

from __future__ import annotations

import datetime as dt
import re

from beian._shared.numbers import PROVINCES, canonical_province
from beian.errors import InputError

__all__ = [
    "FILING_NUMBER",
    "PROVINCES",
    "canonical_province",
    "filing_number",
    "name_segment",
    "province_segment",
    "registration_number",
    "serial_key",
]

FILING_NUMBER = re.compile(r"^[A-Za-z]+-[A-Za-z0-9]+-\d{8}(\d{4})?$")  # serial: not in 2023's


def province_segment(province: str) -> str:
    return PROVINCES[canonical_province(province)]


def name_segment(name: str) -> str:
    """Model or service name in the number: Latin words CamelCased, Chinese in pinyin."""
    from pypinyin import Style, lazy_pinyin

    parts: list[str] = []
    for chunk in re.findall(r"[A-Za-z0-9]+|[\u4e00-\u9fff]+", name):
        if chunk[0].isascii():
            parts.append(chunk[:1].upper() + chunk[1:])
        else:
            parts.extend(p.capitalize() for p in lazy_pinyin(chunk, style=Style.NORMAL))
    seg = "".join(parts)
    if not seg:
        raise InputError(f"模型名称 {name!r} 无法转写为编号", where="service.model_name",
                         fix="模型名称应含汉字、字母或数字")
    return seg


def serial_key(province: str, day: dt.date) -> str:
    """Serial numbers count per province and date."""
    return f"{province_segment(province)}:{day:%Y%m%d}"


def _check(serial: int) -> None:
    if not 1 <= serial <= 9999:
        raise InputError(f"当日流水号 {serial} 超出 4 位", fix="请联系管理员")


def filing_number(province: str, model_name: str, day: dt.date, serial: int) -> str:
    _check(serial)
    return f"{province_segment(province)}-{name_segment(model_name)}-{day:%Y%m%d}{serial:04d}"


def registration_number(province: str, service_name: str, day: dt.date, serial: int) -> str:
    _check(serial)
    return f"{province_segment(province)}-DJ-{name_segment(service_name)}-{day:%Y%m%d}{serial:04d}"
