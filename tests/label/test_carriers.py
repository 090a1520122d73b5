"""Every carrier, table-driven: write → read back → verify, decoding, idempotence, tampering."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from beian.errors import InputError
from beian.label import (
    LabelPayload,
    add_label,
    all_carriers,
    carrier_for,
    read_label,
    verify_label,
)
from tests.label._decode import decoded, exiftool_tags, ffprobe_tags
from tests.label.conftest import SAMPLES
from tests.support.office import libreoffice_convert

PRODUCER = "0011" + "91110108551385082Q" + "00001"
PAYLOAD = LabelPayload(Label="1", ContentProducer=PRODUCER, ProduceID="gen-0001")

# Where exiftool must see the label (PNG text, XMP, ID3, Vorbis, QuickTime, PDF Info, OOXML).
EXIFTOOL_GROUPS: dict[str, set[str]] = {
    "sample.png": {"PNG:AIGC"},
    "sample.jpg": {"XMP-TC260:Aigc"},
    "sample.webp": {"XMP-TC260:Aigc"},
    "sample.gif": {"XMP-TC260:Aigc"},
    "sample.tif": {"XMP-TC260:Aigc"},
    "sample.mp3": {"ID3v2_4:UserDefinedText"},
    "sample.flac": {"Vorbis:Aigc"},
    "sample.ogg": {"Vorbis:Aigc"},
    "sample.mp4": {"Keys:AIGC"},
    "sample.mov": {"Keys:AIGC"},
    "sample.avi": {"RIFF:Unknown_AIGC"},
    "sample.pdf": {"PDF:AIGC"},
    "sample.docx": {"XML:AIGC"},
    "sample.xlsx": {"XML:AIGC"},
    "sample.pptx": {"XML:AIGC"},
}
# Formats where a cut file is still a valid (shorter) file: plain text and Markdown.
TRUNCATION_UNDETECTABLE = {"sample.md", "sample.txt"}

NAMES = sorted(SAMPLES)


def test_every_carrier_has_a_sample() -> None:
    covered: set[str] = set()
    for name in NAMES:
        covered |= {c.name for c in all_carriers().values() if Path(name).suffix in c.suffixes}
    assert covered == set(all_carriers())


@pytest.mark.parametrize("name", NAMES)
def test_write_read_verify_and_content_unchanged(
    name: str, make_sample: Callable[..., Path]
) -> None:
    path = make_sample(name)
    before = decoded(path)
    assert read_label(path) is None
    assert verify_label(path).reasons[0].code == "BA-LBL-001"

    result = add_label(path, PAYLOAD)
    assert result.changed
    got = read_label(path)
    assert got is not None and got == result.payload
    assert got.ContentProducer == PRODUCER and got.ReservedCode1.startswith("bi1.sha256.")
    res = verify_label(path)
    assert res.ok, [r.message for r in res.reasons]
    assert decoded(path) == before  # independent decoders see the same media content

    expected = EXIFTOOL_GROUPS.get(name)
    if expected is not None:
        tags = exiftool_tags(path)
        assert expected <= set(tags), tags
        for tag in expected:
            assert got.to_json() in tags[tag]
        assert len(tags) == 1, tags  # GB 45438 6.1 c): one label per file


@pytest.mark.parametrize("name", NAMES)
def test_idempotent_and_replace(name: str, make_sample: Callable[..., Path]) -> None:
    path = make_sample(name)
    add_label(path, PAYLOAD)
    once = path.read_bytes()
    again = add_label(path, PAYLOAD)
    assert not again.changed
    assert path.read_bytes() == once

    other = PAYLOAD.with_(Label="2", ContentPropagator="0012" + "91440300MA5F3Y1X21" + "00000")
    add_label(path, other)
    carrier = carrier_for(path)
    raw = carrier.read(path)
    assert len(raw) == 1 and '"Label":"2"' in raw[0]  # one label site, the new one
    assert verify_label(path).ok
    tags = exiftool_tags(path) if name in EXIFTOOL_GROUPS else {}
    assert all('"Label":"2"' in v for v in tags.values())


@pytest.mark.parametrize("name", NAMES)
def test_altered_content_fails_verify(name: str, make_sample: Callable[..., Path]) -> None:
    """The label of one file transplanted onto other content: verify must fail."""
    path = make_sample(name)
    add_label(path, PAYLOAD)
    label_json = read_label(path)
    assert label_json is not None
    other = make_sample(name, seed=7, name=f"other{path.suffix}")
    forged = other.with_name(f"forged{path.suffix}")
    carrier_for(other).write(other, forged, label_json.to_json())
    res = verify_label(forged)
    assert not res.ok
    assert [r.code for r in res.reasons] == ["BA-LBL-005"]


@pytest.mark.parametrize("name", NAMES)
def test_forged_fields_and_signatures(name: str, make_sample: Callable[..., Path]) -> None:
    key, stranger = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    path = make_sample(name)
    add_label(path, PAYLOAD, key=key)
    good = verify_label(path, key.public_key())
    assert good.ok and good.signed and good.signature_checked
    bad = verify_label(path, stranger.public_key())
    assert [r.code for r in bad.reasons] == ["BA-LBL-006"]

    label = read_label(path)
    assert label is not None
    forged = path.with_name(f"forged{path.suffix}")
    carrier_for(path).write(path, forged, label.with_(ContentProducer="0011" + "X" * 23).to_json())
    res = verify_label(forged, key.public_key())
    assert {r.code for r in res.reasons} == {"BA-LBL-005"}


@pytest.mark.parametrize("name", [n for n in NAMES if n not in TRUNCATION_UNDETECTABLE])
def test_truncated_file_is_refused_untouched(name: str, make_sample: Callable[..., Path]) -> None:
    path = make_sample(name)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * 0.6)])
    cut = path.read_bytes()
    with pytest.raises(InputError) as exc:
        add_label(path, PAYLOAD)
    assert "损坏" in exc.value.what and exc.value.where == str(path)
    assert path.read_bytes() == cut
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temp files left
    assert verify_label(path).reasons[0].code == "BA-LBL-008"


@pytest.mark.parametrize("name", [n for n in NAMES if n not in TRUNCATION_UNDETECTABLE])
def test_garbage_with_right_extension_is_refused(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(b"this is not media at all " * 20)
    with pytest.raises(InputError):
        add_label(path, PAYLOAD)
    assert path.read_bytes() == b"this is not media at all " * 20


def test_conflicting_labels_are_reported(make_sample: Callable[..., Path]) -> None:
    """A PNG whose tEXt and XMP disagree: read_label errors, verify says BA-LBL-002."""
    import struct
    import zlib

    path = make_sample("sample.png")
    add_label(path, PAYLOAD)
    data = path.read_bytes()
    body = b"AIGC\x00" + PAYLOAD.with_(Label="3").to_json().encode()
    chunk = (
        struct.pack(">I", len(body))
        + b"tEXt"
        + body
        + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    )
    path.write_bytes(data[:33] + chunk + data[33:])
    with pytest.raises(InputError, match="不一致"):
        read_label(path)
    assert verify_label(path).reasons[0].code == "BA-LBL-002"
    add_label(path, PAYLOAD)  # rewriting leaves exactly one label
    assert verify_label(path).ok


def _with_xmp_label(path: Path, label_json: str) -> None:
    """Add a second label site the way other tools do: XMP TC260:AIGC written by exiftool."""
    import subprocess

    cfg = path.parent / "tc260.config"
    cfg.write_text(
        "%Image::ExifTool::UserDefined = ('Image::ExifTool::XMP::Main' => { TC260 => {"
        " SubDirectory => { TagTable => 'Image::ExifTool::UserDefined::TC260' } } });\n"
        "%Image::ExifTool::UserDefined::TC260 = (GROUPS => { 0 => 'XMP', 1 => 'XMP-TC260' },"
        " NAMESPACE => { TC260 => 'http://www.tc260.org.cn/ns/AIGC/1.0/' },"
        " WRITABLE => 'string', AIGC => { });\n1;\n",
        encoding="utf-8",
    )
    subprocess.run(
        [
            "exiftool",
            "-config",
            str(cfg),
            "-q",
            "-overwrite_original",
            f"-XMP-TC260:AIGC={label_json}",
            str(path),
        ],
        check=True,
        timeout=60,
    )


@pytest.mark.parametrize("name", ["sample.png", "sample.pdf"])
def test_equal_duplicate_labels_are_not_conforming(
    name: str, make_sample: Callable[..., Path]
) -> None:
    """Two sites with the same label (tEXt + XMP, Info + XMP): GB 45438 6.1 c) → BA-LBL-009."""
    path = make_sample(name)
    add_label(path, PAYLOAD)
    label = read_label(path)
    assert label is not None
    _with_xmp_label(path, label.to_json())
    assert carrier_for(path).read(path) == [label.to_json()] * 2
    assert read_label(path) == label  # equal copies still read as one label
    res = verify_label(path)
    assert not res.ok and [r.code for r in res.reasons] == ["BA-LBL-009"]
    assert add_label(path, PAYLOAD).changed  # rewriting keeps the practice guide's site only
    assert carrier_for(path).read(path) == [label.to_json()]
    assert verify_label(path).ok


def test_existing_xmp_and_properties_are_kept(make_sample: Callable[..., Path]) -> None:
    """Labelling keeps other metadata: a JPEG with dc:title XMP, a DOCX custom property."""
    import subprocess

    jpg = make_sample("sample.jpg")
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", "-XMP-dc:Title=样张", str(jpg)], check=True
    )
    add_label(jpg, PAYLOAD)
    out = subprocess.run(
        ["exiftool", "-s3", "-XMP-dc:Title", str(jpg)], capture_output=True, text=True
    )
    assert out.stdout.strip() == "样张"
    assert verify_label(jpg).ok


def test_sm3_digest(make_sample: Callable[..., Path]) -> None:
    path = make_sample("sample.wav")
    add_label(path, PAYLOAD, digest_alg="sm3")
    label = read_label(path)
    assert label is not None and label.ReservedCode1.startswith("bi1.sm3.")
    assert verify_label(path).ok
    data = bytearray(path.read_bytes())
    data[60] ^= 0xFF  # one sample byte inside the data chunk
    path.write_bytes(bytes(data))
    assert [r.code for r in verify_label(path).reasons] == ["BA-LBL-005"]


def test_unsigned_label_with_pubkey_and_foreign_reserved_code(
    make_sample: Callable[..., Path],
) -> None:
    path = make_sample("sample.md")
    add_label(path, PAYLOAD)
    res = verify_label(path, Ed25519PrivateKey.generate().public_key())
    assert [r.code for r in res.reasons] == ["BA-LBL-007"]
    foreign = path.with_name("foreign.md")
    carrier_for(path).write(path, foreign, PAYLOAD.with_(ReservedCode1="vendor-xyz").to_json())
    res = verify_label(foreign)
    assert res.ok and [r.code for r in res.reasons] == ["BA-LBL-004"]


def test_unsupported_and_mismatched(tmp_path: Path, make_sample: Callable[..., Path]) -> None:
    odd = tmp_path / "a.xyz"
    odd.write_bytes(b"x")
    with pytest.raises(InputError, match="不支持"):
        add_label(odd, PAYLOAD)
    png = make_sample("sample.png")
    fake = tmp_path / "fake.jpg"
    shutil.copyfile(png, fake)
    with pytest.raises(InputError, match="JPEG"):
        add_label(fake, PAYLOAD)


@pytest.mark.slow
def test_labelled_office_files_open_in_libreoffice(
    make_sample: Callable[..., Path], tmp_path: Path
) -> None:
    docx, xlsx = make_sample("sample.docx"), make_sample("sample.xlsx")
    add_label(docx, PAYLOAD)
    add_label(xlsx, PAYLOAD)
    out = tmp_path / "lo"
    for path, target in ((docx, "txt:Text"), (xlsx, "csv")):
        libreoffice_convert([path], target, out, profile=tmp_path / "profile", timeout=180)
    assert "Generated sample paragraph 0" in (out / "sample.txt").read_text(encoding="utf-8-sig")
    assert (out / "sample.csv").read_text(encoding="utf-8").splitlines()[:2] == ["sample,", ",42"]


@pytest.mark.parametrize("faststart", [False, True])
def test_mp4_keys_form_round_trip_with_ffmpeg(tmp_path: Path, faststart: bool) -> None:
    """ffmpeg writes the practice guide's keys form; we read it, replace it, ffprobe reads ours.

    With ``+faststart`` moov sits before mdat, so rewriting moov shifts every chunk offset.
    """
    import subprocess

    path = tmp_path / "keys.mp4"
    theirs = PAYLOAD.with_(ProduceID="from-ffmpeg").to_json()
    subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=64x48:rate=5:duration=1",
            "-c:v",
            "libx264",
            "-movflags",
            "use_metadata_tags" + ("+faststart" if faststart else ""),
            "-metadata",
            f"AIGC={theirs}",
            str(path),
        ],
        check=True,
        timeout=60,
    )
    assert exiftool_tags(path) == {"Keys:AIGC": theirs}
    got = read_label(path)
    assert got is not None and got.ProduceID == "from-ffmpeg"
    assert [r.code for r in verify_label(path).reasons] == ["BA-LBL-004"]  # not our integrity code
    before = decoded(path)
    encoder = ffprobe_tags(path)["encoder"]

    ours = add_label(path, PAYLOAD).payload.to_json()
    assert carrier_for(path).read(path) == [ours]  # replaced, not added beside it
    tags = ffprobe_tags(path)
    assert tags["AIGC"] == ours and tags["encoder"] == encoder  # other keys are kept
    assert exiftool_tags(path) == {"Keys:AIGC": ours}
    assert decoded(path) == before
    assert verify_label(path).ok


def with_itunes_label(path: Path, label: str) -> None:
    """The label as an iTunes free-form item ``----:com.apple.iTunes:AIGC``, written by mutagen."""
    from mutagen.mp4 import MP4, AtomDataType, MP4FreeForm

    f = MP4(path)
    if f.tags is None:
        f.add_tags()
    assert f.tags is not None
    f.tags["----:com.apple.iTunes:AIGC"] = [MP4FreeForm(label.encode(), AtomDataType.UTF8)]
    f.save()


def test_mp4_itunes_freeform_label_is_read_and_replaced(make_sample: Callable[..., Path]) -> None:
    """A label in the iTunes free-form item (earlier versions) is one site; relabelling moves it."""
    path = make_sample("sample.mp4")
    old = PAYLOAD.with_(ProduceID="itunes-form").to_json()
    with_itunes_label(path, old)
    assert carrier_for(path).read(path) == [old]
    ours = add_label(path, PAYLOAD).payload.to_json()
    assert carrier_for(path).read(path) == [ours]
    # mutagen puts a free-form item into the keys-form ilst: read there, kept when relabelling
    from mutagen.mp4 import MP4, AtomDataType, MP4FreeForm

    f = MP4(path)
    assert f.tags is not None
    f.tags["----:com.apple.iTunes:note"] = [MP4FreeForm(b"kept", AtomDataType.UTF8)]
    f.save()
    add_label(path, PAYLOAD.with_(Label="2"))
    assert ffprobe_tags(path)["note"] == "kept"
    assert verify_label(path).ok
    assert set(exiftool_tags(path)) == {"Keys:AIGC"}


@pytest.mark.parametrize(
    ("front", "found"),
    [
        ("AIGC: '{\"Label\": \"1\"}'\ntitle: 标题\n", ['{"Label": "1"}']),
        ("title: 标题\nAIGC: {Label: '1'}\n", ['{"Label": "1"}']),  # a mapping, read as JSON
        ("title: 标题\nAIGC: '{\"Label\": \"1\"\n", None),  # unclosed quote on line 3
    ],
)
def test_markdown_front_matter_label(tmp_path: Path, front: str, found: list[str] | None) -> None:
    path = tmp_path / "a.md"
    path.write_text(f"---\n{front}---\n正文\n", "utf-8")
    if found is not None:
        assert carrier_for(path).read(path) == found
        return
    with pytest.raises(InputError) as exc:
        carrier_for(path).read(path)
    assert "损坏" in exc.value.what and "第 3 行" in exc.value.what
