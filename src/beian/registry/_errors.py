"""Errors of the registry service, each with the HTTP status the API answers with."""

from __future__ import annotations

from beian.errors import BeianError

__all__ = ["Conflict", "Forbidden", "NotFound", "RegistryError", "TooMany", "Unauthorized"]


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
