"""The gateway's configuration: a YAML file (``gateway:`` section or top level), reloadable."""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from beian._shared.serve import ConnectionLimitsConfig
from beian.errors import ConfigError
from beian.gateway._moderation_config import ModerationConfig
from beian.io import YamlDocument, YamlPath, read_yaml_document
from beian.pii import PiiConfig

__all__ = [
    "AccessConfig",
    "ComplaintsConfig",
    "GatewayConfig",
    "IdentityConfig",
    "LabelsConfig",
    "LimitsConfig",
    "RecordsConfig",
    "RightsConfig",
    "ScreeningConfig",
    "UpstreamConfig",
    "load_gateway_config",
]

_WHAT = "网关配置项无效："
_FIX = "参见 docs/gateway.md 中的配置示例"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class UpstreamConfig(_Strict):
    """The provider's model: an OpenAI-compatible base URL ending in ``/v1``."""

    base_url: str = "http://127.0.0.1:8000/v1"
    api_key: str | None = None  # sent upstream; when empty the client's Authorization is forwarded
    api_key_env: str | None = None  # name of an environment variable holding the key
    connect_timeout_s: float = Field(default=5.0, gt=0)
    read_timeout_s: float = Field(default=120.0, gt=0)
    max_connections: int = Field(default=1000, ge=1)
    # idle pooled connections are dropped after this long; keep it below the upstream's own
    # keep-alive timeout (uvicorn: 5 s) so a request never lands on a connection it has closed
    keepalive_s: float = Field(default=4.0, gt=0)

    def resolved_key(self) -> str | None:
        if self.api_key:
            return self.api_key
        if self.api_key_env:
            return os.environ.get(self.api_key_env) or None
        return None


class KeywordEntry(_Strict):
    keyword: str = Field(min_length=1)
    risk: str = Field(min_length=1)


class ScreeningConfig(_Strict):
    """Input and output interception and personal-information protection."""

    lexicon: list[str] = Field(default_factory=list)  # keyword library files (beian.lexicon)
    keywords: list[KeywordEntry] = Field(default_factory=list)  # inline entries
    screen_input: bool = True
    screen_output: bool = True
    input_refusal: str = "很抱歉，您的问题涉及法律法规禁止或不宜讨论的内容，我无法回答。"
    output_block_message: str = "【该回答包含不宜展示的内容，已被安全策略拦截】"
    pii: Literal["off", "mask", "pseudonym"] = "mask"
    # with pii: pseudonym, the user's own values replace the tokens in the answer they receive
    # (the model and its provider only ever see the tokens)
    restore_pseudonyms: bool = True
    # how personal information is found: the keys of beian.yaml's ``pii`` section (tagger,
    # context_names, fast_names, threshold, thresholds, enabled, disabled, custom) with the same meaning,
    # except that the learned name/address tagger is on unless ``tagger: false`` (it adds well
    # under a millisecond of CPU to a 200-character prompt; docs/pii.md). Built once per
    # worker and on each reload.
    pii_engine: PiiConfig = Field(default_factory=lambda: PiiConfig(tagger=True))
    # texts in which the PII engine found nothing, remembered (as a keyed digest, never the
    # text) so that the same text is not analysed again: a system prompt, and the earlier turns
    # of a conversation that every request of it sends again; how many (least recently seen
    # forgotten first), 0: off. Kept per worker and emptied on each reload.
    pii_clean_cache: int = Field(default=16384, ge=0, le=1_048_576)

    @field_validator("pii_engine", mode="before")
    @classmethod
    def _tagger_by_default(cls, value: Any) -> Any:
        if isinstance(value, dict) and "tagger" not in value:
            return {**value, "tagger": True}
        return value

    # image, audio and file parts cannot be screened: refused unless "pass" (then forwarded,
    # and the record notes them as unscreened)
    non_text: Literal["reject", "pass"] = "reject"
    # request fields beyond OpenAI's that the provider's model understands (e.g. top_k):
    # forwarded, every string in them screened; any other unknown field is refused
    extra_fields: list[str] = Field(default_factory=list)


