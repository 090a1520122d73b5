"""Checks of a gateway configuration against the runtime measures a filing promises.

One function per check, run in :data:`CHECKS` order. Besides the measures themselves, the
checks refuse what would make the gateway serve silently wrong: a placeholder where a real value
belongs (the label's provider code, the admin token) and files the configuration names but that
are not there (keyword libraries, the key ring, the signing key).
"""

from __future__ import annotations

import importlib.util
import math
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from beian._shared.database import make_engine
from beian._shared.numbers import check_uscc
from beian.crypto import KeyRing
from beian.errors import ConfigError, InputError
from beian.findings import Finding, Location, Severity, define_code
from beian.gateway._access import token_weakness
from beian.gateway._config import GatewayConfig
from beian.gateway._db import shown_url
from beian.gateway._identity import is_public_bind, load_identity_key
from beian.gateway._rights import load_calendar
from beian.gateway._screening import load_lexicon
from beian.gateway._stage_classifier import ClassifierStage
from beian.gateway._stage_guard import GuardStage
from beian.gateway._substitutes import load_substitutes
from beian.io import read_text
from beian.label import LabelPayload
from beian.label.explicit import check_notice
from beian.standards import Edition

__all__ = ["GW_CODES", "check_config", "is_placeholder", "is_public_bind"]

RETENTION_TOO_SHORT = define_code(
    "BA-GW-001", "记录保存期限短于规定下限", clause="标识办法第九条", severity=Severity.BLOCKING
)
NO_KEYWORDS = define_code(
    "BA-GW-002", "未配置关键词库，输入输出拦截未启用", clause="8.1", severity=Severity.BLOCKING
)
SCREENING_OFF = define_code(
    "BA-GW-003", "关闭了输入或输出拦截", clause="7", severity=Severity.WARNING
)
PII_OFF = define_code(
    "BA-GW-004",
    "未启用个人信息保护（输入中的个人信息原样发往模型）",
    clause="7",
    severity=Severity.WARNING,
)
LABEL_MISSING = define_code(
    "BA-GW-005", "生成内容缺少显式或隐式标识，或显式标识文字不含必需要素",
    clause="GB 45438", severity=Severity.BLOCKING,
)  # fmt: skip
NO_CHANNEL = define_code(
    "BA-GW-006", "投诉举报渠道只有网页，未公布电话或邮箱", clause="7", severity=Severity.INFO
)
NO_PRODUCER = define_code(
    "BA-GW-007", "隐式标识的服务提供者编码未设置或是占位值",
    clause="GB 45438", severity=Severity.BLOCKING,
)  # fmt: skip
FILE_MISSING = define_code(
    "BA-GW-008", "配置引用的文件不存在", clause="7", severity=Severity.BLOCKING
)
NO_KEY = define_code(
    "BA-GW-009", "未配置记录加密密钥", clause="标识办法第九条", severity=Severity.BLOCKING
)
ADMIN_PLACEHOLDER = define_code(
    "BA-GW-010", "管理令牌是占位值", clause="7", severity=Severity.BLOCKING
)
IDENTITY_UNSIGNED = define_code(
    "BA-GW-011", "对外监听而用户身份由客户端自报（任何人可冒用他人的用户标识与训练数据设置；网关拒绝启动）",
    clause="7", severity=Severity.BLOCKING,
)  # fmt: skip
IDENTITY_PROXY_PUBLIC = define_code(
    "BA-GW-014", "对外监听而信任认证代理的用户请求头（客户端绕过代理直连时可自带该请求头）",
    clause="7", severity=Severity.WARNING,
)  # fmt: skip
ADMIN_WEAK = define_code(
    "BA-GW-012", "管理令牌强度不足（网关拒绝启动）", clause="7", severity=Severity.BLOCKING
)
IDENTITY_KEY = define_code(
    "BA-GW-013", "用户身份签名密钥缺失或太短（网关拒绝启动）", clause="7", severity=Severity.BLOCKING
)
DATABASE_INVALID = define_code(
    "BA-GW-015", "记录库地址无效（写法、类型、驱动或环境变量）", clause="标识办法第九条",
    severity=Severity.BLOCKING,
)  # fmt: skip
DATABASE_UNREACHABLE = define_code(
    "BA-GW-016", "记录库当前连不上", clause="标识办法第九条", severity=Severity.WARNING
)
DATABASE_PASSWORD = define_code(
    "BA-GW-017", "记录库密码写在配置文件中", clause="7", severity=Severity.WARNING
)
RIGHTS_WITHOUT_IDENTITY = define_code(
    "BA-GW-018", "配置了用户权利与同意（告知书版本），但未启用用户身份认证，查阅、导出、更正、删除页面不可用",
    clause="7", severity=Severity.WARNING,
)  # fmt: skip
FILE_INVALID = define_code(
    "BA-GW-019",
    "配置引用的文件无法读取或内容有误（节假日安排、服务透明度说明、关键词库、分类模型、护栏预设、代答库）",
    clause="7",
    severity=Severity.BLOCKING,
)  # fmt: skip
CHANNEL_PLACEHOLDER = define_code(
    "BA-GW-020", "投诉举报电话或邮箱是示例或占位值（公众无法据此投诉）", clause="7",
    severity=Severity.BLOCKING,
)  # fmt: skip
PRODUCER_FORMAT = define_code(
    "BA-GW-021", "隐式标识中的服务提供者编码不像“0011 + 统一社会信用代码 + 5 位后缀”（位数或校验位不对）",
    clause="GB 45438", severity=Severity.WARNING,
)  # fmt: skip
GW_CODES = (RETENTION_TOO_SHORT, NO_KEYWORDS, SCREENING_OFF, PII_OFF, LABEL_MISSING, NO_CHANNEL,
            NO_PRODUCER, FILE_MISSING, NO_KEY, ADMIN_PLACEHOLDER, IDENTITY_UNSIGNED, ADMIN_WEAK,
            IDENTITY_KEY, IDENTITY_PROXY_PUBLIC, DATABASE_INVALID, DATABASE_UNREACHABLE,
            DATABASE_PASSWORD, RIGHTS_WITHOUT_IDENTITY, FILE_INVALID,
            CHANNEL_PLACEHOLDER, PRODUCER_FORMAT)  # fmt: skip

