"""Filing numbers (备案号) and the 属地 they start with: one list for the dossier and the registry.

Published filing numbers read ``<province pinyin>-<model name>-<YYYYMMDD><NNNN>``
(``Beijing-DeepseekChat-202404280016``). The first lists of 2023 printed them without the
4-digit serial (``Beijing-YunQue-20230821``); those are valid numbers too wherever a number is
read. The province spellings follow the published numbers: per-syllable capitals
(``ZheJiang``), ``Beijing`` as published, 陕西 as ``Shaanxi`` (to differ from 山西 ``ShanXi``),
新疆生产建设兵团 as ``BingTuan`` and central enterprises (国资委) as ``ZhongYangQiYe``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from beian.errors import InputError

__all__ = [
    "PROVINCES",
    "FilingNumber",
    "canonical_province",
    "check_uscc",
    "number_problem",
    "parse_filing_number",
]

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
_BY_PINYIN = {v.lower(): k for k, v in PROVINCES.items()}
_SUFFIXES = ("", "省", "市", "自治区", "壮族自治区", "回族自治区", "维吾尔自治区")
_NUMBER = re.compile(r"^([A-Za-z]+)-([A-Za-z0-9.]+)-(\d{8})(\d{4})?$")


def canonical_province(province: str) -> str:
    """One spelling per province: ``北京市`` / ``北京`` → ``北京``, ``广西壮族自治区`` → ``广西``."""
    p = province.strip()
    for name in sorted(PROVINCES, key=len, reverse=True):
        if p.startswith(name) and p[len(name):] in _SUFFIXES:
            return name
    raise InputError(
        f"未知的属地 {province!r}", where="provider.province",
        fix="属地写省级行政区名称，如 北京、浙江；新疆生产建设兵团；中央企业写 国资委",
    )


@dataclass(frozen=True)
class FilingNumber:
    province: str  # canonical 属地, e.g. 北京
    name: str  # the model-name segment
    date: dt.date
    serial: int | None  # None in the 2023 numbers printed without one


def parse_filing_number(number: str, *, where: str = "filing_number") -> FilingNumber:
    """Read a 备案号 (with or without the 4-digit serial); an ``InputError`` says what is wrong."""
    m = _NUMBER.match(number.strip())
    if not m:
        raise InputError(f"备案号 {number!r} 格式不符", where=where,
                         fix="应为“属地拼音-模型名称-YYYYMMDD[4位序号]”，"
                             "如 Beijing-DeepseekChat-202404280016 或 Beijing-YunQue-20230821")
    province = _BY_PINYIN.get(m.group(1).lower())
    if province is None:
        raise InputError(f"属地 {m.group(1)} 不是省级行政区拼音", where=where,
                         fix="如 Beijing、ZheJiang、BingTuan（兵团）、ZhongYangQiYe（中央企业）")
    try:
        day = dt.datetime.strptime(m.group(3), "%Y%m%d").date()
    except ValueError:
        raise InputError(f"日期 {m.group(3)} 无效", where=where, fix="日期写作 YYYYMMDD") from None
    return FilingNumber(province, m.group(2), day, int(m.group(4)) if m.group(4) else None)


def number_problem(number: str) -> str | None:
    """Why ``number`` is not a 备案号, or None when it is one."""
    try:
        parse_filing_number(number)
    except InputError as exc:
        return f"{exc.what}；{exc.fix}" if "格式" in exc.what else exc.what
    return None


_USCC_REASONS = {
    "InvalidLength": "长度应为 18 位",
    "InvalidFormat": "含有不允许的字符（不使用 I、O、Z、S、V）",
    "InvalidChecksum": "校验位不正确",
    "InvalidComponent": "登记管理部门或机构类别代码无效",
}


def check_uscc(code: str) -> tuple[str, str | None]:
    """A 统一社会信用代码 checked (GB 32100-2015, python-stdnum): (its compact form, ``None``)
    when valid, else (``code``, the reason in Chinese)."""
    from stdnum.cn import uscc
    from stdnum.exceptions import ValidationError

    try:
        return str(uscc.validate(code)), None
    except ValidationError as exc:
        return code, _USCC_REASONS.get(type(exc).__name__, "格式不正确")
