"""Reading the files a scan writes into its output folder."""

from __future__ import annotations

import os
from pathlib import Path

from beian.errors import InputError


def read_output(out: str | os.PathLike[str], name: str, *, command: str) -> str:
    """The text of ``out/name``; a missing file says which command writes it."""
    p = Path(out) / name
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            f"结果目录中没有 {name}", where=str(p), fix=f"请先运行 `{command}`"
        ) from None
