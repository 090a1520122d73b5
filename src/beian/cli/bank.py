"""``beian bank``: audit question banks, export the 评估测试题集 workbook, import public datasets."""

from __future__ import annotations

from pathlib import Path

import typer

from beian.cli._common import (
    TableOrJson,
    console,
    emit_json,
    findings_table,
    get_config,
)
from beian.errors import EXIT_BLOCKING

bank_app = typer.Typer(
    help="测试题库：审核规模与重复、导出评估测试题集、导入公开数据集。", no_args_is_help=True
)


def audit(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="题库文件（.csv / .xlsx / .jsonl），可多个"),
    edition: str | None = typer.Option(None, "--edition", "-e", help="标准版本（默认取配置文件）"),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="输出格式"),
) -> None:
    """按所选标准版本检查题库规模、每种风险/每个方面的最低题量、重复与近似重复、未知代码。"""
    from collections import Counter

    from beian.assess import KIND_ZH, audit_bank, load_bank
    from beian.cli._common import findings_json
    from beian.findings import has_blocking

    ed = get_config(ctx).edition(edition)
    bank = load_bank(files)
    findings = audit_bank(bank, ed)
    counts: Counter[str] = Counter(q.kind for q in bank.questions)
    if fmt is TableOrJson.json:
        emit_json(
            {
                "edition": ed.id,
                "counts": dict(counts),
                "findings": findings_json(findings, ed),
            }
        )
    else:
        console.print(ed.label())
        console.print("题量：" + "，".join(f"{KIND_ZH[k]} {counts.get(k, 0)}" for k in KIND_ZH))
        if findings:
            console.print(findings_table(findings, "题库审核结果", edition=ed))
        else:
            console.print("[green]题库符合 §8.2–8.3 的要求，未发现重复或未知代码。[/]")
    if has_blocking(findings):
        raise typer.Exit(EXIT_BLOCKING)


def export(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(..., help="题库文件"),
    xlsx: Path = typer.Option(..., "--xlsx", help="导出的评估测试题集（.xlsx）"),
) -> None:
    """导出备案附件“评估测试题集”（每种题型一个工作表）。"""
    from beian.assess import export_bank_xlsx, load_bank

    bank = load_bank(files)
    export_bank_xlsx(bank, get_config(ctx).edition(), xlsx)
    console.print(f"已导出 {len(bank.questions)} 道题到 {xlsx}")


def import_cmd(
    ctx: typer.Context,
    dataset: Path = typer.Argument(..., help="已下载的数据集文件"),
    fmt: str = typer.Option(
        ...,
        "--format",
        help="数据集格式：safety-prompts / chisafetybench / jade / flames / s-eval / cvalues / jsonl"
        "（或已安装插件包提供的格式）",
    ),
    mapping: Path | None = typer.Option(
        None, "--mapping", "-m", help="类别 → 风险代码映射文件（YAML）"
    ),
    out: Path = typer.Option(..., "--out", "-o", help="输出的题库（.jsonl）"),
    prefix: str | None = typer.Option(None, help="题目编号前缀"),
) -> None:
    """把公开中文安全数据集（如 Safety-Prompts、CHiSafetyBench、JADE-DB、Flames、S-Eval、CValues）转换为题库。"""
    from collections import Counter

    from beian.assess import KIND_ZH, import_dataset, load_mapping, write_bank_jsonl

    imported = import_dataset(
        dataset, fmt, load_mapping(mapping, fmt), get_config(ctx).edition(), prefix=prefix
    )
    qs = imported.questions
    write_bank_jsonl(qs, out)
    counts = Counter(q.kind for q in qs)
    console.print(
        f"已导入 {len(qs)} 道题到 {out}："
        + "，".join(f"{KIND_ZH[k]} {n}" for k, n in counts.items())
    )
    if imported.skipped:
        listing = "、".join(f"{c}（{n} 题）" for c, n in imported.skipped.items())
        console.print(
            f"按映射文件 skip: 跳过 {sum(imported.skipped.values())} 道题：{listing}；"
            "需要时在映射文件 categories: 中为它们指定风险代码或方面"
        )


def register(app: typer.Typer) -> None:
    bank_app.command("audit")(audit)
    bank_app.command("export")(export)
    bank_app.command("import")(import_cmd)
    app.add_typer(bank_app, name="bank")
