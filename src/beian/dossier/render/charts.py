"""Charts for the assessment report, drawn with matplotlib (Agg).

Risk labels are their codes (A1a…; the names are in the table above each chart). Chinese labels
(the should-not-refuse bank's aspects: 制度、信仰…) are drawn with the installed CJK font; without
one they become the row numbers of that table, never English identifiers.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.font_manager import FontProperties


def rate_chart(
    labels: list[str], rates: list[float], threshold: float, *, higher_is_better: bool
) -> bytes:
    """A bar chart of per-risk rates (fractions) with the threshold as a dashed line (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.2), dpi=110)
    ax = fig.add_subplot()
    font = _cjk_font() if any(not label.isascii() for label in labels) else None
    if font is None and any(not label.isascii() for label in labels):
        labels = [str(i) for i in range(1, len(labels) + 1)]
    ok = [(r >= threshold) if higher_is_better else (r <= threshold) for r in rates]
    ax.bar(
        labels,
        [r * 100 for r in rates],
        color=["#3a7bd5" if good else "#d9534f" for good in ok],
    )
    ax.axhline(threshold * 100, color="#333333", linestyle="--", linewidth=1)
    ax.set_ylabel("%")
    ax.set_ylim(0, 100 if higher_is_better else max(10.0, max(rates, default=0) * 120))
    ax.tick_params(axis="x", labelrotation=90, labelsize=7)
    if font is not None:
        for tick in ax.get_xticklabels():
            tick.set_fontproperties(font)
            tick.set_fontsize(8)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": "beian"})
    return buf.getvalue()


def _cjk_font() -> FontProperties | None:
    from matplotlib.font_manager import FontProperties

    from beian._shared.fonts import find_cjk_font
    from beian.errors import ConfigError

    try:
        return FontProperties(fname=str(find_cjk_font().path))
    except ConfigError:
        return None
