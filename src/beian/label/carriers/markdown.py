"""Markdown: YAML front matter line ``AIGC: '<json>'``; other front matter keys are kept."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from beian.errors import InputError
from beian.io import parse_yaml
from beian.label.carriers._base import Carrier, corrupt, register_carrier


def _split(text: str) -> tuple[list[str] | None, str]:
    """(front matter lines or None, body)."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip("\r\n") != "---":
        return None, text
    for i in range(1, len(lines)):
        if lines[i].rstrip("\r\n") in ("---", "..."):
            return lines[1:i], "".join(lines[i + 1 :])
    return None, text


def _is_label(line: str) -> bool:
    return line.startswith("AIGC:")


def _decode(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise corrupt(path, "Markdown 文件应为 UTF-8 编码") from None


@register_carrier
class MarkdownCarrier(Carrier):
    name = "Markdown"
    suffixes = (".md", ".markdown")
    kind = "text"
    where = "front matter AIGC:"

    def read(self, path: Path) -> list[str]:
        front, _ = _split(_decode(path))
        found = []
        for no, line in enumerate(front or [], start=2):  # line 1 is the opening ---
            if _is_label(line):
                try:
                    value = parse_yaml(line, where=f"{path}:{no}").get("AIGC")
                except InputError:
                    raise corrupt(path, f"front matter 第 {no} 行 AIGC 不是有效的 YAML") from None
                found.append(value if isinstance(value, str) else json.dumps(value))
        return found

    def write(self, src: Path, dst: Path, label_json: str) -> None:
        text = _decode(src)
        front, body = _split(text)
        line = "AIGC: '" + label_json.replace("'", "''") + "'\n"
        kept = [x for x in front or [] if not _is_label(x)]
        dst.write_bytes(("---\n" + line + "".join(kept) + "---\n" + body).encode("utf-8"))

    def content_digest(self, path: Path) -> bytes:
        front, body = _split(_decode(path))
        kept = [x for x in front or [] if not _is_label(x)]
        return hashlib.sha256(("".join(kept) + "\x00" + body).encode("utf-8")).digest()
