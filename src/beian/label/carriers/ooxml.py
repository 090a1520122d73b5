"""DOCX / XLSX / PPTX: custom document property ``AIGC`` in ``docProps/custom.xml`` (zipfile)."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, register_carrier

_CUSTOM = "docProps/custom.xml"
_CT = "[Content_Types].xml"
_RELS = "_rels/.rels"
_CP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CP_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CP_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
_LABEL_PARTS = {_CUSTOM, _CT, _RELS}

ET.register_namespace("vt", _VT_NS)


def _members(path: Path) -> tuple[list[zipfile.ZipInfo], dict[str, bytes]]:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            data = {i.filename: zf.read(i) for i in infos}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as exc:
        raise corrupt(path, f"不是有效的 Office Open XML 压缩包：{exc}") from None
    if _CT not in data:
        raise corrupt(path, f"缺少 {_CT}")
    return infos, data


def _properties(xml: bytes | None, path: Path) -> ET.Element:
    if not xml:
        return ET.Element(f"{{{_CP_NS}}}Properties")
    try:
        return ET.fromstring(xml)
    except ET.ParseError as exc:
        raise corrupt(path, f"{_CUSTOM} 解析失败：{exc}") from None


def _is_label(prop: ET.Element) -> bool:
    return prop.get("name") == "AIGC"


def _prop_xml(prop: ET.Element) -> str:
    """Re-serialize one existing custom property (attributes and its single vt:* value)."""
    from xml.sax.saxutils import escape  # lazy: it imports urllib.request, http and ssl

    attrs = "".join(f' {k}="{escape(v, {chr(34): "&quot;"})}"' for k, v in prop.attrib.items())
    inner = ""
    for child in prop:
        local = child.tag.rsplit("}", 1)[-1]
        inner += f"<vt:{local}>{escape(''.join(child.itertext()))}</vt:{local}>"
    return f"<property{attrs}>{inner}</property>"


@register_carrier
class OoxmlCarrier(Carrier):
    name = "OOXML"
    suffixes = (".docx", ".xlsx", ".pptx", ".docm", ".xlsm", ".pptm")
    kind = "document"
    where = "docProps/custom.xml 属性 AIGC"
    magic = (b"PK\x03\x04",)

    def read(self, path: Path) -> list[str]:
        _, data = _members(path)
        root = _properties(data.get(_CUSTOM), path)
        return ["".join(child.itertext()) for prop in root if _is_label(prop) for child in prop]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        from xml.sax.saxutils import escape

        infos, data = _members(src)
        root = _properties(data.get(_CUSTOM), src)
        props = [_prop_xml(p) for p in root if not _is_label(p)]
        pids = [int(p.get("pid", "1")) for p in root if p.get("pid", "").isdigit()]
        props.append(
            f'<property fmtid="{_FMTID}" pid="{max([1, *pids]) + 1}" name="AIGC">'
            f"<vt:lpwstr>{escape(label_json)}</vt:lpwstr></property>"
        )
        custom = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Properties xmlns="{_CP_NS}" xmlns:vt="{_VT_NS}">{"".join(props)}</Properties>'
        ).encode()
        ct = data[_CT].decode("utf-8")
        if "/docProps/custom.xml" not in ct:
            override = f'<Override PartName="/{_CUSTOM}" ContentType="{escape(_CP_TYPE)}"/>'
            ct = ct.replace("</Types>", override + "</Types>")
        rels = data.get(_RELS, b"").decode("utf-8")
        if not rels:
            raise corrupt(src, f"缺少 {_RELS}")
        if _CP_REL not in rels:
            n = 1
            while f'Id="rIdAIGC{n}"' in rels:
                n += 1
            rel = f'<Relationship Id="rIdAIGC{n}" Type="{_CP_REL}" Target="{_CUSTOM}"/>'
            rels = rels.replace("</Relationships>", rel + "</Relationships>")
        new = {_CUSTOM: custom, _CT: ct.encode("utf-8"), _RELS: rels.encode("utf-8")}
        with zipfile.ZipFile(dst, "w") as out:
            for info in infos:
                out.writestr(info, new.pop(info.filename, data[info.filename]))
            for name, payload in new.items():
                out.writestr(name, payload, compress_type=zipfile.ZIP_DEFLATED)

    def content_digest(self, path: Path) -> bytes:
        _, data = _members(path)
        h = hashlib.sha256()
        for name in sorted(data):
            if name not in _LABEL_PARTS:
                h.update(name.encode() + b"\x00" + hashlib.sha256(data[name]).digest())
        return h.digest()
