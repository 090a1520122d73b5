"""Ogg (Vorbis, Opus, FLAC-in-Ogg): Vorbis comment ``AIGC`` (written with mutagen).

The content digest hashes every packet except the comment header, so mutagen's re-paging of
the headers does not change it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from beian.label.carriers._base import Carrier, corrupt, register_carrier
from beian.label.carriers._vorbis import open_tagged, read_comment, write_comment


@register_carrier
class OggCarrier(Carrier):
    name = "Ogg"
    suffixes = (".ogg", ".oga", ".opus")
    kind = "audio"
    where = "Vorbis 注释 AIGC"
    magic = (b"OggS",)

    def read(self, path: Path) -> list[str]:
        return read_comment(path)

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        write_comment(src, dst, label_json)

    def content_digest(self, path: Path) -> bytes:
        from mutagen import ogg

        m: Any = ogg
        open_tagged(path)
        pages = []
        with open(path, "rb") as fh:
            while True:
                try:
                    pages.append(m.OggPage(fh))
                except EOFError:
                    break
                except Exception as exc:  # mutagen raises its own error types here
                    raise corrupt(path, f"Ogg 页损坏：{exc}") from None
        if not pages:
            raise corrupt(path, "没有 Ogg 页")
        serial = pages[0].serial
        try:
            packets = m.OggPage.to_packets([p for p in pages if p.serial == serial])
        except ValueError as exc:
            raise corrupt(path, str(exc)) from None
        h = hashlib.sha256()
        for i, packet in enumerate(packets):
            if i != 1:  # packet 1 is the comment header in Vorbis, Opus and Ogg FLAC
                h.update(len(packet).to_bytes(8, "little") + packet)
        return h.digest()
