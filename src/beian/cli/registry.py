"""``beian serve`` and ``beian registry …``: run and administer the filing registry."""

from __future__ import annotations

import datetime as dt
import gc
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from beian.cli._common import TableOrJson, console, emit_json, get_config, print_whole
from beian.errors import EXIT_BLOCKING, ConfigError, InputError

if TYPE_CHECKING:
    from beian._shared.http_limits import HttpLimits
    from beian.registry import Registry, Settings

DataDir = Annotated[Path | None, typer.Option(
    "--data-dir", help="数据目录（默认：环境变量 BEIAN_DATA_DIR 或 ./beian-registry）")]
KeyFile = Annotated[Path | None, typer.Option(
    "--key-file", help="密钥环文件（默认：BEIAN_KEY*/BEIAN_KEY_FILE，否则 数据目录/keys.json）")]


def _settings(ctx: typer.Context, data_dir: Path | None, key_file: Path | None) -> Settings:
    from beian.registry import Settings
    from beian.registry.domain import Policy

    policy = Policy.from_config(get_config(ctx))
    return Settings.from_env(data_dir, key_file=key_file, policy=policy)


def _open(ctx: typer.Context, data_dir: Path | None, key_file: Path | None) -> Registry:
    from beian.registry import Registry

    return Registry.open(_settings(ctx, data_dir, key_file))


def _connection_limits(ctx: typer.Context) -> HttpLimits:
    """``registry.server`` of ``beian.yaml``: the web server's connection limits."""
    from beian._shared.serve import ConnectionLimitsConfig

    return get_config(ctx).section_model(
        "registry", ConnectionLimitsConfig, at=("server",), what="备案登记系统配置无效：",
        fix="参见 docs/registry.md 的 registry.server 说明",
    ).http_limits()  # fmt: skip


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    data_dir: DataDir = None,
    key_file: KeyFile = None,
    tick_hours: Annotated[float, typer.Option(
        help="每隔多少小时自动处理到期事项（0 为不自动处理，改用 cron 调用 `beian registry tick`）")] = 1.0,
    trusted_proxies: Annotated[str, typer.Option(
        help="信任其 X-Forwarded-For 的反向代理地址（逗号分隔）；默认不信任任何代理")] = "",
) -> None:
    """启动备案登记系统（网页与 REST API）；首次启动自动创建管理员并打印登录方式。"""
    from beian._shared.serve import Server, server_config
    from beian.registry.api import create_app

    limits = _connection_limits(ctx)
    reg = _open(ctx, data_dir, key_file)
    admin = reg.accounts.ensure_admin()
    if admin is not None:
        print_whole("已创建管理员账号（仅显示这一次，请立即保存）：",
                    f"  用户名：{admin.username}", f"  密码：{admin.password}",
                    f"  动态口令密钥（TOTP）：{admin.totp_secret}",
                    f"  在身份验证器中添加：{admin.totp_uri()}")  # fmt: skip
    reg.applications.preload()
    if tick_hours > 0:
        reg.lifecycle.start_scheduler(tick_hours * 3600)
    print_whole(f"数据库：{reg.settings.url.split('@')[-1]}；访问 http://{host}:{port}/ ，"
                f"API 规范（OpenAPI）http://{host}:{port}/openapi.json")
    config = server_config(
        create_app(reg), limits=limits, host=host, port=port, log_level="info", access_log=True,
        proxy_headers=bool(trusted_proxies), forwarded_allow_ips=trusted_proxies or None,
    )  # fmt: skip
    # what is loaded by now (libraries, the app, the registry) lives as long as the process:
    # the garbage collector's full passes then no longer walk it (shorter pauses under load)
    gc.collect()
    gc.freeze()
    Server(config).run()


def tick(
    ctx: typer.Context,
    date: Annotated[str | None, typer.Option(help="按此日期处理（YYYY-MM-DD，默认今天）")] = None,
    data_dir: DataDir = None, key_file: KeyFile = None,
    fmt: Annotated[TableOrJson, typer.Option("--format")] = TableOrJson.table,
) -> None:
    """处理到期事项：公示期满予以备案，报告逾期的补正、检查与整改。"""
    try:
        day = dt.date.fromisoformat(date) if date else None
    except ValueError:
        raise InputError("日期格式错误", where=f"--date {date}", fix="写作 YYYY-MM-DD") from None
    done = _open(ctx, data_dir, key_file).lifecycle.tick(day)
    if fmt is TableOrJson.json:
        emit_json(done)
        return
    for r in done:
        console.print(f"{r['id']}  {r['action']}  "
                      f"{r.get('number') or r.get('due') or r.get('error') or ''}")
    console.print(f"共处理 {len(done)} 项。")


Checkpoints = Annotated[Path | None, typer.Option(
    "--checkpoints", help="审计检查点文件（JSON lines，放在数据库以外；默认：BEIAN_AUDIT_CHECKPOINTS，"
                          "未设置时为密钥文件旁的 audit-checkpoints.jsonl）")]


