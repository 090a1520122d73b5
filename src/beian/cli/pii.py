"""``beian pii``: find and de-identify personal information in text and datasets."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from beian.cli._common import (
    TableJsonJsonl,
    TableOrJson,
    console,
    emit_json,
    err_console,
    findings_json,
    findings_table,
    get_config,
)
from beian.errors import InputError

if TYPE_CHECKING:
    from collections.abc import Callable

    from beian.crypto import CipherAlgorithm, HashAlgorithm, KeyRing
    from beian.pii import DatasetReport, Deidentifier, OnError, PiiEngine
    from beian.standards import Edition

_TYPES_HELP = "只识别这些类型（逗号分隔，如 ID_CARD,MOBILE）；默认全部"
_FIELDS_HELP = (
    "只处理这些字段（逗号分隔；JSONL 键名、CSV 列名、Parquet 字符串列）；默认处理所有字符串"
)
_OP_HELP = (
    "脱敏算子：mask 掩码 / replace 类型标签 / redact 删除 / hash 带密钥哈希 / encrypt 加密 / "
    "pseudonym 一致化假名 / decrypt 还原 encrypt 的密文；可按类型指定，如 ID_CARD=hash,default=mask"
)


def _split(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _engine(ctx: typer.Context, types: str | None, threshold: float | None) -> PiiEngine:
    from beian.pii import PiiConfig, PiiEngine

    cfg = get_config(ctx)
    section = dict(cfg.section("pii"))
    if types:
        section["enabled"] = _split(types)
    if threshold is not None:
        section["threshold"] = threshold
    return PiiEngine(
        cfg.section_model(
            "pii",
            PiiConfig,
            value=section,
            what="个人信息识别配置无效：",
            fix="参见 docs/pii.md 的配置说明",
        )
    )


def _operator(value: str) -> str | dict[str, str]:
    if "=" not in value:
        return value
    out: dict[str, str] = {}
    for part in value.split(","):
        key, sep, op = part.partition("=")
        if not sep or not key.strip() or not op.strip():
            raise InputError(
                f"算子写法不对：{part}", where="--operator", fix="例如 ID_CARD=hash,default=mask"
            )
        out[key.strip()] = op.strip()
    return out


def scan(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="文本文件，或 - 表示标准输入")],
    fmt: Annotated[
        TableJsonJsonl, typer.Option("--format", "-f", help="输出格式")
    ] = TableJsonJsonl.table,
    types: Annotated[str | None, typer.Option("--types", help=_TYPES_HELP)] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="最低置信度（默认 0.5）")
    ] = None,
) -> None:
    """识别文本中的个人信息（身份证号、手机号、银行卡号、统一社会信用代码等）。"""
    from beian.io import decode_bytes, read_text
    from beian.pii import label_of

    engine = _engine(ctx, types, threshold)
    if source == "-":
        text, _ = decode_bytes(sys.stdin.buffer.read(), where="标准输入")
    else:
        text, _ = read_text(source)
    entities = engine.analyze(text)
    if fmt is TableJsonJsonl.jsonl:
        import json

        for e in entities:
            row: dict[str, Any] = {
                "type": e.type,
                "start": e.start,
                "end": e.end,
                "text": e.text,
                "score": e.score,
            }
            if e.reason:  # why it scored lower than a clean match (a wrong check digit)
                row["reason"] = e.reason
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        return
    counts: dict[str, int] = {}
    for e in entities:
        counts[e.type] = counts.get(e.type, 0) + 1
    if fmt is TableJsonJsonl.json:
        emit_json({"entities": [e.to_dict() for e in entities], "counts": counts})
        return
    from rich.table import Table

    table = Table(title=f"个人信息识别结果（共 {len(entities)} 处）")
    for col in ("类型", "名称", "位置", "文本", "置信度", "识别器", "说明"):
        table.add_column(col, overflow="fold")
    for e in entities:
        table.add_row(
            e.type,
            label_of(e.type),
            f"{e.start}-{e.end}",
            e.text,
            f"{e.score:.2f}",
            e.recognizer,
            e.reason,
        )
    console.print(table)


def _progress_run(
    show: bool, fn: Callable[[Callable[[int, int], None] | None], DatasetReport]
) -> DatasetReport:
    if not show:
        return fn(None)
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("处理中", total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        return fn(update)


def _counts_table(report: DatasetReport, title: str) -> Any:
    from rich.table import Table

    from beian.pii import label_of

    table = Table(title=title)
    for col in ("类型", "名称", "数量"):
        table.add_column(col)
    for t, n in sorted(report.counts.items(), key=lambda kv: -kv[1]):
        table.add_row(t, label_of(t), str(n))
    return table


def redact(
    ctx: typer.Context,
    source: Annotated[
        Path, typer.Argument(help="输入文件（JSONL / CSV / Parquet / 文本），不会被修改")
    ],
    output: Annotated[Path, typer.Argument(help="输出文件（原子写入）")],
    operator: Annotated[str, typer.Option("--operator", "-o", help=_OP_HELP)] = "mask",
    fields: Annotated[str | None, typer.Option("--fields", help=_FIELDS_HELP)] = None,
    input_format: Annotated[
        str | None,
        typer.Option("--input-format", help="jsonl / csv / parquet / text（默认按扩展名）"),
    ] = None,
    key_file: Annotated[
        Path | None,
        typer.Option(
            "--key-file",
            help="密钥文件（hash/encrypt/pseudonym/decrypt 需要；默认读环境变量 BEIAN_KEY）",
        ),
    ] = None,
    mask_char: Annotated[str, typer.Option("--mask-char", help="掩码字符")] = "*",
    keep_first: Annotated[
        int | None, typer.Option("--keep-first", help="掩码时保留前 N 位")
    ] = None,
    keep_last: Annotated[int | None, typer.Option("--keep-last", help="掩码时保留后 N 位")] = None,
    hash_algorithm: Annotated[
        str, typer.Option("--hash-algorithm", help="hmac-sha256 或 hmac-sm3")
    ] = "hmac-sha256",
    cipher: Annotated[str, typer.Option("--cipher", help="aes-256-gcm 或 sm4-gcm")] = "aes-256-gcm",
    on_error: Annotated[
        str, typer.Option("--on-error", help="坏记录：fail 停止（默认），skip 跳过并写入报告")
    ] = "fail",
    report_path: Annotated[Path | None, typer.Option("--report", help="把报告写成 JSON")] = None,
    types: Annotated[str | None, typer.Option("--types", help=_TYPES_HELP)] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="显示进度条")] = True,
) -> None:
    """对数据集去标识化：流式处理，输出原子写入，坏记录按行号报告、绝不静默丢弃。"""
    from beian.pii import Deidentifier, process_dataset

    hash_alg, cipher_alg, when_bad = _check_choices(hash_algorithm, cipher, on_error)
    op = _operator(operator)
    ring = _keyring(op, key_file)
    engine = _engine(ctx, types, None)
    deid: Deidentifier | None = None
    if op != "decrypt":
        deid = Deidentifier(
            op,
            keyring=ring,
            mask_char=mask_char,
            keep_first=keep_first,
            keep_last=keep_last,
            hash_algorithm=hash_alg,
            cipher_algorithm=cipher_alg,
        )
    report = _progress_run(
        progress and err_console.is_terminal,
        lambda cb: process_dataset(
            source,
            output,
            engine=engine,
            deidentifier=deid,
            restore=ring if op == "decrypt" else None,
            fields=_split(fields),
            fmt=input_format,
            on_error=when_bad,
            progress=cb,
        ),
    )
    _write_report(report, report_path, get_config(ctx).edition())
    console.print(
        _counts_table(
            report, f"已处理 {report.records} 条记录，{report.records_with_pii} 条含个人信息"
        )
    )
    for err in report.errors:
        err_console.print(f"已跳过 {source}:{err.line}：{err.message}", markup=False)
    console.print(f"已写出：{output}（{report.seconds:.1f} 秒）")


def _check_choices(
    hash_algorithm: str, cipher: str, on_error: str
) -> tuple[HashAlgorithm, CipherAlgorithm, OnError]:
    """The typed choices, or a ConfigError naming the option."""
    from beian.errors import ConfigError

    hashes: dict[str, HashAlgorithm] = {"hmac-sha256": "hmac-sha256", "hmac-sm3": "hmac-sm3"}
    ciphers: dict[str, CipherAlgorithm] = {"aes-256-gcm": "aes-256-gcm", "sm4-gcm": "sm4-gcm"}
    on_errors: dict[str, OnError] = {"fail": "fail", "skip": "skip"}
    hash_alg, cipher_alg, when_bad = (
        hashes.get(hash_algorithm),
        ciphers.get(cipher),
        on_errors.get(on_error),
    )
    if hash_alg is None:
        raise ConfigError(
            f"未知的哈希算法：{hash_algorithm}",
            where="--hash-algorithm",
            fix="hmac-sha256 或 hmac-sm3",
        )
    if cipher_alg is None:
        raise ConfigError(
            f"未知的加密算法：{cipher}", where="--cipher", fix="aes-256-gcm 或 sm4-gcm"
        )
    if when_bad is None:
        raise ConfigError(f"--on-error 只能是 fail 或 skip：{on_error}", where="--on-error")
    return hash_alg, cipher_alg, when_bad


_KEY_ENV = ("BEIAN_KEYS", "BEIAN_KEY", "BEIAN_KEY_FILE")


def _keyring(op: str | dict[str, str], key_file: Path | None) -> KeyRing | None:
    """The key ring the keyed operators need (hash, encrypt, pseudonym, decrypt); with none
    given, the error names this command's own --key-file."""
    import os

    from beian.crypto import KeyRing
    from beian.errors import ConfigError
    from beian.pii import KEYED_OPERATORS

    keyed = sorted(({op} if isinstance(op, str) else set(op.values())) & KEYED_OPERATORS)
    if not keyed:
        return None
    if key_file is None and not any(os.environ.get(k) for k in _KEY_ENV):
        raise ConfigError(
            f"算子 {'、'.join(keyed)} 需要密钥，但没有给出",
            where="--key-file",
            fix="先 `beian keys generate -o keys.json`，再加 --key-file keys.json"
            "（或设置环境变量 BEIAN_KEY / BEIAN_KEY_FILE）；同一密钥才能得到一致的假名与还原密文",
        )
    return KeyRing.resolve(key_file)


