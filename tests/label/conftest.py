"""Sample media for the label tests, generated on the fly with Pillow, ffmpeg, fpdf2, etc."""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

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
