"""XMP packets carrying ``TC260:AIGC`` (namespace ``http://www.tc260.org.cn/ns/AIGC/1.0/``).

The label is written in the element form the practice guides show,
``<rdf:Description><TC260:AIGC>{JSON}</TC260:AIGC></rdf:Description>``; the attribute form
``TC260:AIGC="{JSON}"`` written by earlier versions is read too.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from collections.abc import Mapping

__all__ = [
    "DIGITAL_SOURCE_TYPE",
    "IPTC_EXT_NS",
    "TC260_NS",
    "XMP_HEADER",
    "build_xmp",
    "find_label",
    "strip_label",
    "xmp_value",
]

TC260_NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"
#: IPTC Photo Metadata extension schema; ``DigitalSourceType`` takes a NewsCodes URI.
IPTC_EXT_NS = "http://iptc.org/std/Iptc4xmpExt/2008-02-29/"
DIGITAL_SOURCE_TYPE = f"{{{IPTC_EXT_NS}}}DigitalSourceType"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_X = "adobe:ns:meta/"
_KEY = f"{{{TC260_NS}}}AIGC"
XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"  # JPEG APP1 identifier

ET.register_namespace("TC260", TC260_NS)
ET.register_namespace("Iptc4xmpExt", IPTC_EXT_NS)
ET.register_namespace("rdf", _RDF)
ET.register_namespace("x", _X)


def find_label(packet: bytes) -> list[str]:
    """Every ``TC260:AIGC`` value in an XMP packet (attribute or element form)."""
    try:
        root = ET.fromstring(_strip(packet))
    except ET.ParseError:
        return []
    found = []
    for el in root.iter():
        if _KEY in el.attrib:
            found.append(el.attrib[_KEY])
        if el.tag == _KEY and el.text:
            found.append(el.text)
    return found


def _strip(packet: bytes) -> bytes:
    start = packet.find(b"<x:xmpmeta")
    if start < 0:
        start = packet.find(b"<rdf:RDF")
    end_tag = b"</x:xmpmeta>" if packet.find(b"</x:xmpmeta>") >= 0 else b"</rdf:RDF>"
    end = packet.rfind(end_tag)
    if start < 0 or end < 0:
        return packet
    return packet[start : end + len(end_tag)]


def _parse_existing(existing: bytes | None) -> ET.Element | None:
    if not existing:
        return None
    body = _strip(existing)
    try:
        for _event, (prefix, uri) in ET.iterparse(io.BytesIO(body), events=("start-ns",)):
            if prefix and not prefix.startswith("ns"):
                ET.register_namespace(prefix, uri)
        return ET.fromstring(body)
    except (ET.ParseError, ValueError):
        return None


def _without_label(root: ET.Element) -> None:
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag == _KEY:
                parent.remove(child)
        parent.attrib.pop(_KEY, None)


def _packet(root: ET.Element) -> bytes:
    text = ET.tostring(root, encoding="unicode")
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        + text
        + '\n<?xpacket end="w"?>'
    ).encode("utf-8")


def strip_label(existing: bytes) -> bytes | None:
    """``existing`` without any ``TC260:AIGC``; ``None`` when no other property is left."""
    root = _parse_existing(existing)
    if root is None:
        return existing
    _without_label(root)
    described = [
        el
        for el in root.iter(f"{{{_RDF}}}Description")
        if len(el) or any(k != f"{{{_RDF}}}about" for k in el.attrib)
    ]
    return _packet(root) if described else None


def xmp_value(packet: bytes, key: str) -> str | None:
    """The text of a simple property (``{namespace}name``), element or attribute form."""
    try:
        root = ET.fromstring(_strip(packet))
    except ET.ParseError:
        return None
    for el in root.iter():
        if key in el.attrib:
            return el.attrib[key]
        if el.tag == key and el.text:
            return el.text
    return None


def build_xmp(
    label_json: str | None,
    existing: bytes | None = None,
    extra: Mapping[str, str] | None = None,
) -> bytes:
    """An XMP packet holding exactly one ``TC260:AIGC`` (none when ``label_json`` is None) and
    the ``extra`` simple properties (``{namespace}name`` → text, replacing earlier values);
    other properties of ``existing`` stay."""
    root = _parse_existing(existing)
    if root is None:
        root = ET.Element(f"{{{_X}}}xmpmeta")
    if root.tag == f"{{{_RDF}}}RDF":
        wrapper = ET.Element(f"{{{_X}}}xmpmeta")
        wrapper.append(root)
        root = wrapper
    rdf = root.find(f"{{{_RDF}}}RDF")
    if rdf is None:
        rdf = ET.SubElement(root, f"{{{_RDF}}}RDF")
    _without_label(root)
    desc = rdf.find(f"{{{_RDF}}}Description")
    if desc is None:
        desc = ET.SubElement(rdf, f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""})
    for key, value in (extra or {}).items():
        for parent in list(root.iter()):
            for child in [c for c in parent if c.tag == key]:
                parent.remove(child)
            parent.attrib.pop(key, None)
        ET.SubElement(desc, key).text = value
    if label_json is not None:
        ET.SubElement(desc, _KEY).text = label_json
    return _packet(root)
