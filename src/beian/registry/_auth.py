"""Accounts: sessions with CSRF tokens, TOTP with replay protection, trusted-device tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, delete, select, update
from sqlalchemy.orm import Session

from beian.registry._passwords import hash_password, verify_password
from beian.registry._throttle import RateLimited
from beian.registry.db import LoginAttempt, Organization, SessionRow, User, utcnow
from beian.registry.domain import OrgKind, Perm, Role, perms_of

__all__ = [
    "Actor",
    "LoginRefused",
    "RateLimited",
    "hash_password",
    "new_totp_secret",
    "session_actor",
    "verify_password",
]


class LoginRefused(Exception):
    """Wrong user name, password or one-time code (deliberately not saying which)."""


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
    must_change: bool = False  # an initial or reset password: change it before anything else

    @property
    def perms(self) -> frozenset[Perm]:
        return perms_of(self.role)

    def can(self, perm: Perm) -> bool:
        return perm in self.perms

    @classmethod
    def of(cls, user: User, csrf: str = "") -> Actor:
        return cls(user.id, user.username, Role(user.role), user.org_id, user.org.name,
                   OrgKind(user.org.kind), user.org.province, csrf,
                   bool(user.must_change_password))


def new_totp_secret() -> str:
    import pyotp

    return str(pyotp.random_base32())


def totp_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The 30-second time step ``code`` belongs to (this one or a neighbour), or None."""
    import pyotp

    code = code.strip()
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp, t = pyotp.TOTP(secret), int((time.time() if now is None else now) // 30)
    for step in (t - 1, t, t + 1):
        if hmac.compare_digest(totp.at(step * 30), code):
            return step
    return None


def use_totp_step(db: Session, user_id: int, step: int) -> bool:
    """Record ``step`` as used, atomically; False when it (or a later one) was used already:
    a one-time code is good once."""
    res = db.execute(update(User).where(
        User.id == user_id, (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False))
    return bool(getattr(res, "rowcount", 0) == 1)


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def record_attempt(db: Session, username: str, ip: str, ok: bool) -> None:
    db.add(LoginAttempt(username=username[:80], ip=ip[:64], ok=ok))


def device_token(key: bytes, username: str) -> str:
    """A token for a browser or client that signed in as ``username``: tries carrying it are
    counted on their own bucket, so strangers' failures never delay this user there."""
    nonce = secrets.token_urlsafe(18)
    mac = hmac.new(key, f"login-device|{username}|{nonce}".encode(), hashlib.sha256)
    return f"{nonce}.{mac.hexdigest()[:32]}"


def device_ok(key: bytes, username: str, token: str) -> bool:
    nonce, _, mac = token.partition(".")
    want = hmac.new(key, f"login-device|{username}|{nonce}".encode(), hashlib.sha256)
    return bool(nonce) and hmac.compare_digest(want.hexdigest()[:32].encode(),
                                               mac.encode("utf-8", "replace"))


def device_bucket(token: str) -> str:
    return "device:" + hashlib.sha256(token.encode("ascii", "replace")).hexdigest()[:40]


def open_session(db: Session, user: User, hours: int) -> tuple[str, str]:
    """Create a session; returns (token for the cookie or bearer header, CSRF token)."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    now = utcnow()
    db.execute(delete(SessionRow).where(SessionRow.expires_at < now))
    db.add(SessionRow(id=_token_id(token), user_id=user.id, csrf_token=csrf, created_at=now,
                      expires_at=now + dt.timedelta(hours=hours)))
    return token, csrf


def session_user(db: Session, token: str) -> tuple[User, str] | None:
    """The active user of a live session and its CSRF token: one query (user, organisation
    and session joined), as every signed-in request runs it."""
    row = db.execute(
        select(User, SessionRow.csrf_token).join(SessionRow, SessionRow.user_id == User.id)
        .where(SessionRow.id == _token_id(token), SessionRow.expires_at >= utcnow(),
               User.active.is_(True))).first()
    return (row[0], row[1]) if row is not None else None


# what :func:`session_actor` reads: plain columns (no ORM objects) of user, organisation and
# session; built once, with the session id and the time as parameters
_ACTOR = (select(User.id, User.username, User.role, User.org_id, Organization.name,
                 Organization.kind, Organization.province, SessionRow.csrf_token,
                 User.must_change_password)
          .join(SessionRow, SessionRow.user_id == User.id)
          .join(Organization, Organization.id == User.org_id)
          .where(SessionRow.id == bindparam("sid"), SessionRow.expires_at >= bindparam("now"),
                 User.active.is_(True)))


def session_actor(conn: Connection, token: str) -> Actor | None:
    """The actor of a live session of an active user, as :func:`session_user` finds it, read
    as one row of plain columns: every signed-in request runs it."""
    row = conn.execute(_ACTOR, {"sid": _token_id(token), "now": utcnow()}).first()
    if row is None:
        return None
    uid, username, role, org_id, org, kind, province, csrf, must_change = row
    return Actor(uid, username, Role(role), org_id, org, OrgKind(kind), province, csrf,
                 bool(must_change))


def close_session(db: Session, token: str) -> None:
    db.execute(delete(SessionRow).where(SessionRow.id == _token_id(token)))


def revoke_sessions(db: Session, user_id: int, keep: str | None = None) -> int:
    """End every session of a user (but the one with token ``keep``); returns how many."""
    stmt = delete(SessionRow).where(SessionRow.user_id == user_id)
    if keep:
        stmt = stmt.where(SessionRow.id != _token_id(keep))
    return int(getattr(db.execute(stmt.execution_options(synchronize_session=False)),
                       "rowcount", 0) or 0)


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(),
                                               (given or "").encode("utf-8", "replace"))
