"""PDF: the document information key ``/AIGC`` (the document practice guide's site), via pikepdf.

One label per file (GB 45438 6.1 c)): a ``TC260:AIGC`` in the XMP metadata is read (and reported
as a second label by ``verify``) and removed when a label is written.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._xmp import TC260_NS

_KEY = f"{{{TC260_NS}}}AIGC"


def _open(path: Path) -> Any:
    import pikepdf

    try:
        # No silent repair: a PDF whose cross-reference table is damaged (e.g. truncated) is
        # refused rather than rewritten from qpdf's reconstruction.
        return pikepdf.open(path, attempt_recovery=False)
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        raise corrupt(path, f"PDF 无法解析：{exc}") from None


def _register() -> None:
    from pikepdf.models.metadata import PdfMetadata

    PdfMetadata.register_xml_namespace(TC260_NS, "TC260")


@register_carrier
class PdfCarrier(Carrier):
    name = "PDF"
    suffixes = (".pdf",)
    kind = "document"
    where = "Info /AIGC"

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        return b"%PDF-" in head[:32]

    def read(self, path: Path) -> list[str]:
        _register()
        with _open(path) as pdf:
            found = []
            value = pdf.docinfo.get("/AIGC")
            if value is not None:
                found.append(str(value))
            meta = pdf.open_metadata()
            if _KEY in meta:
                found.append(str(meta[_KEY]))
            return found

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        import pikepdf

        _register()
        with _open(src) as pdf:
            self._digest(pdf, src)
            pdf.docinfo["/AIGC"] = pikepdf.String(label_json)
            if _KEY in pdf.open_metadata():
                with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
                    del meta[_KEY]
            pdf.save(dst)

    def content_digest(self, path: Path) -> bytes:
        with _open(path) as pdf:
            return self._digest(pdf, path)

    @staticmethod
    def _digest(pdf: Any, path: Path) -> bytes:
        import pikepdf

        h = hashlib.sha256()
        try:
            for page in pdf.pages:
                h.update(repr(list(page.mediabox)).encode())
                contents = page.obj.get("/Contents")
                streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
                for s in streams:
                    if s is not None:
                        h.update(s.read_bytes())
                for name, image in sorted(page.get_images().items()):
                    h.update(str(name).encode() + image.read_raw_bytes())
        except (pikepdf.PdfError, ValueError) as exc:
            raise corrupt(path, f"PDF 页面内容损坏：{exc}") from None
        return h.digest()
