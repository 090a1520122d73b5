"""Append-only lifecycle events and the hash of the materials at decision time."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from beian.registry.domain._states import State

__all__ = ["EventRecord", "materials_digest"]


def materials_digest(sha256s: Iterable[str]) -> str:
    """SHA-256 over the sorted content hashes of every material attached at that moment."""
    h = hashlib.sha256()
    for s in sorted(set(sha256s)):
        h.update(s.encode("ascii") + b"\n")
    return h.hexdigest()


@dataclass(frozen=True)
class EventRecord:
    action: str
    actor: str
    source: State
    target: State
    note: str
    materials_sha256: str