def _write_report(report: DatasetReport, path: Path | None, edition: Edition) -> None:
    if path is None:
        return
    import json

    from beian.io import atomic_write_text

    data = report.model_dump()
    data["findings"] = findings_json(report.findings(), edition)
    atomic_write_text(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def report(
    ctx: typer.Context,
    source: Annotated[Path, typer.Argument(help="输入文件（JSONL / CSV / Parquet / 文本）")],
    fields: Annotated[str | None, typer.Option("--fields", help=_FIELDS_HELP)] = None,
    input_format: Annotated[
        str | None,
        typer.Option("--input-format", help="jsonl / csv / parquet / text（默认按扩展名）"),
    ] = None,
    fmt: Annotated[
        TableOrJson, typer.Option("--format", "-f", help="输出格式")
    ] = TableOrJson.table,
    output: Annotated[Path | None, typer.Option("--output", help="同时把报告写成 JSON")] = None,
    types: Annotated[str | None, typer.Option("--types", help=_TYPES_HELP)] = None,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="显示进度条")] = True,
) -> None:
    """统计数据集中的个人信息：按类型、按字段计数，列出无法解析的记录（不写出原文）。"""
    from beian.pii import process_dataset

    engine = _engine(ctx, types, None)
    rep = _progress_run(
        progress and err_console.is_terminal,
        lambda cb: process_dataset(
            source,
            None,
            engine=engine,
            fields=_split(fields),
            fmt=input_format,
            on_error="skip",
            progress=cb,
        ),
    )
    _write_report(rep, output, get_config(ctx).edition())
    findings = rep.findings()
    if fmt is TableOrJson.json:
        data = rep.model_dump()
        data["findings"] = findings_json(findings, get_config(ctx).edition())
        emit_json(data)
        return
    from rich.table import Table

    console.print(
        _counts_table(rep, f"{source}：{rep.records} 条记录，{rep.records_with_pii} 条含个人信息")
    )
    if rep.field_counts:
        table = Table(title="按字段")
        for col in ("字段", "类型", "数量"):
            table.add_column(col)
        for fld, per in sorted(rep.field_counts.items()):
            for t, n in sorted(per.items()):
                table.add_row(fld, t, str(n))
        console.print(table)
    if findings:
        console.print(findings_table(findings, edition=get_config(ctx).edition()))


def register(app: typer.Typer) -> None:
    sub = typer.Typer(help="个人信息识别与去标识化。", no_args_is_help=True)
    sub.command("scan")(scan)
    sub.command("redact")(redact)
    sub.command("report")(report)
    app.add_typer(sub, name="pii")
