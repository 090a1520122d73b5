"""Conformance corpus: conforming and non-conforming files made here, judged by our verifier
and cross-checked with independent readers: exiftool must see the same label sites, and for
MP4 ffprobe must read the label our verifier judged. The MP4 rows include a label written by
ffmpeg itself in the practice guide's keys form (``-movflags use_metadata_tags``)."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from beian.label import LabelPayload, add_label, carrier_for, propagate_label, verify_label
from tests.label._decode import exiftool_labels, ffprobe_tags
from tests.label.test_duplicates import SECOND_SITE

PAYLOAD = LabelPayload(
    Label="1", ContentProducer="0011" + "91110108551385082Q" + "00000", ProduceID="c-1"
)
_RAW = '{"AIGC":{"Label":"1","ContentProducer":"%s","ProduceID":"%s"}}'


def _conforming(path: Path, other: Path) -> None:
    add_label(path, PAYLOAD)


def _duplicate(path: Path, other: Path) -> None:  # GB 45438 6.1 c)
    add_label(path, PAYLOAD)
    # a second tEXt (PNG), EXIF UserComment (JPEG), XMP beside the Info key (PDF), a second
    # INFO list (AVI), the iTunes free-form item beside the keys form (MP4)
    SECOND_SITE["sample" + path.suffix](path, carrier_for(path).read(path)[0])


def _raw(producer: str, produce_id: str = "p-1") -> Callable[[Path, Path], None]:
    def make(path: Path, other: Path) -> None:
        carrier_for(other).write(other, path, _RAW % (producer, produce_id))

    return make


def _tampered(path: Path, other: Path) -> None:  # label moved onto other content
    add_label(path, PAYLOAD)
    carrier_for(other).write(other, path, carrier_for(path).read(path)[0])


def _ffmpeg_keys(path: Path, other: Path) -> None:
    """A producer's label written by ffmpeg in the keys form (no integrity code of ours)."""
    raw = _RAW % ("vendor", "ffmpeg-1")
    tmp = path.with_name("ffmpeg" + path.suffix)
    subprocess.run(
        [
            *("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-i", str(path), "-map", "0"),
            *("-c", "copy", "-movflags", "use_metadata_tags", "-metadata", f"AIGC={raw}", str(tmp)),
        ],
        check=True,
        timeout=60,
    )
    tmp.replace(path)


def _propagated(path: Path, other: Path) -> None:  # Labelling Measures Art. 6
    add_label(path, PAYLOAD)
    propagate_label(path, "platform-0001")


def _propagated_unlabelled(path: Path, other: Path) -> None:
    propagate_label(path, "platform-0001")


# (case, how the file is made, expected finding codes, label sites exiftool must see)
CORPUS = [
    ("conforming", _conforming, [], 1),
    ("duplicate-equal", _duplicate, ["BA-LBL-009"], 2),
    ("charset-space", _raw("0011 ACME"), ["BA-LBL-010"], 1),
    ("charset-backslash", _raw("a\\\\b"), ["BA-LBL-010"], 1),
    ("charset-unicode-escape", _raw("\\u0041"), ["BA-LBL-010"], 1),
    ("missing-produce-id", _raw("vendor", ""), ["BA-LBL-003"], 1),
    ("foreign-integrity", _raw("vendor"), ["BA-LBL-004"], 1),
    ("tampered-content", _tampered, ["BA-LBL-005"], 1),
    ("propagated", _propagated, [], 1),
    ("propagated-unlabelled", _propagated_unlabelled, [], 1),
    ("no-label", lambda path, other: None, ["BA-LBL-001"], 0),
]
FORMATS = ("sample.png", "sample.jpg", "sample.pdf", "sample.avi", "sample.mp4")


CASES = [
    pytest.param(name, *case, id=f"{case[0]}-{name}") for case in CORPUS for name in FORMATS
] + [pytest.param("sample.mp4", "ffmpeg-keys", _ffmpeg_keys, ["BA-LBL-004"], 1, id="ffmpeg-keys")]


@pytest.mark.parametrize(("name", "case", "make", "codes", "sites"), CASES)
def test_conformance_corpus(
    name: str,
    case: str,
    make: Callable[[Path, Path], None],
    codes: list[str],
    sites: int,
    make_sample: Callable[..., Path],
) -> None:
    path = make_sample(name)
    other = make_sample(name, seed=3, name=f"other{path.suffix}")
    make(path, other)
    res = verify_label(path)
    assert [r.code for r in res.reasons] == codes, [r.message for r in res.reasons]
    assert res.ok == all(c == "BA-LBL-004" for c in codes)  # 004 alone is a warning
    assert len(carrier_for(path).read(path)) == sites
    assert len(exiftool_labels(path)) == sites  # the independent reader sees the same sites
    if path.suffix == ".mp4" and sites == 1:
        assert ffprobe_tags(path)["AIGC"] == carrier_for(path).read(path)[0]
