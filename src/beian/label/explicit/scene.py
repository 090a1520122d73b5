"""Explicit marks for virtual scenes: the notice on the opening frames, optionally again later.

The Labelling Measures (Art. 4 (5)) ask a service presenting a virtual scene to show a notice on
its opening screen, and allow it again at suitable points while the scene runs. GB 45438 gives no
duration for the opening of a scene; :class:`SceneMarker` marks the first ``opening_s`` seconds
(default 2 s, as for video [U]) and, with ``every_s``, ``repeat_s`` seconds every ``every_s``
seconds after that. Frames are marked like images (text height ≥ 5 % of the shortest side).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from beian.errors import InputError
from beian.label.explicit._rules import IMAGE_MIN_HEIGHT_RATIO
from beian.label.explicit.image import ImagePosition, render_mark
from beian.label.explicit.text import check_notice

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["SceneMarker"]


@dataclass(frozen=True)
class SceneMarker:
    """Which rendered frames of a scene carry the notice, and the marking itself."""

    fps: float
    text: str = "AI生成"
    opening_s: float = 2.0
    every_s: float | None = None
    repeat_s: float = 2.0
    position: ImagePosition = "top-left"
    height_ratio: float = IMAGE_MIN_HEIGHT_RATIO

    def __post_init__(self) -> None:
        check_notice(self.text)
        if self.fps <= 0 or self.opening_s <= 0 or self.repeat_s <= 0:
            raise InputError(
                "帧率与时长须为正数", where="SceneMarker", fix="例如 fps=30, opening_s=2"
            )
        if self.every_s is not None and self.every_s <= self.repeat_s:
            raise InputError(
                f"every_s={self.every_s} 须大于 repeat_s={self.repeat_s}",
                where="every_s",
                fix="或设为 None：只标识起始画面",
            )

    def due(self, frame_index: int) -> bool:
        """Whether frame ``frame_index`` (0 = the opening frame) carries the notice."""
        t = frame_index / self.fps
        if t < self.opening_s:
            return True
        if self.every_s is None:
            return False
        return (t - self.opening_s) % self.every_s >= self.every_s - self.repeat_s

    def mark(self, frame: Image.Image, frame_index: int) -> Image.Image:
        """The frame with the notice when it is due, else the frame itself."""
        if not self.due(frame_index):
            return frame
        return render_mark(frame, self.text, self.position, self.height_ratio)
