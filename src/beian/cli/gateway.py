"""``beian gateway``: the compliance gateway in front of the provider's model, and its records."""

from __future__ import annotations

import itertools
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from beian.cli._common import (
    TableJsonJsonl,
    TableOrJson,
    console,
    emit_json,
    findings_json,
    findings_table,
    get_config,
    print_whole,
)
from beian.errors import EXIT_BLOCKING, ConfigError

if TYPE_CHECKING:
    from beian.gateway import (
        Candidate,
        Complaint,
        ComplaintDesk,
        Feedback,
        GatewayConfig,
        RecordStore,
    )

FileOpt = Annotated[
    Path | None,
    typer.Option(
        "--file", "-f", help="网关配置文件（默认：--config 指定的 beian.yaml 的 gateway 段）"
    ),
]


def _config(ctx: typer.Context, file: Path | None) -> GatewayConfig:
    from beian.gateway import load_gateway_config

    path = file or (Path(p) if (p := get_config(ctx).path) else None)
    if path is None:
        raise ConfigError(
            "没有网关配置文件",
            where="--file",
            fix="用 --file gateway.yaml 指定，或在 beian.yaml 中写 gateway 段",
        )
    return load_gateway_config(path)


def _store(cfg: GatewayConfig) -> RecordStore:
    from beian.gateway import RecordStore

    return RecordStore.open(cfg.records)


def _ts(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds")


def serve(
    ctx: typer.Context,
    file: FileOpt = None,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="监听端口")] = 8080,
    strict: Annotated[bool, typer.Option("--strict", help="配置检查有阻断项时拒绝启动")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="不输出每次对话的结构化日志")] = False,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, help="工作进程数（多核机器上设为 CPU 核数；多于 1 个需 Linux）"
        ),
    ] = 1,
    trusted_proxies: Annotated[str, typer.Option(
        help="信任其转发头（X-Forwarded-For 或 access.client_ip_header）的反向代理地址或网段"
             "（逗号分隔，与 access.trusted_proxies 合并）；默认不信任任何代理")] = "",
) -> None:
    """启动合规网关（OpenAI 兼容；kill -HUP 或 POST /admin/reload 重载配置）。"""
    from beian.findings import has_blocking
    from beian.gateway import check_config, configure_logging, run_gateway, run_workers

    cfg = _config(ctx, file)
    findings = check_config(cfg, get_config(ctx).edition(), host=host)
    if findings:
        console.print(
            findings_table(findings, title="网关配置检查", edition=get_config(ctx).edition())
        )
    if strict and has_blocking(findings):
        raise typer.Exit(EXIT_BLOCKING)
    configure_logging(quiet)

    def banner(bound: int) -> None:
        procs = f"；{workers} 个工作进程" if workers > 1 else ""
        print_whole(
            f"合规网关：http://{host}:{bound}/v1 → {cfg.upstream.base_url}{procs}；"
            f"投诉举报 http://{host}:{bound}/complaints；指标 /metrics；健康检查 /healthz"
        )

    proxies = tuple(p.strip() for p in trusted_proxies.split(",") if p.strip())
    if workers > 1:
        run_workers(cfg, host, port, workers, quiet=quiet, on_ready=banner,
                    trusted_proxies=proxies)  # fmt: skip
    else:
        run_gateway(cfg, host, port, on_ready=banner, trusted_proxies=proxies)


def check(
    ctx: typer.Context,
    file: FileOpt = None,
    host: Annotated[
        str, typer.Option(help="网关将监听的地址（对外地址要求用户身份经签名）")
    ] = "127.0.0.1",
    fmt: Annotated[TableOrJson, typer.Option("--format", help="输出格式")] = TableOrJson.table,
) -> None:
    """检查网关配置是否落实备案承诺的运行时措施（有阻断项时退出码为 1）。"""
    from rich.text import Text

    from beian.findings import has_blocking
    from beian.gateway import check_config, describe_pii_engine

    cfg = _config(ctx, file)
    findings = check_config(cfg, get_config(ctx).edition(), host=host)
    if fmt is TableOrJson.json:
        emit_json(findings_json(findings, get_config(ctx).edition()))
    elif findings:
        console.print(
            findings_table(findings, title="网关配置检查", edition=get_config(ctx).edition())
        )
    else:
        console.print("网关配置检查通过。")
    if fmt is not TableOrJson.json:
        console.print(Text(describe_pii_engine(cfg.screening)))
    if has_blocking(findings):
        raise typer.Exit(EXIT_BLOCKING)


