"""Accounts: argon2 password hashes, TOTP second factor, sessions with CSRF tokens, login limits."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from beian.errors import InputError
from beian.registry.db import LoginAttempt, SessionRow, User, utcnow
from beian.registry.domain import REGISTRAR_ROLES, OrgKind, Perm, Role, perms_of

__all__ = [
    "Actor",
    "LoginRefused",
    "RateLimited",
    "hash_password",
    "new_totp_secret",
    "verify_password",
]


class LoginRefused(Exception):
    """Wrong user name, password or one-time code (deliberately not saying which)."""


class RateLimited(Exception):
    """Too many failed logins for this user name or address."""


@dataclass(frozen=True)
class Actor:
    """The signed-in user as the service sees it."""

    user_id: int
    username: str
    role: Role
    org_id: int
    org_name: str
    org_kind: OrgKind
    province: str | None
    csrf: str = ""

    @property
    def perms(self) -> frozenset[Perm]:
        return perms_of(self.role)

    def can(self, perm: Perm) -> bool:
        return perm in self.perms

    @classmethod
    def of(cls, user: User, csrf: str = "") -> Actor:
        return cls(user.id, user.username, Role(user.role), user.org_id, user.org.name,
                   OrgKind(user.org.kind), user.org.province, csrf)


def hash_password(password: str, *, time_cost: int = 3, memory_kib: int = 65536) -> str:
    """Argon2id hash (parameters default to RFC 9106's second recommendation)."""
    from argon2 import PasswordHasher

    if len(password) < 10:
        raise InputError("密码太短", where="password", fix="密码至少 10 个字符")
    return str(PasswordHasher(time_cost=time_cost, memory_cost=memory_kib).hash(password))


def verify_password(stored: str, password: str) -> bool:
    """Check against the hash; its own parameters are read from the hash string."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(PasswordHasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def new_totp_secret() -> str:
    import pyotp

    return str(pyotp.random_base32())


def totp_ok(secret: str, code: str) -> bool:
    import pyotp

    return bool(pyotp.TOTP(secret).verify(code.strip(), valid_window=1))


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def check_rate(db: Session, username: str, ip: str, *, max_failures: int, window_s: int) -> None:
    since = utcnow() - dt.timedelta(seconds=window_s)
    for col, value in ((LoginAttempt.username, username), (LoginAttempt.ip, ip)):
        n = db.scalar(select(func.count()).select_from(LoginAttempt).where(
            col == value, LoginAttempt.at >= since, LoginAttempt.ok.is_(False)))
        limit = max_failures if col is LoginAttempt.username else max_failures * 4
        if (n or 0) >= limit:
            raise RateLimited()


def record_attempt(db: Session, username: str, ip: str, ok: bool) -> None:
    db.add(LoginAttempt(username=username[:80], ip=ip[:64], ok=ok))


def open_session(db: Session, user: User, hours: int) -> tuple[str, str]:
    """Create a session; returns (token for the cookie or bearer header, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = utcnow()
    db.execute(delete(SessionRow).where(SessionRow.expires_at < now))
    db.add(SessionRow(id=_token_id(token), user_id=user.id, csrf_token=csrf, created_at=now,
                      expires_at=now + dt.timedelta(hours=hours)))
    return token, csrf


def session_user(db: Session, token: str) -> tuple[User, str] | None:
    row = db.get(SessionRow, _token_id(token))
    if row is None or row.expires_at < utcnow():
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user, row.csrf_token


def close_session(db: Session, token: str) -> None:
    db.execute(delete(SessionRow).where(SessionRow.id == _token_id(token)))


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected, given or "")


def needs_totp(role: Role | str) -> bool:
    return Role(role) in REGISTRAR_ROLES
