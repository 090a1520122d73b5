"""Gateway fixtures: the demo model server upstream, gateways on loopback, a keyword scanner."""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from sqlalchemy import create_engine, text

from beian.crypto import KeyRing
from beian.demo import DemoBehavior, DemoServer, serve_in_thread
from beian.gateway import (
    Gateway,
    GatewayConfig,
    PiiRedactor,
    RunningGateway,
    Screening,
    ScreeningConfig,
)
from beian.gateway import serve_in_thread as serve_gateway
from beian.lexicon import Hit

from .hostile import Behave, HostileUpstream

# the provider code in implicit labels (0011 + a USCC with a valid check digit + 00000)
PRODUCER = "0011" + "91110108551385082Q" + "00000"
# keyword → risk code; "违禁词语" is what the stream tests split across chunks
KEYWORDS = [("违禁词语", "A1a"), ("制造炸弹", "A1b"), ("赌博网站", "A2c")]
# the admin token of the test gateways (strong enough: a weak one is refused at start)
ADMIN_TOKEN = "test-admin-token-0123456789abcdef"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


class KeywordScanner:
    """A plain substring scanner with the :class:`beian.gateway.Scanner` interface: its window
    is exactly the longest keyword, which the hold-back unit tests rely on."""

    def __init__(self, entries: list[tuple[str, str]]) -> None:
        self.entries = entries

    @property
    def max_span(self) -> int:
        return max(len(k) for k, _ in self.entries)

    def scan(self, text: str) -> list[Hit]:
        return [
            Hit(m.start(), m.end(), kw, kw, risk, ("exact",))
            for kw, risk in self.entries
            for m in re.finditer(re.escape(kw), text)
        ]


def keyword_screening(cfg: ScreeningConfig) -> Screening:
    """The screening factory the tests use: KEYWORDS and the real PII engine (beian.pii)."""
    return Screening(
        config=cfg,
        scanner=KeywordScanner(KEYWORDS),
        redactor=(
            PiiRedactor(cfg.pii, KeyRing.generate(), cfg.pii_engine, cfg.pii_clean_cache)
            if cfg.pii != "off"
            else None
        ),
        sources=["<test>"],
    )


def listens(root: str) -> bool:
    """Whether a gateway answers ``/healthz`` at ``root`` now."""
    try:
        return httpx.get(root + "/healthz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now (for gateways started as processes)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def upstream() -> Iterator[DemoServer]:
    with serve_in_thread(DemoBehavior(chunk_chars=3)) as s:
        yield s


def gateway_config(tmp: Path, base_url: str, **sections: dict[str, Any]) -> GatewayConfig:
    data: dict[str, Any] = {
        "upstream": {"base_url": base_url, "read_timeout_s": 10},
        "records": {"path": str(tmp / "gw.db")},
        "labels": {"content_producer": PRODUCER},
        "admin_token": ADMIN_TOKEN,
    }
    for k, v in sections.items():
        data[k] = {**data.get(k, {}), **v}
    return GatewayConfig.from_mapping(data)


MakeGateway = Callable[..., RunningGateway]


@pytest.fixture
def make_gateway(tmp_path: Path, upstream: DemoServer) -> Iterator[MakeGateway]:
    """Start gateways (default upstream: the demo server) that stop when the test ends."""
    with ExitStack() as stack:

        def _make(
            ring: KeyRing | None = None,
            config: GatewayConfig | None = None,
            factory: Callable[[ScreeningConfig], Screening] | None = keyword_screening,
            **sections: Any,
        ) -> RunningGateway:
            """``factory=None``: the real screening (keyword library, beian.pii) of the config."""
            cfg = config or gateway_config(tmp_path, upstream.base_url, **sections)
            gw = Gateway(cfg, ring=ring or KeyRing.generate(), screening_factory=factory)
            return stack.enter_context(serve_gateway(gw))

        yield _make


Behind = Callable[..., tuple[RunningGateway, HostileUpstream]]


@pytest.fixture
def behind(tmp_path: Path, make_gateway: MakeGateway) -> Iterator[Behind]:
    """A gateway in front of a :class:`HostileUpstream` that answers with ``behave``."""
    with ExitStack() as stack:

        def _make(
            behave: Behave, factory: Any = keyword_screening, **sections: Any
        ) -> tuple[RunningGateway, HostileUpstream]:
            up = stack.enter_context(HostileUpstream(behave))
            cfg = gateway_config(tmp_path, up.base_url, **sections)
            return make_gateway(config=cfg, factory=factory), up

        yield _make


@pytest.fixture
def pg_database(postgres_url: str) -> Iterator[str]:
    """A gateway database URL on PostgreSQL: a fresh schema (via ``search_path``), dropped after."""
    schema = f"gw_{uuid.uuid4().hex[:12]}"
    admin = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in postgres_url else "?"
    try:
        yield f"{postgres_url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The gateway's database on each backend: a SQLite file, or a PostgreSQL URL (skipped
    without BEIAN_TEST_POSTGRES_URL)."""
    if request.param == "sqlite":
        return str(tmp_path / "gw.db")
    got: str = request.getfixturevalue("pg_database")
    return got


@pytest.fixture
def gateway(make_gateway: MakeGateway) -> RunningGateway:
    return make_gateway()


def sdk(g: RunningGateway, retries: int = 0) -> openai.OpenAI:
    return openai.OpenAI(base_url=g.base_url, api_key="sk-test", max_retries=retries, timeout=10)


def form_token(page: str) -> str:
    """The anti-forgery token a gateway page's form carries."""
    m = re.search(r'name="form_token" value="([^"]+)"', page)
    assert m is not None, page
    return m.group(1)


def records(g: RunningGateway) -> list[Any]:
    g.gateway.store.flush()
    return list(g.gateway.store.exchanges())
