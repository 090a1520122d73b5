"""IPTC DigitalSourceType export in XMP, checked with exiftool."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from beian.errors import InputError
from beian.label import (
    IPTC_SOURCE_TYPES,
    LabelPayload,
    add_label,
    carrier_for,
    read_digital_source_type,
    verify_label,
)
from tests.label._decode import decoded

PAYLOAD = LabelPayload(Label="1", ContentProducer="0011" + "91110108551385082Q" + "00000")
TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
IMAGES = ["sample.png", "sample.jpg", "sample.webp", "sample.gif", "sample.tif"]


def _exiftool_source_type(path: Path) -> str:
    return subprocess.run(
        ["exiftool", "-s3", "-XMP-iptcExt:DigitalSourceType", "-n", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()


@pytest.mark.parametrize("name", IMAGES)
def test_iptc_digital_source_type_in_xmp(name: str, make_sample: Callable[..., Path]) -> None:
    path = make_sample(name)
    before = decoded(path)
    assert add_label(path, PAYLOAD, digital_source_type="trainedAlgorithmicMedia").changed
    assert _exiftool_source_type(path) == TRAINED
    assert read_digital_source_type(path) == TRAINED
    assert len(carrier_for(path).read(path)) == 1  # still exactly one AIGC label
    assert verify_label(path).ok and decoded(path) == before
    # idempotent with the same request; relabelling without --iptc keeps the property
    assert not add_label(path, PAYLOAD, digital_source_type="trainedAlgorithmicMedia").changed
    add_label(path, PAYLOAD.with_(ProduceID="other-id"))
    assert _exiftool_source_type(path) == TRAINED and verify_label(path).ok


def test_iptc_added_to_an_already_labelled_file(make_sample: Callable[..., Path]) -> None:
    path = make_sample("sample.jpg")
    add_label(path, PAYLOAD)
    assert read_digital_source_type(path) is None
    code = "compositeWithTrainedAlgorithmicMedia"
    assert add_label(path, PAYLOAD, digital_source_type=code).changed
    assert _exiftool_source_type(path) == IPTC_SOURCE_TYPES[code]


@pytest.mark.parametrize(
    ("name", "label", "code", "match"),
    [
        ("sample.wav", "1", "trainedAlgorithmicMedia", "没有 XMP"),
        ("sample.png", "3", "trainedAlgorithmicMedia", "可能/疑似"),
        ("sample.png", "1", "algorithmicMedia", "不支持"),
    ],
)
def test_iptc_refusals(
    name: str, label: str, code: str, match: str, make_sample: Callable[..., Path]
) -> None:
    path = make_sample(name)
    with pytest.raises(InputError, match=match):
        add_label(path, PAYLOAD.with_(Label=label), digital_source_type=code)
    assert carrier_for(path).read(path) == []


def test_cli_iptc(
    cli: Callable[..., CompletedProcess[str]], make_sample: Callable[..., Path]
) -> None:
    path = make_sample("sample.jpg")
    r = cli("label", "add", str(path), "--producer", "91110108551385082Q", "--iptc")
    assert r.returncode == 0, r.stderr
    assert _exiftool_source_type(path) == TRAINED
