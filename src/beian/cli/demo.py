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


def demo_server(
    host: str = typer.Option("127.0.0.1", help="监听地址"),
    port: int = typer.Option(8000, help="监听端口"),
    latency_ms: float = typer.Option(0.0, "--latency-ms", help="每次响应前的延迟（毫秒）"),
    rate_limit_every: int = typer.Option(0, help="每 N 个问题（按哈希）先返回一次 HTTP 429"),
    api_key: str | None = typer.Option(None, help="要求的 API 密钥（默认不校验）"),
) -> None:
    """运行内置的 OpenAI 兼容演示模型服务（确定性：拒答部分问题、回答其余问题）。"""
    from beian.demo import DemoBehavior, run_server

    console.print(f"演示模型服务：http://{host}:{port}/v1（Ctrl+C 停止）")
    run_server(
        DemoBehavior(latency_ms=latency_ms, rate_limit_every=rate_limit_every, api_key=api_key),
        host,
        port,
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
    app.command("demo-server")(demo_server)
