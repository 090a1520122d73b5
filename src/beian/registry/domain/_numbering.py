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

# 属地 → the spelling used in published filing numbers (per-syllable capitals, as in
# ``ZheJiang-TongYiQianWen``; ``Beijing`` as published; 陕西 as Shaanxi to differ from 山西).
PROVINCES: dict[str, str] = {
    "北京": "Beijing", "天津": "TianJin", "河北": "HeBei", "山西": "ShanXi",
    "内蒙古": "NeiMengGu", "辽宁": "LiaoNing", "吉林": "JiLin", "黑龙江": "HeiLongJiang",
    "上海": "ShangHai", "江苏": "JiangSu", "浙江": "ZheJiang", "安徽": "AnHui",
    "福建": "FuJian", "江西": "JiangXi", "山东": "ShanDong", "河南": "HeNan",
    "湖北": "HuBei", "湖南": "HuNan", "广东": "GuangDong", "广西": "GuangXi",
    "海南": "HaiNan", "重庆": "ChongQing", "四川": "SiChuan", "贵州": "GuiZhou",
    "云南": "YunNan", "西藏": "XiZang", "陕西": "Shaanxi", "甘肃": "GanSu",
    "青海": "QingHai", "宁夏": "NingXia", "新疆": "XinJiang", "新疆生产建设兵团": "BingTuan",
    "国资委": "ZhongYangQiYe",
}

FILING_NUMBER = re.compile(r"^[A-Za-z]+-[A-Za-z0-9]+-\d{8}\d{4}$")


_SUFFIXES = ("", "省", "市", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区")


def canonical_province(province: str) -> str:
    """One spelling per province: ``北京市`` / ``北京`` → ``北京``, ``广西壮族自治区`` → ``广西``."""
    p = province.strip()
    for name in sorted(PROVINCES, key=len, reverse=True):
        if p.startswith(name) and p[len(name):] in _SUFFIXES:
            return name
    raise InputError(
        f"未知的属地 {province!r}", where="provider.province",
        fix="属地写省级行政区名称，如 北京、浙江；中央企业写 国资委",
    )


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
