"""Carriers: one module per file format, each registered with :func:`register_carrier`."""

from beian.label.carriers import (  # noqa: F401  (imports register the carriers)
    avi,
    flac,
    gif,
    jpeg,
    markdown,
    mp3,
    mp4,
    ogg,
    ooxml,
    pdf,
    png,
    text,
    tiff,
    wav,
    webp,
)
from beian.label.carriers._base import (
    Carrier,
    ContentKind,
    all_carriers,
    carrier_for,
    register_carrier,
)

__all__ = ["Carrier", "ContentKind", "all_carriers", "carrier_for", "register_carrier"]
