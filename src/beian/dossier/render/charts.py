"""Charts for the assessment report, drawn with matplotlib (Agg).

Risk labels are their codes (A1a…; the names are in the table above each chart). Chinese labels
(the should-not-refuse bank's aspects: 制度、信仰…) are drawn with the installed CJK font; without
one they become the row numbers of that table, never English identifiers. Every label is written
horizontally (a long one wraps onto a second line); nothing is turned on its side.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

__all__ = ["rate_chart", "rate_figure"]

_WIDTH_IN = 8.0
_PLOT_SHARE = 0.88  # of the figure's width, after the y axis
_LABEL_PT = 7.5


def _em(label: str) -> float:
    return _LABEL_PT if not label.isascii() else _LABEL_PT * 0.65


def _wrap(label: str, slot_pt: float) -> str:
    """``label`` in lines that fit a bar's slot (a CJK character is about one em wide)."""
    per_line = max(1, int(slot_pt // _em(label)))
    return "\n".join(label[i : i + per_line] for i in range(0, len(label), per_line))


def _staggered(labels: list[str], slot_pt: float) -> bool:
    """Would short labels (risk codes) still touch side by side? Then every other one goes one
    line lower, so neighbours never run together."""
    widest = max((len(line) * _em(line) for w in labels for line in w.split("\n")), default=0)
    return widest > slot_pt * 0.8


def rate_figure(
    labels: list[str], rates: list[float], threshold: float, *, higher_is_better: bool
) -> Figure:
    """The bar chart of per-risk rates (fractions) with the threshold as a dashed line."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(_WIDTH_IN, 3.2), dpi=110)
    ax = fig.add_subplot()
    font = _cjk_font() if any(not label.isascii() for label in labels) else None
    if font is None and any(not label.isascii() for label in labels):
        labels = [str(i) for i in range(1, len(labels) + 1)]
    slot_pt = _WIDTH_IN * 72 * _PLOT_SHARE / max(1, len(labels)) * 0.9
    ok = [(r >= threshold) if higher_is_better else (r <= threshold) for r in rates]
    positions = range(len(labels))
    ax.bar(
        positions,
        [r * 100 for r in rates],
        color=["#3a7bd5" if good else "#d9534f" for good in ok],
    )
    wrapped = [_wrap(label, slot_pt) for label in labels]
    ax.set_xticks(list(positions), wrapped)
    if _staggered(wrapped, slot_pt):
        pad = float(matplotlib.rcParams["xtick.major.pad"]) + _LABEL_PT * 1.3
        for tick in ax.xaxis.get_major_ticks()[1::2]:
            tick.set_pad(pad)
    ax.axhline(threshold * 100, color="#333333", linestyle="--", linewidth=1)
    ax.set_ylabel("%", rotation=0, labelpad=10)
    ax.set_ylim(0, 100 if higher_is_better else max(10.0, max(rates, default=0) * 120))
    ax.tick_params(axis="x", labelrotation=0, labelsize=_LABEL_PT)
    if font is not None:
        for text in ax.get_xticklabels():
            text.set_fontproperties(font)
            text.set_fontsize(_LABEL_PT)
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    return fig


def rate_chart(
    labels: list[str], rates: list[float], threshold: float, *, higher_is_better: bool
) -> bytes:
    """:func:`rate_figure` as PNG bytes."""
    fig = rate_figure(labels, rates, threshold, higher_is_better=higher_is_better)
    buf = io.BytesIO()
    # transparent: a draft's 草稿 watermark shows through the chart as through the text
    fig.savefig(buf, format="png", transparent=True, metadata={"Software": "beian"})
    return buf.getvalue()


def _cjk_font() -> FontProperties | None:
    from matplotlib.font_manager import FontProperties

    from beian._shared.fonts import find_cjk_font
    from beian.errors import ConfigError

    try:
        return FontProperties(fname=str(find_cjk_font().path))
    except ConfigError:
        return None
