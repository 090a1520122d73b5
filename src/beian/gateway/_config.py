"""The gateway's configuration: a YAML file (``gateway:`` section or top level), reloadable."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from beian.errors import ConfigError, validation_summary
from beian.io import load_yaml

__all__ = [
    "ComplaintsConfig",
    "GatewayConfig",
    "LabelsConfig",
    "RecordsConfig",
    "ScreeningConfig",
    "UpstreamConfig",
    "load_gateway_config",
]

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

    path: str = "beian-gateway.db"
    key_file: str | None = None  # a key ring file; else BEIAN_KEY / BEIAN_KEYS / BEIAN_KEY_FILE
    retention_days: int = Field(default=183, ge=1)  # 6 months or more (see BA-GW-001)
    purge_interval_s: float = Field(default=3600.0, gt=0)
    hash_algorithm: Literal["hmac-sha256", "hmac-sm3"] = "hmac-sha256"
    cipher: Literal["aes-256-gcm", "sm4-gcm"] = "aes-256-gcm"


class ComplaintsConfig(_Strict):
    """The complaint and report channel (投诉举报) and its published rules."""

    handling_days: int = Field(default=15, ge=1)  # the published handling time limit
    phone: str | None = None
    email: str | None = None
    provider_name: str = "本服务"


class TransparencyConfig(_Strict):
    """The service's transparency notice (服务透明度说明), served at ``/transparency``: the
    HTML that `beian build` puts in the package, or `beian transparency --number` writes once
    the 备案号 is issued. Read on every request, so a new file needs no restart."""

    page: str | None = None


class GatewayConfig(_Strict):
    """Everything ``beian gateway serve`` needs; unknown keys are errors."""

    upstream: UpstreamConfig = Field(default_factory=UpstreamConfig)
    screening: ScreeningConfig = Field(default_factory=ScreeningConfig)
    labels: LabelsConfig = Field(default_factory=LabelsConfig)
    records: RecordsConfig = Field(default_factory=RecordsConfig)
    complaints: ComplaintsConfig = Field(default_factory=ComplaintsConfig)
    transparency: TransparencyConfig = Field(default_factory=TransparencyConfig)
    admin_token: str | None = None  # protects /admin/*; unset means admin endpoints are closed
    user_header: str = "X-Beian-User"
    path: str | None = Field(default=None, exclude=True)

    @classmethod
    def from_mapping(
        cls, data: dict[str, Any], *, where: str = "配置", prefix: str = ""
    ) -> GatewayConfig:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            msg, loc = validation_summary(exc)
            raise ConfigError(
                f"网关配置项无效：{msg}", where=f"{where}: {prefix}{loc}", fix=_FIX
            ) from None

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
        page = self.transparency.page
        transparency = self.transparency.model_copy(update={"page": rel(page) if page else None})
        return self.model_copy(
            update={
                "screening": screening,
                "records": records,
                "labels": labels,
                "transparency": transparency,
            }
        )


def load_gateway_config(path: str | os.PathLike[str]) -> GatewayConfig:
    """Load a gateway config file: the ``gateway:`` section of ``beian.yaml`` or a file of its own."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError("网关配置文件不存在", where=str(p), fix=_FIX)
    data = load_yaml(p) or {}
    if not isinstance(data, dict):
        raise ConfigError("网关配置文件顶层应为映射", where=str(p), fix=_FIX)
    section = data.get("gateway", data)
    if not isinstance(section, dict):
        raise ConfigError("配置段 gateway 应为映射", where=f"{p}: gateway", fix=_FIX)
    prefix = "gateway." if "gateway" in data else ""
    cfg = GatewayConfig.from_mapping(section, where=str(p), prefix=prefix).resolve_paths(
        p.resolve().parent
    )
    cfg.path = str(p)
    return cfg
