"""C2PA export (c2pa-python): the manifest carries the label's facts, is read back by the CAI
library and exiftool, and leaves the GB 45438 label valid."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from beian.errors import InputError
from beian.label import LabelPayload, add_label, export_c2pa, read_c2pa, verify_label
from tests.label._decode import decoded

PAYLOAD = LabelPayload(Label="1", ContentProducer="0011" + "91110108551385082Q" + "00000")
TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


FORMATS = [
    "sample.jpg",
    "sample.png",
    "sample.webp",
    "sample.gif",
    "sample.tif",
    "sample.wav",
    "sample.mp3",
    "sample.mp4",
    "sample.avi",
    "sample.pdf",
]


@pytest.mark.parametrize("name", FORMATS)
def test_c2pa_manifest_carries_the_label(
    name: str, signing: tuple[Path, Path], make_sample: Callable[..., Path]
) -> None:
    path = make_sample(name)
    add_label(path, PAYLOAD)
    label = verify_label(path).payload
    assert label is not None
    before = decoded(path)
    status = export_c2pa(path, cert_chain=signing[0], private_key=signing[1])
    assert status.state in ("Valid", "Trusted")  # a test CA is valid, not on a trust list
    assert status.digital_source_type == TRAINED
    assert status.aigc == label.fields_dict()
    assert verify_label(path).ok and decoded(path) == before  # the label and media survive
    jumbf = subprocess.run(
        ["exiftool", "-s3", "-JUMBF:JUMDLabel", str(path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if name in ("sample.jpg", "sample.png"):  # where exiftool 12.57 reads the C2PA store
        assert "c2pa" in jumbf


def test_relabelling_after_export_breaks_the_manifest(
    signing: tuple[Path, Path], make_sample: Callable[..., Path]
) -> None:
    """Order: label, then export. A later relabel changes the bytes C2PA hashed."""
    path = make_sample("sample.jpg")
    add_label(path, PAYLOAD)
    export_c2pa(path, cert_chain=signing[0], private_key=signing[1])
    add_label(path, PAYLOAD.with_(ProduceID="changed"))
    status = read_c2pa(path)
    assert status is not None and status.state == "Invalid"


@pytest.mark.parametrize(
    ("name", "label", "match"),
    [
        ("sample.jpg", None, "没有通过核验"),
        ("sample.jpg", "3", "可能/疑似"),
        ("sample.flac", "1", "不支持"),
    ],
)
def test_c2pa_refusals(
    name: str,
    label: str | None,
    match: str,
    signing: tuple[Path, Path],
    make_sample: Callable[..., Path],
) -> None:
    path = make_sample(name)
    if label is not None:
        add_label(path, PAYLOAD.with_(Label=label))
    before = path.read_bytes()
    with pytest.raises(InputError, match=match):
        export_c2pa(path, cert_chain=signing[0], private_key=signing[1])
    assert path.read_bytes() == before and read_c2pa(path) is None


def test_cli_c2pa(
    cli: Callable[..., CompletedProcess[str]],
    signing: tuple[Path, Path],
    make_sample: Callable[..., Path],
) -> None:
    path = make_sample("sample.png")
    assert cli("label", "add", str(path), "--producer", "91110108551385082Q").returncode == 0
    r = cli("label", "c2pa", str(path), "--cert", str(signing[0]), "--key", str(signing[1]))
    assert r.returncode == 0, r.stderr
    status = read_c2pa(path)
    assert status is not None and status.digital_source_type == TRAINED