# what marks a value as a stand-in: the demo's own values say DEMO, the documentation's example
# fills with X or asks to be replaced; "beian-gateway" was the provider code's old default
_PLACEHOLDER_MARKS = ("demo", "xxxx", "换成", "替换", "change-me", "changeme", "example", "示例")
_OLD_DEFAULTS = {"beian-gateway"}
_KEY_ENV = ("BEIAN_KEYS", "BEIAN_KEY", "BEIAN_KEY_FILE")


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is plainly a stand-in (a demo, example or old default value)."""
    v = value.strip().casefold()
    return v in _OLD_DEFAULTS or any(m in v for m in _PLACEHOLDER_MARKS)


@dataclass(frozen=True)
class _Input:
    cfg: GatewayConfig
    edition: Edition
    environ: Mapping[str, str]
    host: str | None  # the address it will listen on (None: not known)

    def at(self, field: str) -> Location:
        return Location(file=self.cfg.path or "网关配置", field=field)


def _retention(c: _Input) -> Iterator[Finding]:
    fig = c.edition.figure("measures.log_retention_min_months")
    min_days = math.ceil(fig.value * 365 / 12)
    days = c.cfg.records.retention_days
    if days < min_days:
        yield Finding.of(
            RETENTION_TOO_SHORT,
            f"记录保存 {days} 天，短于 {fig.display().strip('>= ')}（约 {min_days} 天）",
            fix=f"把 records.retention_days 设为不少于 {min_days}",
            location=c.at("records.retention_days"),
        )


def _keywords(c: _Input) -> Iterator[Finding]:
    s = c.cfg.screening
    if not s.lexicon and not s.keywords:
        yield Finding.of(
            NO_KEYWORDS, "没有配置关键词库，网关不会拦截任何输入或输出",
            fix="在 screening.lexicon 中列出关键词库文件", location=c.at("screening.lexicon"),
        )  # fmt: skip


def _screening(c: _Input) -> Iterator[Finding]:
    s = c.cfg.screening
    if not s.screen_input or not s.screen_output:
        off = "输入" if not s.screen_input else "输出"
        yield Finding.of(
            SCREENING_OFF, f"{off}拦截已关闭", fix="把 screening.screen_input / screen_output 设为 true",
            location=c.at("screening"),
        )  # fmt: skip


def _pii(c: _Input) -> Iterator[Finding]:
    if c.cfg.screening.pii == "off":
        yield Finding.of(
            PII_OFF, "个人信息保护已关闭", fix="把 screening.pii 设为 mask 或 pseudonym",
            location=c.at("screening.pii"),
        )  # fmt: skip


def _labels(c: _Input) -> Iterator[Finding]:
    lab = c.cfg.labels
    try:
        check_notice(lab.notice)
        text_ok = True
    except InputError:
        text_ok = False
    if not lab.explicit or not lab.implicit or not text_ok:
        why = "显式标识文字须同时含“人工智能/AI”和“生成/合成”" if not text_ok else "显式或隐式标识已关闭"
        yield Finding.of(
            LABEL_MISSING, why, fix="启用 labels.explicit 与 labels.implicit，提示文字如“本内容由人工智能生成”",
            location=c.at("labels"),
        )  # fmt: skip


def _placeholder_phone(phone: str) -> bool:
    """A phone number nobody answers: a marked stand-in, or digits that are a run of zeros (the
    documentation's ``400-000-0000``) or one digit repeated."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return is_placeholder(phone) or "0000000" in digits or len(set(digits)) <= 1


def _channel(c: _Input) -> Iterator[Finding]:
    rules = c.cfg.complaints
    if not rules.phone and not rules.email:
        yield Finding.of(
            NO_CHANNEL, "投诉举报只公布了网页渠道", fix="在 complaints.phone / email 中公布其他渠道",
            location=c.at("complaints"),
        )  # fmt: skip
    if rules.phone and _placeholder_phone(rules.phone):
        yield Finding.of(
            CHANNEL_PLACEHOLDER, f"complaints.phone 是示例或占位值 {rules.phone!r}，投诉页面会把它公布给用户",
            fix="写本单位实际受理投诉的电话，或删去这一项", location=c.at("complaints.phone"),
        )  # fmt: skip
    if rules.email and is_placeholder(rules.email):
        yield Finding.of(
            CHANNEL_PLACEHOLDER, f"complaints.email 是示例或占位值 {rules.email!r}，投诉页面会把它公布给用户",
            fix="写本单位实际受理投诉的邮箱，或删去这一项", location=c.at("complaints.email"),
        )  # fmt: skip


def _producer(c: _Input) -> Iterator[Finding]:
    lab = c.cfg.labels
    if not lab.implicit:
        return
    code = lab.content_producer
    if not code or is_placeholder(code):
        what = "未设置" if not code else f"是占位值 {code!r}"
        yield Finding.of(
            NO_PRODUCER, f"隐式标识中的服务提供者编码（ContentProducer）{what}",
            fix="写入本单位的编码：0011 + 18 位统一社会信用代码 + 5 位后缀"
                "（beian.label.producer_code_from_uscc）",
            location=c.at("labels.content_producer"),
        )  # fmt: skip


def _producer_format(c: _Input) -> Iterator[Finding]:
    """A code that starts like ``0011`` + 统一社会信用代码 but is cut short, too long or has a
    wrong check digit, or a bare credit code: every label would carry the typo. A value the
    gateway's labels refuse (characters Appendix E does not allow, as ``LabelPayload`` checks
    them) blocks: the gateway would not start with it."""
    lab = c.cfg.labels
    if not lab.implicit or not lab.content_producer or is_placeholder(lab.content_producer):
        return
    try:  # as the gateway's Labeller reads it: a value it refuses means no start
        LabelPayload(Label="1", ContentProducer=lab.content_producer)
    except InputError as exc:
        yield Finding.of(
            PRODUCER_FORMAT, f"隐式标识中的服务提供者编码 {lab.content_producer!r} 用不了：{exc.what}；网关不会以此配置启动",
            location=c.at("labels.content_producer"), severity=Severity.BLOCKING,
            fix="写成 0011 + 18 位统一社会信用代码 + 5 位后缀（`beian.label.producer_code_from_uscc` 生成），去掉中文、空格与反斜杠",
        )  # fmt: skip
        return
    code = lab.content_producer
    why = None
    if len(code) == 18:  # the bare credit code, not another 18-character code of the provider's
        bare = check_uscc(code.upper())[1] is None
        why = "是 18 位统一社会信用代码本身，缺 0011 前缀与 5 位后缀" if bare else None
    elif code.startswith("0011") and len(code) != 27:
        why = f"以 0011 开头却有 {len(code)} 位（应为 27 位）"
    elif code.startswith("0011"):
        uscc, reason = check_uscc(code[4:22].upper())
        why = f"其中的统一社会信用代码 {uscc} 无效：{reason}" if reason else None
    if why:
        yield Finding.of(
            PRODUCER_FORMAT, f"隐式标识中的服务提供者编码 {code!r} {why}", location=c.at("labels.content_producer"),
            fix="写成 0011 + 18 位统一社会信用代码 + 5 位后缀（`beian.label.producer_code_from_uscc` 生成并核对校验位）",
        )  # fmt: skip


def _files(c: _Input) -> Iterator[Finding]:
    cfg = c.cfg
    named: list[tuple[str, str | None]] = [
        (f"screening.lexicon[{i}]", p) for i, p in enumerate(cfg.screening.lexicon)
    ]
    named += [("records.key_file", cfg.records.key_file),
              ("labels.signing_key", cfg.labels.signing_key)]  # fmt: skip
    named += _moderation_files(cfg)
    named += [(f"rights.calendar_files[{i}]", p) for i, p in enumerate(cfg.rights.calendar_files)]
    named.append(("transparency.page", cfg.transparency.page))
    if cfg.records.key_file is None and c.environ.get("BEIAN_KEY_FILE"):
        named.append(("环境变量 BEIAN_KEY_FILE", c.environ["BEIAN_KEY_FILE"]))
    for field, path in named:
        if path is not None and not Path(path).is_file():
            yield Finding.of(
                FILE_MISSING, f"{field} 指向的文件不存在：{path}",
                fix="改正路径（相对路径相对于配置文件所在目录），或先生成该文件",
                location=c.at(field),
            )  # fmt: skip


def _file_contents(c: _Input) -> Iterator[Finding]:
    """Files that are there but that the gateway cannot use: a holiday schedule it would refuse at
    start, a transparency notice it cannot read (served as 503); a missing one is :func:`_files`'."""
    cfg = c.cfg
    for i, path in enumerate(cfg.rights.calendar_files):
        if Path(path).is_file():
            try:
                load_calendar([path])
            except ConfigError as exc:
                yield Finding.of(FILE_INVALID, f"{exc.what}（{exc.where}）", fix=exc.fix or _CALENDAR_FIX,
                                 location=c.at(f"rights.calendar_files[{i}]"))  # fmt: skip
    page = cfg.transparency.page
    if page is not None and Path(page).is_file():
        try:
            read_text(Path(page))
        except (OSError, InputError) as exc:
            yield Finding.of(
                FILE_INVALID, f"transparency.page 无法读取：{page}（{getattr(exc, 'what', exc)}）",
                fix="检查文件权限与编码（UTF-8），或用 `beian transparency` 重新生成",
                location=c.at("transparency.page"),
            )  # fmt: skip


def _loaded_files(c: _Input) -> Iterator[Finding]:
    """The keyword libraries and the moderation files, read as the gateway reads them at start
    and reload (one it cannot use: no start); a missing one is :func:`_files`' finding."""
    cfg, m = c.cfg, c.cfg.moderation
    loads: list[tuple[str, list[str], Callable[[], object]]] = []
    if cfg.screening.lexicon:
        loads.append(("screening.lexicon", cfg.screening.lexicon,
                      lambda: load_lexicon(cfg.screening.lexicon)))  # fmt: skip
    if m.substitutes:
        loads.append(("moderation.substitutes", m.substitutes,
                      lambda: load_substitutes(m.substitutes)))  # fmt: skip
    if (classifier := m.classifier) is not None:
        loads.append(("moderation.classifier.model", [classifier.model],
                      lambda: ClassifierStage(classifier)))  # fmt: skip
    if (guard := m.guard) is not None:
        here = Path(cfg.path).resolve().parent if cfg.path else Path.cwd()
        files = [p for f, p in _moderation_files(cfg) if f.startswith("moderation.guard.") and p]
        loads.append(("moderation.guard.preset", files, lambda: GuardStage(guard, here)))
    for field, paths, load in loads:
        if not all(Path(p).is_file() for p in paths):
            continue  # reported as missing (BA-GW-008)
        try:
            load()
        except (ConfigError, InputError) as exc:
            where = f"（{exc.where}）" if exc.where and exc.where not in exc.what else ""
            yield Finding.of(
                FILE_INVALID, exc.what + where, location=c.at(field),
                fix=(exc.fix or "改正该文件") + "；网关不会以此配置启动或重载",
            )  # fmt: skip


def _pii_engine(c: _Input) -> Iterator[Finding]:
    """The learned tagger's model, read as the gateway would at start (unreadable: no start)."""
    if c.cfg.screening.pii == "off" or not c.cfg.screening.pii_engine.tagger:
        return
    from beian.pii import check_tagger

    try:
        check_tagger()
    except ConfigError as exc:
        yield Finding.of(
            FILE_INVALID, f"{exc.what}（{exc.where}）",
            fix="重新安装 genai-beian 以恢复该模型文件，或把 screening.pii_engine.tagger 设为 false",
            location=c.at("screening.pii_engine.tagger"),
        )  # fmt: skip


_CALENDAR_FIX = "按国务院办公厅通知改正该文件（格式见 docs/registry.md）"


def _moderation_files(cfg: GatewayConfig) -> list[tuple[str, str | None]]:
    """The classifier model, the guard's preset and category map, the approved answers."""
    m = cfg.moderation
    out: list[tuple[str, str | None]] = [
        (f"moderation.substitutes[{i}]", p) for i, p in enumerate(m.substitutes)
    ]
    if m.classifier is not None:
        out.append(("moderation.classifier.model", m.classifier.model))
    if m.guard is not None:
        out.append(("moderation.guard.categories", m.guard.categories))
        if m.guard.preset.endswith((".yaml", ".yml")):
            out.append(("moderation.guard.preset", m.guard.preset))
    return out


def _key(c: _Input) -> Iterator[Finding]:
    """No key ring is a finding; a malformed one stops the check with its ``file:line`` (a
    missing key file is :func:`_files`' finding)."""
    env = c.environ
    if c.cfg.records.key_file is None and not any(env.get(k) for k in _KEY_ENV):
        yield Finding.of(
            NO_KEY, "对话记录没有加密密钥：既没有 records.key_file，也没有环境变量 BEIAN_KEY / BEIAN_KEYS / BEIAN_KEY_FILE",
            fix="`beian keys generate -o keys.json` 后在 records.key_file 中写明",
            location=c.at("records.key_file"),
        )  # fmt: skip
        return
    # the file the gateway will read, as KeyRing.resolve picks it
    in_env = env.get("BEIAN_KEYS") or env.get("BEIAN_KEY")
    path = c.cfg.records.key_file or (None if in_env else env.get("BEIAN_KEY_FILE"))
    if path is None:
        KeyRing.from_env(dict(env))
    elif Path(path).is_file():
        KeyRing.load(path)


_TOKEN_FIX = "换成随机长字符串，例如 `python -c 'import secrets; print(secrets.token_urlsafe(32))'` 的输出"


def _admin_token(c: _Input) -> Iterator[Finding]:
    token = c.cfg.admin_token
    if token is not None and is_placeholder(token):
        yield Finding.of(
            ADMIN_PLACEHOLDER, f"admin_token 是占位值 {token!r}，任何人都能猜到",
            fix=_TOKEN_FIX, location=c.at("admin_token"),
        )  # fmt: skip
    elif token is not None and (why := token_weakness(token)) is not None:
        yield Finding.of(
            ADMIN_WEAK, f"admin_token 强度不足：{why}", fix=_TOKEN_FIX, location=c.at("admin_token")
        )


def _identity(c: _Input) -> Iterator[Finding]:
    ident = c.cfg.identity
    if ident.mode == "signed":
        try:
            load_identity_key(ident, c.environ)
        except ConfigError as exc:
            field = "identity.key_env" if ident.key_env and not ident.key_file else "identity.key_file"
            yield Finding.of(IDENTITY_KEY, exc.what, fix=exc.fix, location=c.at(field))
        return
    if c.host is None or not is_public_bind(c.host):
        return
    if ident.mode == "off":
        yield Finding.of(
            IDENTITY_UNSIGNED, f"网关在 {c.host} 上对外监听，用户标识由客户端自报：任何人都能以他人身份"
            "对话、查看或更改他人的训练数据设置；网关拒绝以此配置对外启动",
            fix="设 identity.mode: signed 并配置签名密钥（服务方为登录用户签发令牌），"
                "或 identity.mode: header（认证代理），或只在本机监听",
            location=c.at("identity.mode"),
        )  # fmt: skip
        return
    yield Finding.of(
        IDENTITY_PROXY_PUBLIC, f"网关在 {c.host} 上对外监听，信任请求头 {c.cfg.user_header}，"
        "而客户端可绕过认证代理直接访问网关并自带该请求头",
        fix="只让认证代理能连到网关（防火墙或只在内网地址监听），或改用 identity.mode: signed",
        location=c.at("identity.mode"),
    )  # fmt: skip


_DB_FIX = "写 SQLite 文件路径（records.path），或 records.url / records.url_env 给出 postgresql://用户@主机:端口/库名"


def _database_url(c: _Input) -> tuple[str | None, str]:
    """The records database URL the gateway will open (``None``: a plain SQLite path), and the
    field naming it; findings for what cannot be resolved are :func:`_database`'s."""
    r = c.cfg.records
    if r.url:
        return r.url, "records.url"
    if r.url_env:
        return c.environ.get(r.url_env) or "", "records.url_env"
    return None, "records.path"


def _database(c: _Input) -> Iterator[Finding]:
    """The records database: a URL the gateway can use (scheme, driver, no placeholder), the
    password kept out of the file, and (PostgreSQL) whether it answers now."""
    r = c.cfg.records
    url, field = _database_url(c)
    if url is None:
        return
    where = c.at(field)
    if r.url and r.url_env:
        yield Finding.of(DATABASE_INVALID, "records.url 与 records.url_env 只能写一个",
                         fix="删去其中一个", location=where)  # fmt: skip
        return
    if not url:
        yield Finding.of(DATABASE_INVALID, f"环境变量 {r.url_env} 未设置或为空（records.url_env）",
                         fix=f"在运行网关的环境中设置 {r.url_env}，或改写 records.url", location=where)  # fmt: skip
        return
    shown = shown_url(url)
    if is_placeholder(url):
        yield Finding.of(DATABASE_INVALID, f"记录库地址是占位值：{shown}", fix=_DB_FIX, location=where)
        return
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        yield Finding.of(DATABASE_INVALID, f"记录库地址写法不对：{shown}", fix=_DB_FIX, location=where)
        return
    if parsed.get_backend_name() not in ("sqlite", "postgresql") or parsed.drivername not in (
        "sqlite", "postgresql", "postgresql+psycopg"
    ):
        yield Finding.of(DATABASE_INVALID, f"记录库只支持 SQLite 与 PostgreSQL（psycopg），而不是 {parsed.drivername}",
                         fix=_DB_FIX, location=where)  # fmt: skip
        return
    if parsed.get_backend_name() == "sqlite":
        return
    if importlib.util.find_spec("psycopg") is None:
        yield Finding.of(DATABASE_INVALID, "使用 PostgreSQL 记录库需要 psycopg，当前环境未安装",
                         fix="pip install 'beian[postgres]'", location=where)  # fmt: skip
        return
    if r.url and parsed.password:
        yield Finding.of(DATABASE_PASSWORD, "records.url 中写有数据库密码，配置文件泄露即泄露记录库",
                         fix="改用 records.url_env 指向一个环境变量，或用 ~/.pgpass、证书认证",
                         location=where)  # fmt: skip
    timeout = {"connect_timeout": str(parsed.query.get("connect_timeout", "5"))}
    engine = make_engine(parsed.update_query_dict(timeout).render_as_string(hide_password=False))
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:200]
        yield Finding.of(DATABASE_UNREACHABLE, f"记录库 {shown} 现在连不上：{reason}",
                         fix="检查地址、端口、用户名与权限，以及数据库服务是否运行（网关启动时同样需要它）",
                         location=where)  # fmt: skip
    finally:
        engine.dispose()


