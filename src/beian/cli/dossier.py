"""``beian init | check | build``: the filing dossier (上线备案表, pre-submission review, package)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from beian.cli._common import (
    TableOrJson,
    console,
    emit_json,
    err_console,
    findings_table,
    get_config,
)
from beian.errors import EXIT_BLOCKING

_DIR = typer.Argument(help="备案材料目录（含 dossier.yaml），或 dossier.yaml 文件")


def init(
    directory: Annotated[Path, typer.Argument(help="要创建的备案材料目录")],
    example: Annotated[
        bool, typer.Option("--example", help="使用内置的演示材料（虚构提供者）而非空白模板")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="覆盖目录中已有的同名文件")] = False,
) -> None:
    """生成备案材料模板：dossier.yaml（上线备案表全部字段，中文注释）与服务协议、标注规则提纲。"""
    from beian.dossier import init_dossier

    for p in init_dossier(directory, example=example, force=force):
        console.print(f"已写入 {p}")
    console.print(f"下一步：填写 {directory / 'dossier.yaml'}，然后运行 `beian check {directory}`")


def check(
    ctx: typer.Context,
    directory: Annotated[Path, _DIR],
    fmt: Annotated[
        TableOrJson, typer.Option("--format", "-f", help="输出格式")
    ] = TableOrJson.table,
    rule: Annotated[
        list[str] | None, typer.Option("--rule", "-r", help="只运行指定规则（可重复）")
    ] = None,
) -> None:
    """备案前检查：完整性、合规性与可行性规则；有“阻断”级问题时退出码为 1。"""
    from beian.dossier import check_dossier

    report = check_dossier(directory, config=get_config(ctx), only=rule or None)
    if fmt is TableOrJson.json:
        emit_json(report.findings_json())
    else:
        console.print(report.context.edition.label())
        if report.findings:
            console.print(
                findings_table(
                    report.findings, title="备案前检查结果", edition=report.context.edition
                )
            )
        counts = {
            s: sum(f.severity.value == s for f in report.findings) for s in ("阻断", "警告", "提示")
        }
        console.print(
            f"已运行 {len(report.rules)} 条规则：阻断 {counts['阻断']}，警告 {counts['警告']}，提示 {counts['提示']}"
        )
    if report.blocking:
        raise typer.Exit(EXIT_BLOCKING)


def build(
    ctx: typer.Context,
    directory: Annotated[Path, _DIR],
    out: Annotated[Path, typer.Option("--out", "-o", help="输出目录（材料包）")],
    force: Annotated[bool, typer.Option("--force", help="替换已有的材料包")] = False,
    draft: Annotated[
        bool, typer.Option("--draft", help="存在“阻断”级问题时仍生成（草稿，不可提交）")
    ] = False,
    run: Annotated[
        Path | None,
        typer.Option(
            "--run",
            help="评估运行目录：先用其中的 assessment.json（含导入的人工结论与评判器校准）"
            "替换备案材料中的评估记录（attachments.assessment）",
        ),
    ] = None,
    force_run: Annotated[
        bool,
        typer.Option(
            "--force-run",
            help="--run 的评估记录与备案材料的标准版本或模型（service.model_name）不一致时仍使用",
        ),
    ] = False,
) -> None:
    """生成备案材料包：上线备案表、安全评估报告（docx+pdf）、服务协议、标注规则、关键词列表、测试题集与 manifest.json。"""
    from beian.dossier import DossierContext, build_package, run_rules, stage_assessment

    context = DossierContext.load(directory, config=get_config(ctx))
    if run is not None:  # checked against the run's log; the file is replaced only if we build
        context.staged = stage_assessment(context, run, force=force_run)
    report = run_rules(context)
    if report.blocking and not draft:
        err_console.print(
            findings_table(report.findings, title="备案前检查结果", edition=report.context.edition)
        )
        err_console.print("存在“阻断”级问题，未生成材料包。修复后重试，或加 --draft 生成草稿。")
        raise typer.Exit(EXIT_BLOCKING)
    if context.staged is not None and context.staged.commit():
        console.print(f"评估记录已更新：{context.staged.target}（来自 {context.staged.source}）")
    result = build_package(report, out, force=force)
    for f in result.manifest.files:
        console.print(f"  {f.path}  {f.size} 字节  sha256 {f.sha256[:16]}…")
    console.print(
        f"材料包已生成：{result.out}（{len(result.manifest.files)} 个文件 + manifest.json）"
    )
    if report.blocking:
        console.print(
            "[red]注意：材料包含“阻断”级问题（见 findings.json），仅为草稿，不可提交。[/]"
        )
        raise typer.Exit(EXIT_BLOCKING)


def transparency(
    ctx: typer.Context,
    directory: Annotated[Path, _DIR],
    out: Annotated[Path, typer.Option("--out", "-o", help="输出文件：.html、.md 或 .docx")] = Path(
        "服务透明度说明.html"
    ),
    number: Annotated[
        str | None,
        typer.Option("--number", help="本服务的备案号或登记编号（取得后填写，页面中公示）"),
    ] = None,
) -> None:
    """生成服务透明度说明（用户告知）：适用人群、场合、用途、基础模型、局限性、投诉渠道、备案号等。

    网关 `beian gateway serve` 在 /transparency 提供该页面（配置 transparency.page）。"""
    from beian.dossier import DossierContext, write_transparency

    dossier = DossierContext.load(directory, config=get_config(ctx))
    path = write_transparency(dossier, out, number=number)
    console.print(f"服务透明度说明已写入 {path}")


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("check")(check)
    app.command("build")(build)
    app.command("transparency")(transparency)
