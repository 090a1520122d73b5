"""The registry's core: settings, database, key ring, blob store, calendar and scoping.

One :class:`Core` is shared by the registry's parts (accounts, applications, lifecycle, …),
which hold it rather than inherit from it.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Result, Row, Select, bindparam, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from beian._shared.sqlite import BUSY_TIMEOUT_S
from beian.crypto import FieldCipher, KeyRing
from beian.errors import ConfigError
from beian.registry._audit import append_audit, rekey_legacy
from beian.registry._auth import Actor
from beian.registry._errors import Busy, Forbidden, NotFound
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

__all__ = ["SENSITIVE_FIELDS", "Core", "ScopedRead", "Settings"]

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
    # signed checkpoints of the audit chain head, kept outside the database (JSON lines);
    # default: ``audit-checkpoints.jsonl`` next to the key file (see :attr:`checkpoint_file`)
    audit_checkpoints: Path | None = None
    # SQLite: how long a writer waits for the write lock, first behind this process's other
    # writers, then behind another process's (a ``tick`` from cron, a restore, a shell)
    busy_timeout_s: float = BUSY_TIMEOUT_S

    @classmethod
    def from_env(cls, data_dir: Path | None = None, **kw: Any) -> Settings:
        d = data_dir or Path(os.environ.get("BEIAN_DATA_DIR", "beian-registry"))
        cp = os.environ.get("BEIAN_AUDIT_CHECKPOINTS")
        kw.setdefault("audit_checkpoints", Path(cp) if cp else None)
        return cls(data_dir=d, database_url=os.environ.get("BEIAN_DATABASE_URL") or None, **kw)

    @property
    def checkpoint_file(self) -> Path:
        """The checkpoint file: the one configured, else ``audit-checkpoints.jsonl`` next to
        the key file (the data directory when the key comes from the environment)."""
        if self.audit_checkpoints is not None:
            return self.audit_checkpoints
        env_key = os.environ.get("BEIAN_KEY_FILE")
        key = self.key_file or (Path(env_key) if env_key else None)
        return (key.parent if key is not None else self.data_dir) / "audit-checkpoints.jsonl"

    @property
    def url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'registry.db').resolve()}"


def _missing(public_id: str) -> NotFound:
    return NotFound("申请不存在或无权查看", where=public_id, fix="请检查申请编号")


def _busy(waited_for: str) -> Busy:
    return Busy(f"数据库正忙：{waited_for}，本次请求未做任何更改", where="数据库写锁",
                fix="请稍后重试；若持续出现，请检查是否有其他进程（定时到期处理、恢复备份、"
                    "数据库命令行）长时间占用数据库", retry_after=5)


def _locked(exc: OperationalError) -> bool:
    """SQLite's 'database is locked' / 'database is busy' (the busy timeout ran out)."""
    text = str(exc.orig).lower()
    return "locked" in text or "busy" in text


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
    ring.audit_keyed = True  # a new database: every audit row will be keyed
    ring.save(path)
    return ring


class ScopedRead:
    """A read of applications restricted to what an actor may see, built once per scope (a
    provider: its organisation's; a provincial registrar: its province's but drafts; the
    national office: all but drafts), the organisation or province bound when it runs:
    building a statement on every request costs more than running it. The busiest reads select
    columns (plain rows, no ORM objects); their parameters are given to :meth:`rows`."""

    def __init__(self, stmt: Select[Any]) -> None:
        self._all_but_drafts = stmt.where(Application.state != State.DRAFT.value)
        self._stmts = {
            OrgKind.PROVIDER: stmt.where(Application.org_id == bindparam("scope_org")),
            OrgKind.REGISTRAR: self._all_but_drafts.where(
                Application.province == bindparam("scope_province")),
        }

    def statement(self, actor: Actor, **params: Any) -> tuple[Select[Any], dict[str, Any]]:
        """The statement for ``actor``'s scope and its parameters; ``Forbidden`` for an actor
        who may not read applications."""
        if not (actor.can(Perm.APPLY) or actor.can(Perm.READ_ALL)):
            raise Forbidden("无权查看申请", fix="请使用有查看权限的账号")
        if actor.org_kind is OrgKind.PROVIDER:
            params["scope_org"] = actor.org_id
        elif actor.org_kind is OrgKind.REGISTRAR:
            params["scope_province"] = actor.province
        return self._stmts.get(actor.org_kind, self._all_but_drafts), params

    def rows(self, conn: Connection, actor: Actor, **params: Any) -> Result[Any]:
        return conn.execute(*self.statement(actor, **params))

    def one(self, conn: Connection, actor: Actor, public_id: str) -> Row[Any]:
        """The application ``public_id`` (``stmt`` has ``public_id = :public_id``), as
        :meth:`Core.load_app` finds it."""
        row = self.rows(conn, actor, public_id=public_id).first()
        if row is None:
            raise _missing(public_id)
        return row


_APP = ScopedRead(select(Application).where(Application.public_id == bindparam("public_id")))


