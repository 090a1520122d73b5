"""Explicit video label: a CJK text overlay on the opening ≥ 2 s (ffmpeg; Pillow draws the text)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from beian.errors import InputError
from beian.io import atomic_path
from beian.label.explicit._ffmpeg import ffmpeg, ffprobe
from beian.label.explicit._rules import IMAGE_MIN_HEIGHT_RATIO, VIDEO_MIN_SECONDS
from beian.label.explicit.image import DEFAULT_IMAGE_TEXT, ImagePosition, render_mark

__all__ = ["explicit_video_mark"]


def explicit_video_mark(
    path: str | os.PathLike[str],
    *,
    text: str = DEFAULT_IMAGE_TEXT,
    seconds: float = VIDEO_MIN_SECONDS,
    position: ImagePosition = "top-left",
    height_ratio: float = IMAGE_MIN_HEIGHT_RATIO,
) -> Path:
    """Overlay ``text`` on the first ``seconds`` of the video, in place; audio is copied."""
    from PIL import Image

    from beian.label.explicit.text import check_notice

    check_notice(text)
    if seconds < VIDEO_MIN_SECONDS:
        raise InputError(
            f"显示时长 {seconds} 秒少于 GB 45438 要求的 {VIDEO_MIN_SECONDS} 秒",
            where="seconds",
            fix=f"请设为不少于 {VIDEO_MIN_SECONDS} 秒",
        )
    p = Path(path)
    info = ffprobe(p)
    video = [s for s in info.get("streams", []) if s.get("codec_type") == "video"]
    if not video:
        raise InputError("文件中没有视频流", where=str(p), fix="音频文件请用音频显式标识")
    w, h = int(video[0]["width"]), int(video[0]["height"])
    has_audio = any(s.get("codec_type") == "audio" for s in info.get("streams", []))
    with tempfile.TemporaryDirectory(dir=p.parent, prefix=".beian-video-") as work:
        overlay = Path(work) / "mark.png"
        render_mark(Image.new("RGBA", (w, h), (0, 0, 0, 0)), text, position, height_ratio).save(
            overlay
        )
        with atomic_path(p, suffix=p.suffix) as tmp:
            ffmpeg(
                "-i",
                str(p),
                "-i",
                str(overlay),
                "-filter_complex",
                f"[0:v][1:v]overlay=0:0:enable='lt(t,{seconds})'[v]",
                "-map",
                "[v]",
                *(["-map", "0:a", "-c:a", "copy"] if has_audio else []),
                "-map_metadata",
                "0",
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-preset",
                "veryfast",
                "-crf",
                "18",
                str(tmp),
                where=p,
            )
    return p
