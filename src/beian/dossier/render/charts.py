"""Charts for the assessment report, drawn with matplotlib (Agg, Latin labels only).

Labels use risk codes (A1a…) and numbers, so the PNGs need no CJK font; the Chinese captions
live in the documents.
"""

from __future__ import annotations

import io


def rate_chart(
    labels: list[str], rates: list[float], threshold: float, *, higher_is_better: bool
) -> bytes:
    """A bar chart of per-risk rates (fractions) with the threshold as a dashed line (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.2), dpi=110)
    ax = fig.add_subplot()
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
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": "beian"})
    return buf.getvalue()
