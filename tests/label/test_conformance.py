"""Conformance corpus: conforming and non-conforming files made here, judged by our verifier
and cross-checked with an independent reader (exiftool): it must see the same label sites."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from beian.label import LabelPayload, add_label, carrier_for, propagate_label, verify_label
from tests.label._decode import exiftool_labels
from tests.label.test_carriers import _with_xmp_label
from tests.label.test_sites import with_second_site

PAYLOAD = LabelPayload(
    Label="1", ContentProducer="0011" + "91110108551385082Q" + "00000", ProduceID="c-1"
)
_RAW = '{"AIGC":{"Label":"1","ContentProducer":"%s","ProduceID":"%s"}}'


def _conforming(path: Path, other: Path) -> None:
    add_label(path, PAYLOAD)


def _duplicate(path: Path, other: Path) -> None:  # GB 45438 6.1 c)
    add_label(path, PAYLOAD)
    label = carrier_for(path).read(path)[0]
    if path.suffix in (".jpg", ".avi"):
        with_second_site(path, label)  # EXIF UserComment; a second INFO entry
    else:
        _with_xmp_label(path, label)  # XMP beside tEXt / the PDF Info key


def _raw(producer: str, produce_id: str = "p-1") -> Callable[[Path, Path], None]:
    def make(path: Path, other: Path) -> None:
        carrier_for(other).write(other, path, _RAW % (producer, produce_id))

    return make


def _tampered(path: Path, other: Path) -> None:  # label moved onto other content
    add_label(path, PAYLOAD)
    carrier_for(other).write(other, path, carrier_for(path).read(path)[0])


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


CASES = [
    pytest.param(name, *case, id=f"{case[0]}-{name}")
    for case in CORPUS
    for name in ("sample.png", "sample.jpg", "sample.pdf", "sample.avi")
]


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
