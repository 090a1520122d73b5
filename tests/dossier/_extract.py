"""Reading the package's documents back: DOCX with python-docx, HTML with the standard
library's parser, XLSX and DOCX through LibreOffice (CSV, PDF) and PDF through pdftotext."""

from __future__ import annotations

import subprocess
from html.parser import HTMLParser
from pathlib import Path

import docx

from tests.support.office import libreoffice_convert


def docx_units(path: Path) -> list[str]:
    """Paragraphs and table rows (cells joined by tabs) of a .docx, in order."""
    d = docx.Document(str(path))
    units = [p.text for p in d.paragraphs]
    for t in d.tables:
        units += ["\t".join(c.text for c in row.cells) for row in t.rows]
    return units


def docx_section(path: Path, heading: str) -> list[str]:
    """The paragraphs after the heading ``heading`` up to the next heading."""
    out: list[str] = []
    inside = False
    for p in docx.Document(str(path)).paragraphs:
        if p.style is not None and p.style.name.startswith("Heading"):
            if inside:
                break
            inside = p.text == heading
        elif inside and p.text.strip():
            out.append(p.text)
    return out


class _Html(HTMLParser):
    """Text of table rows, SVG labels, paragraphs; and of ``<p class="verdict">``."""

    def __init__(self) -> None:
        super().__init__()
        self.units: list[str] = []
        self.verdicts: list[str] = []
        self._buf: list[str] | None = None
        self._verdict = False
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "title"):
            self._skip += 1
        elif tag in ("tr", "p", "h1", "h2", "h3", "li") or (tag == "text" and self._buf is None):
            self._buf = []
            self._verdict = tag == "p" and ("class", "verdict") in attrs
        elif tag in ("td", "th") and self._buf:
            self._buf.append("\t")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "title"):
            self._skip -= 1
        elif tag in ("tr", "p", "h1", "h2", "h3", "li", "text") and self._buf is not None:
            text = "".join(self._buf).strip()
            self.units.append(text)
            if self._verdict:
                self.verdicts.append(text)
            self._buf, self._verdict = None, False

    def handle_data(self, data: str) -> None:
        if self._buf is not None and not self._skip:
            self._buf.append(data)


def html_read(path: Path) -> _Html:
    parser = _Html()
    parser.feed(path.read_text("utf-8"))
    return parser


def soffice(files: list[Path], out: Path, target: str, profile: Path) -> None:
    libreoffice_convert(files, target, out, profile=profile)


# every sheet of a workbook, one CSV file each (UTF-8)
ALL_SHEETS_CSV = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext ends every page with a form feed)."""
    return pdf_text(pdf).split("\f")[:-1]


def page_images(pdf: Path, out: Path, dpi: int = 30) -> list[Path]:
    """Every page of ``pdf`` as a PNG, rendered by pdftoppm."""
    out.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), str(out / "p")], check=True)
    return sorted(out.glob("p-*.png"))


def watermark_share(png: Path) -> tuple[float, float]:
    """The share of the page in the draft watermark's light red, and the correlation of those
    pixels' x and y (about -0.4 for a mark rising at 45 degrees, 0 for a horizontal one)."""
    from PIL import Image

    from beian.dossier.render._blocks import WATERMARK_RGB

    im = Image.open(png).convert("RGB")
    w, h = im.size
    near = [
        (i % w, i // w)
        for i, px in enumerate(im.get_flattened_data())
        if all(abs(c - m) <= 12 for c, m in zip(px, WATERMARK_RGB, strict=True))
    ]
    if len(near) < 2:
        return 0.0, 0.0
    n = len(near)
    mx, my = sum(x for x, _ in near) / n, sum(y for _, y in near) / n
    cov = sum((x - mx) * (y - my) for x, y in near)
    vx = sum((x - mx) ** 2 for x, _ in near)
    vy = sum((y - my) ** 2 for _, y in near)
    return n / (w * h), cov / ((vx * vy) ** 0.5 or 1.0)
