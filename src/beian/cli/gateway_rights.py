"""``beian gateway rights``: users' rights requests for operators (list, overdue, close)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from beian.cli._common import TableOrJson, console, emit_json, get_config
from beian.errors import EXIT_BLOCKING, ConfigError

if TYPE_CHECKING:
    from beian.gateway import ComplaintDesk, RightsDesk, RightsRequest

__all__ = ["rights_app", "text_table"]

rights_app = typer.Typer(
    help="用户权利请求（查阅复制、更正、删除、撤回同意）：列出、超期、办结。", no_args_is_help=True
)

FileOpt = Annotated[
    Path | None,
    typer.Option("--file", "-f", help="网关配置文件（默认：--config 指定的 beian.yaml 的 gateway 段）"),
]
FmtOpt = Annotated[TableOrJson, typer.Option("--format", help="输出格式")]


@contextmanager
def _desk(ctx: typer.Context, file: Path | None) -> Iterator[RightsDesk]:
    with _desks(ctx, file) as (desk, _complaints):
        yield desk


@contextmanager
def _desks(ctx: typer.Context, file: Path | None) -> Iterator[tuple[RightsDesk, ComplaintDesk]]:
    from beian.gateway import ComplaintDesk, RecordStore, RightsDesk, load_gateway_config

    path = file or (Path(p) if (p := get_config(ctx).path) else None)
    if path is None:
        raise ConfigError("没有网关配置文件", where="--file", fix="用 --file gateway.yaml 指定")
    cfg = load_gateway_config(path)
    store = RecordStore.open(cfg.records)
    desk = RightsDesk(store, cfg.rights)
    complaints = ComplaintDesk(cfg.records.database, store.cipher, cfg.complaints.handling_days,
                               rules=cfg.complaints)  # fmt: skip
    try:
        yield desk, complaints
    finally:
        complaints.close()
        desk.close()
        store.close()


def text_table(title: str, columns: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    """Print a table whose cells are shown as text, never read as Rich markup (they hold
    what users wrote)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{title}（{len(rows)} 件）")
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*(Text(x) for x in row))
    console.print(table)


def _show(items: list[RightsRequest], fmt: TableOrJson, title: str) -> None:
    if fmt is TableOrJson.json:
        emit_json([r.public() | {"user_hash": r.user_hash, "detail": r.detail} for r in items])
        return
    rows = []
    for r in items:
        p = r.public()
        due = p["due_date"] + ("（估算）" if r.due_estimated else "") + ("（超期）" if r.overdue else "")
        rows.append((r.ticket, p["kind_zh"], r.status, p["created"], due, r.result or ""))
    text_table(title, ("工单", "类型", "状态", "受理", "办理时限", "结果"), rows)


@rights_app.command("list")
def list_(
    ctx: typer.Context,
    file: FileOpt = None,
    status: Annotated[str | None, typer.Option(help="只看该状态（已受理/处理中/已办结/不予办理）")] = None,
    fmt: FmtOpt = TableOrJson.table,
) -> None:
    """列出权利请求工单。"""
    with _desk(ctx, file) as desk:
        items = desk.requests(status=status)
    _show(items, fmt, "权利请求")


@rights_app.command("overdue")
def overdue(ctx: typer.Context, file: FileOpt = None, fmt: FmtOpt = TableOrJson.table) -> None:
    """列出超过办理时限仍未办结的请求；有则退出码 1（可放进定时任务告警）。"""
    with _desk(ctx, file) as desk:
        items = desk.requests(overdue=True)
    _show(items, fmt, "超期的权利请求")
    if items:
        raise typer.Exit(EXIT_BLOCKING)


@rights_app.command("close")
def close(
    ctx: typer.Context,
    ticket: Annotated[str, typer.Argument(help="工单编号（RQ 开头）")],
    file: FileOpt = None,
    status: Annotated[str, typer.Option(help="已办结 / 处理中 / 不予办理")] = "已办结",
    note: Annotated[str | None, typer.Option(help="办理结果（不予办理须写明理由）")] = None,
) -> None:
    """记录一件请求的办理结果。"""
    from rich.markup import escape

    with _desk(ctx, file) as desk:
        r = desk.close_request(ticket, status, note)
    console.print(f"工单 {escape(r.ticket)}：{r.status}。")


@rights_app.command("export")
def export(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="用户标识（核实身份后代为办理）")],
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件：.json 或 .csv")],
    file: FileOpt = None,
) -> None:
    """代用户导出其数据（电话、邮件提出的查阅复制请求）；生成已办结的工单。"""
    import json

    from rich.markup import escape

    from beian.gateway import export_csv, user_export
    from beian.io import atomic_write_text

    if output.suffix not in (".json", ".csv"):
        raise ConfigError("输出文件应为 .json 或 .csv", where=str(output), fix="例如 -o 用户数据.json")
    with _desks(ctx, file) as (desk, complaints):
        req = desk.open_request(user, "export", {"format": output.suffix[1:], "via": "cli"},
                                status="已办结", result="工作人员代为导出")  # fmt: skip
        data = user_export(desk, user, complaints)
    text = export_csv(data) if output.suffix == ".csv" else json.dumps(data, ensure_ascii=False, indent=2)
    atomic_write_text(output, text)
    n = len(data["conversations"])
    console.print(f"已导出 {n} 条对话到 {escape(str(output))}（工单 {req.ticket}）。")


@rights_app.command("delete")
def delete(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="用户标识（核实身份后代为办理）")],
    file: FileOpt = None,
    yes: Annotated[bool, typer.Option("--yes", help="确认删除（不可恢复）")] = False,
) -> None:
    """代用户删除其全部对话内容，只保留日志的法定最小部分（见 docs/gateway.md）。"""
    from rich.markup import escape

    if not yes:
        raise ConfigError("删除不可恢复，请确认", where="--yes", fix="核实身份后加 --yes 再执行")
    with _desk(ctx, file) as desk:
        done = desk.erase(user)
    more = f"；{len(done.in_progress)} 条尚未结束，未删除" if done.in_progress else ""
    console.print(f"用户 {escape(user)}：已删除 {len(done.erased)} 条对话的内容（工单 {done.ticket}）{more}。")
