"""The registry's core: settings, database, key ring, blob store, calendar and scoping.

One :class:`Core` is shared by the registry's parts (accounts, applications, lifecycle, …),
which hold it rather than inherit from it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, sessionmaker

from beian.crypto import FieldCipher, KeyRing
from beian.errors import ConfigError
from beian.registry._audit import append_audit
from beian.registry._auth import Actor
from beian.registry._errors import Forbidden, NotFound
from beian.registry._storage import BlobStore, private_dir, private_file
from beian.registry.db import Application, AuditRow, CalendarYear, make_engine, migrate
from beian.registry.domain import (
    OrgKind,
    Perm,
    Policy,
    State,
    WorkingCalendar,
    parse_schedule,
)
from beian.standards import DEFAULT_EDITION

__all__ = ["SENSITIVE_FIELDS", "Core", "Settings"]

SENSITIVE_FIELDS = ("contact_phone", "contact_id_number", "address")


@dataclass
class Settings:
    """Where the registry keeps its data. Zero configuration: ``./beian-registry/``."""

    data_dir: Path = field(default_factory=lambda: Path("beian-registry"))
    database_url: str | None = None  # default: SQLite in data_dir
    key_file: Path | None = None  # default: BEIAN_KEY*/BEIAN_KEY_FILE, else data_dir/keys.json
    schema: str | None = None  # PostgreSQL schema (tests, multi-tenant)
    policy: Policy = field(default_factory=Policy)
    edition: str = DEFAULT_EDITION  # the edition in force (GB/T 45654-2025 since 2025-11-01)
    # signed checkpoints of the audit chain head, kept outside the database (JSON lines)
    audit_checkpoints: Path | None = None

    @classmethod
    def from_env(cls, data_dir: Path | None = None, **kw: Any) -> Settings:
        d = data_dir or Path(os.environ.get("BEIAN_DATA_DIR", "beian-registry"))
        cp = os.environ.get("BEIAN_AUDIT_CHECKPOINTS")
        kw.setdefault("audit_checkpoints", Path(cp) if cp else None)
        return cls(data_dir=d, database_url=os.environ.get("BEIAN_DATABASE_URL") or None, **kw)

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'registry.db').resolve()}"


def _existing_key_ring(settings: Settings) -> KeyRing | None:
    """The key ring given or kept in the data directory, read before anything is written (a
    malformed one is a ``ConfigError`` at ``file:line``); ``None`` when there is none yet."""
    if settings.key_file is not None:
        return KeyRing.load(settings.key_file)
    if any(os.environ.get(k) for k in ("BEIAN_KEYS", "BEIAN_KEY", "BEIAN_KEY_FILE")):
        return KeyRing.from_env()
    path = settings.data_dir / "keys.json"
    return KeyRing.load(path) if path.exists() else None


def _new_key_ring(settings: Settings, has_data: bool) -> KeyRing:
    path = settings.data_dir / "keys.json"
    if has_data:  # a new key would silently take the id of the lost one
        raise ConfigError("数据库已有数据，但找不到加密它的密钥文件", where=str(path),
                          fix="请把原密钥文件放回数据目录，或用 --key-file / BEIAN_KEY_FILE 指定；"
                              "不会生成新密钥")
    ring = KeyRing.generate()
    ring.save(path)
    return ring


class Core:
    """What every part of the registry shares; every ``tx()`` is one transaction."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.policy = settings.policy
        ring = _existing_key_ring(settings)
        private_dir(settings.data_dir)
        if settings.database_url is None:  # our own SQLite file: owner only
            private_file(settings.data_dir / "registry.db")
        self.engine = make_engine(settings.url, schema=settings.schema)
        migrate(self.engine)
        if ring is None:
            with self.engine.connect() as conn:
                has_data = conn.execute(select(AuditRow.seq).limit(1)).first() is not None
            ring = _new_key_ring(settings, has_data)
        self.ring = ring
        self.cipher = FieldCipher(self.ring)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(self.engine.execution_options(beian_read=True),
                                     expire_on_commit=False)
        self.blobs = BlobStore(settings.data_dir / "blobs", settings.policy.max_file_bytes)
        # owner only, also for blobs written before 0600/0700 were the rule
        for d in (self.blobs.root, *(p for p in self.blobs.root.glob("??") if p.is_dir())):
            private_dir(d)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def tx(self) -> Iterator[Session]:
        with self._sessions.begin() as db:
            yield db

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads (on SQLite it does not take the write lock)."""
        with self._readers.begin() as db:
            yield db

    def audit(self, db: Session, actor: Actor | str | None, action: str, target: str, /,
              **detail: Any) -> None:
        name = actor.username if isinstance(actor, Actor) else (actor or "公众")
        append_audit(db, self.ring, name, action, target, detail)

    def calendar(self, db: Session) -> WorkingCalendar:
        years = [parse_schedule(json.loads(r.data), where=f"calendar_years:{r.year}")
                 for r in db.scalars(select(CalendarYear))]
        return WorkingCalendar.with_schedules(years)

    # --- scoping -------------------------------------------------------------------------
    @staticmethod
    def scoped(stmt: Select[Any], actor: Actor) -> Select[Any]:
        """Restrict a query on applications to what ``actor`` may see."""
        if actor.org_kind is OrgKind.PROVIDER:
            return stmt.where(Application.org_id == actor.org_id)
        stmt = stmt.where(Application.state != State.DRAFT.value)
        if actor.org_kind is OrgKind.REGISTRAR:
            return stmt.where(Application.province == actor.province)
        return stmt

    def load_app(self, db: Session, actor: Actor, public_id: str) -> Application:
        if not (actor.can(Perm.APPLY) or actor.can(Perm.READ_ALL)):
            raise Forbidden("无权查看申请", fix="请使用有查看权限的账号")
        app: Application | None = db.scalar(
            self.scoped(select(Application), actor).where(Application.public_id == public_id))
        if app is None:
            raise NotFound("申请不存在或无权查看", where=public_id, fix="请检查申请编号")
        return app

    def seal(self, app_id: str, name: str, value: str | None) -> str | None:
        return self.cipher.encrypt(value, aad=f"{app_id}:{name}") if value else None

    def unseal(self, app_id: str, name: str, token: str | None) -> str | None:
        return self.cipher.decrypt(token, aad=f"{app_id}:{name}") if token else None