def records(
    ctx: typer.Context,
    file: FileOpt = None,
    user: Annotated[str | None, typer.Option(help="只看该用户的记录")] = None,
    limit: Annotated[int, typer.Option(help="最多条数")] = 50,
    flagged: Annotated[
        bool, typer.Option("--flagged", help="只看审核策略标记为待人工复核（flag）的记录")
    ] = False,
    fmt: Annotated[
        TableJsonJsonl, typer.Option("--format", help="输出格式")
    ] = TableJsonJsonl.table,
) -> None:
    """查看（解密）对话记录，供监管检查调阅与人工复核。"""
    from dataclasses import asdict

    from rich.table import Table
    from rich.text import Text

    store = _store(_config(ctx, file))
    try:
        found = store.exchanges(user=user, limit=None if flagged else limit)
        if flagged:
            found = (e for e in found if any(d.get("action") == "flag" for d in e.decisions))
        items = list(itertools.islice(found, limit))
    finally:
        store.close()
    if fmt is TableJsonJsonl.json:
        emit_json([asdict(e) for e in items])
    elif fmt is TableJsonJsonl.jsonl:
        for e in items:
            sys.stdout.write(json.dumps(asdict(e), ensure_ascii=False, default=str) + "\n")
    else:
        table = Table(title=f"对话记录（{len(items)} 条）")
        for col in ("编号", "时间", "用户", "结果", "拦截/处理", "回答"):
            table.add_column(col, overflow="fold")
        for e in items:
            dec = "；".join(_decision_cell(d) for d in e.decisions) or "-"
            # what users wrote is shown as text, never read as Rich markup
            cells = (e.id[:12], _ts(e.started), e.user or "-", e.outcome, dec, e.sent[:40])
            table.add_row(*(Text(c) for c in cells))
        console.print(table)


def _decision_cell(d: dict[str, Any]) -> str:
    """``stage:risks``, with the moderation check and action where there is one."""
    cell = f"{d['stage']}:{','.join(d['risks'])}"
    return f"{cell}（{d['check']}→{d['action']}）" if d.get("check") else cell


def purge(ctx: typer.Context, file: FileOpt = None) -> None:
    """清除超过保存期限的对话记录（网关运行时也会按 records.purge_interval_s 自动执行）。"""
    from beian.gateway import RightsDesk

    cfg = _config(ctx, file)
    store = _store(cfg)
    rights = RightsDesk(store, cfg.rights)
    try:
        removed = store.purge(cfg.records.retention_days)
        rights.purge_orphans()  # erasure digests and corrections of the purged records
    finally:
        rights.close()
        store.close()
    console.print(f"已清除 {removed} 条超过 {cfg.records.retention_days} 天的记录。")


def export_training(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option("--output", "-o", help="输出 JSONL 文件")],
    file: FileOpt = None,
) -> None:
    """导出可用于训练的对话（排除已选择不用于训练的用户，且不含被拦截的对话）。"""
    from beian.io import atomic_path

    store = _store(_config(ctx, file))
    n = 0
    try:
        with atomic_path(output) as tmp, tmp.open("w", encoding="utf-8") as fh:
            for e in store.exchanges(training=True):
                if e.outcome != "ok":
                    continue
                fh.write(json.dumps({"id": e.id, "messages": e.forwarded or e.request.get("messages"),
                                     "response": e.response}, ensure_ascii=False) + "\n")  # fmt: skip
                n += 1
    finally:
        store.close()
    console.print(f"已导出 {n} 条对话到 {output}（已排除选择不用于训练的用户）。")


def opt_out(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="用户标识")],
    file: FileOpt = None,
    undo: Annotated[bool, typer.Option("--undo", help="恢复允许用于训练")] = False,
) -> None:
    """代用户设置“输入信息不用于训练”（例如通过电话、邮件提出的请求）；每次更改都有记录。"""
    from rich.markup import escape

    store = _store(_config(ctx, file))
    try:
        store.set_opt_out(user, not undo, via="cli")
    finally:
        store.close()
    console.print(f"用户 {escape(user)}：{'允许用于训练' if undo else '不用于训练'}。")


def user_token(
    ctx: typer.Context,
    user: Annotated[str, typer.Argument(help="用户标识")],
    file: FileOpt = None,
    ttl: Annotated[float, typer.Option("--ttl", min=1, help="有效期（秒）")] = 3600,
) -> None:
    """为用户签发身份令牌（identity.mode: signed；服务方后端通常自行签发，见 docs/gateway.md）。"""
    from beian.errors import InputError
    from beian.gateway import Identity, IdentityError, sign_user_token

    cfg = _config(ctx, file)
    if cfg.identity.mode != "signed":
        raise ConfigError(
            f"identity.mode 是 {cfg.identity.mode}，不签发用户令牌", where="identity.mode",
            fix="设 identity.mode: signed 并配置签名密钥",
        )  # fmt: skip
    ident = Identity.of(cfg)
    assert ident.key is not None
    try:
        checked = ident.check_user(user, "用户标识")
    except IdentityError as exc:
        raise InputError(exc.message, where="USER", fix="见 identity.user_pattern") from None
    print_whole(sign_user_token(ident.key, checked, ttl))


