"""TIFF: XMP in tag 700 (0x2BC), written with Pillow (lossless; every page kept)."""

from __future__ import annotations

from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, pixel_digest, register_carrier
from beian.label.carriers._xmp import build_xmp, find_label

_XMP_TAG = 700


def _xmp_bytes(value: object) -> bytes | None:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    if isinstance(value, tuple) and all(isinstance(v, int) for v in value):
        return bytes(value)
    return None


@register_carrier
class TiffCarrier(Carrier):
    name = "TIFF"
    suffixes = (".tif", ".tiff")
    kind = "image"
    where = "标签 0x2BC XMP TC260:AIGC"
    magic = (b"II*\x00", b"MM\x00*")

    def read(self, path: Path) -> list[str]:
        from PIL import Image, ImageSequence

        self.content_digest(path)  # malformed files are an error, not "no label"
        found: list[str] = []
        with Image.open(path) as im:
            for frame in ImageSequence.Iterator(im):
                raw = _xmp_bytes(frame.tag_v2.get(_XMP_TAG))  # type: ignore[attr-defined]
                if raw:
                    found.extend(find_label(raw))
        return found

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        from PIL import Image, ImageSequence, TiffImagePlugin, TiffTags

        self.content_digest(src)
        with Image.open(src) as im:
            frames: list[Image.Image] = []
            infos: list[TiffImagePlugin.ImageFileDirectory_v2] = []
            for frame in ImageSequence.Iterator(im):
                old = _xmp_bytes(frame.tag_v2.get(_XMP_TAG))  # type: ignore[attr-defined]
                info = TiffImagePlugin.ImageFileDirectory_v2()
                for tag, value in frame.tag_v2.items():  # type: ignore[attr-defined]
                    if tag in (270, 305, 315, 33432):  # description, software, artist, copyright
                        info[tag] = value
                info[_XMP_TAG] = build_xmp(label_json, old if not infos else None)
                info.tagtype[_XMP_TAG] = TiffTags.BYTE
                frames.append(frame.copy())
                infos.append(info)
            compression = im.info.get("compression", "raw")
        try:
            frames[0].save(
                dst,
                format="TIFF",
                save_all=len(frames) > 1,
                append_images=frames[1:],
                tiffinfo=infos[0],
                compression=compression,
            )
        except (OSError, ValueError) as exc:
            raise corrupt(src, f"TIFF 重写失败：{exc}") from None

    def content_digest(self, path: Path) -> bytes:
        return pixel_digest(path)
