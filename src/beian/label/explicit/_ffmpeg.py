"""Running ffmpeg / ffprobe with clear Chinese errors when they are missing or fail."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from beian.errors import ConfigError, InputError

__all__ = ["ffmpeg", "ffprobe"]


def _tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        raise ConfigError(
            f"未安装 {name}，无法为音视频添加显式标识",
            where="PATH",
            fix="请安装 ffmpeg（Debian/Ubuntu：apt-get install ffmpeg）后重试",
        )
    return exe


def ffmpeg(*args: str, where: Path, timeout: float = 600) -> None:
    cmd = [_tool("ffmpeg"), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise InputError("ffmpeg 处理超时", where=str(where), fix="请检查文件或缩短时长") from None
    if proc.returncode != 0:
        raise InputError(
            f"ffmpeg 处理失败：{proc.stderr.strip()[-300:]}",
            where=str(where),
            fix="请确认文件可以正常播放",
        )


def ffprobe(path: Path) -> dict[str, Any]:
    cmd = [
        _tool("ffprobe"),
        "-v",
        "error",
        "-print_format",
        "json",
        "-show_streams",
        "-show_format",
        str(path),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise InputError(
            f"ffprobe 无法解析文件：{proc.stderr.strip()[-300:]}",
            where=str(path),
            fix="请确认文件完整且可以正常播放",
        )
    data: dict[str, Any] = json.loads(proc.stdout)
    return data
