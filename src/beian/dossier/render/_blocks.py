"""A small document model rendered to .docx and .pdf alike, so both carry the same content."""

from __future__ import annotations

from dataclasses import dataclass, field

# A draft package: a line at the head of every page says why, and a diagonal 草稿 lies behind
# the text of every page (DOCX and PDF alike).
DRAFT_MARK = "草稿 · 存在阻断级问题，不可提交"
WATERMARK = "草稿"
WATERMARK_RGB = (0xFA, 0xDC, 0xDC)  # light red: visible behind the text, never hiding it


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1..3


@dataclass(frozen=True)
class Para:
    text: str
    note: bool = False  # smaller, grey: sources, remarks


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] | None = None  # relative column widths
    keep_together: bool = False  # never split across two pages (signature blocks)
    nowrap: tuple[int, ...] = ()  # columns of figures: a number is never broken across lines
    font_pt: float | None = None  # a smaller type for wide tables of figures (DOCX)


@dataclass(frozen=True)
class Image:
    png: bytes
    caption: str
    width_mm: float = 150.0


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Para | Bullets | Table | Image | PageBreak


@dataclass
class Document:
    """A titled sequence of blocks."""

    title: str
    subtitle: tuple[str, ...] = ()
    blocks: list[Block] = field(default_factory=list)
    draft: bool = False  # rendered with a 草稿 mark on every page

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self

    def text(self) -> str:
        """All the text of the document, for tests and search."""
        out = [self.title, *self.subtitle]
        for b in self.blocks:
            if isinstance(b, Heading | Para):
                out.append(b.text)
            elif isinstance(b, Bullets):
                out.extend(b.items)
            elif isinstance(b, Table):
                out.append(" ".join(b.header))
                out.extend(" ".join(r) for r in b.rows)
            elif isinstance(b, Image):
                out.append(b.caption)
        return "\n".join(out)
