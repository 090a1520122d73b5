"""What ``beian label show`` reports for one file: the label, IPTC DigitalSourceType and C2PA.

The GB 45438 label is read by the file's carrier; the IPTC ``Iptc4xmpExt:DigitalSourceType`` from
the file's XMP (images); the C2PA manifest through c2pa-python when that optional dependency is
installed (otherwise the row says it was not checked). The texts users read are Chinese; the
NewsCodes and C2PA states stay as they are beside them, so they can be searched for.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from beian.errors import ConfigError
from beian.label._api import read_label
from beian.label._c2pa import FORMATS as C2PA_FORMATS
from beian.label._c2pa import read_c2pa
from beian.label._iptc import read_digital_source_type
from beian.label.carriers import carrier_for

__all__ = ["C2PA_STATES", "SOURCE_TYPES", "c2pa_text", "describe_file", "source_type_text"]

_NEWSCODES = "http://cv.iptc.org/newscodes/digitalsourcetype/"
#: IPTC NewsCodes digitalsourcetype (2025 vocabulary, the values a reader is likely to meet).
SOURCE_TYPES = {
    "trainedAlgorithmicMedia": "人工智能生成",
    "compositeWithTrainedAlgorithmicMedia": "含人工智能生成部分的合成内容",
    "algorithmicallyEnhanced": "经算法增强",
    "algorithmicMedia": "算法生成（非训练模型）",
    "composite": "合成内容",
    "compositeSynthetic": "含合成元素的合成内容",
    "digitalCapture": "数码拍摄",
    "digitalArt": "数字创作",
    "humanEdits": "人工编辑",
    "dataDrivenMedia": "数据驱动生成",
    "virtualRecording": "虚拟录制",
    "screenCapture": "屏幕截取",
}
#: c2pa-python's validation states.
C2PA_STATES = {"Trusted": "有效且证书可信", "Valid": "有效（证书不在信任列表）", "Invalid": "无效"}


def source_type_text(uri: str | None) -> str:
    """A DigitalSourceType URI as users read it, e.g. ``人工智能生成（trainedAlgorithmicMedia）``."""
    if not uri:
        return "无"
    code = uri.removeprefix(_NEWSCODES)
    known = SOURCE_TYPES.get(code) if code != uri else None
    return f"{known}（{code}）" if known else f"未知取值（{uri}）"


def c2pa_text(c2pa: dict[str, Any] | None) -> str:
    """The C2PA part of :func:`describe_file` as one line of Chinese."""
    if c2pa is None:
        return "无"
    if not c2pa.get("checked", True):
        return f"未检查（{c2pa['reason']}）"
    state = str(c2pa["state"])
    parts = [f"{C2PA_STATES.get(state, state)}（{state}）"]
    code = c2pa.get("digital_source_type")
    if code:
        parts.append(f"来源类型：{source_type_text(code)}")
    parts.append("含 AIGC 标识断言" if c2pa.get("aigc") else "无 AIGC 标识断言")
    return "；".join(parts)


def _c2pa(path: Path) -> dict[str, Any] | None:
    if path.suffix.lower() not in C2PA_FORMATS:
        return None
    try:
        status = read_c2pa(path)
    except ConfigError:
        return {"checked": False, "reason": "未安装 c2pa-python：pip install 'beian[c2pa]'"}
    if status is None:
        return None
    return {
        "checked": True,
        "state": status.state,
        "digital_source_type": status.digital_source_type,
        "aigc": {"AIGC": status.aigc} if status.aigc is not None else None,
    }


def describe_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The facts ``beian label show`` prints for ``path`` (JSON-ready)."""
    p = Path(path)
    payload = read_label(p)
    carrier = carrier_for(p)
    return {
        "file": str(p),
        "carrier": carrier.name,
        "where": carrier.where,
        "label": {"AIGC": payload.fields_dict()} if payload else None,
        "iptc_digital_source_type": read_digital_source_type(p),
        "c2pa": _c2pa(p),
    }
