"""Explicit marks (GB 45438-2025): text, image, audio, video, interactive voice, interaction
interfaces and virtual scenes."""

from __future__ import annotations

from pathlib import Path

from beian.errors import InputError
from beian.label.explicit.audio import explicit_audio_mark, rhythm_tone, write_rhythm_wav
from beian.label.explicit.image import cjk_font_path, explicit_image_mark, render_mark
from beian.label.explicit.interface import InterfaceNotice, find_notice, interface_notice
from beian.label.explicit.scene import SceneMarker
from beian.label.explicit.text import DEFAULT_NOTICE, check_notice, explicit_text_mark
from beian.label.explicit.video import explicit_video_mark
from beian.label.explicit.voice import VoiceTurnMarker

__all__ = [
    "DEFAULT_NOTICE",
    "InterfaceNotice",
    "SceneMarker",
    "VoiceTurnMarker",
    "apply_explicit",
    "check_notice",
    "cjk_font_path",
    "explicit_audio_mark",
    "explicit_image_mark",
    "explicit_text_mark",
    "explicit_video_mark",
    "find_notice",
    "interface_notice",
    "render_mark",
    "rhythm_tone",
    "write_rhythm_wav",
]


def apply_explicit(path: Path, kind: str, *, notice: str | None = None) -> None:
    """Add the explicit mark suited to a file's kind, in place."""
    if kind == "image":
        explicit_image_mark(path, text=notice or "AI生成")
    elif kind == "audio":
        explicit_audio_mark(path)
    elif kind == "video":
        explicit_video_mark(path, text=notice or "AI生成")
    elif kind == "text":
        from beian.io import atomic_write_bytes, read_text

        text, encoding = read_text(path)
        marked = explicit_text_mark(text, "prefix", notice or DEFAULT_NOTICE)
        if path.suffix.lower() in (".md", ".markdown") and text.startswith("---"):
            marked = explicit_text_mark(text, "suffix", notice or DEFAULT_NOTICE)
        atomic_write_bytes(path, marked.encode("utf-8" if encoding == "utf-8-sig" else encoding))
    else:
        raise InputError(
            "该格式不支持自动添加显式标识",
            where=str(path),
            fix="文档类文件请在正文中加入“本内容由人工智能生成”等提示后再加隐式标识，或去掉 --explicit",
        )