class Core:
    """What every part of the registry shares; every ``tx()`` is one transaction."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.policy = settings.policy
        ring = _existing_key_ring(settings)
        private_dir(settings.data_dir)
        if settings.database_url is None:  # our own SQLite file: owner only
            private_file(settings.data_dir / "registry.db")
        # a connection kept for each worker thread of the served registry (reads, writes) and
        # a few for the scheduler and in-process callers
        self.engine = make_engine(settings.url, schema=settings.schema,
                                  busy_timeout_s=settings.busy_timeout_s,
                                  pool_size=self.policy.read_workers + self.policy.write_workers + 4)
        # SQLite has one writer at a time: this process's writers queue here, each taking the
        # lock the moment the one before commits, rather than in SQLite's busy handler (which
        # sleeps up to 100 ms between tries); other processes still wait in the busy handler.
        # Both waits are bounded by the busy timeout (then :class:`Busy`, 503): while another
        # process holds the database, queued writers fail after it rather than one after another
        self._write_lock = threading.RLock() if self.engine.dialect.name == "sqlite" else None
        self._busy_timeout_s = settings.busy_timeout_s
        migrate(self.engine)
        if ring is None:
            with self.engine.connect() as conn:
                has_data = conn.execute(select(AuditRow.seq).limit(1)).first() is not None
            ring = _new_key_ring(settings, has_data)
        self.ring = ring
        self.cipher = FieldCipher(self.ring)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._mark_audit_keyed()
        self._read_engine = self.engine.execution_options(beian_read=True)
        self._readers = sessionmaker(self._read_engine, expire_on_commit=False)
        # PostgreSQL: the plain-row reads run each statement on its own (autocommit), without
        # the BEGIN and COMMIT round trips; each is one consistent statement (SQLite's read
        # transactions begin deferred and cost no round trip)
        self._row_engine = (self.engine.execution_options(isolation_level="AUTOCOMMIT")
                            if self.engine.dialect.name == "postgresql" else self._read_engine)
        self.blobs = BlobStore(settings.data_dir / "blobs", settings.policy.max_file_bytes)
        # owner only, also for blobs written before 0600/0700 were the rule
        for d in (self.blobs.root, *(p for p in self.blobs.root.glob("??") if p.is_dir())):
            private_dir(d)

    def _mark_audit_keyed(self) -> None:
        """Once per key file: mark it (outside the database) and re-key rows written before
        the chain was keyed; from then on every unkeyed row is reported as forged. The mark
        is written first, so a failed re-key leaves the legacy rows reported, never trusted."""
        ring = self.ring
        if ring.audit_keyed or ring.path is None:
            return
        ring.audit_keyed = True
        ring.save()
        with self._sessions.begin() as db:
            rekey_legacy(db, ring)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """A read-write transaction; :class:`Busy` when the write lock is not had within the
        busy timeout (nothing is changed then)."""
        lock = self._write_lock
        if lock is not None and not lock.acquire(timeout=self._busy_timeout_s):
            raise _busy(f"{self._busy_timeout_s:g} 秒内没有等到前面的写入完成")
        try:
            with self._sessions.begin() as db:
                yield db
        except OperationalError as exc:
            if lock is None or not _locked(exc):
                raise
            raise _busy(f"另一个进程占用数据库超过 {self._busy_timeout_s:g} 秒") from exc
        finally:
            if lock is not None:
                lock.release()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads (on SQLite it does not take the write lock)."""
        with self._readers.begin() as db:
            yield db

    @contextmanager
    def rows(self) -> Iterator[Connection]:
        """A read-only connection for the busiest reads: they select columns and build their
        answers from rows (no ORM session, no objects to track)."""
        with self._row_engine.begin() as conn:
            yield conn

    def audit(self, db: Session, actor: Actor | str | None, action: str, target: str, /,
              **detail: Any) -> None:
        name = actor.username if isinstance(actor, Actor) else (actor or "公众")
        append_audit(db, self.ring, name, action, target, detail)

    def calendar(self, db: Session) -> WorkingCalendar:
        years = [parse_schedule(json.loads(r.data), where=f"calendar_years:{r.year}")
                 for r in db.scalars(select(CalendarYear))]
        return WorkingCalendar.with_schedules(years)

    # --- scoping -------------------------------------------------------------------------
    def load_app(self, db: Session, actor: Actor, public_id: str) -> Application:
        """The application ``public_id`` as an ORM object (for changes), within what ``actor``
        may see."""
        stmt, params = _APP.statement(actor, public_id=public_id)
        app: Application | None = db.scalar(stmt, params)
        if app is None:
            raise _missing(public_id)
        return app

    def seal(self, app_id: str, name: str, value: str | None) -> str | None:
        return self.cipher.encrypt(value, aad=f"{app_id}:{name}") if value else None

    def unseal(self, app_id: str, name: str, token: str | None) -> str | None:
        return self.cipher.decrypt(token, aad=f"{app_id}:{name}") if token else None
