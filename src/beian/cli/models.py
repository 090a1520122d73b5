"""``beian models`` (reference GAN / VAE) and ``beian modelcard`` (facts for the filing form)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from beian.cli._common import TableOrJson, console, emit_json, err_console
from beian.errors import ConfigError

# the training metrics (metrics.json keys), as the summary names them
_METRIC_ZH = {
    "neg_elbo": "负 ELBO", "recon": "重建误差", "kl": "KL 散度",
    "d_loss": "判别器损失", "g_loss": "生成器损失", "d_accuracy": "判别器准确率",
}  # fmt: skip


class ModelKind(StrEnum):
    gan = "gan"
    vae = "vae"


def _need_torch() -> None:
    try:
        import torch  # noqa: F401
    except ModuleNotFoundError:
        raise ConfigError(
            "参考模型需要 PyTorch",
            fix="pip install 'genai-beian[models]'（本机：pip install torch==2.13.0）",
        ) from None


def train_cmd(
    kind: Annotated[ModelKind, typer.Argument(help="gan 或 vae")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="输出目录（检查点、损失曲线、指标）")
    ],
    steps: Annotated[int, typer.Option(help="训练步数")] = 2000,
    seed: Annotated[int, typer.Option(help="随机种子（相同种子得到相同模型）")] = 0,
) -> None:
    """在 scikit-learn 自带的 8×8 手写数字数据集上训练参考 GAN 或 VAE（单核 CPU，一分钟内）。"""
    _need_torch()
    from beian.models import TrainConfig, save_run, train

    result = train(TrainConfig(kind=kind.value, steps=steps, seed=seed))
    save_run(result, output)
    m = result.metrics()
    console.print(f"已训练 {kind.value.upper()}（{m['seconds']} 秒，种子 {seed}）→ {output}")
    for key, value in m["last"].items():
        name = f"{_METRIC_ZH[key]}（{key}）" if key in _METRIC_ZH else key
        console.print(f"  {name}：{m['first'][key]:.4f} → {value:.4f}")


def sample_cmd(
    model_dir: Annotated[Path, typer.Argument(help="`beian models train` 的输出目录")],
    output: Annotated[Path, typer.Option("--output", "-o", help="样本 PNG 输出目录")],
    n: Annotated[int, typer.Option("-n", help="样本数（每张 PNG 64 个）")] = 64,
    producer: Annotated[
        str | None,
        typer.Option(help="ContentProducer 编码；给出 18 位统一社会信用代码时自动生成 27 位编码"),
    ] = None,
    demo: Annotated[
        bool, typer.Option("--demo", help="仅作演示：标识中写明显的演示编码（不是真实提供者）")
    ] = False,
    explicit: Annotated[
        bool, typer.Option("--explicit", help="同时添加显式标识（图片角标）")
    ] = False,
    seed: Annotated[int, typer.Option(help="采样种子")] = 0,
) -> None:
    """从训练好的模型采样，写出已带 GB 45438 隐式标识（可选显式标识）的 PNG 样本图。"""
    _need_torch()
    from beian.label import producer_code_from_uscc
    from beian.models import DEMO_PRODUCER, write_sheets

    if n < 1:
        raise ConfigError("样本数必须为正整数", where="-n", fix="例如 -n 64")
    if producer and demo:
        raise ConfigError("--producer 与 --demo 只能选一个", where="--demo", fix="去掉其中一个")
    if not producer and not demo:
        raise ConfigError(
            "隐式标识需要生成合成服务提供者编码（ContentProducer）",
            where="--producer",
            fix="用 --producer 统一社会信用代码（或 27 位编码）给出；仅作演示时用 --demo",
        )
    code = DEMO_PRODUCER
    if producer:
        code = producer_code_from_uscc(producer) if len(producer.strip()) == 18 else producer
    sheets = write_sheets(model_dir, n, output, producer=code, explicit=explicit, seed=seed)
    for s in sheets:
        console.print(f"{s.path}（{s.count} 个样本，已标识）")
    if demo:
        err_console.print(f"注意：标识中的提供者编码是演示值 {DEMO_PRODUCER}，不可用于正式服务。")


def modelcard_cmd(
    path: Annotated[
        Path, typer.Argument(help="safetensors 文件、PyTorch 检查点、config.json 或模型目录")
    ],
    into: Annotated[
        Path | None, typer.Option("--into", help="把结果合并进 dossier.yaml 的模型研制部分")
    ] = None,
    fmt: Annotated[
        TableOrJson, typer.Option("--format", "-f", help="输出格式")
    ] = TableOrJson.table,
) -> None:
    """读取模型文件，给出上线备案表“模型研制”所需信息（不加载权重）。"""
    from beian.modelcard import read_model_card

    card = read_model_card(path)
    if into is not None:
        from beian.modelcard import merge_into_dossier

        merge_into_dossier(card, into)
    if fmt is TableOrJson.json:
        emit_json(card.model_dump(mode="json"))
    else:
        table = Table(title="模型研制信息")
        table.add_column("项目", style="bold")
        table.add_column("值", overflow="fold")
        for k, v in card.rows():
            table.add_row(k, v)
        console.print(table)
    if into is not None:
        console.print(f"已写入 {into}")


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="参考生成式模型（GAN、VAE）：训练与带标识的采样。", no_args_is_help=True)
    sub.command("train")(train_cmd)
    sub.command("sample")(sample_cmd)
    app.add_typer(sub, name="models")
    app.command("modelcard")(modelcard_cmd)
