"""Minimum sizes of explicit marks from GB 45438-2025 (confidence S in reference/standards.md §6).

The standards catalogue (``beian.standards``) covers TC260-003 / GB/T 45654 only; these two
figures come from GB 45438-2025 and are kept here, in one place, with their source.
"""

from __future__ import annotations

__all__ = ["IMAGE_MIN_HEIGHT_RATIO", "VIDEO_MIN_SECONDS"]

#: GB 45438-2025, explicit label for images/video: text height ≥ 5 % of the shortest side.
IMAGE_MIN_HEIGHT_RATIO = 0.05
#: GB 45438-2025, explicit label for video: shown for at least 2 s at the opening.
VIDEO_MIN_SECONDS = 2.0
