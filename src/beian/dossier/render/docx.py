"""Render a :class:`Document` to .docx with python-docx (no font needs to be installed)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from beian.dossier.render._blocks import Bullets, Document, Heading, Image, PageBreak, Para, Table
from beian.io import atomic_path

# Font names written into the file; the reader's system substitutes if it lacks them.
LATIN_FONT = "Times New Roman"
EAST_ASIAN_FONT = "宋体"
HEADING_FONT = "黑体"
LANGUAGE = "zh-CN"
DRAFT_MARK = "草稿 · 存在阻断级问题，不可提交"
_TEXT_WIDTH_MM = 160  # A4 less the default margins


def _east_asian(style_or_run: Any, name: str = EAST_ASIAN_FONT) -> None:
    from docx.oxml.ns import qn

    rpr = style_or_run.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _language(d: Any) -> None:
    """Mark every run as Simplified Chinese (the default template says Japanese)."""
    from docx.oxml.ns import qn

    rpr = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    for attr in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attr), LANGUAGE if attr != "w:bidi" else "ar-SA")
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is not None:
        for attr in ("w:asciiTheme", "w:eastAsiaTheme", "w:hAnsiTheme", "w:cstheme"):
            fonts.attrib.pop(qn(attr), None)
        fonts.set(qn("w:eastAsia"), EAST_ASIAN_FONT)


def _repeat_header(row: Any) -> None:
    from docx.oxml.ns import qn

    trpr = row._tr.get_or_add_trPr()
    trpr.append(trpr.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"}))


def _draft_header(d: Any) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    p = d.sections[0].header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(DRAFT_MARK)
    run.bold = True
    run.font.size = Pt(16)
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)


def render_docx(doc: Document, path: str | Path) -> None:
    """Write ``doc`` to ``path`` atomically."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    d = docx.Document()
    normal = d.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(10.5)
    _east_asian(normal)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        _east_asian(d.styles[name], HEADING_FONT)
    _language(d)
    if doc.draft:
        _draft_header(d)
    d.core_properties.title = doc.title
    d.core_properties.author = "beian"

    title = d.add_heading(doc.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in doc.subtitle:
        p = d.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    for block in doc.blocks:
        if isinstance(block, Heading):
            d.add_heading(block.text, level=block.level)
        elif isinstance(block, Para):
            p = d.add_paragraph()
            run = p.add_run(block.text)
            if block.note:
                run.font.size = Pt(9)
                run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        elif isinstance(block, Bullets):
            style = "List Number" if block.ordered else "List Bullet"
            for item in block.items:
                d.add_paragraph(item, style=style)
        elif isinstance(block, Table):
            t = d.add_table(rows=1, cols=len(block.header))
            t.style = "Table Grid"
            _repeat_header(t.rows[0])
            for cell, text in zip(t.rows[0].cells, block.header, strict=True):
                cell.text = ""
                cell.paragraphs[0].add_run(text).bold = True
            for row in block.rows:
                cells = t.add_row().cells
                for cell, text in zip(cells, row, strict=False):
                    cell.text = text
            if block.widths:
                # Word reads the cell widths, LibreOffice the grid columns: set both.
                t.autofit = False
                total = sum(block.widths)
                widths = [Mm(_TEXT_WIDTH_MM * w / total) for w in block.widths]
                for col, w in zip(t.columns, widths, strict=False):
                    col.width = w
                for row in t.rows:
                    for cell, w in zip(row.cells, widths, strict=False):
                        cell.width = w
        elif isinstance(block, Image):
            d.add_picture(io.BytesIO(block.png), width=Mm(block.width_mm))
            cap = d.add_paragraph(block.caption)
            cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif isinstance(block, PageBreak):
            d.add_page_break()  # type: ignore[no-untyped-call]

    with atomic_path(path, suffix=".docx") as tmp:
        d.save(str(tmp))
