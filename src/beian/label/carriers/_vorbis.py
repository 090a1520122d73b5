"""Shared code for formats whose label is a Vorbis comment ``AIGC=…`` (FLAC, Ogg)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from beian.label.carriers._base import corrupt

__all__ = ["open_tagged", "read_comment", "write_comment"]


def open_tagged(path: Path) -> Any:
    import mutagen

    try:
        f = mutagen.File(path)
    except (mutagen.MutagenError, OSError, ValueError, EOFError) as exc:
        raise corrupt(path, str(exc)) from None
    if f is None:
        raise corrupt(path, "无法识别音频格式")
    return f


def read_comment(path: Path) -> list[str]:
    f = open_tagged(path)
    if f.tags is None:
        return []
    return [str(v) for v in f.tags.get("AIGC", [])]


def write_comment(src: Path, dst: Path, label_json: str) -> None:
    import mutagen

    open_tagged(src)
    shutil.copyfile(src, dst)
    f = open_tagged(dst)
    if f.tags is None:
        f.add_tags()
    f.tags["AIGC"] = [label_json]
    try:
        f.save()
    except (mutagen.MutagenError, OSError) as exc:
        raise corrupt(src, str(exc)) from None