def audit_verify(ctx: typer.Context, checkpoints: Checkpoints = None, data_dir: DataDir = None,
                 key_file: KeyFile = None,
                 require_checkpoints: Annotated[bool, typer.Option(
                     "--require-checkpoints", help="没有核对到任何签名检查点时视为失败（退出码 1）")] = False,
                 ) -> None:
    """核验审计日志的加密钥哈希链与签名检查点；发现篡改时退出码为 1。"""
    report = _open(ctx, data_dir, key_file).admin.verify_audit_report(
        checkpoints=checkpoints, require_checkpoints=require_checkpoints)
    console.print(f"检查点文件：{report.checkpoint_file}")
    for p in report.problems:
        console.print(f"{p.where}：{p.problem}", style="red")
    for w in report.warnings:
        console.print(f"警告：{w}", style="yellow")
    if report.problems:
        console.print(f"审计日志共 {report.rows} 行，发现 {len(report.problems)} 处问题。", style="red")
        raise typer.Exit(EXIT_BLOCKING)
    cps = (f"，{report.checkpoints} 个签名检查点核对无误（最新检查点之后 {report.uncovered} 行）"
           if report.checkpoints else "；未核对签名检查点")
    console.print(f"审计日志完整：共 {report.rows} 行，哈希链校验通过{cps}。")


def audit_checkpoint(ctx: typer.Context, checkpoints: Checkpoints = None,
                     data_dir: DataDir = None, key_file: KeyFile = None) -> None:
    """把审计链尾（序号与哈希）签名后追加到数据库以外的检查点文件。"""
    cp = _open(ctx, data_dir, key_file).admin.checkpoint(checkpoints)
    console.print(f"已写入检查点：第 {cp.seq} 行，密钥 {cp.key_id}。")


def backup_cmd(ctx: typer.Context, output: Annotated[Path, typer.Argument(help="备份目录（新建）")],
               data_dir: DataDir = None) -> None:
    """备份数据库（SQLite 在线备份 / PostgreSQL pg_dump）与材料文件。密钥文件请另行保管。"""
    from beian.registry import backup

    meta = backup(_settings(ctx, data_dir, None), output)
    console.print(f"已备份到 {output}：{sum(meta['counts'].values())} 行，{meta['blobs']} 个材料文件。")


def restore_cmd(ctx: typer.Context, source: Annotated[Path, typer.Argument(help="备份目录")],
                data_dir: DataDir = None) -> None:
    """从备份目录恢复数据库与材料文件，并核对行数。"""
    from beian.registry import restore

    meta = restore(_settings(ctx, data_dir, None), source)
    console.print(f"已恢复：{sum(meta['restored_counts'].values())} 行，与备份一致。")


def rotate_keys(ctx: typer.Context, data_dir: DataDir = None, key_file: KeyFile = None) -> None:
    """轮换加密密钥：密钥环加入新密钥，并把所有加密字段重新封装到新密钥下。"""
    kid, n = _open(ctx, data_dir, key_file).admin.rotate_keys()
    console.print(f"当前密钥：{kid}；已重新封装 {n} 个加密字段。")


def calendar_load(ctx: typer.Context, file: Annotated[Path, typer.Argument(help="YAML/JSON 文件")],
                  data_dir: DataDir = None, key_file: KeyFile = None) -> None:
    """导入某年的法定节假日与调休上班日（国务院办公厅通知），补足 chinesecalendar 未覆盖的年份。"""
    from beian.registry.domain import load_schedule_file

    sched = load_schedule_file(file)
    _open(ctx, data_dir, key_file).admin.load_calendar(sched)
    console.print(f"已导入 {sched.year} 年安排：假日 {len(sched.holidays)} 天，调休上班 "
                  f"{len(sched.workdays)} 天。")


def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[str, typer.Option(help="applicant/reviewer/approver/inspector/auditor/admin")],
    org: Annotated[str, typer.Option(help="机构名称（不存在则创建）")],
    org_kind: Annotated[str, typer.Option(help="provider/registrar/national")] = "provider",
    province: Annotated[str | None, typer.Option(help="属地，如 北京")] = None,
    uscc: Annotated[str | None, typer.Option(
        help="机构的统一社会信用代码（新建服务提供者机构时必填）")] = None,
    data_dir: DataDir = None, key_file: KeyFile = None,
) -> None:
    """创建用户（打印初始密码；网信部门角色同时打印动态口令密钥）。"""
    reg = _open(ctx, data_dir, key_file)
    nu = reg.accounts.create_user(username, role,
                                  reg.accounts.create_org(org, org_kind, province, uscc))
    _print_credentials(nu)


Username = Annotated[str, typer.Argument(help="用户名")]


def _print_credentials(nu: object) -> None:
    from beian.registry import NewUser

    assert isinstance(nu, NewUser)
    print_whole(f"用户 {nu.username}，临时密码 {nu.password}（首次登录须修改）")
    if nu.totp_secret:
        print_whole(f"动态口令密钥 {nu.totp_secret}；{nu.totp_uri()}")


