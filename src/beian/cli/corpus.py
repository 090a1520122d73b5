"""``beian corpus``: corpus source vetting, full screening and §9.2 sampling."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from beian.cli._common import (
    TableOrJson,
    console,
    emit_json,
    err_console,
    findings_table,
    get_config,
)
from beian.errors import EXIT_BLOCKING

if TYPE_CHECKING:
    from beian.assess import ItemResult
    from beian.corpus import CorpusReport, Engine, ScanRun, Screeners, SourceConfig

_OUT_HELP = "筛查结果目录（scan.json、results/*.parquet、report.json 等）"
_Edition = Annotated[str | None, typer.Option("--edition", "-e", help="标准版本")]
_Format = Annotated[TableOrJson, typer.Option("--format", "-f", help="输出格式")]
_Log = Annotated[Path | None, typer.Option("--log", help="评估记录（默认 OUT/assessment.json）")]


def _report_table(report: CorpusReport) -> Table:
    t = Table(title=f"语料来源筛查（§{report.clause}：违法不良信息占比 ≤ {report.threshold:.0%}）")
    for col in (
        "来源",
        "类型",
        "文档",
        "不良",
        "占比",
        "95%置信区间",
        "损坏记录",
        "含个人信息",
        "结论",
    ):
        t.add_column(col)
    for s in report.sources:
        style = "green" if s.verdict == "接受" else "bold red"
        t.add_row(
            s.name,
            s.type,
            str(s.docs),
            str(s.bad),
            f"{s.ratio:.2%}",
            f"[{s.ci_low:.2%}, {s.ci_high:.2%}]",
            str(s.errors),
            str(s.pii_docs),
            f"[{style}]{s.verdict}[/]",
        )
    return t


def _item_line(r: ItemResult) -> str:
    mark = "green" if r.verdict == "符合" else "bold red"
    return (
        f"{r.title}：样本 {r.n}（下限 {r.sample_min:g}），{r.rate_name} {r.rate:.2%}"
        f"（阈值 {r.threshold:.0%}）→ [{mark}]{r.verdict}[/]"
        + "".join(f"\n  注：{n}" for n in r.notes)
    )


def scan(
    ctx: typer.Context,
    sources: Annotated[Path, typer.Argument(help="来源清单 sources.yaml")],
    out: Annotated[Path, typer.Option("--out", "-o", help=_OUT_HELP)],
    lexicon: Annotated[
        list[Path] | None, typer.Option("--lexicon", "-l", help="关键词库文件（可多次给出）")
    ] = None,
    pii: Annotated[bool, typer.Option("--pii/--no-pii", help="同时检测个人信息")] = False,
    pii_is_bad: Annotated[
        bool, typer.Option("--pii-is-bad", help="含个人信息的文档也计为不良")
    ] = False,
    classifier: Annotated[
        Path | None, typer.Option("--classifier", help="`beian classifier train` 训练的模型")
    ] = None,
    threshold: Annotated[
        float, typer.Option("--classifier-threshold", help="分类得分达到该值计为不良")
    ] = 0.5,
    bad_risk: Annotated[
        list[str] | None,
        typer.Option("--bad-risk", help="只把这些风险代码的命中计为不良（默认全部）"),
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="执行引擎：local（多进程）或 ray")
    ] = "local",
    workers: Annotated[
        int, typer.Option("--workers", "-j", help="并行进程/Ray 工作者数（默认 CPU 核数）")
    ] = 0,
    ray_address: Annotated[
        str | None,
        typer.Option("--ray-address", help="已有 Ray 集群地址，如 ray://head:10001 或 auto"),
    ] = None,
    clean: Annotated[bool, typer.Option("--clean", help="同时输出过滤后的干净语料 clean/")] = False,
    shard_mb: Annotated[int, typer.Option("--shard-mb", help="分片大小（MB）")] = 64,
    edition: _Edition = None,
    fmt: _Format = TableOrJson.table,
) -> None:
    """全量筛查语料：关键词、个人信息、分类模型；按来源给出违法不良信息占比与采用结论。"""
    from beian.corpus import SourceConfig, build_report, build_screeners
    from beian.errors import ConfigError

    engines: dict[str, Engine] = {"local": "local", "ray": "ray"}
    chosen = engines.get(engine)
    if chosen is None:
        raise ConfigError(f"未知的执行引擎 {engine}", where="--engine", fix="可选 local 或 ray")
    if shard_mb < 1:
        raise ConfigError("分片大小至少 1 MB", where="--shard-mb")
    ed = get_config(ctx).edition(edition)
    cfg = SourceConfig.load(sources)
    screeners = build_screeners(
        lexicon=lexicon or [],
        pii=pii,
        classifier=classifier,
        classifier_threshold=threshold,
        bad_risks=bad_risk or [],
        pii_is_bad=pii_is_bad,
        edition_risks=list(ed.risks),
    )
    run = _scan_with_progress(
        cfg, screeners, out, engine=chosen, workers=workers or None, clean=clean,
        shard_bytes=shard_mb << 20, ray_address=ray_address,
    )  # fmt: skip
    report = build_report(out, ed)
    if fmt is TableOrJson.json:
        emit_json(
            {
                **report.model_dump(mode="json"),
                "shards": len(run.shards),
                "ran": len(run.ran),
                "skipped": len(run.skipped),
            }
        )
    else:
        console.print(
            f"分片 {len(run.shards)} 个：本次运行 {len(run.ran)}，跳过 {len(run.skipped)}；结果写入 {out}"
        )
        console.print(_report_table(report))
        if report.findings:
            console.print(findings_table(report.findings, edition=ed))
    if any(f.severity.rank == 2 for f in report.findings):
        raise typer.Exit(EXIT_BLOCKING)


def _scan_with_progress(
    cfg: SourceConfig, screeners: Screeners, out: Path, *, engine: Engine, workers: int | None,
    clean: bool, shard_bytes: int, ray_address: str | None,
) -> ScanRun:  # fmt: skip
    """:func:`beian.corpus.scan_corpus` with a progress bar on stderr (bytes and documents)."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from beian.corpus import scan_corpus

    with Progress(
        TextColumn("筛查"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[docs]} 篇"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("scan", total=None, docs=0)
        state = {"docs": 0}

        def on_plan(shards: list[Any], skipped: list[Any]) -> None:
            bar.update(
                task, total=sum(s.size for s in shards), completed=sum(s.size for s in skipped)
            )
            if skipped:
                err_console.print(f"续跑：{len(skipped)}/{len(shards)} 个分片已完成，跳过")

        def progress(summary: dict[str, Any]) -> None:
            state["docs"] += summary["docs"]
            bar.update(task, advance=summary["bytes"], docs=state["docs"])

        return scan_corpus(
            cfg, screeners, out, engine=engine, workers=workers, clean=clean,
            shard_bytes=shard_bytes, ray_address=ray_address, on_plan=on_plan, progress=progress,
        )  # fmt: skip


def sample(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help=_OUT_HELP)],
    seed: Annotated[
        int | None, typer.Option("--seed", help="随机种子（不给则随机生成并记录）")
    ] = None,
    manual: Annotated[
        int | None, typer.Option("--manual", help="人工抽检样本数（默认取标准下限）")
    ] = None,
    technical_ratio: Annotated[
        float | None, typer.Option("--technical-ratio", help="技术抽检比例（默认取标准下限）")
    ] = None,
    include_rejected: Annotated[
        bool, typer.Option("--include-rejected", help="总体包含被拒绝的来源")
    ] = False,
    xlsx: Annotated[
        Path | None, typer.Option("--xlsx", help="人工抽检表（默认 OUT/manual-review.xlsx）")
    ] = None,
    log: _Log = None,
    edition: _Edition = None,
    fmt: _Format = TableOrJson.table,
) -> None:
    """§9.2 抽样：导出人工抽检表，技术抽检结果写入评估记录（9.2-technical）。"""
    import secrets

    from beian.corpus import draw_samples, export_review, manual_documents, record, technical_result

    ed = get_config(ctx).edition(edition)
    seed = secrets.randbelow(2**31) if seed is None else seed
    plan = draw_samples(
        out,
        ed,
        seed=seed,
        manual_n=manual,
        technical_ratio=technical_ratio,
        include_rejected=include_rejected,
    )
    xlsx = xlsx or out / "manual-review.xlsx"
    log = log or out / "assessment.json"
    with err_console.status(f"读取 {len(plan.manual)} 个人工抽检样本……"):
        docs = manual_documents(out, plan)
    export_review(xlsx, plan, docs)
    res = technical_result(plan, ed)
    record(log, ed, res, plan)
    if fmt is TableOrJson.json:
        emit_json(
            {
                "seed": seed,
                "manual": len(plan.manual),
                "xlsx": str(xlsx),
                "log": str(log),
                "technical": res.model_dump(mode="json"),
            }
        )
        return
    console.print(f"随机种子 {seed}；总体 {plan.population} 篇（来源：{'、'.join(plan.sources)}）")
    console.print(
        f"人工抽检表：{xlsx}（{len(plan.manual)} 条，审核后用 `beian corpus report {out} --reviewed 表格` 导入）"
    )
    console.print(_item_line(res))
    console.print(f"已写入评估记录：{log}")


