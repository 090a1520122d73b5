"""Render a :class:`Document` to .docx with python-docx (no font needs to be installed)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

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

# Font names written into the file; the reader's system substitutes if it lacks them.
LATIN_FONT = "Times New Roman"
EAST_ASIAN_FONT = "宋体"
HEADING_FONT = "黑体"
LANGUAGE = "zh-CN"
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


def _hex(rgb: tuple[int, int, int]) -> str:
    return "".join(f"{c:02X}" for c in rgb)


# The watermark as Word writes one (Design > Watermark): VML WordArt behind the text, turned
# 45 degrees, centred on the page; LibreOffice and WPS read it as their own watermark.
_WATERMARK_VML = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office">'
    '<w:pict><v:shapetype id="_x0000_t136" coordsize="21600,21600" o:spt="136" adj="10800" '
    'path="m@7,l@8,m@5,21600l@6,21600e"><v:path textpathok="t" o:connecttype="custom"/>'
    '<v:textpath on="t" fitshape="t"/></v:shapetype>'
    '<v:shape id="PowerPlusWaterMarkObject1" o:spid="_x0000_s2049" type="#_x0000_t136" '
    'style="position:absolute;margin-left:0;margin-top:0;width:320pt;height:160pt;'
    "rotation:315;z-index:-251657216;mso-position-horizontal:center;"
    "mso-position-horizontal-relative:margin;mso-position-vertical:center;"
    'mso-position-vertical-relative:margin" o:allowincell="f" fillcolor="#{color}" stroked="f">'
    '<v:textpath style="font-family:&quot;{font}&quot;;font-size:1pt" string="{text}"/>'
    "</v:shape></w:pict></w:r>"
)


def _draft_marks(d: Any) -> None:
    """草稿 on every page: a line at the head of the page and a diagonal watermark behind it."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import parse_xml
    from docx.shared import Pt, RGBColor

    for section in d.sections:
        p = section.header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(DRAFT_MARK)
        run.bold = True
        run.font.size = Pt(12)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
        p._p.append(
            parse_xml(
                _WATERMARK_VML.format(color=_hex(WATERMARK_RGB), font=HEADING_FONT, text=WATERMARK)
            )
        )


def _styles(d: Any) -> None:
    """宋体 body, 黑体 black headings that keep with the next paragraph, zh-CN language."""
    from docx.shared import Pt, RGBColor

    normal = d.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(10.5)
    _east_asian(normal)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        style = d.styles[name]
        _east_asian(style, HEADING_FONT)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.paragraph_format.keep_with_next = True  # never alone at the foot of a page
        style.paragraph_format.keep_together = True
    _language(d)


def _keep_rows_together(t: Any) -> None:
    """No row breaks across pages and every row keeps with the next: the table moves whole."""
    from docx.oxml.ns import qn

    for i, row in enumerate(t.rows):
        trpr = row._tr.get_or_add_trPr()
        trpr.append(trpr.makeelement(qn("w:cantSplit"), {qn("w:val"): "true"}))
        if i < len(t.rows) - 1:
            for cell in row.cells:
                for p in cell.paragraphs:
                    p.paragraph_format.keep_with_next = True


def _table(d: Any, block: Table) -> None:
    from docx.shared import Mm

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
    if block.keep_together:
        _keep_rows_together(t)
    _figures(t, block)


def _figures(t: Any, block: Table) -> None:
    """The type size of a table of figures, and no wrapping in its figure columns' data rows (the widths
    leave them room: LibreOffice breaks Chinese lines between any two characters, digits too)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for r, row in enumerate(t.rows):
        for i, cell in enumerate(row.cells):
            if block.font_pt:
                for p in cell.paragraphs:
                    for run in p.runs:
                        run.font.size = Pt(block.font_pt)
            if r and i in block.nowrap:  # the header row wraps: its titles are longer
                tcpr = cell._tc.get_or_add_tcPr()
                tcpr.append(tcpr.makeelement(qn("w:noWrap"), {}))


def _block(d: Any, block: Block, previous: Block | None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    if isinstance(block, Heading):
        if isinstance(previous, Table):
            # LibreOffice ignores "keep with next" on a paragraph right after a table: with
            # this spacer between them the heading moves to the next page with its text
            d.add_paragraph().paragraph_format.space_after = Pt(0)
        d.add_heading(block.text, level=block.level)
    elif isinstance(block, Para):
        run = d.add_paragraph().add_run(block.text)
        if block.note:
            run.font.size = Pt(9)
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    elif isinstance(block, Bullets):
        style = "List Number" if block.ordered else "List Bullet"
        for item in block.items:
            d.add_paragraph(item, style=style)
    elif isinstance(block, Table):
        if isinstance(previous, Table):
            d.add_paragraph()  # two tables side by side are merged into one by Word and LibreOffice
        elif block.keep_together and d.paragraphs:
            d.paragraphs[-1].paragraph_format.keep_with_next = True  # the sentence it signs
        _table(d, block)
    elif isinstance(block, Image):
        d.add_picture(io.BytesIO(block.png), width=Mm(block.width_mm))
        d.paragraphs[-1].paragraph_format.keep_with_next = True  # the caption stays with it
        cap = d.add_paragraph(block.caption)
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif isinstance(block, PageBreak):
        d.add_page_break()


def render_docx(doc: Document, path: str | Path) -> None:
    """Write ``doc`` to ``path`` atomically."""
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    d = docx.Document()
    _styles(d)
    if doc.draft:
        _draft_marks(d)
    d.core_properties.title = doc.title
    d.core_properties.author = "beian"

    title = d.add_heading(doc.title, level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for line in doc.subtitle:
        p = d.add_paragraph(line)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    previous: Block | None = None
    for block in doc.blocks:
        _block(d, block, previous)
        previous = block

    with atomic_path(path, suffix=".docx") as tmp:
        d.save(str(tmp))
