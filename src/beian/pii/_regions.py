"""Administrative divisions, read from python-stdnum's ``cn/loc`` database (GB/T 2260 codes).

Used for the region prefix of 身份证 numbers and for the place names that anchor addresses.
Loaded once per process and cached.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["admin_names", "is_region_code", "province_stems", "region_codes"]

_BRACKET = re.compile(r"^\[[^\]]*\]")
# County-level names that are also everyday words; never anchors on their own.
_GENERIC = frozenset(
    {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "郊区", "城区", "矿区", "新区"}
)
_SUFFIXES = ("省", "市", "区", "县", "自治区", "自治州", "旗", "盟", "州", "特别行政区")


@lru_cache(maxsize=1)
def _table() -> dict[str, list[str]]:
    """6-digit code -> list of names (a code may have had several names over time)."""
    from stdnum import numdb

    db = numdb.get("cn/loc")
    table: dict[str, list[str]] = {}
    # numdb entries: (length, low, high, properties, children)
    for _, prov_code, _, prov_props, children in db.prefixes:
        province = prov_props.get("province", "")
        table[f"{prov_code}0000"] = [province]
        for _, code, _, props, _ in children:
            names = [_BRACKET.sub("", n) for n in props.get("county", "").split(",") if n]
            table[f"{prov_code}{code}"] = names
    return table


@lru_cache(maxsize=1)
def region_codes() -> frozenset[str]:
    """Every 6-digit code that is or was a county-level division (or a province)."""
    return frozenset(c for c in _table() if not c.endswith("0000") or c[:2] in ("81", "82"))


@lru_cache(maxsize=1)
def _all_codes() -> frozenset[str]:
    return frozenset(_table())


def is_region_code(code: str, *, province: bool = False) -> bool:
    """Whether a 6-digit code is (or was) a county-level division; ``province`` also accepts
    province-level codes (110000), which organisations registered at that level carry."""
    return code in (_all_codes() if province else region_codes())


@lru_cache(maxsize=1)
def admin_names() -> tuple[str, ...]:
    """Province, prefecture and county names with their suffix (广东省, 深圳市, 南山区)."""
    names: set[str] = set()
    for values in _table().values():
        for name in values:
            if name in _GENERIC or len(name) < 3 or not name.endswith(_SUFFIXES):
                continue
            names.add(name)
    names.update({"北京市", "天津市", "上海市", "重庆市", "香港特别行政区", "澳门特别行政区"})
    return tuple(sorted(names))


@lru_cache(maxsize=1)
def province_stems() -> tuple[str, ...]:
    """Province-level names without their suffix, as addresses often write them (北京, 浙江, 内蒙古)."""
    stems: set[str] = set()
    for code, values in _table().items():
        if not code.endswith("0000"):
            continue
        for name in values:
            for suffix in (
                "特别行政区",
                "维吾尔自治区",
                "壮族自治区",
                "回族自治区",
                "自治区",
                "省",
                "市",
            ):
                if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                    stems.add(name[: -len(suffix)])
                    break
    return tuple(sorted(stems))