def report(
    ctx: typer.Context,
    out: Annotated[Path, typer.Argument(help=_OUT_HELP)],
    reviewed: Annotated[
        Path | None, typer.Option("--reviewed", help="审核完成的人工抽检表，导入为 9.2-manual")
    ] = None,
    log: _Log = None,
    edition: _Edition = None,
    fmt: _Format = TableOrJson.table,
) -> None:
    """汇总筛查结论与 §9.2 抽检结果；可导入人工审核表。"""
    from beian.assess import AssessmentLog
    from beian.corpus import build_report, import_review, load_plan, record

    ed = get_config(ctx).edition(edition)
    rep = build_report(out, ed)
    log = log or out / "assessment.json"
    if reviewed is not None:
        plan = load_plan(out)
        record(log, ed, import_review(reviewed, plan, ed), plan)
    items = []
    if log.exists():
        items = [r for r in AssessmentLog.load(log).results if r.item.startswith("9.2")]
    if fmt is TableOrJson.json:
        emit_json(
            {**rep.model_dump(mode="json"), "items": [r.model_dump(mode="json") for r in items]}
        )
    else:
        console.print(_report_table(rep))
        if rep.findings:
            console.print(findings_table(rep.findings, edition=ed))
        for r in items:
            console.print(_item_line(r))
        if not items:
            console.print("尚无 §9.2 抽检结果：请运行 `beian corpus sample`")
    if any(f.severity.rank == 2 for f in rep.findings) or any(r.verdict != "符合" for r in items):
        raise typer.Exit(EXIT_BLOCKING)


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="语料安全：来源核验、全量筛查、§9.2 抽检。", no_args_is_help=True)
    sub.command("scan")(scan)
    sub.command("sample")(sample)
    sub.command("report")(report)
    app.add_typer(sub, name="corpus")
