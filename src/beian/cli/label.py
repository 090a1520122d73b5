"""``beian label``: add, show and verify GB 45438-2025 AIGC labels on files and directories."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from beian.cli._common import TableOrJson, console, emit_json, err_console, findings_table
from beian.errors import EXIT_BLOCKING, EXIT_ERROR, BeianError, InputError

_FILES_HELP = "文件或目录（目录递归处理所有支持的格式）"


class LabelValue(StrEnum):
    generated = "1"
    possibly = "2"
    suspected = "3"


class Digest(StrEnum):
    sha256 = "sha256"
    sm3 = "sm3"


def _producer(code: str, suffix: str = "00000") -> str:
    from beian.label import producer_code

    return producer_code(code, suffix)


def _files(paths: list[Path]) -> list[Path]:
    from beian.label import iter_label_files

    files = list(iter_label_files(paths))
    if not files:
        raise InputError(
            "没有找到可处理的文件", where=" ".join(map(str, paths)), fix="请检查路径和扩展名"
        )
    return files


_Fsync = Annotated[
    bool,
    typer.Option(
        "--fsync",
        help="改名前后把新文件与目录同步到磁盘（断电也不丢新内容；较慢，默认与 exiftool 一样不同步）",
    ),
]


def add(
    files: Annotated[list[Path], typer.Argument(help=_FILES_HELP)],
    producer: Annotated[
        str,
        typer.Option(
            "--producer",
            "-p",
            help="18 位统一社会信用代码（自动生成 27 位编码 0011+代码+后缀）或 ContentProducer 编码",
        ),
    ],
    producer_suffix: Annotated[
        str, typer.Option("--producer-suffix", help="由统一社会信用代码生成编码时的 5 位后缀")
    ] = "00000",
    label: Annotated[
        LabelValue, typer.Option("--label", help="1=人工智能生成 2=可能 3=疑似")
    ] = LabelValue.generated,
    produce_id: Annotated[
        str, typer.Option("--produce-id", help="内容编号（默认由内容摘要生成）")
    ] = "",
    propagator: Annotated[str, typer.Option("--propagator", help="ContentPropagator 编码")] = "",
    propagate_id: Annotated[str, typer.Option("--propagate-id", help="PropagateID")] = "",
    explicit: Annotated[
        bool, typer.Option("--explicit", help="同时添加显式标识（文字/图片/音频/视频）")
    ] = False,
    notice: Annotated[
        str | None, typer.Option("--notice", help="显式标识文字（须含“人工智能/AI”与“生成/合成”）")
    ] = None,
    key: Annotated[
        Path | None, typer.Option("--key", help="Ed25519 私钥 PEM，用于签名（可选）")
    ] = None,
    digest: Annotated[Digest, typer.Option("--digest", help="摘要算法")] = Digest.sha256,
    iptc: Annotated[
        bool,
        typer.Option(
            "--iptc",
            help="同时在图片的 XMP 中写入 IPTC digitalSourceType = trainedAlgorithmicMedia（供境外平台识别）",
        ),
    ] = False,
    fsync: _Fsync = False,
) -> None:
    """为文件添加隐式标识（原子写入，重复执行不会产生第二个标识）。"""
    from beian.label import LabelPayload, add_label, load_private_key

    base = LabelPayload(
        Label=label.value,
        ContentProducer=_producer(producer, producer_suffix),
        ProduceID=produce_id,
        ContentPropagator=propagator,
        PropagateID=propagate_id,
    )
    priv = load_private_key(key) if key is not None else None
    counts = {"已添加": 0, "未变化": 0, "失败": 0}
    table = Table(title="添加标识")
    for col in ("文件", "格式", "结果"):
        table.add_column(col, overflow="fold")
    for f in _files(files):
        try:
            r = add_label(
                f,
                base,
                explicit=explicit,
                key=priv,
                digest_alg=digest.value,
                notice=notice,
                digital_source_type="trainedAlgorithmicMedia" if iptc else None,
                durable=fsync,
            )
        except BeianError as exc:
            counts["失败"] += 1
            table.add_row(str(f), "-", f"[red]失败：{exc.what}[/]")
            err_console.print(exc.render(), markup=False)
            continue
        state = "已添加" if r.changed else "未变化"
        counts[state] += 1
        table.add_row(str(f), r.carrier, state + ("（含显式标识）" if r.explicit else ""))
    console.print(table)
    console.print("合计：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    if counts["失败"]:
        raise typer.Exit(EXIT_ERROR)


class MissingLabel(StrEnum):
    possibly = "2"
    suspected = "3"


def propagate(
    files: Annotated[list[Path], typer.Argument(help=_FILES_HELP)],
    propagator: Annotated[
        str,
        typer.Option(
            "--propagator", help="ContentPropagator：18 位统一社会信用代码或传播服务提供者编码"
        ),
    ],
    propagate_id: Annotated[
        str, typer.Option("--propagate-id", help="PropagateID（默认由传播者与内容摘要生成）")
    ] = "",
    missing: Annotated[
        MissingLabel,
        typer.Option("--label-if-missing", help="文件没有标识时添加的 Label：2=可能 3=疑似"),
    ] = MissingLabel.suspected,
    key: Annotated[
        Path | None, typer.Option("--key", help="传播者的 Ed25519 私钥 PEM（可选）")
    ] = None,
    digest: Annotated[Digest, typer.Option("--digest", help="摘要算法")] = Digest.sha256,
) -> None:
    """传播平台为文件追加 ContentPropagator、PropagateID 与 ReservedCode2（不破坏生成者的 ReservedCode1）。"""
    from beian.label import load_private_key, propagate_label

    code = _producer(propagator)
    priv = load_private_key(key) if key is not None else None
    counts = {"已追加": 0, "未变化": 0, "失败": 0}
    table = Table(title="追加传播信息")
    for col in ("文件", "格式", "Label", "结果"):
        table.add_column(col, overflow="fold")
    for f in _files(files):
        try:
            r = propagate_label(
                f,
                code,
                propagate_id=propagate_id,
                key=priv,
                digest_alg=digest.value,
                label_if_missing="2" if missing is MissingLabel.possibly else "3",
            )
        except BeianError as exc:
            counts["失败"] += 1
            table.add_row(str(f), "-", "-", f"[red]失败：{exc.what}[/]")
            err_console.print(exc.render(), markup=False)
            continue
        state = "已追加" if r.changed else "未变化"
        counts[state] += 1
        table.add_row(str(f), r.carrier, r.payload.Label, state)
    console.print(table)
    console.print("合计：" + "，".join(f"{k} {v}" for k, v in counts.items()))
    if counts["失败"]:
        raise typer.Exit(EXIT_ERROR)


def show(
    files: Annotated[list[Path], typer.Argument(help=_FILES_HELP)],
    fmt: Annotated[
        TableOrJson, typer.Option("--format", "-f", help="输出格式")
    ] = TableOrJson.table,
) -> None:
    """显示文件中的隐式标识，以及图片 XMP 中的 IPTC 来源类型与 C2PA 清单（如有）。"""
    from beian.label import c2pa_text, describe_file, source_type_text

    rows: list[dict[str, Any]] = []
    failed = 0
    for f in _files(files):
        try:
            rows.append(describe_file(f))
        except BeianError as exc:
            failed += 1
            rows.append({"file": str(f), "error": exc.what})
    if fmt is TableOrJson.json:
        emit_json(rows if len(rows) != 1 else rows[0])
    else:
        table = Table(title="隐式标识")
        columns = ("文件", "格式", "位置", "Label", "ContentProducer", "ProduceID")
        for col in (*columns, "ReservedCode1", "IPTC 来源类型", "C2PA 清单"):
            table.add_column(col, overflow="fold")
        for row in rows:
            if "error" in row:
                table.add_row(row["file"], "-", "-", f"[red]{row['error']}[/]", *[""] * 5)
                continue
            fields = row["label"]["AIGC"] if row["label"] else None
            values = (
                [fields[k] for k in ("Label", "ContentProducer", "ProduceID", "ReservedCode1")]
                if fields
                else ["无标识", "", "", ""]
            )
            extra = [source_type_text(row["iptc_digital_source_type"]), c2pa_text(row["c2pa"])]
            table.add_row(row["file"], row["carrier"], row["where"], *values, *extra)
        console.print(table)
    if failed:
        raise typer.Exit(EXIT_ERROR)


def verify(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help=_FILES_HELP)],
    pubkey: Annotated[
        Path | None,
        typer.Option("--pubkey", help="生成者的 Ed25519 公钥 PEM：同时核验 ReservedCode1 的签名"),
    ] = None,
    propagator_pubkey: Annotated[
        Path | None,
        typer.Option(
            "--propagator-pubkey", help="传播者的 Ed25519 公钥 PEM：同时核验 ReservedCode2 的签名"
        ),
    ] = None,
    fmt: Annotated[
        TableOrJson, typer.Option("--format", "-f", help="输出格式")
    ] = TableOrJson.table,
) -> None:
    """核验隐式标识：存在且唯一、格式合规、内容未被改动、签名有效；有传播信息时分别核验生成者（ReservedCode1）与传播者（ReservedCode2）两个环节。"""
    from beian.cli._common import findings_json, get_config
    from beian.label import load_public_key, verify_label

    pub = load_public_key(pubkey) if pubkey is not None else None
    ppub = load_public_key(propagator_pubkey) if propagator_pubkey is not None else None
    results = [verify_label(f, pub, propagator_pubkey=ppub) for f in _files(files)]
    bad = [r for r in results if not r.ok]
    if fmt is TableOrJson.json:
        emit_json(
            [
                {
                    "file": str(r.path),
                    "ok": r.ok,
                    "carrier": r.carrier,
                    "signed": r.signed,
                    "signature_checked": r.signature_checked,
                    "key_id": r.key_id,
                    "propagated": r.propagated,
                    "producer_ok": r.producer_ok,
                    "propagator_ok": r.propagator_ok,
                    "propagator_key_id": r.propagator_key_id,
                    "propagator_signature_checked": r.propagator_signature_checked,
                    "label": {"AIGC": r.payload.fields_dict()} if r.payload else None,
                    "reasons": findings_json(r.reasons, get_config(ctx).edition()),
                }
                for r in results
            ]
        )
    else:
        table = Table(title="标识核验")
        for col in ("文件", "格式", "结果", "签名", "生成者环节", "传播者环节"):
            table.add_column(col, overflow="fold")
        for r in results:
            sig = "已核验" if r.signature_checked and r.ok else ("有签名" if r.signed else "无签名")
            table.add_row(
                str(r.path or "-"),
                r.carrier or "-",
                "[green]通过[/]" if r.ok else "[red]未通过[/]",
                sig,
                _link(r.producer_ok),
                _link(r.propagator_ok),
            )
        console.print(table)
        reasons = [x for r in results for x in r.reasons]
        if reasons:
            console.print(findings_table(reasons, title="问题", edition=get_config(ctx).edition()))
        console.print(f"合计：通过 {len(results) - len(bad)}，未通过 {len(bad)}")
    if bad:
        raise typer.Exit(EXIT_BLOCKING)


def c2pa(
    files: Annotated[list[Path], typer.Argument(help=_FILES_HELP)],
    cert: Annotated[
        Path, typer.Option("--cert", help="签名证书链 PEM（叶证书在前，含 digitalSignature 用途）")
    ],
    key: Annotated[
        Path, typer.Option("--key", help="与叶证书对应的私钥 PEM（EC、Ed25519 或 RSA）")
    ],
) -> None:
    """为已加标识的文件写入 C2PA 清单（可选依赖 c2pa-python），供境外平台识别；须在加标识之后执行。"""
    from beian.label import export_c2pa

    table = Table(title="C2PA 清单")
    for col in ("文件", "结果", "校验状态"):
        table.add_column(col, overflow="fold")
    failed = 0
    for f in _files(files):
        try:
            status = export_c2pa(f, cert_chain=cert, private_key=key)
        except BeianError as exc:
            failed += 1
            table.add_row(str(f), f"[red]失败：{exc.what}[/]", "-")
            err_console.print(exc.render(), markup=False)
            continue
        table.add_row(str(f), "已写入", status.state)
    console.print(table)
    if failed:
        raise typer.Exit(EXIT_ERROR)


def _link(ok: bool | None) -> str:
    return "-" if ok is None else ("[green]通过[/]" if ok else "[red]未通过[/]")


def keygen(
    output: Annotated[Path, typer.Option("--output", "-o", help="私钥 PEM 路径（公钥写到 .pub）")],
    force: Annotated[bool, typer.Option("--force", help="覆盖已有文件")] = False,
) -> None:
    """生成用于标识签名的 Ed25519 密钥对。"""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from beian.errors import ConfigError
    from beian.io import atomic_path
    from beian.label import key_id

    pub_path = output.with_name(output.name + ".pub")
    if (output.exists() or pub_path.exists()) and not force:
        raise ConfigError(
            "密钥文件已存在，拒绝覆盖", where=str(output), fix="如确需覆盖请加 --force"
        )
    priv = Ed25519PrivateKey.generate()
    with atomic_path(output, mode=0o600) as tmp:
        tmp.write_bytes(
            priv.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    with atomic_path(pub_path, mode=0o644) as tmp:
        tmp.write_bytes(
            priv.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    console.print(
        f"已生成签名密钥：私钥 {output}，公钥 {pub_path}（密钥编号 {key_id(priv.public_key())}）"
    )


def register(app: typer.Typer) -> None:
    sub = typer.Typer(
        help="AI 生成内容标识（GB 45438-2025）：隐式标识与显式标识。", no_args_is_help=True
    )
    sub.command("add")(add)
    sub.command("propagate")(propagate)
    sub.command("show")(show)
    sub.command("verify")(verify)
    sub.command("keygen")(keygen)
    sub.command("c2pa")(c2pa)
    app.add_typer(sub, name="label")
