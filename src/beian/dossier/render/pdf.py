"""Render a :class:`Document` to PDF with fpdf2 and an installed CJK font.

Chosen over converting the .docx with LibreOffice: fpdf2 is a pure-Python dependency that is
always installed, starts in milliseconds and gives the same PDF on every machine; the only
system requirement is a CJK font, found by :func:`find_cjk_font` (a clear error when none).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from beian._shared.fonts import CjkFont, find_cjk_font
from beian.dossier.render._blocks import (
    DRAFT_MARK,
    WATERMARK,
    WATERMARK_RGB,
    Block,
    Bullets,
    Document,
    Heading,
    Image,
    PageBreak,
    Para,
    Table,
)
from beian.io import atomic_path

_FAMILY = "cjk"
_HEADING_SIZE = {1: 15, 2: 13, 3: 11.5}
_KEEP_MM = 30  # a heading starts a new page unless this much room is left below it
_WATERMARK_PT = 150
_ROW_MM = 14  # room for a row of a table that must not be split (a signature row: 3 lines)


def _setup(font: CjkFont, *, draft: bool = False) -> Any:
    from fpdf import FPDF

    class _Pdf(FPDF):
        def header(self) -> None:
            if draft:
                self._watermark()
                self.set_font(_FAMILY, "", 12)
                self.set_text_color(200, 0, 0)
                self.cell(0, 8, DRAFT_MARK, align="C")
                self.set_text_color(0)
                self.ln(10)

        def _watermark(self) -> None:
            """草稿 turned 45 degrees about the page centre, drawn before (behind) the text."""
            self.set_font(_FAMILY, "", _WATERMARK_PT)
            self.set_text_color(*WATERMARK_RGB)
            cx, cy = self.w / 2, self.h / 2
            half = self.get_string_width(WATERMARK) / 2
            with self.rotation(45, x=cx, y=cy):
                self.text(cx - half, cy + _WATERMARK_PT * 0.3528 / 3, WATERMARK)
            self.set_text_color(0)

    pdf = _Pdf(format="A4", unit="mm")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    # One face only: subsetting a CJK font costs seconds, so headings differ by size, not weight.
    pdf.add_font(_FAMILY, "", str(font.path), collection_font_number=font.index)
    pdf.set_font(_FAMILY, size=10.5)
    return pdf


def _room(following: list[Block]) -> float:
    """The room a heading needs below it: a few lines, or the whole of a table that must not
    be split when it follows (a signature block and the sentence before it)."""
    for b in following:
        if isinstance(b, Table) and b.keep_together:
            return _KEEP_MM + _ROW_MM * (len(b.rows) + 1)
    return _KEEP_MM


def render_pdf(doc: Document, path: str | Path, *, font: CjkFont | None = None) -> None:
    """Write ``doc`` to ``path`` atomically; raises ConfigError when no CJK font is installed."""
    from fpdf.enums import WrapMode, XPos, YPos
    from fpdf.fonts import FontFace

    pdf = _setup(font or find_cjk_font(note=".docx 文件不需要字体"), draft=doc.draft)
    pdf.set_title(doc.title)
    pdf.set_creator("beian")
    pdf.add_page()
    width = pdf.epw

    def line(text: str, size: float, *, bold: bool = False, align: str = "L", h: float = 6) -> None:
        pdf.set_font(_FAMILY, "", size + (1 if bold else 0))
        pdf.multi_cell(  # Chinese text breaks between any two characters, as in the DOCX
            width,
            h,
            text,
            align=align,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
            wrapmode=WrapMode.CHAR,
        )

    line(doc.title, 18, bold=True, align="C", h=10)
    for sub in doc.subtitle:
        line(sub, 10.5, align="C")
    pdf.ln(4)
    for i, block in enumerate(doc.blocks):
        if isinstance(block, Heading):
            if pdf.will_page_break(_room(doc.blocks[i + 1 : i + 3])):
                pdf.add_page()  # never a heading alone at the foot of a page
            pdf.ln(3)
            line(block.text, _HEADING_SIZE.get(block.level, 11), bold=True, h=8)
        elif isinstance(block, Para):
            pdf.set_text_color(85 if block.note else 0)
            line(block.text, 9 if block.note else 10.5)
            pdf.set_text_color(0)
            pdf.ln(1)
        elif isinstance(block, Bullets):
            for i, item in enumerate(block.items, 1):
                line(f"{i}. {item}" if block.ordered else f"• {item}", 10.5)
        elif isinstance(block, Table):
            if block.keep_together and pdf.will_page_break(_ROW_MM * (len(block.rows) + 1)):
                pdf.add_page()
            pdf.set_font(_FAMILY, "", 8.5)
            widths = block.widths or tuple(1.0 for _ in block.header)
            with pdf.table(
                col_widths=widths,
                line_height=4.6,
                text_align="LEFT",
                first_row_as_headings=True,
                wrapmode=WrapMode.CHAR,
                headings_style=FontFace(emphasis="", fill_color=(230, 230, 230)),
            ) as t:
                for row in (block.header, *block.rows):
                    r = t.row()
                    for cell in (*row, *("" for _ in range(len(block.header) - len(row)))):
                        r.cell(cell)
            pdf.ln(3)
        elif isinstance(block, Image):
            pdf.image(io.BytesIO(block.png), w=min(block.width_mm, width))
            line(block.caption, 9, align="C")
        elif isinstance(block, PageBreak):
            pdf.add_page()
    with atomic_path(path, suffix=".pdf") as tmp:
        pdf.output(str(tmp))
