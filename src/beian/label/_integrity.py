"""Integrity code carried in ``ReservedCode1``: a digest of content and fields, optionally signed.

Format (printable ASCII, dot-separated)::

    bi1.<hash>.<b64url digest>[.ed25519.<key id>.<b64url signature>]

``digest = H("beian-aigc-v1" 0x00 canonical_fields 0x00 content_digest)`` where
``content_digest`` is the carrier's digest of the file *without* its label (for media, the decoded
samples or pixels), ``canonical_fields`` are all label fields except ``ReservedCode1`` and ``H`` is
SHA-256 or SM3. The Ed25519 signature covers the digest, so a forged label (changed producer,
copied onto other content) fails verification with the public key.

SM2 signatures are not offered: ``cryptography`` has SM3 but no SM2, and the pure-Python SM2
packages on PyPI (``gmssl``: last release 2023-02) are unmaintained and not constant-time.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeAlias

from beian.errors import ConfigError, InputError

if TYPE_CHECKING:  # cryptography is imported on first use: an unsigned label does not need it
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

__all__ = [
    "DigestAlgorithm",
    "IntegrityCode",
    "KeyLike",
    "PubKeyLike",
    "digest",
    "key_id",
    "load_private_key",
    "load_public_key",
    "make_code",
]

DigestAlgorithm = Literal["sha256", "sm3"]
KeyLike: TypeAlias = "Ed25519PrivateKey | str | os.PathLike[str] | bytes"
PubKeyLike: TypeAlias = "Ed25519PublicKey | str | os.PathLike[str] | bytes"

_PREFIX = "bi1"
_DOMAIN = b"beian-aigc-v1\x00"
_KEY_FIX = "请用 `beian label keygen -o 私钥.pem` 生成 Ed25519 密钥对"


def _b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _hash(alg: DigestAlgorithm, data: bytes) -> bytes:
    if alg == "sha256":
        return hashlib.sha256(data).digest()
    from cryptography.hazmat.primitives import hashes

    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def digest(alg: DigestAlgorithm, canonical_fields: bytes, content_digest: bytes) -> bytes:
    return _hash(alg, _DOMAIN + canonical_fields + b"\x00" + content_digest)


def key_id(pub: Ed25519PublicKey) -> str:
    from cryptography.hazmat.primitives import serialization

    raw = pub.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _read_key_bytes(key: str | os.PathLike[str] | bytes, what: str) -> tuple[bytes, str]:
    if isinstance(key, bytes):
        return key, what
    p = Path(key)
    try:
        return p.read_bytes(), str(p)
    except OSError:
        raise ConfigError(f"无法读取{what}文件", where=str(p), fix=_KEY_FIX) from None


def load_private_key(key: KeyLike) -> Ed25519PrivateKey:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    if isinstance(key, Ed25519PrivateKey):
        return key
    data, where = _read_key_bytes(key, "私钥")
    try:
        loaded = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise ConfigError("私钥不是无口令的 PEM 格式", where=where, fix=_KEY_FIX) from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ConfigError("只支持 Ed25519 私钥", where=where, fix=_KEY_FIX)
    return loaded


def load_public_key(key: PubKeyLike) -> Ed25519PublicKey:
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    if isinstance(key, Ed25519PublicKey):
        return key
    data, where = _read_key_bytes(key, "公钥")
    try:
        loaded = serialization.load_pem_public_key(data)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        try:  # a private key file also yields the public key
            return load_private_key(data).public_key()
        except ConfigError:
            raise ConfigError("公钥不是 PEM 格式", where=where, fix=_KEY_FIX) from None
    if not isinstance(loaded, Ed25519PublicKey):
        raise ConfigError("只支持 Ed25519 公钥", where=where, fix=_KEY_FIX)
    return loaded


@dataclass(frozen=True)
class IntegrityCode:
    """A parsed ``ReservedCode1`` value."""

    alg: DigestAlgorithm
    digest: bytes
    key_id: str | None = None
    signature: bytes | None = None

    def render(self) -> str:
        out = f"{_PREFIX}.{self.alg}.{_b64e(self.digest)}"
        if self.signature is not None:
            out += f".ed25519.{self.key_id}.{_b64e(self.signature)}"
        return out

    @classmethod
    def parse(cls, text: str, field: str = "ReservedCode1") -> IntegrityCode | None:
        """``None`` when the text is not ours (another tool's ReservedCode1)."""
        parts = text.split(".")
        if not parts or parts[0] != _PREFIX:
            return None
        try:
            if len(parts) == 3 and parts[1] in ("sha256", "sm3"):
                return cls(parts[1], _b64d(parts[2]))  # type: ignore[arg-type]
            if len(parts) == 6 and parts[1] in ("sha256", "sm3") and parts[3] == "ed25519":
                return cls(parts[1], _b64d(parts[2]), parts[4], _b64d(parts[5]))  # type: ignore[arg-type]
        except (binascii.Error, ValueError):
            pass
        raise InputError(f"{field} 完整性码格式错误", where=f"AIGC.{field}", fix="请重新写入标识")

    def signature_valid(self, pub: Ed25519PublicKey) -> bool:
        if self.signature is None:
            return False
        from cryptography.exceptions import InvalidSignature

        try:
            pub.verify(self.signature, _DOMAIN + self.digest)
        except InvalidSignature:
            return False
        return True


def make_code(
    alg: DigestAlgorithm, canonical_fields: bytes, content_digest: bytes, key: KeyLike | None
) -> IntegrityCode:
    d = digest(alg, canonical_fields, content_digest)
    if key is None:
        return IntegrityCode(alg, d)
    priv = load_private_key(key)
    return IntegrityCode(alg, d, key_id(priv.public_key()), priv.sign(_DOMAIN + d))
