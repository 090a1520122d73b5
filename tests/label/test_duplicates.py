"""GB 45438 6.1 c), every carrier: a file with two labels (even equal) is not conforming.

Each format gets a second label site the way another tool (or a naive writer) would add one,
made here without our writers: a second PNG ``tEXt``, EXIF ``UserComment`` beside JPEG XMP, a
second WebP ``XMP `` chunk, a second GIF XMP extension, XMP on every TIFF page, a second WAV
``AIGC`` chunk, two values of ID3 ``TXXX:AIGC`` and of the Vorbis comment ``AIGC`` (mutagen), the
iTunes free-form item beside the keys-form one (mutagen), a second AVI ``INFO`` list, XMP beside
the PDF Info key (exiftool), a second OOXML custom property, a second Markdown front-matter line
and a second plain-text label line. ``verify`` must report ``BA-LBL-009`` alone, and relabelling
must leave exactly one label.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from beian.label import LabelPayload, add_label, carrier_for, read_label, verify_label
from tests.label.conftest import SAMPLES
from tests.label.test_carriers import _with_xmp_label, with_itunes_label
from tests.label.test_sites import with_second_site

PAYLOAD = LabelPayload(Label="1", ContentProducer="0011" + "91110108551385082Q" + "00000")


def _riff_append(path: Path, fourcc: bytes, payload: bytes) -> None:
    data = path.read_bytes()
    chunk = fourcc + struct.pack("<I", len(payload)) + payload + b"\0" * (len(payload) & 1)
    body = data[12:] + chunk
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body) + 4) + data[8:12] + body)


def _png(path: Path, label: str) -> None:
    body = b"AIGC\x00" + label.encode()
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + body))
    data = path.read_bytes()
    path.write_bytes(data[:33] + chunk + data[33:])  # right after IHDR


def _webp(path: Path, label: str) -> None:
    data = path.read_bytes()
    at = data.index(b"XMP ")
    n = struct.unpack_from("<I", data, at + 4)[0]
    _riff_append(path, b"XMP ", data[at + 8 : at + 8 + n])


def _gif(path: Path, label: str) -> None:
    data = path.read_bytes()
    start = data.index(b"\x21\xff\x0bXMP DataXMP")
    trailer = b"\x01" + bytes(range(255, -1, -1)) + b"\x00"
    end = data.index(trailer, start) + len(trailer)
    assert data.endswith(b"\x3b")
    path.write_bytes(data[:-1] + data[start:end] + b"\x3b")


def _pages(path: Path, xmp: bytes | None = None) -> None:
    """The sample as two pages (the second rotated), saved by Pillow, with ``xmp`` on each."""
    from PIL import Image

    with Image.open(path) as im:
        im.load()
        first = im.copy()
    extra = {} if xmp is None else {"tiffinfo": {700: xmp}}  # tag 0x2BC, XMP
    first.save(path, save_all=True, append_images=[first.rotate(90)], **extra)


def _tiff(path: Path, label: str) -> None:
    """The same two pages saved again by Pillow with the label's XMP on every page."""
    packet = (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        'xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/"><TC260:AIGC>'
        + label.replace("&", "&amp;").replace("<", "&lt;")
        + "</TC260:AIGC></rdf:Description></rdf:RDF></x:xmpmeta>"
    )
    _pages(path, packet.encode())


def _wav(path: Path, label: str) -> None:
    _riff_append(path, b"AIGC", label.encode())


def _id3(path: Path, label: str) -> None:
    from mutagen.id3 import ID3, TXXX

    tags = ID3(path)
    tags.delall("TXXX:AIGC")
    tags.add(TXXX(encoding=0, desc="AIGC", text=[label, label]))  # type: ignore[no-untyped-call]
    tags.save(path)


def _vorbis(path: Path, label: str) -> None:
    import mutagen

    f = mutagen.File(path)
    assert f is not None and f.tags is not None
    f.tags["AIGC"] = [label, label]
    f.save()


def _ooxml(path: Path, label: str) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    custom = parts["docProps/custom.xml"].decode()
    prop = re.search(r"<property [^>]*name=\"AIGC\".*?</property>", custom, re.S)
    assert prop is not None
    copy = re.sub(r'pid="\d+"', 'pid="99"', prop.group(0))
    parts["docProps/custom.xml"] = custom.replace("</Properties>", copy + "</Properties>").encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    path.write_bytes(buf.getvalue())


def _markdown(path: Path, label: str) -> None:
    text = path.read_text("utf-8")
    head, sep, rest = text.partition("\n---\n")
    path.write_text(f"{head}\nAIGC: '{label}'{sep}{rest}", "utf-8")


def _text(path: Path, label: str) -> None:
    with path.open("ab") as fh:
        fh.write(b"AIGC:" + label.encode() + b"\n")


SECOND_SITE: dict[str, Callable[[Path, str], None]] = {
    "sample.png": _png,
    "sample.jpg": with_second_site,  # EXIF UserComment (exiftool) beside XMP
    "sample.webp": _webp,
    "sample.gif": _gif,
    "sample.tif": _tiff,
    "sample.wav": _wav,
    "sample.mp3": _id3,
    "sample.flac": _vorbis,
    "sample.ogg": _vorbis,
    "sample.mp4": with_itunes_label,  # mutagen puts it into the keys-form ilst
    "sample.mov": with_itunes_label,
    "sample.avi": with_second_site,  # a trailing LIST/INFO
    "sample.pdf": _with_xmp_label,  # XMP (exiftool) beside the Info key
    "sample.docx": _ooxml,
    "sample.xlsx": _ooxml,
    "sample.pptx": _ooxml,
    "sample.md": _markdown,
    "sample.txt": _text,
}


def test_every_sample_has_a_second_site_maker() -> None:
    assert set(SECOND_SITE) == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SECOND_SITE))
def test_two_equal_labels_are_not_conforming(name: str, make_sample: Callable[..., Path]) -> None:
    path = make_sample(name)
    if name == "sample.tif":
        _pages(path)  # a multi-page TIFF: the second site is the second page's XMP
    add_label(path, PAYLOAD)
    carrier = carrier_for(path)
    [label] = carrier.read(path)  # our writer left exactly one label
    SECOND_SITE[name](path, label)
    assert carrier.read(path) == [label, label]
    assert read_label(path) is not None  # equal copies still read as one label
    res = verify_label(path)
    assert not res.ok and [r.code for r in res.reasons] == ["BA-LBL-009"], [
        r.message for r in res.reasons
    ]
    assert add_label(path, PAYLOAD).changed  # relabelling keeps one site
    assert carrier.read(path) == [label]
    assert verify_label(path).ok
