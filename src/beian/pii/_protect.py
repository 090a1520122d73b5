"""One call for the gateway: find personal information in a prompt and mask or pseudonymize it."""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from beian.crypto import KeyRing
from beian.pii._engine import PiiEngine
from beian.pii._operators import Deidentified, Deidentifier

__all__ = ["default_engine", "protect"]


@lru_cache(maxsize=1)
def default_engine() -> PiiEngine:
    """A process-wide engine with the default configuration (thread-safe to share)."""
    return PiiEngine()


def protect(
    text: str,
    operator: str | Mapping[str, str] = "mask",
    *,
    engine: PiiEngine | None = None,
    keyring: KeyRing | None = None,
    deidentifier: Deidentifier | None = None,
) -> Deidentified:
    """Detect and de-identify in one call.

    ``protect(prompt)`` masks; ``protect(prompt, "pseudonym", keyring=ring)`` returns tokens and
    the mapping that :func:`~beian.pii.reidentify` uses to restore the model's answer. Pass a
    prepared ``deidentifier`` to avoid deriving keys on every call.
    """
    eng = engine or default_engine()
    op = deidentifier or Deidentifier(operator, keyring=keyring)
    return op.apply(text, eng.analyze(text))
