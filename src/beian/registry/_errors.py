"""Errors of the registry service, each with the HTTP status the API answers with."""

from __future__ import annotations

from beian.errors import BeianError

__all__ = ["Busy", "Conflict", "Forbidden", "NotFound", "RegistryError", "TooMany", "Unauthorized"]


class RegistryError(BeianError):
    status = 400


class Unauthorized(RegistryError):
    status = 401


class Forbidden(RegistryError):
    status = 403


class NotFound(RegistryError):
    status = 404


class Conflict(RegistryError):
    status = 409


class TooMany(RegistryError):
    status = 429


class Busy(RegistryError):
    """The server cannot take this request now (the database's write lock held too long, too
    many logins waiting): 503 with ``Retry-After``; nothing was changed."""

    status = 503

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None,
                 retry_after: int = 5) -> None:
        super().__init__(what, where=where, fix=fix or f"请 {retry_after} 秒后重试")
        self.retry_after = max(1, retry_after)
