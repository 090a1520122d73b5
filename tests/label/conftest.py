"""Sample media for the label tests, generated on the fly with Pillow, ffmpeg, fpdf2, etc."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

FFMPEG = shutil.which("ffmpeg")


Maker = Callable[[Path, int], None]  # (path, seed): a different seed gives different content


def _image(kind: str) -> Maker:
    def make(path: Path, seed: int) -> None:
        from PIL import Image

        rng = np.random.default_rng(seed)
        arr = rng.integers(0, 255, (48, 64, 3), dtype=np.uint8)
        im = Image.fromarray(arr)
        if kind == "GIF":
            frames = [im.quantize(64), Image.fromarray(255 - arr).quantize(64)]
            frames[0].save(path, save_all=True, append_images=frames[1:], duration=100, loop=0)
        elif kind == "JPEG":
            im.save(path, quality=90)
        elif kind == "WEBP":
            im.save(path, lossless=True)
        elif kind == "TIFF":
            im.save(path, compression="tiff_lzw")
        else:
            im.save(path)

    return make


def _wav(path: Path, seed: int) -> None:
    t = np.arange(8000) / 8000
    samples = (0.3 * np.sin(2 * np.pi * (440 + 100 * seed) * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(samples.tobytes())


def _ff(*args: str) -> Maker:
    def make(path: Path, seed: int) -> None:
        assert FFMPEG, "ffmpeg is required by the label tests (installed by scripts/test)"
        argv = [a.replace("440", str(440 + 100 * seed)) for a in args]
        subprocess.run(
            [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *argv, str(path)],
            check=True,
            timeout=60,
        )

    return make


_SINE = ("-f", "lavfi", "-i", "sine=frequency=440:duration=1:sample_rate=22050")
_VIDEO = (
    "-f",
    "lavfi",
    "-i",
    "testsrc=size=160x120:rate=10:duration=3",
    *_SINE[:2],
    "-i",
    "sine=frequency=440:duration=3",
    "-shortest",
    "-c:v",
    "libx264",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
)


def _pdf(path: Path, seed: int) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(text=f"Generated sample page {seed}")
    pdf.output(str(path))


def _docx(path: Path, seed: int) -> None:
    import docx

    d = docx.Document()
    d.add_paragraph(f"Generated sample paragraph {seed}")
    d.save(str(path))


def _xlsx(path: Path, seed: int) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "sample"
    ws["B2"] = 42 + seed
    wb.save(str(path))


def _pptx(path: Path, seed: int) -> None:
    from pptx import Presentation

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = f"Generated slide {seed}"
    prs.save(str(path))


def _md(path: Path, seed: int) -> None:
    path.write_text(f"---\ntitle: 样例\n---\n# 标题\n\n这是生成的正文{seed}。\n", encoding="utf-8")


def _txt(path: Path, seed: int) -> None:
    path.write_text(f"第一行文字\n第二行文字{seed}", encoding="gb18030")


#: (file name, maker) per carrier; the tests are table-driven over this list.
SAMPLES: dict[str, Maker] = {
    "sample.png": _image("PNG"),
    "sample.jpg": _image("JPEG"),
    "sample.webp": _image("WEBP"),
    "sample.gif": _image("GIF"),
    "sample.tif": _image("TIFF"),
    "sample.wav": _wav,
    "sample.mp3": _ff(*_SINE, "-c:a", "libmp3lame", "-b:a", "64k"),
    "sample.flac": _ff(*_SINE, "-c:a", "flac"),
    "sample.ogg": _ff(*_SINE, "-c:a", "libvorbis"),
    "sample.mp4": _ff(*_VIDEO),
    "sample.mov": _ff(*_VIDEO),
    "sample.avi": _ff(*_VIDEO[:-6], "-c:v", "mpeg4", "-c:a", "libmp3lame"),
    "sample.pdf": _pdf,
    "sample.docx": _docx,
    "sample.xlsx": _xlsx,
    "sample.pptx": _pptx,
    "sample.md": _md,
    "sample.txt": _txt,
}


@pytest.fixture
def make_sample(tmp_path: Path) -> Callable[..., Path]:
    """``make_sample("x.png", seed=0, name="other.png")`` writes a fresh sample under tmp_path."""

    def make(kind: str, seed: int = 0, name: str | None = None) -> Path:
        path = tmp_path / (name or kind)
        SAMPLES[kind](path, seed)
        return path

    return make


def _usage(**on: bool) -> x509.KeyUsage:
    names = (
        "digital_signature",
        "content_commitment",
        "key_encipherment",
        "data_encipherment",
        "key_agreement",
        "key_cert_sign",
        "crl_sign",
        "encipher_only",
        "decipher_only",
    )
    return x509.KeyUsage(**{n: on.get(n, False) for n in names})


@pytest.fixture(scope="session")
def signing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A test CA and a leaf certificate for C2PA claim signing (chain, key) as PEM files."""
    now = datetime.datetime.now(datetime.UTC)

    def name(cn: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("beian test CA"))
        .issuer_name(name("beian test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name("beian test signer"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(digital_signature=True), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    d = tmp_path_factory.mktemp("c2pa")
    chain, pem = d / "chain.pem", d / "key.pem"
    chain.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, ca)))
    pem.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return chain, pem
