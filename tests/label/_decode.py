"""Independent decoders: what a file's media content is, as other tools see it."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path


def exiftool_tags(path: Path) -> dict[str, str]:
    """Every tag exiftool reads whose value holds an AIGC payload."""
    out = subprocess.run(
        ["exiftool", "-j", "-G1", "-a", "-b", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    tags = json.loads(out)[0]
    return {k: v for k, v in tags.items() if isinstance(v, str) and '{"AIGC"' in v}


def ffmpeg_md5(path: Path) -> str:
    out = subprocess.run(
        [
            "ffmpeg",
            "-hide_banner",
            "-loglevel",
            "error",
            "-i",
            str(path),
            "-map",
            "0:v?",
            "-map",
            "0:a?",
            "-f",
            "md5",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    return out.strip()


def decoded(path: Path) -> str:
    """A fingerprint of the decoded content, made with tools independent of beian.label."""
    suffix = path.suffix.lower()
    if suffix in (".png", ".jpg", ".webp", ".gif", ".tif"):
        from PIL import Image, ImageSequence

        h = hashlib.sha256()
        with Image.open(path) as im:
            for frame in ImageSequence.Iterator(im):
                h.update(frame.convert("RGBA").tobytes())
        return h.hexdigest()
    if suffix in (".wav", ".mp3", ".flac", ".ogg", ".mp4", ".mov"):
        import mutagen

        assert mutagen.File(path) is not None  # mutagen still parses it
        return ffmpeg_md5(path)
    if suffix == ".avi":
        return ffmpeg_md5(path)
    if suffix == ".pdf":
        import pikepdf

        with pikepdf.open(path) as pdf:
            pages = len(pdf.pages)
        text = subprocess.run(
            ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
        ).stdout
        return f"{pages}:{text}"
    if suffix == ".docx":
        import docx

        return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    if suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path)
        return repr([[c.value for c in row] for row in wb.active.iter_rows()])
    if suffix == ".pptx":
        from pptx import Presentation

        prs = Presentation(str(path))
        return repr(
            [[sh.shape_type for sh in s.shapes] + [s.shapes.title.text] for s in prs.slides]
        )
    if suffix == ".md":
        text = path.read_text(encoding="utf-8")
        return "\n".join(x for x in text.splitlines() if not x.startswith("AIGC:"))
    if suffix == ".txt":
        text = path.read_bytes().decode("gb18030")
        return "\n".join(x for x in text.splitlines() if not x.startswith("AIGC:"))
    raise AssertionError(f"no decoder for {suffix}")