def user_list(ctx: typer.Context, data_dir: DataDir = None, key_file: KeyFile = None,
              fmt: Annotated[TableOrJson, typer.Option("--format")] = TableOrJson.table) -> None:
    """列出用户（状态、角色、机构、是否须改密码、是否启用动态口令）。"""
    reg = _open(ctx, data_dir, key_file)
    rows = reg.accounts.list_users()
    if fmt is TableOrJson.json:
        emit_json(rows)
        return
    for u in rows:
        state = "正常" if u["active"] else "已停用"
        extra = ("，待改密码" if u["must_change"] else "") + ("，动态口令" if u["totp"] else "")
        console.print(f"{u['username']}  {u['role']}  {u['org']}  {state}{extra}")


def user_reset(ctx: typer.Context, username: Username,
               totp: Annotated[bool, typer.Option("--totp", help="同时生成新的动态口令密钥")] = False,
               data_dir: DataDir = None, key_file: KeyFile = None) -> None:
    """重置密码（打印临时密码，下次登录须修改）；该用户的会话全部失效。"""
    _print_credentials(_open(ctx, data_dir, key_file).accounts.reset_password(
        username, reset_totp=totp))


def user_disable(ctx: typer.Context, username: Username, data_dir: DataDir = None,
                 key_file: KeyFile = None) -> None:
    """停用用户：不能再登录，现有会话立即失效。"""
    n = _open(ctx, data_dir, key_file).accounts.set_active(username, False)
    console.print(f"已停用 {username}，{n} 个会话已退出。")


def user_enable(ctx: typer.Context, username: Username, data_dir: DataDir = None,
                key_file: KeyFile = None) -> None:
    """重新启用已停用的用户。"""
    _open(ctx, data_dir, key_file).accounts.set_active(username, True)
    console.print(f"已启用 {username}。")


def user_revoke(ctx: typer.Context, username: Username, data_dir: DataDir = None,
                key_file: KeyFile = None) -> None:
    """注销用户的全部会话（例如设备丢失时）。"""
    n = _open(ctx, data_dir, key_file).accounts.revoke_sessions(username)
    console.print(f"已注销 {username} 的 {n} 个会话。")


def submit(
    directory: Annotated[Path, typer.Argument(help="beian build 生成的材料包目录")],
    url: Annotated[str, typer.Option(help="登记系统地址，如 https://beian.example.cn")],
    user: Annotated[str | None, typer.Option(help="用户名（或用 BEIAN_REGISTRY_TOKEN）")] = None,
    draft: Annotated[bool, typer.Option("--draft", help="只上传为草稿，不提交")] = False,
) -> None:
    """上传材料包并提交申请（密码取自环境变量 BEIAN_REGISTRY_PASSWORD 或交互输入）。"""
    import httpx

    from beian.registry import zip_directory

    data = zip_directory(directory)
    base = url.rstrip("/")
    token = os.environ.get("BEIAN_REGISTRY_TOKEN")
    with httpx.Client(base_url=base, timeout=120) as client:
        if not token:
            if not user:
                raise ConfigError("未提供登录信息", fix="用 --user 用户名，或设置 BEIAN_REGISTRY_TOKEN")
            pw = os.environ.get("BEIAN_REGISTRY_PASSWORD") or typer.prompt("密码", hide_input=True)
            r = client.post("/api/v1/auth/login", json={"username": user, "password": pw})
            _raise(r)
            token = r.json()["token"]
        client.headers["Authorization"] = f"Bearer {token}"
        r = client.post("/api/v1/applications",
                        files={"package": (f"{directory.name}.zip", data, "application/zip")})
        _raise(r)
        pid = r.json()["id"]
        if not draft:
            _raise(client.post(f"/api/v1/applications/{pid}/actions/submit", json={"note": ""}))
    console.print(f"申请编号 {pid}：{'已保存为草稿' if draft else '已提交'}。"
                  f"查看：{base}/applications/{pid}")


def _raise(r: object) -> None:
    import httpx

    assert isinstance(r, httpx.Response)
    if r.status_code < 400:
        return
    try:
        body = r.json()
    except ValueError:
        body = {"error": r.text[:300]}
    raise InputError(f"登记系统拒绝：{body.get('error')}（HTTP {r.status_code}）",
                     where=body.get("where") or str(r.request.url), fix=body.get("fix"))


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    reg = typer.Typer(help="备案登记系统的管理命令。", no_args_is_help=True)
    reg.command("tick")(tick)
    reg.command("backup")(backup_cmd)
    reg.command("restore")(restore_cmd)
    reg.command("rotate-keys")(rotate_keys)
    reg.command("submit")(submit)
    audit = typer.Typer(help="审计日志。", no_args_is_help=True)
    audit.command("verify")(audit_verify)
    audit.command("checkpoint")(audit_checkpoint)
    reg.add_typer(audit, name="audit")
    cal = typer.Typer(help="法定节假日安排。", no_args_is_help=True)
    cal.command("load")(calendar_load)
    reg.add_typer(cal, name="calendar")
    user = typer.Typer(help="用户。", no_args_is_help=True)
    user.command("add")(user_add)
    user.command("list")(user_list)
    user.command("reset")(user_reset)
    user.command("disable")(user_disable)
    user.command("enable")(user_enable)
    user.command("revoke")(user_revoke)
    reg.add_typer(user, name="user")
    app.add_typer(reg, name="registry")
