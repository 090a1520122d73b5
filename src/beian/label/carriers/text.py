"""Plain text: a final line ``AIGC:<json>`` (this project's documented convention).

The label is the last line of the file, starting with ``AIGC:`` and followed by the compact
JSON payload. It is ASCII, so the convention works for UTF-8 and GB18030 files alike; UTF-16
files are refused. Everything before that line is the content.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from beian.label.carriers._base import Carrier, corrupt, register_carrier

_TAG = b"AIGC:"


def _split(path: Path) -> tuple[bytes, list[bytes]]:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        raise corrupt(path, "不支持 UTF-16 或二进制文件，请转为 UTF-8")
    lines = data.splitlines(keepends=True)
    labels = []
    while lines and lines[-1].startswith(_TAG):
        labels.append(lines.pop()[len(_TAG) :].strip())
    return b"".join(lines), labels


@register_carrier
class TextCarrier(Carrier):
    name = "Text"
    suffixes = (".txt", ".text")
    kind = "text"
    where = "末行 AIGC:"

    def read(self, path: Path) -> list[str]:
        return [label.decode("latin-1") for label in _split(path)[1]]

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        body, _ = _split(src)
        if body and not body.endswith(b"\n"):
            body += b"\r\n" if b"\r\n" in body else b"\n"
        dst.write_bytes(body + _TAG + label_json.encode("ascii") + b"\n")

    def content_digest(self, path: Path) -> bytes:
        body, _ = _split(path)
        return hashlib.sha256(body.rstrip(b"\r\n")).digest()
