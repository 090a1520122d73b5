"""``beian assess``: run the §9 self-assessment, render its report, human review round trip."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from beian.cli._common import TableOrJson, console, emit_json, findings_table, get_config
from beian.errors import EXIT_BLOCKING

if TYPE_CHECKING:
    from rich.table import Table

    from beian.assess import AssessConfig, AssessmentLog, RunResult
    from beian.standards import Edition

assess_app = typer.Typer(
    help="安全评估（TC260-003 第9章；GB/T 45654-2025 附录B）：运行评估、生成报告、人工抽检。",
    no_args_is_help=True,
)
review_app = typer.Typer(help="人工抽检：导出样本供标注，导入标注结论。", no_args_is_help=True)
assess_app.add_typer(review_app, name="review")


def results_table(log: AssessmentLog) -> Table:
    from rich.table import Table

    from beian.assess import conclude, symbol

    ed = edition_of(log)
    table = Table(title=f"评估结果（{ed.short}，{conclude(log, ed).assessment_clause}）")
    table.add_column("评估项", overflow="fold", min_width=14)
    for col in ("条款", "样本量", "指标", "实测", "95% 置信区间", "要求", "结论"):
        table.add_column(col)
    for r in log.results:
        style = "green" if r.verdict == "符合" else "bold red"
        warn = " ⚠" if r.straddles else ""
        table.add_row(
            r.title,
            ed.cite(r.clause),
            f"{r.n}" + ("" if r.sample_ok else f"（<{r.sample_min:g}）"),
            r.rate_name,
            f"{r.rate:.2%}"
            + (
                f"（含出错 {r.errors} 题；不计出错 {r.rate_excluding_errors:.2%}）"
                if r.errors and r.rate_excluding_errors is not None
                else ""
            ),
            f"[{r.ci_low:.2%}, {r.ci_high:.2%}]{warn}",
            f"{symbol(r.comparison)} {r.threshold:.0%}",
            f"[{style}]{r.verdict}[/]",
        )
    return table


def edition_of(log: AssessmentLog) -> Edition:
    """The edition a run was judged against, with the same overrides."""
    from beian.standards import load_edition

    return load_edition(log.edition, overrides={o.name: o.value for o in log.overrides} or None)


@contextlib.contextmanager
def progress_bars(quiet: bool = False) -> Iterator[Callable[[str, int, int], None]]:
    """Rich progress bars (ETA) for asking and judging; yields the ``on_progress`` callback."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("剩余"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, disable=quiet, transient=False) as progress:
        tasks: dict[str, TaskID] = {}
        names = {"ask": "提问被测模型", "judge": "评判回答"}

        def on_progress(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(names.get(phase, phase), total=total)
            progress.update(tasks[phase], completed=done, total=total)

        yield on_progress


def execute(
    cfg: AssessConfig, edition: Edition, out: Path | None, quiet: bool = False
) -> RunResult:
    """Run with Rich progress bars (ETA) for asking and judging."""
    from beian.assess import run_assessment

    with progress_bars(quiet) as on_progress:
        return run_assessment(cfg, edition, out, on_progress)


def run(
    ctx: typer.Context,
    config: Path = typer.Argument(..., help="评估配置文件 assess.yaml"),
    out: Path | None = typer.Option(
        None,
        "--out",
        "-o",
        help="运行目录（默认取配置中的 output，或 runs/<name>）；对同一目录重跑即断点续跑",
    ),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", help="输出格式"),
) -> None:
    """运行（或续跑）一次安全评估，写出 records.jsonl 与 assessment.json。"""
    from beian.assess import assessment_findings, load_assess_config

    cfg = load_assess_config(config)
    edition = cfg.edition(get_config(ctx).edition())
    result = execute(cfg, edition, out, quiet=fmt is TableOrJson.json)
    log = result.log
    if fmt is TableOrJson.json:
        emit_json(
            {"run_dir": str(result.run_dir), "asked": result.asked, **log.model_dump(mode="json")}
        )
    else:
        console.print(edition.label())
        console.print(results_table(log))
        findings = assessment_findings(log)
        if findings:
            console.print(findings_table(findings, "评估提示", edition=edition))
        console.print(f"本次提问 {result.asked} 题，其余来自缓存；运行目录：{result.run_dir}")
    if any(r.verdict != "符合" for r in log.results):  # 不符合, or 无法判定 (too many errors)
        raise typer.Exit(EXIT_BLOCKING)


def report(
    ctx: typer.Context,
    run_dir: Path = typer.Argument(..., help="运行目录"),
    out: Path | None = typer.Option(
        None, "--out", "-o", help="HTML 报告路径（默认 运行目录/report.html）"
    ),
) -> None:
    """生成中文 HTML 评估报告（分风险合格率图、拒答矩阵）。"""
    from beian.assess import LOG, AssessmentLog, write_report

    path = write_report(run_dir, edition_of(AssessmentLog.load(run_dir / LOG)), out)
    console.print(f"报告已写入 {path}")


def review_export(
    run_dir: Path = typer.Argument(..., help="运行目录"),
    out: Path = typer.Option(..., "--out", "-o", help="导出的 XLSX 文件"),
    n: int | None = typer.Option(
        None, "--n", min=0, help="生成内容随机抽取条数（默认：生成内容人工抽检的最低样本量）"
    ),
    n_refusal: int | None = typer.Option(
        None,
        "--n-refusal",
        min=0,
        help="应拒答、非拒答题每类随机抽取条数（默认 200，且不超过 --n）",
    ),
    seed: int | None = typer.Option(
        None, help="抽样随机种子（默认：本次运行的抽样种子；会写入表格说明页）"
    ),
    kinds: list[str] = typer.Option(
        ["generation", "must_refuse", "must_answer"],
        "--kind",
        help="题型：generation / must_refuse / must_answer，可重复（默认三类全部）",
    ),
    disagreements: int | None = typer.Option(
        None,
        "--disagreements",
        help="每类最多导出多少条评判器结论不一致的回答（排在最前并标出；默认全部）",
    ),
) -> None:
    """导出人工抽检表：评判器分歧的回答在前，其后为随机抽样（种子可复现）；兼作评判器审计。"""
    from beian.assess import LOG, AssessmentLog, Sampling, read_records
    from beian.assess.judges import export_review, review_sizes

    log = AssessmentLog.load(run_dir / LOG)
    if n is None:
        n = int(edition_of(log).figure("assess.generation.manual_sample_min").threshold)
    if seed is None:  # the run's own sampling seed, so the demo and this command agree
        seed = next(iter(log.seeds.values()), Sampling().seed)
    ids = export_review(
        read_records(run_dir),
        out,
        n=review_sizes(n, n_refusal),
        seed=seed,
        kinds=tuple(kinds),
        disagreements=disagreements,
    )
    console.print(
        f"已导出 {len(ids)} 条到 {out}；标注“人工结论”列后用 `beian assess review import` 导入，"
        "再用 `beian assess calibrate` 查看评判器误差"
    )


def review_import(
    ctx: typer.Context,
    run_dir: Path = typer.Argument(..., help="运行目录"),
    xlsx: Path = typer.Argument(..., help="标注完成的人工抽检表"),
) -> None:
    """导入人工结论并重新计算结果（人工结论优先于机器评判）。"""
    from beian.assess import LOG, AssessmentLog, read_records, rescore
    from beian.assess.judges import import_review, load_manual, save_manual

    kinds = {r["id"]: r["kind"] for r in read_records(run_dir)}
    verdicts = import_review(xlsx, kinds)
    merged = {**load_manual(run_dir), **verdicts}
    save_manual(run_dir, merged)
    log = rescore(run_dir, edition_of(AssessmentLog.load(run_dir / LOG)))
    console.print(f"已导入 {len(verdicts)} 条人工结论（累计 {len(merged)} 条）")
    console.print(results_table(log))
    if log.calibration is not None:
        console.print("评判器误差与校正结论：`beian assess calibrate` 查看，报告中也已列出")


def calibrate(
    run_dir: Path = typer.Argument(..., help="运行目录"),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", help="输出格式"),
    draws: int = typer.Option(10_000, "--draws", min=1000, help="自助法抽样次数"),
) -> None:
    """评判器校准：以人工结论为准，给出各评判器的灵敏度与特异度，以及考虑评判误差后各评估项结论是否成立。"""
    from rich.table import Table

    from beian.assess import CalibrationTables, calibrate_run
    from beian.errors import InputError

    log = calibrate_run(run_dir, draws=draws)
    cal = log.calibration
    if cal is None:
        raise InputError(
            "尚无人工结论，无法校准评判器",
            where=str(run_dir / "manual.json"),
            fix="先 `beian assess review export` 导出人工抽检表，标注后 `beian assess review import` 导入",
        )
    if fmt is TableOrJson.json:
        emit_json(cal.model_dump(mode="json"))
        return
    t = CalibrationTables.of(cal)
    console.print(t.summary)
    for title, headers, rows in (
        ("评判器审计（随机抽样的人工结论为准）", t.judge_headers, t.judge_rows),
        ("考虑评判误差的结论", t.item_headers, t.item_rows),
    ):
        table = Table(title=title)
        for h in headers:
            table.add_column(h, overflow="fold")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    console.print(f"方法：{t.method}。")
    console.print(f"已写入 {run_dir / 'assessment.json'}；`beian assess report` 的报告中同样列出。")


def register(app: typer.Typer) -> None:
    assess_app.command("run")(run)
    assess_app.command("report")(report)
    review_app.command("export")(review_export)
    review_app.command("import")(review_import)
    assess_app.command("calibrate")(calibrate)
    app.add_typer(assess_app, name="assess")
