"""Label sites beyond the first: JPEG EXIF UserComment, AVI LIST/INFO placement, TIFF pages,
and the coded-content digest (metadata edits by other tools keep a label valid, a changed byte
of the media does not)."""

from __future__ import annotations

import struct
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from beian.label import LabelPayload, add_label, carrier_for, read_label, verify_label
from tests.label._decode import (
    decoded,
    exiftool_labels,
    exiftool_tags,
    ffmpeg_md5,
    ffprobe_tags,
)

PAYLOAD = LabelPayload(Label="1", ContentProducer="0011" + "91110108551385082Q" + "00000")


def _exiftool(path: Path, *args: str) -> None:
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", *args, str(path)], check=True, timeout=60
    )


def _labelled_jpeg(make_sample: Callable[..., Path]) -> tuple[Path, LabelPayload]:
    path = make_sample("sample.jpg")
    add_label(path, PAYLOAD)
    label = read_label(path)
    assert label is not None
    return path, label


def test_jpeg_label_in_exif_user_comment_is_read(make_sample: Callable[..., Path]) -> None:
    """A label only in EXIF UserComment (written by exiftool) is read and verifies."""
    path, label = _labelled_jpeg(make_sample)
    _exiftool(path, f"-UserComment={label.to_json()}", "-XMP:all=")
    assert set(exiftool_tags(path)) == {"ExifIFD:UserComment"}
    assert carrier_for(path).read(path) == [label.to_json()]
    assert verify_label(path).ok


def test_jpeg_xmp_and_exif_labels_are_two_labels(make_sample: Callable[..., Path]) -> None:
    """XMP + UserComment with the same label: BA-LBL-009; rewriting blanks the comment."""
    path, label = _labelled_jpeg(make_sample)
    _exiftool(path, f"-UserComment={label.to_json()}", "-Artist=someone")
    assert set(exiftool_tags(path)) == {"ExifIFD:UserComment", "XMP-TC260:Aigc"}
    assert [r.code for r in verify_label(path).reasons] == ["BA-LBL-009"]
    before = decoded(path)
    assert add_label(path, PAYLOAD.with_(Label="2")).changed
    assert set(exiftool_tags(path)) == {"XMP-TC260:Aigc"}
    out = subprocess.run(
        ["exiftool", "-s3", "-Artist", str(path)], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "someone"  # the rest of EXIF is untouched
    assert verify_label(path).ok and decoded(path) == before


def _avi_without_room(src: Path, dst: Path, keep_info: bool) -> None:
    """``src`` with its JUNK padding (and INFO list) removed (idx1 offsets are movi-relative)."""
    data, pos, out = src.read_bytes(), 12, b""
    while pos < len(data):
        fourcc, n = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        whole = data[pos : pos + 8 + n + (n & 1)]
        info = fourcc == b"LIST" and whole[8:12] == b"INFO"
        if fourcc != b"JUNK" and (keep_info or not info):
            out += whole
        pos += len(whole)
    dst.write_bytes(b"RIFF" + struct.pack("<I", len(out) + 4) + b"AVI " + out)


@pytest.mark.parametrize(
    ("room", "keep_info"),
    [(True, True), (False, False), (False, True)],
    ids=["junk-room", "appended", "info-without-junk"],
)
def test_avi_info_label_read_by_ffprobe_and_exiftool(
    room: bool, keep_info: bool, make_sample: Callable[..., Path]
) -> None:
    path = make_sample("sample.avi")
    if not room:
        _avi_without_room(path, path, keep_info)
    size, md5 = path.stat().st_size, ffmpeg_md5(path)
    for label in ("1", "2", "3"):  # relabelling never adds a second site
        add_label(path, PAYLOAD.with_(Label=label))
        got = read_label(path)
        assert got is not None and got.Label == label
        tags = ffprobe_tags(path)
        assert tags["AIGC"] == got.to_json() and ("software" in tags) == keep_info
        assert [v for _, v in exiftool_labels(path)] == [got.to_json()]
        assert verify_label(path).ok
    assert ffmpeg_md5(path) == md5
    assert (path.stat().st_size == size) == room  # the header's JUNK absorbed the label


def with_second_site(path: Path, label: str) -> None:
    """A second label site: EXIF UserComment by exiftool (JPEG), a trailing INFO list (AVI)."""
    if path.suffix == ".jpg":
        _exiftool(path, f"-UserComment={label}")
        return
    data = path.read_bytes()
    entry = b"AIGC" + struct.pack("<I", len(label) + 1) + label.encode() + b"\0"
    entry += b"\0" * (len(entry) & 1)
    info = b"LIST" + struct.pack("<I", len(entry) + 4) + b"INFO" + entry
    body = data[12:] + info
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body) + 4) + b"AVI " + body)