def _rights(c: _Input) -> Iterator[Finding]:
    if c.cfg.rights.notice_version and c.cfg.identity.mode == "off":
        yield Finding.of(
            RIGHTS_WITHOUT_IDENTITY,
            "配置了隐私告知书版本（rights.notice_version），而 identity.mode: off：个人数据的查阅、"
            "导出、更正、删除页面与接口只对服务方认证的用户开放，现在一律答复 403",
            fix="设 identity.mode: signed（服务方为登录用户签发令牌）或 header（认证代理之后）",
            location=c.at("identity.mode"),
        )  # fmt: skip


CHECKS: tuple[Callable[[_Input], Iterator[Finding]], ...] = (
    _retention, _keywords, _screening, _pii, _labels, _channel,
    _producer, _producer_format, _files, _file_contents, _loaded_files, _pii_engine, _key, _admin_token, _identity, _database, _rights,
)  # fmt: skip


def check_config(
    cfg: GatewayConfig,
    edition: Edition,
    *,
    environ: Mapping[str, str] | None = None,
    host: str | None = None,
) -> list[Finding]:
    """Findings about ``cfg``; the retention floor comes from the edition's figures; the key
    ring may come from ``environ`` (default: this process's environment); ``host`` is the
    address the gateway will listen on (a public one needs signed user identities)."""
    c = _Input(cfg, edition, os.environ if environ is None else environ, host)
    return edition.cite_findings(f for check in CHECKS for f in check(c))
