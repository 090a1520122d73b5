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
    from beian.gateway import RightsDesk, RightsRequest

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
    from beian.gateway import RecordStore, RightsDesk, load_gateway_config

    path = file or (Path(p) if (p := get_config(ctx).path) else None)
    if path is None:
        raise ConfigError("没有网关配置文件", where="--file", fix="用 --file gateway.yaml 指定")
    cfg = load_gateway_config(path)
    store = RecordStore.open(cfg.records)
    desk = RightsDesk(store, cfg.rights)
    try:
        yield desk
    finally:
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
    ticket: Annotated[str, typer.Argument(help="工单编号（RQ…）")],
    file: FileOpt = None,
    status: Annotated[str, typer.Option(help="已办结 / 处理中 / 不予办理")] = "已办结",
    note: Annotated[str | None, typer.Option(help="办理结果（不予办理须写明理由）")] = None,
) -> None:
    """记录一件请求的办理结果。"""
    from rich.markup import escape

    with _desk(ctx, file) as desk:
        r = desk.close_request(ticket, status, note)
    console.print(f"工单 {escape(r.ticket)}：{r.status}。")
