"""Organizations, users, login and sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from beian._shared.numbers import check_uscc
from beian.errors import InputError
from beian.registry._auth import (
    Actor,
    close_session,
    new_totp_secret,
    revoke_sessions,
    session_actor,
)
from beian.registry._core import Core
from beian.registry._errors import Conflict, Forbidden, NotFound
from beian.registry._login import Login
from beian.registry._passwords import check_password, hash_password
from beian.registry._throttle import clear_buckets
from beian.registry.db import Organization, User, utcnow
from beian.registry.domain import OrgKind, Perm, Role, canonical_province

__all__ = ["Accounts", "NewUser"]


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    totp_secret: str | None

    def totp_uri(self) -> str | None:
        if self.totp_secret is None:
            return None
        import pyotp

        return str(pyotp.TOTP(self.totp_secret).provisioning_uri(name=self.username, issuer_name="beian 备案登记"))


def _valid_uscc(code: str | None) -> str:
    """The 统一社会信用代码 ``code`` in its compact form; :class:`InputError` naming what is
    wrong. A provider must have one: filings are made in its name and number."""
    if not code or not code.strip():
        raise InputError("服务提供者机构须登记统一社会信用代码", where="uscc",
                         fix="填写营业执照上的 18 位统一社会信用代码")
    compact, reason = check_uscc(code)
    if reason is not None:
        raise InputError(f"统一社会信用代码无效：{reason}", where="uscc",
                         fix="按营业执照逐位核对统一社会信用代码")
    return compact


class Accounts:
    """Organizations, users, login and sessions (``registry.accounts``)."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._login = Login(core)

    def create_org(self, name: str, kind: OrgKind | str, province: str | None = None,
                   uscc: str | None = None, *, by: Actor | None = None) -> int:
        """Create an organisation (or return the one of that name)."""
        _admin(by, "创建机构")
        kind = OrgKind(kind)
        if kind is not OrgKind.NATIONAL:
            if not province:
                raise InputError("省级机构和服务提供者须写明属地", where="province", fix="例如 北京")
            province = canonical_province(province)
        if len(name) > 200:
            raise InputError("机构名称过长", where="name", fix="名称不超过 200 字")
        with self._core.tx() as db:
            existing = db.scalar(select(Organization).where(Organization.name == name))
            if existing is not None:
                return existing.id
            if uscc or kind is OrgKind.PROVIDER:
                uscc = _valid_uscc(uscc)
            org = Organization(name=name, kind=kind.value, province=province, uscc=uscc)
            db.add(org)
            db.flush()
            self._core.audit(db, by or "system", "org.create", f"org:{org.id}", name=name,
                             kind=kind.value)
            return org.id

    def _hash(self, password: str) -> str:
        p = self._core.policy
        return hash_password(password, time_cost=p.argon2_time_cost, memory_kib=p.argon2_memory_kib)

    def _new_secret(self, username: str, role: Role) -> tuple[str | None, str | None]:
        """(plain TOTP secret, its sealed token) when ``role`` must use TOTP."""
        if role not in self._core.policy.totp_roles:
            return None, None
        secret = new_totp_secret()
        return secret, self._core.cipher.encrypt(secret, aad=f"totp:{username}")

    def create_user(self, username: str, role: Role | str, org_id: int, *,
                    password: str | None = None, display_name: str | None = None,
                    by: Actor | None = None) -> NewUser:
        """Create a user. Without ``password`` one is generated, which the user must change
        at the first login."""
        role = Role(role)
        _admin(by, "创建用户")
        if not username or len(username) > 80:
            raise InputError("用户名为空或过长", where="username", fix="1–80 个字符")
        if password is not None:
            check_password(password, username=username,
                           min_length=self._core.policy.password_min_length)
        generated = password is None
        password = password or secrets.token_urlsafe(15)
        digest = self._hash(password)
        with self._core.tx() as db:
            org = db.get(Organization, org_id)
            if org is None:
                raise InputError("机构不存在", where=f"org_id={org_id}", fix="请先创建机构")
            provider = OrgKind(org.kind) is OrgKind.PROVIDER
            if provider != (role is Role.APPLICANT):
                raise InputError("角色与机构类型不符", where="role",
                                 fix="申请人属于服务提供者；其他角色属于网信部门")
            if db.scalar(select(User).where(User.username == username)) is not None:
                raise Conflict("用户名已存在", where=username, fix="请换一个用户名")
            secret, sealed = self._new_secret(username, role)
            user = User(username=username, display_name=display_name or username,
                        password_hash=digest, role=role.value, org_id=org_id, totp_secret=sealed,
                        must_change_password=generated)
            db.add(user)
            db.flush()
            self._core.audit(db, by or "system", "user.create", f"user:{user.id}",
                             username=username, role=role.value, org=org.name)
        return NewUser(username, password, secret)

    def list_users(self, actor: Actor | None = None) -> list[dict[str, object]]:
        _admin(actor, "查看用户")
        with self._core.read() as db:
            return [{"username": u.username, "display_name": u.display_name, "role": u.role,
                     "org": u.org.name, "org_id": u.org_id, "active": u.active,
                     "must_change": u.must_change_password, "totp": bool(u.totp_secret)}
                    for u in db.scalars(select(User).order_by(User.id))]

    def list_orgs(self, actor: Actor | None = None) -> list[dict[str, object]]:
        _admin(actor, "查看机构")
        with self._core.read() as db:
            return [{"id": o.id, "name": o.name, "kind": o.kind, "province": o.province,
                     "uscc": o.uscc} for o in db.scalars(select(Organization).order_by(Organization.id))]

    def ensure_admin(self) -> NewUser | None:
        """Create the first administrator on an empty registry; returns its credentials."""
        with self._core.tx() as db:
            if (db.scalar(select(func.count()).select_from(User)) or 0) > 0:
                return None
        org = self.create_org("国家网信办（系统管理）", OrgKind.NATIONAL)
        return self.create_user("admin", Role.ADMIN, org, display_name="系统管理员")

    def login(self, username: str, password: str, totp: str | None, ip: str,
              device: str | None = None) -> tuple[str, Actor]:
        """Check credentials; returns (session token, actor). Raises LoginRefused or
        RateLimited. ``device``: a token from :meth:`device_token` for this user name."""
        return self._login.login(username, password, totp, ip, device)

    def device_token(self, username: str) -> str:
        """A trusted-device token for a client that just signed in as ``username``."""
        return self._login.device_token(username)

    def change_password(self, token: str, old: str, new: str, ip: str) -> int:
        """Change the password of the session's user; returns how many other sessions ended."""
        return self._login.change_password(token, old, new, ip)

    def _user(self, db: Session, username: str) -> User:
        user = db.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound("用户不存在", where=username, fix="请检查用户名")
        return user

    def reset_password(self, username: str, *, by: Actor | None = None,
                       password: str | None = None, reset_totp: bool = False) -> NewUser:
        """An administrator's reset: a new (generated) password to change at the next login,
        optionally a new TOTP secret; every session ends and the back-off is cleared."""
        _admin(by, "重置密码")
        if password is not None:
            check_password(password, username=username,
                           min_length=self._core.policy.password_min_length)
        new = password or secrets.token_urlsafe(15)
        digest = self._hash(new)
        with self._core.tx() as db:
            user = self._user(db, username)
            user.password_hash, user.must_change_password = digest, True
            user.password_changed_at = utcnow()
            secret = None
            if reset_totp or (not user.totp_secret and Role(user.role) in self._core.policy.totp_roles):
                secret, user.totp_secret = self._new_secret(username, Role(user.role))
                user.totp_last_step = None
            n = revoke_sessions(db, user.id)
            clear_buckets(db, [f"user:{username}"])
            self._core.audit(db, by or "system", "user.reset", f"user:{user.id}",
                             totp=secret is not None, sessions_revoked=n)
        return NewUser(username, new, secret)

    def set_active(self, username: str, active: bool, *, by: Actor | None = None) -> int:
        """Disable (every session ends at once) or enable a user; returns sessions ended. An
        administrator cannot disable themself, nor the last active administrator."""
        _admin(by, "停用或启用用户")
        with self._core.tx() as db:
            user = self._user(db, username)
            if not active and by is not None and user.id == by.user_id:
                raise Conflict("不能停用自己的账号", where=username, fix="请由另一位管理员操作")
            if not active and user.role == Role.ADMIN.value:
                admins = db.scalar(select(func.count()).select_from(User).where(
                    User.role == Role.ADMIN.value, User.active.is_(True))) or 0
                if admins <= 1:
                    raise Conflict("不能停用最后一个管理员", where=username, fix="请先创建另一个管理员")
            user.active = active
            n = 0 if active else revoke_sessions(db, user.id)
            self._core.audit(db, by or "system", "user.enable" if active else "user.disable",
                             f"user:{user.id}", sessions_revoked=n)
            return n

    def revoke_sessions(self, username: str, *, by: Actor | None = None) -> int:
        """End every session of ``username`` (an administrator, or the user themself)."""
        if by is not None and by.username != username:
            _admin(by, "注销他人的会话")
        with self._core.tx() as db:
            user = self._user(db, username)
            n = revoke_sessions(db, user.id)
            self._core.audit(db, by or "system", "sessions.revoke", f"user:{user.id}", count=n)
            return n

    def actor(self, username: str) -> Actor:
        """The actor for a user name, without a login (for trusted local tools and tests)."""
        with self._core.read() as db:
            user = db.scalar(select(User).where(User.username == username))
            if user is None:
                raise InputError("用户不存在", where=username, fix="请检查用户名")
            return Actor.of(user)

    def actor_for(self, token: str) -> Actor | None:
        with self._core.rows() as conn:
            return session_actor(conn, token)

    def logout(self, token: str) -> None:
        with self._core.tx() as db:
            close_session(db, token)


def _admin(by: Actor | None, what: str) -> None:
    """``by`` None is a trusted local tool (the CLI); otherwise ``admin`` is needed."""
    if by is not None and not by.can(Perm.ADMIN):
        raise Forbidden(f"只有管理员可以{what}", fix="请用管理员账号")
