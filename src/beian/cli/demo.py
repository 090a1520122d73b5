"""``beian demo``: a full offline self-assessment on the embedded demo model, bank and lexicon."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from beian.cli._common import console, findings_table, get_config, print_whole


def demo(
    ctx: typer.Context,
    out_dir: Path | None = typer.Argument(None, help="输出目录（默认 ./demo-out）"),
    out_opt: Path | None = typer.Option(None, "--out", "-o", help="输出目录（同位置参数）"),
) -> None:
    """运行内置演示：启动演示模型服务，用演示题库与关键词库完成一次完整的安全评估（离线、无需密钥）。"""
    from beian.cli.assess import progress_bars, results_table
    from beian.demo import run_demo

    out = out_dir or out_opt or Path("demo-out")
    config = get_config(ctx)
    ed = config.edition()
    console.print(f"[bold]beian 演示[/bold] · {ed.label()}")
    console.print(
        f"附录A 安全风险 {len(ed.risks)} 种（A.1+A.2 共 {len(ed.core_risks())} 种）；"
        f"非拒答方面 {len(ed.aspects)} 个；数值要求 {len(ed.figures)} 项。"
    )

    def step(name: str, info: dict[str, Any]) -> None:
        if name == "trained":
            console.print(
                f"① 训练分类模型：{info['samples']} 条样本，留出集精确率 "
                f"{info['unsafe_precision']:.1%}、召回率 {info['unsafe_recall']:.1%}"
            )
        elif name == "serving":
            console.print(
                f"② 演示模型服务：{info['url']}（会拒答部分问题、偶尔限流 429、偶尔变慢、偶尔被内容过滤）"
            )

    with progress_bars() as on_progress:
        run = run_demo(out, config=config, on_progress=on_progress, on_step=step)
    console.print(results_table(run.result.log))
    if run.findings:
        console.print(findings_table(run.findings, "评估提示", edition=run.edition))
    console.print(f"③ 运行目录：{run.result.run_dir}（records.jsonl、assessment.json）")
    console.print(f"④ 中文报告：{run.report}")
    run_dir, pkg = run.result.run_dir, run.package
    console.print(
        f"⑤ 人工抽检表：{run.review}（生成内容、应拒答、非拒答三类，评判器分歧的回答排在最前）。"
        f"标注后运行 `beian assess review import {run_dir} {run.review}` 得到 9.3 人工抽检结果，"
        f"`beian assess calibrate {run_dir}` 查看评判器误差，"
        f"`beian build {pkg.dossier} --run {run_dir} --out {pkg.build.out} --draft --force --force-run` "
        "把人工结论与校准写入安全评估报告（演示评估的是演示模型，示例材料写的是示例服务的模型，故加 --force-run）"
    )
    counts = {s: sum(f.severity.value == s for f in pkg.report.findings) for s in ("阻断", "警告")}
    console.print(
        f"⑥ 备案材料包：{pkg.build.out}（{len(pkg.build.manifest.files)} 个文件 + manifest.json；"
        f"示例提供者材料 {pkg.dossier}）"
    )
    console.print(
        f"   备案前检查：阻断 {counts['阻断']}，警告 {counts['警告']}（见 findings.json；"
        "演示关键词库规模小、人工抽检未完成，故为草稿，不可提交）"
        if counts["阻断"]
        else f"   备案前检查：无阻断问题，警告 {counts['警告']}"
    )
    for line in pkg.build.conclusion.lines():  # what the 安全评估报告 states (DOCX, PDF, HTML)
        console.print(f"   {line}", markup=False)


def demo_server(
    host: str = typer.Option("127.0.0.1", help="监听地址"),
    port: int = typer.Option(8000, help="监听端口"),
    latency_ms: float = typer.Option(0.0, "--latency-ms", help="每次响应前的延迟（毫秒）"),
    chunk_delay_ms: float = typer.Option(
        0.0, "--chunk-delay-ms", help="生成每个分块的时间（毫秒）：流式逐块等待，非流式等待全部分块"
    ),
    rate_limit_every: int = typer.Option(0, help="每 N 个问题（按哈希）先返回一次 HTTP 429"),
    api_key: str | None = typer.Option(None, help="要求的 API 密钥（默认不校验）"),
    judge: bool = typer.Option(
        False, "--judge", help="充当大模型评审：以 JSON 给出合格与否、是否拒答"
    ),
    guard: str = typer.Option(
        "",
        "--guard",
        help="充当护栏模型：qwen3guard（Qwen3Guard-Gen 的三行格式）或 rubric（通用中文评审提示词的三行格式）",
    ),
) -> None:
    """运行内置的 OpenAI 兼容演示模型服务（确定性：拒答部分问题、回答其余问题）。"""
    from beian.demo import DemoBehavior, run_server

    if guard not in ("", "qwen3guard", "rubric"):
        raise typer.BadParameter("应为 qwen3guard 或 rubric", param_hint="--guard")
    print_whole(f"演示模型服务：http://{host}:{port}/v1（Ctrl+C 停止）")
    run_server(
        DemoBehavior(
            latency_ms=latency_ms,
            chunk_delay_ms=chunk_delay_ms,
            rate_limit_every=rate_limit_every,
            api_key=api_key,
            judge=judge,
            guard=guard,
        ),
        host,
        port,
    )


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
    app.command("demo-server")(demo_server)
