"""The Markdown providers write their agreement and annotation rules in, read into blocks.

Supports what such documents use: ATX headings, paragraphs, bullet and numbered lists,
block quotes, pipe tables and ``**bold**`` / ``*emphasis*`` / `` `code` `` markers (stripped).
"""

from __future__ import annotations

import re

from beian.dossier.render._blocks import Block, Bullets, Document, Heading, Para, Table

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)、]\s+(.*)$")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_INLINE = re.compile(r"\*\*(.+?)\*\*|__(.+?)__|\*(.+?)\*|`(.+?)`")


def _inline(text: str) -> str:
    return _INLINE.sub(lambda m: next(g for g in m.groups() if g is not None), text).strip()


def _cells(line: str) -> tuple[str, ...]:
    return tuple(_inline(c) for c in line.strip().strip("|").split("|"))


def markdown_document(text: str, *, default_title: str) -> Document:
    """Parse ``text``; the first level-1 heading becomes the document title."""
    lines = text.splitlines()
    blocks: list[Block] = []
    title: str | None = None
    para: list[str] = []
    i = 0

    def flush() -> None:
        if para:
            blocks.append(Para(_inline(" ".join(para))))
            para.clear()

    while i < len(lines):
        line = lines[i]
        if not line.strip():
            flush()
            i += 1
            continue
        m = _HEADING.match(line)
        if m:
            flush()
            level = len(m.group(1))
            if level == 1 and title is None:
                title = _inline(m.group(2))
            else:
                blocks.append(Heading(_inline(m.group(2)), min(max(level - 1, 1), 3)))
            i += 1
            continue
        if line.lstrip().startswith("|") and i + 1 < len(lines) and _TABLE_SEP.match(lines[i + 1]):
            flush()
            header = _cells(line)
            rows = []
            i += 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                rows.append(_cells(lines[i]))
                i += 1
            blocks.append(Table(header, tuple(rows)))
            continue
        for pattern, ordered in ((_BULLET, False), (_NUMBERED, True)):
            if pattern.match(line):
                flush()
                items = []
                while i < len(lines) and pattern.match(lines[i]):
                    items.append(_inline(pattern.match(lines[i]).group(1)))  # type: ignore[union-attr]
                    i += 1
                blocks.append(Bullets(tuple(items), ordered=ordered))
                break
        else:
            if line.lstrip().startswith(">"):
                flush()
                blocks.append(Para(_inline(line.lstrip()[1:]), note=True))
            else:
                para.append(line.strip())
            i += 1
    flush()
    return Document(title=title or default_title, blocks=blocks)
