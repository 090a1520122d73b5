"""``beian keys``: generate and rotate the key ring used for field encryption."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from beian.cli._common import console
from beian.errors import ConfigError


def generate(
    output: Annotated[Path, typer.Option("--output", "-o", help="密钥文件路径（权限 0600）")],
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件")] = False,
) -> None:
    """生成新的密钥环文件。"""
    from beian.crypto import KeyRing

    if output.exists() and not force:
        raise ConfigError(
            "密钥文件已存在，拒绝覆盖",
            where=str(output),
            fix="如确需覆盖请加 --force；轮换请用 `beian keys rotate`",
        )
    ring = KeyRing.generate()
    ring.save(output)
    console.print(
        f"已生成密钥环：{output}（当前密钥 {ring.active}）。请妥善备份，丢失后密文无法解密。"
    )


def rotate(key_file: Annotated[Path, typer.Argument(help="密钥文件")]) -> None:
    """在密钥环中加入新密钥并设为当前密钥（旧密钥保留用于解密）。"""
    from beian.crypto import KeyRing

    ring = KeyRing.load(key_file)
    kid = ring.rotate()
    ring.save()
    console.print(
        f"已轮换：当前密钥 {kid}；共 {len(ring.keys)} 个密钥。已有密文可用各模块的重新封装命令迁移。"
    )


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="加密密钥管理。", no_args_is_help=True)
    sub.command("generate")(generate)
    sub.command("rotate")(rotate)
    app.add_typer(sub, name="keys")
