"""Signing in and changing one's password: back-off, constant work, TOTP by role, once.

A login is three short steps: take a try from the back-off buckets (one transaction, rows
locked), check the password outside any transaction (argon2 on a dummy hash when the name is
unknown or disabled, so the time does not tell), then record the outcome, use the TOTP step
and open the session (one transaction).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from sqlalchemy import select

from beian.registry._auth import (
    Actor,
    LoginRefused,
    device_bucket,
    device_ok,
    device_token,
    open_session,
    record_attempt,
    revoke_sessions,
    session_user,
    totp_step,
    use_totp_step,
)
from beian.registry._core import Core
from beian.registry._errors import Forbidden
from beian.registry._passwords import check_password, dummy_verify, hash_password, verify_password
from beian.registry._throttle import Backoff, clear_buckets, take_try, undo_try
from beian.registry.db import User, utcnow
from beian.registry.domain import Role

__all__ = ["Login"]


@dataclass(frozen=True)
class _Who:
    """What the password check needs, read before it (outside the transaction)."""

    id: int
    username: str
    role: Role
    password_hash: str
    active: bool
    totp_secret: str | None


class Login:
    """Login, password change and trusted-device tokens for :class:`Accounts`."""

    def __init__(self, core: Core) -> None:
        self._core = core
        self._device_key = hmac.new(core.ring.key(core.ring.active), b"beian-login-device",
                                    hashlib.sha256).digest()

    # --- back-off buckets --------------------------------------------------------------------
    def _rules(self) -> tuple[Backoff, Backoff]:
        p = self._core.policy
        per_user = Backoff(p.login_max_failures, p.login_base_delay_seconds,
                           p.login_max_delay_seconds, p.login_window_seconds)
        per_ip = Backoff(p.login_max_failures * 4, p.login_base_delay_seconds,
                         p.login_max_delay_seconds, p.login_window_seconds)
        return per_user, per_ip

    def buckets(self, username: str, ip: str, device: str | None) -> tuple[
            dict[str, Backoff], dict[str, Backoff]]:
        """(the buckets of this user or device, the shared ones of the address). A try with a
        valid device token for ``username`` is counted on that device only."""
        per_user, per_ip = self._rules()
        if device and device_ok(self._device_key, username, device):
            return {device_bucket(device): per_user}, {}
        return {f"user:{username[:80]}": per_user}, {f"ip:{ip[:64]}": per_ip}

    def device_token(self, username: str) -> str:
        return device_token(self._device_key, username)

    # --- steps ---------------------------------------------------------------------------------
    def _who(self, username: str) -> _Who | None:
        with self._core.tx() as db:
            u = db.scalar(select(User).where(User.username == username))
            return None if u is None else _Who(u.id, u.username, Role(u.role), u.password_hash,
                                                bool(u.active), u.totp_secret)

    def _password_ok(self, who: _Who | None, password: str) -> bool:
        p = self._core.policy
        if who is None or not who.active:
            return dummy_verify(password, time_cost=p.argon2_time_cost,
                                memory_kib=p.argon2_memory_kib)
        return verify_password(who.password_hash, password)

    def _second_factor(self, who: _Who, code: str | None) -> int | None:
        """The TOTP step to use, or None when the second factor fails. A role that needs TOTP
        and has no secret fails closed."""
        if not who.totp_secret:
            return -1 if who.role not in self._core.policy.totp_roles else None
        secret = self._core.cipher.decrypt(who.totp_secret, aad=f"totp:{who.username}")
        return totp_step(secret, code or "")

    def login(self, username: str, password: str, totp: str | None, ip: str,
              device: str | None = None) -> tuple[str, Actor]:
        """Check credentials; returns (session token, actor). Raises LoginRefused or
        RateLimited (with ``retry_after``)."""
        own, shared = self.buckets(username, ip, device)
        with self._core.tx() as db:
            take_try(db, {**own, **shared}, utcnow())
        who = self._who(username)
        ok = self._password_ok(who, password)
        step = self._second_factor(who, totp) if ok and who is not None else None
        with self._core.tx() as db:
            if step is not None and who is not None and (step < 0 or use_totp_step(db, who.id, step)):
                clear_buckets(db, list(own))
                undo_try(db, shared)
                user = db.get(User, who.id)
                assert user is not None
                record_attempt(db, username, ip, True)
                self._core.audit(db, username, "login", f"ip:{ip}")
                token, csrf = open_session(db, user, self._core.policy.session_hours)
                return token, Actor.of(user, csrf)
            reason = "password" if not ok else "totp"
            record_attempt(db, username, ip, False)
            self._core.audit(db, username, "login.failed", f"ip:{ip}", reason=reason)
        raise LoginRefused()

    def change_password(self, token: str, old: str, new: str, ip: str) -> int:
        """Change the signed-in user's password (the old one is checked, with the same
        back-off as a login); every other session of the user ends. Returns how many."""
        with self._core.tx() as db:
            found = session_user(db, token)
            if found is None:
                raise Forbidden("会话已失效", fix="请重新登录")
            username = found[0].username
        check_password(new, username=username, min_length=self._core.policy.password_min_length)
        own, shared = self.buckets(username, ip, None)
        with self._core.tx() as db:
            take_try(db, {**own, **shared}, utcnow())
        who = self._who(username)
        if not self._password_ok(who, old) or who is None:
            with self._core.tx() as db:
                self._core.audit(db, username, "password.change_failed", f"ip:{ip}")
            raise LoginRefused()
        if verify_password(who.password_hash, new):
            raise Forbidden("新密码不能与原密码相同", where="new_password", fix="请换一个新密码")
        p = self._core.policy
        digest = hash_password(new, time_cost=p.argon2_time_cost, memory_kib=p.argon2_memory_kib)
        with self._core.tx() as db:
            clear_buckets(db, list(own))
            undo_try(db, shared)
            user = db.get(User, who.id)
            assert user is not None
            user.password_hash = digest
            user.must_change_password, user.password_changed_at = False, utcnow()
            n = revoke_sessions(db, user.id, keep=token)
            self._core.audit(db, username, "password.change", f"user:{user.id}",
                             sessions_revoked=n)
            return n
