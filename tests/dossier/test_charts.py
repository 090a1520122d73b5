"""The report's charts: every label written horizontally, none touching its neighbour."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from beian.dossier.render.charts import rate_chart, rate_figure
from beian.standards import load_edition

ED = load_edition()
RISK_CODES = list(ED.risks)
ASPECT_NAMES = [a.name for a in ED.aspects.values()]


@pytest.mark.parametrize(
    "labels",
    [
        RISK_CODES,  # 31 codes: too many to sit side by side on one line
        ASPECT_NAMES,  # Chinese names
        ["说明文字较长的一个方面名称"] * 6,  # wraps onto more lines, still level
        ["A1a", "A1b"],
    ],
)
def test_labels_are_level_and_apart(labels: list[str]) -> None:
    fig = rate_figure(labels, [0.93] * len(labels), 0.9, higher_is_better=True)
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.axes[0]
    ticks = ax.get_xticklabels()
    assert [t.get_text().replace("\n", "") for t in ticks] == labels
    assert {t.get_rotation() for t in ticks} == {0.0}
    assert ax.yaxis.label.get_rotation() == 0.0
    boxes = [t.get_window_extent(renderer) for t in ticks]
    gap = 0.04 * fig.dpi  # about 1 mm of white between two labels on one line
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            apart = b.x0 - a.x1 >= gap or a.x0 - b.x1 >= gap
            assert apart or a.y1 <= b.y0 or b.y1 <= a.y0, (labels, i)
    width = fig.get_size_inches()[0] * fig.dpi
    assert all(b.x0 >= 0 and b.x1 <= width for b in boxes)


def test_chart_is_a_transparent_png() -> None:
    """A draft's watermark shows through the chart (the background is transparent)."""
    import io

    from PIL import Image

    png = rate_chart(RISK_CODES, [0.95] * len(RISK_CODES), 0.9, higher_is_better=True)
    im = Image.open(io.BytesIO(png))
    assert im.mode == "RGBA"
    assert im.getpixel((1, 1))[3] == 0  # the corner is see-through
