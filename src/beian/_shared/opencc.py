"""Traditional ⇄ simplified Chinese with OpenCC: one cached, thread-safe converter per config.

OpenCC's converter is not safe to share between threads, so every call is serialized. OpenCC
reads UTF-8, which cannot hold a lone surrogate (a broken UTF-16 pair, possible in a keyword
file or in text people paste): such runs are kept as they are and the text between them
converted.
"""

from __future__ import annotations

import functools
import re
import threading
from typing import Any

__all__ = ["opencc_convert", "opencc_version"]

_LOCK = threading.Lock()
_LONE_SURROGATES = re.compile("([\ud800-\udfff]+)")


@functools.lru_cache(maxsize=4)
def _converter(config: str) -> Any:
    import opencc

    return opencc.OpenCC(config)


def opencc_convert(config: str, text: str) -> str:
    """Convert ``text`` with OpenCC config ``config`` (``t2s``, ``s2t``, …)."""
    conv = _converter(config)
    parts = _LONE_SURROGATES.split(text)
    with _LOCK:
        if len(parts) == 1:
            return str(conv.convert(text))
        return "".join(p if i % 2 else str(conv.convert(p)) for i, p in enumerate(parts))


def opencc_version() -> str:
    """The installed OpenCC's version (part of cache keys of tables built with it)."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - opencc is a dependency
        return "0"
    return str(getattr(opencc, "__version__", "0"))
