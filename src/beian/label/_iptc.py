"""IPTC ``DigitalSourceType`` in XMP: the same fact as the label, for readers outside China.

The IPTC Photo Metadata extension property ``Iptc4xmpExt:DigitalSourceType`` takes a NewsCodes
URI; ``trainedAlgorithmicMedia`` ("created by a trained algorithmic model") is what GB 45438's
``Label`` 1 states, ``compositeWithTrainedAlgorithmicMedia`` marks content edited with one. IPTC
has no "possibly" or "suspected" value, so only ``Label`` 1 is exported. It is written into the
XMP packet of images (PNG, JPEG, WebP, GIF, TIFF) with the label; exiftool reads it as
``XMP-iptcExt:DigitalSourceType``.
"""

from __future__ import annotations

import os
from pathlib import Path

from beian.errors import InputError
from beian.label.carriers import Carrier, carrier_for
from beian.label.carriers._xmp import DIGITAL_SOURCE_TYPE, xmp_value

__all__ = ["IPTC_SOURCE_TYPES", "iptc_extra", "read_digital_source_type"]

_BASE = "http://cv.iptc.org/newscodes/digitalsourcetype/"
#: The AI-related NewsCodes this tool writes, by code name.
IPTC_SOURCE_TYPES = {
    "trainedAlgorithmicMedia": _BASE + "trainedAlgorithmicMedia",
    "compositeWithTrainedAlgorithmicMedia": _BASE + "compositeWithTrainedAlgorithmicMedia",
}


def iptc_extra(carrier: Carrier, path: Path, code: str, label: str) -> dict[str, str]:
    """The XMP property to write for IPTC code ``code``; clear errors where it cannot be."""
    uri = IPTC_SOURCE_TYPES.get(code)
    if uri is None:
        raise InputError(
            f"不支持的 IPTC digitalSourceType {code!r}",
            where="digital_source_type",
            fix=f"可选：{'、'.join(IPTC_SOURCE_TYPES)}",
        )
    if not carrier.supports_xmp:
        raise InputError(
            f"{carrier.name} 格式没有 XMP，无法写入 IPTC digitalSourceType",
            where=str(path),
            fix="IPTC 导出只适用于 PNG、JPEG、WebP、GIF、TIFF 图片；其他格式请去掉 --iptc",
        )
    if label != "1":
        raise InputError(
            f"Label 为 {label}（可能/疑似）时不能导出 IPTC digitalSourceType",
            where=str(path),
            fix="IPTC 没有“可能”“疑似”的取值；只有 Label 1（人工智能生成）可导出",
        )
    return {DIGITAL_SOURCE_TYPE: uri}


def read_digital_source_type(path: str | os.PathLike[str]) -> str | None:
    """The IPTC ``DigitalSourceType`` URI in a file's XMP, ``None`` when absent."""
    p = Path(path)
    carrier = carrier_for(p)
    for packet in carrier.xmp_packets(p):
        value = xmp_value(packet, DIGITAL_SOURCE_TYPE)
        if value:
            return value
    return None
