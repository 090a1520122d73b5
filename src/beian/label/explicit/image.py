"""Explicit image label: CJK text in a corner or at an edge, text height ≥ 5 % of the short side."""

from __future__ import annotations

import math
import os
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal, overload

from beian._shared.fonts import CjkFont, find_cjk_font
from beian.errors import InputError
from beian.io import atomic_path
from beian.label.explicit._rules import IMAGE_MIN_HEIGHT_RATIO

if TYPE_CHECKING:
    from PIL import Image, ImageFont

__all__ = ["ImagePosition", "cjk_font_path", "explicit_image_mark", "render_mark"]

ImagePosition = Literal["top-left", "top-right", "bottom-left", "bottom-right", "top", "bottom"]
DEFAULT_IMAGE_TEXT = "AI生成"


@lru_cache(maxsize=1)
def _cjk_font() -> CjkFont:
    return find_cjk_font(need="添加图片显式标识")


def cjk_font_path() -> str:
    """A font file that can draw Chinese (``BEIAN_CJK_FONT`` overrides the search)."""
    return str(_cjk_font().path)


def _font_for(text: str, target_px: int) -> ImageFont.FreeTypeFont:
    """The smallest font size whose rendered text is at least ``target_px`` tall."""
    from PIL import ImageFont

    cjk = _cjk_font()
    size = max(4, target_px)
    font = ImageFont.truetype(cjk.path, size, index=cjk.index)
    for _ in range(8):
        _, top, _, bottom = font.getbbox(text)
        if bottom - top >= target_px:
            return font
        size = math.ceil(size * target_px / max(1, bottom - top)) + 1
        font = ImageFont.truetype(cjk.path, size, index=cjk.index)
    return font


def render_mark(
    image: Image.Image,
    text: str = DEFAULT_IMAGE_TEXT,
    position: ImagePosition = "bottom-right",
    height_ratio: float = IMAGE_MIN_HEIGHT_RATIO,
) -> Image.Image:
    """A copy of ``image`` with ``text`` on a dark band at the chosen corner or edge."""
    from PIL import Image as PILImage
    from PIL import ImageDraw

    if height_ratio < IMAGE_MIN_HEIGHT_RATIO:
        raise InputError(
            f"文字高度比例 {height_ratio} 低于 GB 45438 要求的 {IMAGE_MIN_HEIGHT_RATIO}",
            where="height_ratio",
            fix=f"请使用不小于 {IMAGE_MIN_HEIGHT_RATIO} 的比例",
        )
    w, h = image.size
    # +1 px: anti-aliased top and bottom rows are faint, keep the visible height above the minimum
    target = math.ceil(min(w, h) * height_ratio) + 1
    font = _font_for(text, target)
    left, top, right, bottom = font.getbbox(text)
    tw, th = right - left, bottom - top
    pad = max(2, th // 4)
    bw, bh = tw + 2 * pad, th + 2 * pad
    if bw > w or bh > h:
        raise InputError(
            f"图片太小（{w}×{h}），放不下高度 {th} 像素的标识文字",
            where="image",
            fix="请使用更短的标识文字或更大的图片",
        )
    x = {"left": 0, "right": w - bw}.get(position.split("-")[-1], (w - bw) // 2)
    y = 0 if position.startswith("top") else h - bh
    mode = image.mode
    base = image.convert("RGBA")
    overlay = PILImage.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.rectangle([x, y, x + bw - 1, y + bh - 1], fill=(0, 0, 0, 160))
    draw.text((x + pad - left, y + pad - top), text, font=font, fill=(255, 255, 255, 255))
    out = PILImage.alpha_composite(base, overlay)
    return out if mode == "RGBA" else out.convert("RGB" if mode not in ("L", "LA") else mode)


@overload
def explicit_image_mark(
    image: Image.Image, text: str = ..., position: ImagePosition = ..., height_ratio: float = ...
) -> Image.Image: ...
@overload
def explicit_image_mark(
    image: str | os.PathLike[str],
    text: str = ...,
    position: ImagePosition = ...,
    height_ratio: float = ...,
) -> Path: ...
def explicit_image_mark(
    image: Image.Image | str | os.PathLike[str],
    text: str = DEFAULT_IMAGE_TEXT,
    position: ImagePosition = "bottom-right",
    height_ratio: float = IMAGE_MIN_HEIGHT_RATIO,
) -> Image.Image | Path:
    """Add the explicit mark to a PIL image (returns a new image) or an image file (in place)."""
    from PIL import Image as PILImage
    from PIL import UnidentifiedImageError

    from beian.label.explicit.text import check_notice

    check_notice(text)
    if isinstance(image, PILImage.Image):
        return render_mark(image, text, position, height_ratio)
    from PIL import ImageSequence

    path = Path(image)
    try:
        with PILImage.open(path) as im:
            fmt = im.format or "PNG"
            info: dict[str, object] = {
                k: v for k, v in im.info.items() if k in ("dpi", "icc_profile", "exif", "loop")
            }
            frames, durations = [], []
            for frame in ImageSequence.Iterator(im):  # every frame of a GIF / APNG / TIFF
                durations.append(frame.info.get("duration", 100))
                frames.append(render_mark(frame.copy(), text, position, height_ratio))
    except (UnidentifiedImageError, OSError) as exc:
        raise InputError(
            f"图片无法解码：{exc}", where=str(path), fix="请确认文件完整且为图片格式"
        ) from None
    if fmt == "JPEG":
        info["quality"] = 95
    if len(frames) > 1:
        info.update(save_all=True, append_images=frames[1:])
        if fmt in ("GIF", "PNG", "WEBP"):
            info["duration"] = durations
    with atomic_path(path, suffix=path.suffix) as tmp:
        frames[0].save(tmp, format=fmt, **info)
    return path
