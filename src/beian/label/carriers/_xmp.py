"""XMP packets carrying ``TC260:AIGC`` (namespace ``http://www.tc260.org.cn/ns/AIGC/1.0/``)."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

__all__ = ["TC260_NS", "XMP_HEADER", "build_xmp", "find_label"]

TC260_NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_X = "adobe:ns:meta/"
_KEY = f"{{{TC260_NS}}}AIGC"
XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\x00"  # JPEG APP1 identifier

ET.register_namespace("TC260", TC260_NS)
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


def build_xmp(label_json: str, existing: bytes | None = None) -> bytes:
    """An XMP packet holding exactly one ``TC260:AIGC``; other properties of ``existing`` stay."""
    root = None
    if existing:
        body = _strip(existing)
        try:
            for _event, (prefix, uri) in ET.iterparse(io.BytesIO(body), events=("start-ns",)):
                if prefix and not prefix.startswith("ns"):
                    ET.register_namespace(prefix, uri)
            root = ET.fromstring(body)
        except (ET.ParseError, ValueError):
            root = None
    if root is None:
        root = ET.Element(f"{{{_X}}}xmpmeta")
    if root.tag == f"{{{_RDF}}}RDF":
        wrapper = ET.Element(f"{{{_X}}}xmpmeta")
        wrapper.append(root)
        root = wrapper
    rdf = root.find(f"{{{_RDF}}}RDF")
    if rdf is None:
        rdf = ET.SubElement(root, f"{{{_RDF}}}RDF")
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag == _KEY:
                parent.remove(child)
        parent.attrib.pop(_KEY, None)
    desc = rdf.find(f"{{{_RDF}}}Description")
    if desc is None:
        desc = ET.SubElement(rdf, f"{{{_RDF}}}Description", {f"{{{_RDF}}}about": ""})
    desc.set(_KEY, label_json)
    text = ET.tostring(root, encoding="unicode")
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        + text
        + '\n<?xpacket end="w"?>'
    ).encode("utf-8")
