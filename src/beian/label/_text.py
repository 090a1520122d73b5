"""Implicit labels for texts that are not files: model answers sent by the compliance gateway.

The gateway puts ``label_text(answer, payload).to_json()`` in a response header; anyone holding
the answer and the header can run :func:`verify_text_label`. The content digest is SHA-256 (or
SM3 through the integrity code) over the answer's exact UTF-8 bytes.
"""

from __future__ import annotations

import hashlib

from beian.label._api import VerifyResult, check_labels
from beian.label._integrity import DigestAlgorithm, KeyLike, PubKeyLike, make_code
from beian.label._payload import LabelPayload

__all__ = ["label_text", "text_code", "verify_text_label"]


def _text_digest(text: str) -> bytes:
    return hashlib.sha256(b"text\x00" + text.encode("utf-8")).digest()


def label_text(
    text: str,
    payload: LabelPayload,
    *,
    key: KeyLike | None = None,
    digest_alg: DigestAlgorithm = "sha256",
) -> LabelPayload:
    """``payload`` with ``ReservedCode1`` bound to ``text`` (and a content-derived ProduceID)."""
    if not payload.ProduceID:
        payload = payload.with_(ProduceID=_text_digest(text).hex()[:32])
    code = text_code(text, payload.canonical_fields(), key, digest_alg)
    return payload.with_(ReservedCode1=code)


def text_code(text: str, canonical_fields: bytes, key: KeyLike | None, alg: DigestAlgorithm) -> str:
    """The ``ReservedCode1`` that :func:`label_text` gives ``text`` under a payload whose
    :meth:`~LabelPayload.canonical_fields` are ``canonical_fields`` (its ProduceID set): for a
    caller that builds the canonical fields of many labels from one template."""
    return make_code(alg, canonical_fields, _text_digest(text), key).render()


def verify_text_label(
    text: str, label: LabelPayload | str, pubkey: PubKeyLike | None = None
) -> VerifyResult:
    """Check a label (payload or its JSON, e.g. from a response header) against ``text``."""
    raw = label.to_json() if isinstance(label, LabelPayload) else label
    res = VerifyResult(path=None, ok=False, carrier="text")
    return check_labels(res, [raw], lambda: _text_digest(text), pubkey)