class LabelsConfig(_Strict):
    """GB 45438 labels: the explicit text label and the implicit metadata payload."""

    explicit: bool = True
    position: Literal["start", "end"] = "end"
    notice: str = "本内容由人工智能生成"  # shown as 【notice】; must name AI and generation
    implicit: bool = True
    header: str = "X-AIGC-Label"
    field: str = "aigc_label"
    # the provider's code in the implicit label: printable ASCII, 0011 + USCC + 5 characters
    # (beian.label.producer_code_from_uscc); no default, a made-up one would label real output
    content_producer: str | None = None
    signing_key: str | None = None  # Ed25519 private key (PEM) to sign ReservedCode1


class RecordsConfig(_Strict):
    """Where exchanges are kept, how they are encrypted and for how long."""

    path: str = "beian-gateway.db"  # a SQLite file (relative: beside the config file)
    # a database URL instead (postgresql://user@host/db, sqlite:///file): several gateway hosts
    # behind a load balancer share one PostgreSQL database; url_env names an environment
    # variable holding it (keeps the password out of the file). Either one replaces ``path``.
    url: str | None = None
    url_env: str | None = None
    key_file: str | None = None  # a key ring file; else BEIAN_KEY / BEIAN_KEYS / BEIAN_KEY_FILE
    retention_days: int = Field(default=183, ge=1)  # 6 months or more (see BA-GW-001)
    purge_interval_s: float = Field(default=3600.0, gt=0)
    hash_algorithm: Literal["hmac-sha256", "hmac-sm3"] = "hmac-sha256"
    cipher: Literal["aes-256-gcm", "sm4-gcm"] = "aes-256-gcm"
    # how long a process may reuse a user's training opt-out answer: a choice made through
    # another process or host takes effect within this many seconds (0: asked every request)
    opt_out_cache_s: float = Field(default=0.0, ge=0, le=60)
    # how long a request waits for its user's opt-out answer (PostgreSQL); past it the request
    # goes on as that of a user who opted out (fail closed)
    opt_out_timeout_s: float = Field(default=5.0, gt=0, le=60)

    @property
    def database(self) -> str:
        """What the stores open: the URL (``url``, else the variable ``url_env`` names), else
        the SQLite file ``path``."""
        if self.url:
            return self.url
        if self.url_env and (got := os.environ.get(self.url_env)):
            return got
        return self.path


MiB = 1024 * 1024


class LimitsConfig(ConnectionLimitsConfig):
    """Hard limits: what one client or the upstream can make the gateway hold, wait for or do.

    The connection limits (header size and count, the timeouts; the fields of the shared
    :class:`ConnectionLimitsConfig`, which the registry's server uses too) and ``shutdown_grace_s`` take
    effect when the gateway starts; the others also on a reload. See docs/gateway.md.
    """

    max_request_bytes: int = Field(default=4 * MiB, ge=1024)  # one request body (413 beyond)
    max_messages: int = Field(default=2048, ge=1)
    max_parts: int = Field(default=4096, ge=1)  # content parts in all messages together
    max_tools: int = Field(default=256, ge=0)
    max_json_depth: int = Field(default=64, ge=8, le=500)  # nesting of the request's JSON
    max_choices: int = Field(default=8, ge=1, le=128)  # n, and choice indexes from upstream
    body_timeout_s: float = Field(default=30.0, gt=0)  # until its body is in
    max_upstream_bytes: int = Field(default=16 * MiB, ge=1024)  # a whole answer, decoded
    max_event_bytes: int = Field(default=1 * MiB, ge=1024)  # one server-sent event
    max_stream_bytes: int = Field(default=256 * MiB, ge=1024)  # a whole stream, decoded
    max_answer_chars: int = Field(default=1_000_000, ge=1)  # text of one answer, all fields
    max_duration_s: float = Field(default=600.0, gt=0)  # one exchange, streamed or not
    shutdown_grace_s: float = Field(default=20.0, ge=0)  # in-flight exchanges on SIGTERM
    # requests (and whole answers) larger than this are parsed and screened in a worker
    # thread, so the event loop keeps serving the others meanwhile
    inline_bytes: int = Field(default=64 * 1024, ge=0)
    screening_threads: int = Field(default=2, ge=1, le=64)
    # bytes (request bodies, answers) waiting for or in the screening threads at once; past it a
    # request is answered 503 with Retry-After (one job is always taken when none is queued)
    screening_queue_bytes: int = Field(default=32 * MiB, ge=1024)


