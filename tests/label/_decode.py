"""Independent decoders: what a file's media content is, as other tools see it."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
from pathlib import Path


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    if value.startswith("base64:"):  # unknown binary tags (AVI INFO entries) come base64-encoded
        return base64.b64decode(value[7:]).rstrip(b"\0").decode("latin-1")
    return value


def exiftool_labels(path: Path) -> list[tuple[str, str]]:
    """(tag, value) of every tag exiftool reads (unknown and duplicate ones included: family-4
    groups name the copies, "RIFF:Copy1:…") whose
    value holds an AIGC payload."""
    out = subprocess.run(
        ["exiftool", "-j", "-G1:4", "-a", "-u", "-b", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    pairs = json.loads(out, object_pairs_hook=lambda kv: kv)[0]
    found = [(k, _text(v)) for k, v in pairs]
    return [(k, v) for k, v in found if v is not None and '{"AIGC"' in v]


def exiftool_tags(path: Path) -> dict[str, str]:
    """:func:`exiftool_labels` by tag name."""
    return dict(exiftool_labels(path))


def ffprobe_tags(path: Path) -> dict[str, str]:
    """The container's format tags as ffprobe reads them."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format_tags", "-of", "json", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    tags: dict[str, str] = json.loads(out)["format"].get("tags", {})
    return tags


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
