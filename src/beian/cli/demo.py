"""``beian demo``: the main job on the embedded demo, offline, without keys."""

from __future__ import annotations

import typer

from beian.cli._common import console, get_config


def demo(ctx: typer.Context) -> None:
    """运行内置演示（离线、无需密钥）。"""
    ed = get_config(ctx).edition()
    console.print(f"[bold]beian 演示[/bold] · {ed.label()}")
    console.print(
        f"附录A 安全风险 {len(ed.risks)} 种（A.1+A.2 共 {len(ed.core_risks())} 种）；"
        f"非拒答方面 {len(ed.aspects)} 个；数值要求 {len(ed.figures)} 项；"
        f"第5–8章条款 {len(ed.clauses)} 条；备案附件 {len(ed.materials.attachments)} 份。"
    )
    for f in ed.figures.values():
        if f.name.startswith("assess."):
            console.print(f"  §{f.clause} {f.title}：{f.display()}")


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