class ComplaintsConfig(_Strict):
    """The complaint and report channel (投诉举报) and its published rules."""

    handling_days: int = Field(default=15, ge=1)  # the published handling time limit
    phone: str | None = None
    email: str | None = None
    provider_name: str = "本服务"
    # each client (see access.client_ip_header) may submit rate_limit complaints per window
    rate_limit: int = Field(default=5, ge=1)
    rate_window_s: float = Field(default=3600.0, gt=0)
    max_body_bytes: int = Field(default=65536, ge=1024)  # a larger request: 413, never read
    max_content_chars: int = Field(default=5000, ge=1)
    max_contact_chars: int = Field(default=200, ge=1)
    max_note_chars: int = Field(default=2000, ge=1)  # the staff's note on an update
    # where an operator's candidates from complaints go (relative: beside the config file):
    # keywords to a review list in the lexicon's CSV format, questions to a JSONL bank
    keyword_candidates: str | None = None
    question_candidates: str | None = None


class RightsConfig(_Strict):
    """Users' rights over their conversations (PIPL Arts. 44–47) and the consent ledger."""

    # the published time limit of a rights request, in working days (State Council schedule)
    handling_working_days: int = Field(default=15, ge=1, le=60)
    notice_version: str | None = None  # the privacy notice in force (what "accept" records)
    calendar_files: list[str] = Field(default_factory=list)  # schedules the package lacks
    max_body_bytes: int = Field(default=65536, ge=1024)
    max_correction_chars: int = Field(default=5000, ge=1)
    max_export_records: int = Field(default=100_000, ge=1)
    # requests (tickets) one user may open per window: exports decrypt everything they hold
    rate_limit: int = Field(default=20, ge=1)
    rate_window_s: float = Field(default=3600.0, gt=0)


class IdentityConfig(_Strict):
    """Who the user is: the chat ``user`` and the training opt-out bound to an identity the
    provider vouches for (see docs/gateway.md, 用户身份)."""

    # off: the client's word (user field / user_header) is taken; signed: a token the provider
    # signed (HMAC-SHA256, expiry) in token_header (pages: ?token=); header: user_header is set
    # by the provider's authenticating proxy and trusted
    mode: Literal["off", "signed", "header"] = "off"
    key_env: str | None = None  # signed: environment variable holding the key (>= 32 bytes)
    key_file: str | None = None  # signed: a file holding the key
    token_header: str = "X-Beian-User-Token"
    user_max_chars: int = Field(default=128, ge=1, le=1024)
    # the characters of a user id (Unicode letters and digits, and these: _ . @ : + = / -)
    user_pattern: re.Pattern[str] = re.compile(r"[\w.@:+=/-]+")
    # origins besides the gateway's own that may post its forms (a reverse proxy's public URL)
    allowed_origins: list[str] = Field(default_factory=list)
    form_token_ttl_s: float = Field(default=3600.0, gt=0)  # the forms' anti-forgery tokens


class AccessConfig(_Strict):
    """Who may see what: admin lockout, metrics, the model list, the client's address."""

    # reverse proxies (addresses or networks) whose forwarded header names the client; from any
    # other peer the header is ignored (default: trust none, the peer is the client)
    trusted_proxies: list[str] = Field(default_factory=list)
    # the header a trusted proxy carries the client's address in (default X-Forwarded-For)
    client_ip_header: str | None = None
    admin_max_failures: int = Field(default=5, ge=1)  # wrong admin tokens per client ...
    admin_failure_window_s: float = Field(default=300.0, gt=0)  # ... within this window
    admin_lockout_s: float = Field(default=900.0, gt=0)  # then refused (429) for this long
    metrics_token: str | None = None  # a read-only token for /metrics (the admin token works too)
    public_metrics: bool = False  # /metrics without a token
    models: list[str] = Field(default_factory=list)  # /v1/models answered from this list

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, v: list[str]) -> list[str]:
        for p in v:
            try:
                ipaddress.ip_network(p.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"可信代理地址无效：{p!r}（写 IP 地址或网段，如 10.0.0.0/8）"
                ) from None
        return v


