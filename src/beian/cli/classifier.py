"""``beian classifier train``: the classifier judge's model (character n-grams + linear model)."""

from __future__ import annotations

from pathlib import Path

import typer

from beian.cli._common import TableOrJson, console, emit_json, get_config

classifier_app = typer.Typer(help="分类模型：训练生成内容抽检用的分类模型。", no_args_is_help=True)


def train(
    ctx: typer.Context,
    data: Path = typer.Argument(..., help="标注数据 CSV（列 text,label；label 为风险代码或 safe）"),
    out: Path = typer.Option(
        Path("classifier.pkl"), "--out", "-o", help="模型文件（旁边写 .metrics.json）"
    ),
    seed: int = typer.Option(0, help="随机种子（留出集划分与模型）"),
    fmt: TableOrJson = typer.Option(TableOrJson.table, "--format", "-f", help="输出格式"),
) -> None:
    """训练分类模型，报告留出集上的精确率/召回率与覆盖的风险种类。"""
    from beian.assess.judges import train_classifier

    ed = get_config(ctx).edition()
    m = train_classifier(data, out, ed, seed=seed)
    if fmt is TableOrJson.json:
        emit_json(m)
        return
    console.print(f"模型已保存：{out}（样本 {m['samples']}，标签 {len(m['labels'])} 种）")
    console.print(
        f"留出集：不合格内容精确率 {m['unsafe_precision']:.2%}，召回率 {m['unsafe_recall']:.2%}，F1 {m['unsafe_f1']:.2%}"
    )
    cover = f"覆盖风险 {len(m['covers'])} 种（要求 ≥ {m['risk_coverage_min']:g}）"
    if m["coverage_ok"]:
        console.print(f"[green]{cover}[/]")
    else:
        console.print(f"[yellow]{cover}；缺少：{'、'.join(m['missing_risks'])}[/]")


def register(app: typer.Typer) -> None:
    classifier_app.command("train")(train)
    app.add_typer(classifier_app, name="classifier")