def test_avi_two_info_labels_are_two_labels(make_sample: Callable[..., Path]) -> None:
    path = make_sample("sample.avi")
    add_label(path, PAYLOAD)
    with_second_site(path, carrier_for(path).read(path)[0])
    assert len(exiftool_labels(path)) == len(carrier_for(path).read(path)) == 2
    assert [r.code for r in verify_label(path).reasons] == ["BA-LBL-009"]
    add_label(path, PAYLOAD.with_(Label="2"))
    assert len(carrier_for(path).read(path)) == 1 and verify_label(path).ok


def test_multi_page_tiff_has_one_label(tmp_path: Path) -> None:
    import numpy as np
    from PIL import Image

    path = tmp_path / "pages.tif"
    im = Image.fromarray(np.random.default_rng(1).integers(0, 255, (30, 40, 3), dtype=np.uint8))
    im.save(path, save_all=True, append_images=[im.rotate(90), im.convert("L")])
    before = decoded(path)
    add_label(path, PAYLOAD)
    add_label(path, PAYLOAD.with_(Label="3"))
    assert len(carrier_for(path).read(path)) == 1 and verify_label(path).ok
    assert b'"Label":"1"' not in path.read_bytes()  # the replaced label left no stale copy
    with Image.open(path) as got:
        assert got.n_frames == 3
    assert decoded(path) == before


# Formats exiftool can write: another tool editing unrelated metadata keeps the label valid.
EXIFTOOL_WRITABLE = [
    "sample.png",
    "sample.jpg",
    "sample.webp",
    "sample.gif",
    "sample.tif",
    "sample.mp4",
    "sample.pdf",
]


@pytest.mark.parametrize("name", EXIFTOOL_WRITABLE)
def test_other_metadata_edits_keep_the_label_valid(
    name: str, make_sample: Callable[..., Path]
) -> None:
    path = make_sample(name)
    add_label(path, PAYLOAD)
    _exiftool(path, "-XMP-dc:Creator=另一个工具")
    res = verify_label(path)
    assert res.ok, [r.message for r in res.reasons]


MEDIA = [
    "sample.png",
    "sample.jpg",
    "sample.webp",
    "sample.gif",
    "sample.tif",
    "sample.wav",
    "sample.mp3",
    "sample.flac",
    "sample.ogg",
    "sample.mp4",
    "sample.avi",
]


@pytest.mark.parametrize("name", MEDIA)
def test_one_changed_media_byte_fails_verify(name: str, make_sample: Callable[..., Path]) -> None:
    """Flip one byte in the second half of the file (media data, not the label)."""
    path = make_sample(name)
    add_label(path, PAYLOAD)
    data = bytearray(path.read_bytes())
    label_at = data.find(b'{"AIGC"')
    at = len(data) * 3 // 4
    assert not label_at <= at < label_at + 400
    data[at] ^= 0x01
    path.write_bytes(bytes(data))
    res = verify_label(path)
    assert not res.ok
    assert {r.code for r in res.reasons} <= {"BA-LBL-005", "BA-LBL-008"}


@pytest.mark.parametrize(
    ("mode", "save"),
    [
        ("RGB", {"quality": 80}),
        ("RGB", {"lossless": True}),
        ("RGBA", {"lossless": True}),
        ("RGBA", {"quality": 80}),
    ],
    ids=["vp8", "vp8l", "vp8l-alpha", "vp8-alpha"],
)
def test_webp_simple_and_extended_headers(
    mode: str, save: dict[str, object], tmp_path: Path
) -> None:
    """A VP8X header is added from the bitstream's own size and alpha bit; Pillow agrees."""
    import numpy as np
    from PIL import Image

    path = tmp_path / "v.webp"
    rng = np.random.default_rng(2)
    Image.fromarray(rng.integers(0, 255, (37, 53, len(mode)), dtype=np.uint8), mode).save(
        path, **save
    )
    before = decoded(path)
    add_label(path, PAYLOAD)
    with Image.open(path) as im:
        assert im.size == (53, 37) and im.mode == mode
    assert decoded(path) == before and verify_label(path).ok
    assert "XMP-TC260:Aigc" in exiftool_tags(path)