class TransparencyConfig(_Strict):
    """The service's transparency notice (服务透明度说明), served at ``/transparency``: the
    HTML that `beian build` puts in the package, or `beian transparency --number` writes once
    the 备案号 is issued. Read on every request, so a new file needs no restart."""

    page: str | None = None


class GatewayConfig(_Strict):
    """Everything ``beian gateway serve`` needs; unknown keys are errors."""

    upstream: UpstreamConfig = Field(default_factory=UpstreamConfig)
    screening: ScreeningConfig = Field(default_factory=ScreeningConfig)
    moderation: ModerationConfig = Field(default_factory=ModerationConfig)
    labels: LabelsConfig = Field(default_factory=LabelsConfig)
    records: RecordsConfig = Field(default_factory=RecordsConfig)
    complaints: ComplaintsConfig = Field(default_factory=ComplaintsConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    transparency: TransparencyConfig = Field(default_factory=TransparencyConfig)
    admin_token: str | None = None  # protects /admin/*; unset means admin endpoints are closed
    identity: IdentityConfig = Field(default_factory=IdentityConfig)
    access: AccessConfig = Field(default_factory=AccessConfig)
    rights: RightsConfig = Field(default_factory=RightsConfig)
    user_header: str = "X-Beian-User"
    path: str | None = Field(default=None, exclude=True)

    @classmethod
    def from_mapping(cls, data: dict[str, Any], *, where: str = "配置") -> GatewayConfig:
        """``data`` validated (errors at ``where field``); :func:`load_gateway_config` reads a
        file with ``file:line`` errors."""
        return YamlDocument(where, data).validate(cls, error=ConfigError, what=_WHAT, fix=_FIX)

    def resolve_paths(self, base: Path) -> GatewayConfig:
        """Relative file names in the config are relative to the config file's folder."""

        def rel(p: str) -> str:
            return p if Path(p).is_absolute() else str(base / p)

        screening = self.screening.model_copy(
            update={"lexicon": [rel(p) for p in self.screening.lexicon]}
        )
        labels = self.labels.model_copy(
            update={
                "signing_key": rel(self.labels.signing_key) if self.labels.signing_key else None
            }
        )
        records = self.records.model_copy(
            update={
                "path": rel(self.records.path),
                "key_file": rel(self.records.key_file) if self.records.key_file else None,
            }
        )
        identity = self.identity.model_copy(
            update={"key_file": rel(self.identity.key_file) if self.identity.key_file else None}
        )
        page = self.transparency.page
        transparency = self.transparency.model_copy(update={"page": rel(page) if page else None})
        rights = self.rights.model_copy(
            update={"calendar_files": [rel(p) for p in self.rights.calendar_files]}
        )
        return self.model_copy(
            update={"screening": screening, "records": records, "labels": labels,
                    "moderation": self.moderation.resolve_paths(base),
                    "identity": identity, "transparency": transparency, "rights": rights}
        )  # fmt: skip


def load_gateway_config(path: str | os.PathLike[str]) -> GatewayConfig:
    """Load a gateway config file: the ``gateway:`` section of ``beian.yaml`` or a file of its own."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError("网关配置文件不存在", where=str(p), fix=_FIX)
    doc = read_yaml_document(p, error=ConfigError)
    if not isinstance(doc.data, dict | None):
        raise ConfigError("网关配置文件顶层应为映射", where=str(p), fix=_FIX)
    at: YamlPath = ("gateway",) if "gateway" in (doc.data or {}) else ()
    cfg = doc.validate(GatewayConfig, at=at, error=ConfigError, what=_WHAT, fix=_FIX)
    cfg = cfg.resolve_paths(p.resolve().parent)
    cfg.path = str(p)
    return cfg
