"""Organizations, users, login and sessions."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from beian.errors import InputError
from beian.registry._auth import (
    Actor,
    LoginRefused,
    check_rate,
    close_session,
    hash_password,
    needs_totp,
    new_totp_secret,
    open_session,
    record_attempt,
    session_user,
    totp_ok,
    verify_password,
)
from beian.registry._core import Core
from beian.registry._errors import Conflict, Forbidden
from beian.registry.db import Organization, User
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


class Accounts:
    """Organizations, users, login and sessions (``registry.accounts``)."""

    def __init__(self, core: Core) -> None:
        self._core = core

    def create_org(self, name: str, kind: OrgKind | str, province: str | None = None,
                   uscc: str | None = None) -> int:
        kind = OrgKind(kind)
        if kind is not OrgKind.NATIONAL:
            if not province:
                raise InputError("省级机构和服务提供者须写明属地", where="province", fix="例如 北京")
            province = canonical_province(province)
        if len(name) > 200 or (uscc is not None and len(uscc) > 18):
            raise InputError("机构名称或统一社会信用代码过长", where="name",
                             fix="名称不超过 200 字，信用代码 18 位")
        with self._core.tx() as db:
            existing = db.scalar(select(Organization).where(Organization.name == name))
            if existing is not None:
                return existing.id
            org = Organization(name=name, kind=kind.value, province=province, uscc=uscc)
            db.add(org)
            db.flush()
            self._core.audit(db, "system", "org.create", f"org:{org.id}", name=name,
                             kind=kind.value)
            return org.id

    def create_user(self, username: str, role: Role | str, org_id: int, *,
                    password: str | None = None, display_name: str | None = None,
                    by: Actor | None = None) -> NewUser:
        role = Role(role)
        if by is not None and not by.can(Perm.ADMIN):
            raise Forbidden("只有管理员可以创建用户", fix="请联系管理员")
        password = password or secrets.token_urlsafe(12)
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
            secret = new_totp_secret() if needs_totp(role) else None
            policy, cipher = self._core.policy, self._core.cipher
            user = User(username=username, display_name=display_name or username,
                        password_hash=hash_password(
                            password, time_cost=policy.argon2_time_cost,
                            memory_kib=policy.argon2_memory_kib), role=role.value, org_id=org_id,
                        totp_secret=cipher.encrypt(secret, aad=f"totp:{username}")
                        if secret else None)
            db.add(user)
            db.flush()
            self._core.audit(db, by or "system", "user.create", f"user:{user.id}",
                       username=username, role=role.value, org=org.name)
        return NewUser(username, password, secret)

    def list_users(self, actor: Actor) -> list[dict[str, object]]:
        if not actor.can(Perm.ADMIN):
            raise Forbidden("只有管理员可以查看用户", fix="请联系管理员")
        with self._core.tx() as db:
            return [{"username": u.username, "display_name": u.display_name, "role": u.role,
                     "org": u.org.name, "active": u.active}
                    for u in db.scalars(select(User).order_by(User.id))]

    def ensure_admin(self) -> NewUser | None:
        """Create the first administrator on an empty registry; returns its credentials."""
        with self._core.tx() as db:
            if (db.scalar(select(func.count()).select_from(User)) or 0) > 0:
                return None
        org = self.create_org("国家网信办（系统管理）", OrgKind.NATIONAL)
        return self.create_user("admin", Role.ADMIN, org, display_name="系统管理员")

    def login(self, username: str, password: str, totp: str | None, ip: str) -> tuple[str, Actor]:
        """Check credentials; returns (session token, actor). Raises LoginRefused/RateLimited."""
        with self._core.tx() as db:
            check_rate(db, username, ip, max_failures=self._core.policy.login_max_failures,
                       window_s=self._core.policy.login_window_seconds)
            user = db.scalar(select(User).where(User.username == username))
            ok = user is not None and user.active and verify_password(user.password_hash, password)
            if ok and user is not None and user.totp_secret:
                secret = self._core.cipher.decrypt(user.totp_secret, aad=f"totp:{user.username}")
                ok = totp_ok(secret, totp or "")
            record_attempt(db, username, ip, ok)
            self._core.audit(db, username, "login" if ok else "login.failed", f"ip:{ip}")
        if not ok or user is None:
            raise LoginRefused()
        with self._core.tx() as db:
            user = db.get(User, user.id)
            assert user is not None
            token, csrf = open_session(db, user, self._core.policy.session_hours)
            return token, Actor.of(user, csrf)

    def actor(self, username: str) -> Actor:
        """The actor for a user name, without a login (for trusted local tools and tests)."""
        with self._core.tx() as db:
            user = db.scalar(select(User).where(User.username == username))
            if user is None:
                raise InputError("用户不存在", where=username, fix="请检查用户名")
            return Actor.of(user)

    def actor_for(self, token: str) -> Actor | None:
        with self._core.tx() as db:
            found = session_user(db, token)
            return Actor.of(*found) if found else None

    def logout(self, token: str) -> None:
        with self._core.tx() as db:
            close_session(db, token)
