"""A persistent notice for interaction interfaces (chat windows, voice and avatar apps).

The Labelling Measures (Art. 4 (1), (2)) and GB 45438 ask interactive services to show a notice
that the content is AI-generated in the interface, continuously, not only once. This helper
returns the notice as an HTML fragment that stays on screen (``position: sticky`` at the top or
bottom of the page, above the conversation), announced to screen readers (``role="note"``), with
its text checked by the text rules (AI element and generation element). ``find_notice`` lets a
test or a monitor check that a page still carries it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Literal

from beian.label.explicit.text import DEFAULT_NOTICE, check_notice

__all__ = ["InterfaceNotice", "find_notice", "interface_notice"]

NoticePosition = Literal["top", "bottom"]
_ID = "beian-aigc-notice"


@dataclass(frozen=True)
class InterfaceNotice:
    text: str
    position: NoticePosition

    @property
    def html(self) -> str:
        """A fragment to place first in the page body; it stays visible while the page scrolls."""
        edge = "top:0" if self.position == "top" else "bottom:0"
        style = (
            f"position:sticky;{edge};z-index:2147483647;display:block;margin:0;"
            "padding:6px 12px;background:#1f2937;color:#ffffff;font-size:14px;"
            "line-height:1.5;text-align:center"
        )
        return (
            f'<div id="{_ID}" role="note" aria-live="polite" data-aigc-notice="persistent" '
            f'style="{style}">{html.escape(self.text)}</div>'
        )


def interface_notice(
    text: str = DEFAULT_NOTICE, position: NoticePosition = "top"
) -> InterfaceNotice:
    """The persistent notice for an interaction interface; the text must pass the text rules."""
    check_notice(text)
    return InterfaceNotice(text, position)


_FIND = re.compile(rf'<div id="{_ID}"[^>]*data-aigc-notice="persistent"[^>]*>([^<]*)</div>')


def find_notice(page: str) -> str | None:
    """The persistent notice's text in an HTML page, ``None`` when the page has none."""
    m = _FIND.search(page)
    return html.unescape(m.group(1)) if m else None