def _desk(cfg: GatewayConfig) -> ComplaintDesk:
    from beian.crypto import FieldCipher, KeyRing
    from beian.gateway import ComplaintDesk

    cipher = FieldCipher(KeyRing.resolve(cfg.records.key_file), algorithm=cfg.records.cipher)
    return ComplaintDesk(cfg.records.database, cipher, cfg.complaints.handling_days, rules=cfg.complaints)


complaints_app = typer.Typer(
    help="投诉举报：查看、更新进度；candidates/approve/reject 审核由投诉转来的候选关键词。",
    invoke_without_command=True,
)


def complaints(
    ctx: typer.Context,
    file: FileOpt = None,
    status: Annotated[str | None, typer.Option(help="只看该状态")] = None,
    update: Annotated[str | None, typer.Option(help="要更新的投诉编号")] = None,
    to: Annotated[
        str | None, typer.Option("--to", help="新状态：已受理/处理中/已办结/不予受理")
    ] = None,
    note: Annotated[str | None, typer.Option(help="处理说明（投诉人可见）")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只列超期未办结的（有则退出码 1）")] = False,
    reissue: Annotated[
        str | None, typer.Option(help="为该编号发新的查询码（旧的失效），打印查询码")
    ] = None,
    fmt: Annotated[TableOrJson, typer.Option("--format", help="输出格式")] = TableOrJson.table,
) -> None:
    """查看投诉举报，或用 --update 编号 --to 状态 更新处理进度；--overdue 列出超期的。"""
    from beian.gateway import open_feedback

    if ctx.invoked_subcommand is not None:
        return
    cfg = _config(ctx, file)
    desk = _desk(cfg)
    links: dict[str, list[dict[str, object]]] = {}
    try:
        if reissue:
            print_whole(desk.reissue(reissue).token or "")
            return
        if update:
            if not to:
                raise ConfigError("更新投诉时需要新状态", where="--to", fix="例如 --to 已办结")
            items = [desk.update(update, to, note)]
        else:
            items = desk.overdue() if overdue else desk.list(status)
        fb = open_feedback(desk, cfg)
        try:
            for link in fb.links():
                links.setdefault(link.ticket, []).append(link.to_json())
        finally:
            fb.close()
    finally:
        desk.close()
    _complaint_table(items, fmt, "超期投诉" if overdue else "投诉举报", links)
    if overdue and items:
        raise typer.Exit(EXIT_BLOCKING)


def _complaint_table(items: list[Complaint], fmt: TableOrJson, title: str,
                     links: dict[str, list[dict[str, object]]]) -> None:  # fmt: skip
    from beian.cli.gateway_rights import text_table

    if fmt is TableOrJson.json:
        emit_json([c.public() | {"content": c.content, "contact": c.contact, "record_id": c.record_id,
                                 "links": links.get(c.ticket, [])} for c in items])  # fmt: skip
        return
    rows = []
    for c in items:
        p = c.public()
        due = p["due"] + ("（超期）" if c.overdue else "")
        linked = "；".join(_link_text(x) for x in links.get(c.ticket, []))
        rows.append((c.ticket, c.status, c.category, p["created"], due, c.content[:40],
                     c.record_id or "", linked))  # fmt: skip
    text_table(title, ("编号", "状态", "类别", "受理", "时限", "内容", "对话记录", "转为候选"), rows)


def _link_text(link: dict[str, object]) -> str:
    """One candidate made from a complaint: 关键词 某词（A2c，待审核） / 测试题 CQ-…（A2c）."""
    if link.get("kind") == "keyword":
        return f"关键词 {link.get('value')}（{link.get('risk')}，{link.get('status') or '待审核'}）"
    return f"测试题 {link.get('value')}（{link.get('risk')}）"


def feedback(
    ctx: typer.Context,
    ticket: Annotated[str, typer.Argument(help="投诉编号")],
    risk: Annotated[str, typer.Option("--risk", help="风险代码（附录 A，如 A1a）")],
    keyword: Annotated[str | None, typer.Option(help="转为候选关键词（写入待审核清单）")] = None,
    question: Annotated[str | None, typer.Option(help="转为候选测试题（写入题库文件）")] = None,
    mode: Annotated[str, typer.Option(help="关键词匹配模式：pinyin/homophone/exact")] = "",
    kind: Annotated[str, typer.Option(help="题型：must_refuse/must_answer/generation")] = "must_refuse",
    file: FileOpt = None,
) -> None:
    """把一件投诉转为候选关键词或候选测试题，并记下投诉与候选的关联。"""
    from rich.markup import escape

    from beian.gateway import open_feedback

    if (keyword is None) == (question is None):
        raise ConfigError("请指定 --keyword 或 --question 之一", where="--keyword/--question",
                          fix="例如 --keyword 某词 --risk A1a")  # fmt: skip
    cfg = _config(ctx, file)
    desk = _desk(cfg)
    fb = open_feedback(desk, cfg)
    try:
        link = (fb.keyword(ticket, keyword, risk, mode) if keyword is not None
                else fb.question(ticket, question or "", risk, kind))  # fmt: skip
    finally:
        fb.close()
        desk.close()
    what = "候选关键词" if link.kind == "keyword" else "候选测试题"
    console.print(f"投诉 {escape(link.ticket)} → {what} {escape(link.value)}（{link.risk}），已写入 {escape(link.target)}。")


@contextmanager
def _feedback_desk(ctx: typer.Context, file: Path | None) -> Iterator[tuple[GatewayConfig, Feedback]]:
    from beian.gateway import open_feedback

    cfg = _config(ctx, file)
    desk = _desk(cfg)
    fb = open_feedback(desk, cfg)
    try:
        yield cfg, fb
    finally:
        fb.close()
        desk.close()


def _candidates_out(items: list[Candidate], fmt: TableOrJson, title: str) -> None:
    from beian.cli.gateway_rights import text_table

    if fmt is TableOrJson.json:
        emit_json([c.to_json() for c in items])
        return
    rows = [(str(c.id), c.ticket, c.value, c.risk, c.to_json()["status"], c.note or "")
            for c in items]  # fmt: skip
    text_table(title, ("候选编号", "投诉编号", "关键词", "风险代码", "状态", "说明"), rows)


CandidateIds = Annotated[list[int], typer.Argument(help="候选编号（candidates 列出的“候选编号”）")]
NoteOpt = Annotated[str | None, typer.Option(help="审核说明（记入投诉与候选的关联）")]


@complaints_app.command("candidates")
def complaints_candidates(
    ctx: typer.Context,
    file: FileOpt = None,
    pending: Annotated[bool, typer.Option("--pending", help="只列待审核的")] = False,
    fmt: Annotated[TableOrJson, typer.Option("--format", help="输出格式")] = TableOrJson.table,
) -> None:
    """列出由投诉转来的候选关键词及其审核状态。"""
    with _feedback_desk(ctx, file) as (_, fb):
        items = [c for c in fb.links() if c.kind == "keyword" and not (pending and c.status)]
    _candidates_out(items, fmt, "候选关键词")


@complaints_app.command("approve")
def complaints_approve(
    ctx: typer.Context,
    ids: CandidateIds,
    file: FileOpt = None,
    lexicon: Annotated[str | None, typer.Option(
        help="写入 screening.lexicon 中的哪个词库文件（只有一个时可省略）")] = None,
    note: NoteOpt = None,
    fmt: Annotated[TableOrJson, typer.Option("--format", help="输出格式")] = TableOrJson.table,
) -> None:
    """采纳候选关键词：写入网关的词库文件（原子写入），标记为已采纳；之后重载网关生效。"""
    from beian.gateway import lexicon_target

    with _feedback_desk(ctx, file) as (cfg, fb):
        done = fb.approve(ids, lexicon_target(cfg, lexicon), note)
    _candidates_out(done, fmt, "已采纳")
    if fmt is TableOrJson.table:
        console.print("词库已更新；重载网关后生效（`kill -HUP` 网关进程或 `POST /admin/reload`）。")


@complaints_app.command("reject")
def complaints_reject(
    ctx: typer.Context, ids: CandidateIds, file: FileOpt = None, note: NoteOpt = None,
    fmt: Annotated[TableOrJson, typer.Option("--format", help="输出格式")] = TableOrJson.table,
) -> None:  # fmt: skip
    """不采纳候选关键词：不写入词库，记下结果与说明。"""
    with _feedback_desk(ctx, file) as (_, fb):
        done = fb.reject(ids, note)
    _candidates_out(done, fmt, "不采纳")


def register(app: typer.Typer) -> None:
    sub = typer.Typer(
        help="合规网关：拦截、个人信息保护、标识、日志、投诉举报。", no_args_is_help=True
    )
    sub.command("serve")(serve)
    sub.command("check")(check)
    sub.command("records")(records)
    sub.command("purge")(purge)
    sub.command("export-training")(export_training)
    sub.command("opt-out")(opt_out)
    sub.command("user-token")(user_token)
    complaints_app.callback(invoke_without_command=True)(complaints)
    sub.add_typer(complaints_app, name="complaints")
    sub.command("feedback")(feedback)
    from beian.cli.gateway_rights import rights_app

    sub.add_typer(rights_app, name="rights")
    app.add_typer(sub, name="gateway")
