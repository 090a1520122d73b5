"""A :class:`Document` as Markdown or as a standalone HTML page (the public documents: the
service's transparency notice, published on its site and served by the gateway)."""

from __future__ import annotations

import html

from beian.dossier.render._blocks import (
    DRAFT_MARK,
    Bullets,
    Document,
    Heading,
    Image,
    PageBreak,
    Para,
    Table,
)

__all__ = ["render_html", "render_markdown"]

_CSS = (
    'body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","SimHei",'
    "sans-serif;margin:2em auto;max-width:860px;color:#222;line-height:1.7;padding:0 1em}"
    "table{border-collapse:collapse;width:100%;margin:1em 0}th,td{border:1px solid #ccc;"
    "padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}"
    ".note{font-size:90%;color:#555}.sub{color:#555}.num{white-space:nowrap}"
    ".draft{color:#c5221f;border:2px dashed #c5221f;padding:.4em 1em;font-weight:bold}"
)


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", "<br>")


def render_markdown(doc: Document) -> str:
    out = [f"# {doc.title}", "", *(f"{s}  " for s in doc.subtitle), ""]
    if doc.draft:
        out += [f"**{DRAFT_MARK}**", ""]
    for b in doc.blocks:
        if isinstance(b, Heading):
            out += [f"{'#' * (b.level + 1)} {b.text}", ""]
        elif isinstance(b, Para):
            out += [f"*{b.text}*" if b.note else b.text, ""]
        elif isinstance(b, Bullets):
            out += [f"{i}. {x}" if b.ordered else f"- {x}" for i, x in enumerate(b.items, 1)]
            out.append("")
        elif isinstance(b, Table):
            out.append("| " + " | ".join(_cell(h) for h in b.header) + " |")
            out.append("|" + "---|" * len(b.header))
            out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in b.rows]
            out.append("")
        elif isinstance(b, Image):
            out += [f"（图：{b.caption}）", ""]
    return "\n".join(out).rstrip() + "\n"


def render_html(doc: Document) -> str:
    e = html.escape
    out = [
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{e(doc.title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(doc.title)}</h1>",
        *(f'<p class="sub">{e(s)}</p>' for s in doc.subtitle),
    ]
    if doc.draft:
        out.append(f'<p class="draft" id="draft">{e(DRAFT_MARK)}</p>')
    for b in doc.blocks:
        if isinstance(b, Heading):
            out.append(f"<h{b.level + 1}>{e(b.text)}</h{b.level + 1}>")
        elif isinstance(b, Para):
            out.append(f"<p{' class=note' if b.note else ''}>{e(b.text)}</p>")
        elif isinstance(b, Bullets):
            tag = "ol" if b.ordered else "ul"
            out.append(f"<{tag}>" + "".join(f"<li>{e(x)}</li>" for x in b.items) + f"</{tag}>")
        elif isinstance(b, Table):
            head = "".join(f"<th>{e(h)}</th>" for h in b.header)
            rows = "".join(
                "<tr>"
                + "".join(
                    f"<td{' class=num' if i in b.nowrap else ''}>{e(c).replace(chr(10), '<br>')}</td>"
                    for i, c in enumerate(r)
                )
                + "</tr>"
                for r in b.rows
            )
            out.append(f"<table><tr>{head}</tr>{rows}</table>")
        elif isinstance(b, Image | PageBreak):
            continue
    out.append("</body></html>")
    return "\n".join(out) + "\n"
