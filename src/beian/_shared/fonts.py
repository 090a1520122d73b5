"""Finding an installed font that draws Chinese (Debian: fonts-noto-cjk), for every part that
renders text: the filing package's PDF, the explicit label drawn on an image."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from beian.errors import ConfigError

__all__ = ["ENV_VAR", "KNOWN_FONTS", "CjkFont", "find_cjk_font"]

# Known locations, tried when fontconfig is missing; Simplified Chinese faces first.
KNOWN_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simsun.ttc",
)
ENV_VAR = "BEIAN_CJK_FONT"


@dataclass(frozen=True)
class CjkFont:
    """A font file and, for a collection (.ttc), the index of its Simplified Chinese face."""

    path: Path
    index: int = 0


def _sc_index(path: Path) -> int:
    """The face of a .ttc collection whose name says Simplified Chinese (SC), else 0."""
    if path.suffix.lower() != ".ttc":
        return 0
    from fontTools.ttLib import TTCollection  # type: ignore[import-untyped]

    try:
        coll = TTCollection(str(path), lazy=True)
    except Exception:  # an unreadable collection: use its first face
        return 0
    for i, face in enumerate(coll.fonts):
        name = str(face["name"].getDebugName(4) or "")
        if name.endswith(" SC") or " SC " in name:
            return i
    return 0


def _fc_list() -> list[Path]:
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    paths = [Path(line.split(":")[0].strip()) for line in out.splitlines() if line.strip()]
    # Regular sans faces first, then the rest.
    return sorted(
        (p for p in paths if p.suffix.lower() in (".ttf", ".ttc", ".otf")),
        key=lambda p: ("Bold" in p.name or "Light" in p.name, "Sans" not in p.name, str(p)),
    )


def find_cjk_font(
    *,
    need: str = "生成 PDF",
    note: str = "",
    known: tuple[str, ...] = KNOWN_FONTS,
    fontconfig: bool = True,
) -> CjkFont:
    """Find a CJK font: ``$BEIAN_CJK_FONT``, fontconfig (``fc-list :lang=zh``), ``known`` paths.

    Raises :class:`ConfigError` in Chinese when there is none, saying what it was ``need``ed for
    (and ``note``, e.g. what works without one).
    """
    candidates: list[Path] = []
    env = os.environ.get(ENV_VAR)
    if env:
        if not Path(env).is_file():
            raise ConfigError(
                f"环境变量 {ENV_VAR} 指定的字体文件不存在",
                where=env,
                fix="指向一个已安装的中文字体文件（.ttf/.otf/.ttc），或删除该变量",
            )
        candidates.append(Path(env))
    if fontconfig:
        candidates += _fc_list()
    candidates += [Path(p) for p in known]
    for p in candidates:
        if p.is_file():
            return CjkFont(path=p, index=_sc_index(p))
    raise ConfigError(
        f"找不到可用于{need}的中文字体",
        where="fc-list :lang=zh",
        fix="安装中文字体（Debian/Ubuntu：apt-get install fonts-noto-cjk），"
        f"或设置环境变量 {ENV_VAR} 指向字体文件" + (f"；{note}" if note else ""),
    )
