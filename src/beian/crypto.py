"""Field encryption, keyed hashing and key handling, shared by pii, registry and gateway.

Keys live in a key ring: a JSON file (mode 0600) or the ``BEIAN_KEYS`` environment variable,
``{"active": "k1", "keys": {"k1": "<base64 of 32 bytes>"}}``; ``BEIAN_KEY`` may hold a single
base64 key instead. Rotation adds a key and makes it active; old keys stay to decrypt.

Encryption is envelope encryption: each value gets a fresh 256-bit data key (DEK) that
encrypts the value with AES-256-GCM (or SM4-GCM); the DEK is wrapped by the active key-ring key
(the KEK) with AES-256-GCM. Tokens are ASCII::

    enc:v1:<alg>:<kid>:<base64url(wrap_nonce | wrapped_dek | nonce | ciphertext+tag)>

Rotation re-wraps the DEK (:meth:`FieldCipher.rewrap`) without touching the ciphertext.
Keyed hashing is HMAC-SHA256 or HMAC-SM3: unkeyed hashes of small domains such as phone
numbers are reversible by enumeration and are never offered as anonymisation.
"""

from __future__ import annotations

import base64
import binascii
import hmac as _hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal

import yaml
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as c_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from beian.errors import ConfigError, InputError, json_message
from beian.io import YamlPath, atomic_path, located_validation_error, yaml_lines

__all__ = [
    "CipherAlgorithm",
    "FieldCipher",
    "HashAlgorithm",
    "KeyRing",
    "is_token",
    "keyed_hash",
]

CipherAlgorithm = Literal["aes-256-gcm", "sm4-gcm"]
HashAlgorithm = Literal["hmac-sha256", "hmac-sm3"]

_TOKEN_PREFIX = "enc:v1:"
_KEY_FIX = "请用 `beian keys generate -o 密钥文件` 生成密钥文件，或设置环境变量 BEIAN_KEY"
_FORMAT_FIX = (
    '密钥环的格式为 {"active": "k1", "keys": {"k1": "<32 字节密钥的 base64>"}}；'
    "请改正该处，或从备份恢复密钥文件（重新生成的密钥解不开已有密文）"
)


def _json_lines(text: str) -> dict[YamlPath, int]:
    """The line of every key of a JSON document (JSON is YAML, which knows lines); none for
    the rare JSON that PyYAML reads otherwise."""
    try:
        return yaml_lines(text)
    except yaml.YAMLError:
        return {}


def _key_bytes(value: object) -> bytes:
    """A key ring entry: the base64 of 32 bytes."""
    if not isinstance(value, str):
        raise ValueError("密钥应为 base64 文字")
    try:
        key = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("密钥不是有效的 base64") from None
    if len(key) != 32:
        raise ValueError(f"密钥长度为 {len(key)} 字节，应为 32 字节")
    return key


def _single_key(text: str, where: str) -> bytes:
    try:
        return _key_bytes(text)
    except ValueError as exc:
        raise ConfigError(str(exc), where=where, fix=_KEY_FIX) from None


class _KeyRingFile(BaseModel):
    """The JSON of a key ring file, checked field by field."""

    model_config = ConfigDict(extra="forbid")
    keys: dict[str, Annotated[bytes, BeforeValidator(_key_bytes)]]
    active: str
    audit_keyed: bool = False

    @field_validator("active")
    @classmethod
    def _active_is_a_key(cls, value: str, info: ValidationInfo) -> str:
        keys = info.data.get("keys")
        if keys is not None and value not in keys:
            raise ValueError(f"当前密钥 {value} 不在 keys 中（有 {'、'.join(keys) or '无'}）")
        return value


@dataclass
class KeyRing:
    """Named 256-bit keys, one of them active."""

    keys: dict[str, bytes]
    active: str
    path: Path | None = field(default=None, compare=False)
    # set once every audit row the registry holds is keyed: a marker outside the database,
    # so that a database writer cannot pass off rows as written before the chain was keyed
    audit_keyed: bool = False

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise ConfigError(f"当前密钥 {self.active} 不在密钥环中", fix=_KEY_FIX)
        for kid, key in self.keys.items():
            if len(key) != 32:
                raise ConfigError(f"密钥 {kid} 长度为 {len(key)} 字节，应为 32 字节", fix=_KEY_FIX)

    @classmethod
    def generate(cls, kid: str = "k1") -> KeyRing:
        return cls(keys={kid: secrets.token_bytes(32)}, active=kid)

    @classmethod
    def from_json(cls, text: str, *, where: str, lines: bool = True) -> KeyRing:
        """The key ring in JSON ``text``; every problem is a :class:`ConfigError` at
        ``where:line field`` (``lines=False`` where the text is no file, e.g. a variable)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            at = f":{exc.lineno}:{exc.colno}" if lines else f"（第 {exc.pos + 1} 个字符）"
            raise ConfigError(
                f"密钥环不是有效的 JSON：{json_message(exc)}", where=where + at, fix=_FORMAT_FIX
            ) from None
        try:
            ring = _KeyRingFile.model_validate(data)
        except ValidationError as exc:
            raise located_validation_error(
                exc, where, _json_lines(text) if lines else {}, data=data, error=ConfigError,
                what="密钥环格式错误：", fix=_FORMAT_FIX, show_input=False,
            ) from None
        return cls(keys=ring.keys, active=ring.active, audit_keyed=ring.audit_keyed)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> KeyRing:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigError("密钥文件不存在", where=str(p), fix=_KEY_FIX) from None
        except IsADirectoryError:
            raise ConfigError("密钥文件路径是目录", where=str(p), fix=_KEY_FIX) from None
        except UnicodeDecodeError:
            raise ConfigError("密钥文件不是 UTF-8 文本", where=str(p), fix=_FORMAT_FIX) from None
        ring = cls.from_json(text, where=str(p))
        ring.path = p
        return ring

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> KeyRing:
        env = os.environ if environ is None else environ
        if env.get("BEIAN_KEYS"):
            return cls.from_json(env["BEIAN_KEYS"], where="环境变量 BEIAN_KEYS", lines=False)
        if env.get("BEIAN_KEY"):
            return cls(keys={"env": _single_key(env["BEIAN_KEY"], "环境变量 BEIAN_KEY")}, active="env")
        if env.get("BEIAN_KEY_FILE"):
            return cls.load(env["BEIAN_KEY_FILE"])
        raise ConfigError("未配置加密密钥", where="环境变量 BEIAN_KEY / BEIAN_KEYS", fix=_KEY_FIX)

    @classmethod
    def resolve(cls, path: str | os.PathLike[str] | None = None) -> KeyRing:
        """A key file when given, otherwise the environment."""
        return cls.load(path) if path is not None else cls.from_env()

    def to_json(self) -> str:
        keys = {k: base64.b64encode(v).decode("ascii") for k, v in self.keys.items()}
        data: dict[str, object] = {"active": self.active, "keys": keys}
        if self.audit_keyed:
            data["audit_keyed"] = True
        return json.dumps(data, indent=2)

    def save(self, path: str | os.PathLike[str] | None = None) -> None:
        target = Path(path) if path is not None else self.path
        if target is None:
            raise ConfigError("没有密钥文件路径可写", fix="请指定输出路径")
        with atomic_path(target, mode=0o600) as tmp:
            tmp.write_text(self.to_json(), encoding="utf-8")
        self.path = target

    def rotate(self) -> str:
        """Add a fresh key, make it active and return its id."""
        n = len(self.keys) + 1
        while f"k{n}" in self.keys:
            n += 1
        kid = f"k{n}"
        self.keys[kid] = secrets.token_bytes(32)
        self.active = kid
        return kid

    def key(self, kid: str | None = None) -> bytes:
        kid = kid or self.active
        try:
            return self.keys[kid]
        except KeyError:
            raise ConfigError(f"密钥环中没有密钥 {kid}", fix="请使用加密时的密钥文件") from None


def is_token(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_TOKEN_PREFIX)


def _seal(alg: CipherAlgorithm, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    if alg == "aes-256-gcm":
        return AESGCM(key).encrypt(nonce, data, aad)
    enc = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(aad)
    return enc.update(data) + enc.finalize() + enc.tag


def _open(alg: CipherAlgorithm, key: bytes, nonce: bytes, data: bytes, aad: bytes) -> bytes:
    if alg == "aes-256-gcm":
        return AESGCM(key).decrypt(nonce, data, aad)
    dec = Cipher(algorithms.SM4(key[:16]), modes.GCM(nonce, data[-16:])).decryptor()
    dec.authenticate_additional_data(aad)
    return dec.update(data[:-16]) + dec.finalize()


@dataclass
class FieldCipher:
    """Encrypts field values into self-describing ASCII tokens (see the module docstring)."""

    ring: KeyRing
    algorithm: CipherAlgorithm = "aes-256-gcm"

    def encrypt(self, plaintext: str | bytes, aad: str = "") -> str:
        data = plaintext.encode("utf-8") if isinstance(plaintext, str) else plaintext
        dek = secrets.token_bytes(32)
        wrap_nonce, nonce = secrets.token_bytes(12), secrets.token_bytes(12)
        kid = self.ring.active
        wrapped = AESGCM(self.ring.key(kid)).encrypt(wrap_nonce, dek, kid.encode())
        ct = _seal(self.algorithm, dek, nonce, data, aad.encode("utf-8"))
        blob = base64.urlsafe_b64encode(wrap_nonce + wrapped + nonce + ct).decode("ascii")
        return f"{_TOKEN_PREFIX}{self.algorithm}:{kid}:{blob}"

    def _parse(self, token: str) -> tuple[CipherAlgorithm, str, bytes, bytes, bytes, bytes]:
        try:
            if not token.startswith(_TOKEN_PREFIX):
                raise ValueError
            alg, kid, blob = token[len(_TOKEN_PREFIX) :].split(":", 2)
            if alg not in ("aes-256-gcm", "sm4-gcm"):
                raise ValueError
            raw = base64.urlsafe_b64decode(blob.encode("ascii"))
            if len(raw) < 12 + 48 + 12 + 16:
                raise ValueError
        except (ValueError, binascii.Error):
            raise InputError("密文格式错误", fix="该值不是 beian 加密的字段") from None
        return alg, kid, raw[:12], raw[12:60], raw[60:72], raw[72:]  # type: ignore[return-value]

    def _dek(self, kid: str, wrap_nonce: bytes, wrapped: bytes) -> bytes:
        try:
            return AESGCM(self.ring.key(kid)).decrypt(wrap_nonce, wrapped, kid.encode())
        except InvalidTag:
            raise InputError(
                f"无法用密钥 {kid} 解开数据密钥", fix="密钥不匹配或密文被篡改"
            ) from None

    def decrypt_bytes(self, token: str, aad: str = "") -> bytes:
        alg, kid, wrap_nonce, wrapped, nonce, ct = self._parse(token)
        dek = self._dek(kid, wrap_nonce, wrapped)
        try:
            return _open(alg, dek, nonce, ct, aad.encode("utf-8"))
        except InvalidTag:
            raise InputError("解密失败：密文被篡改或关联数据不符", fix="请检查数据完整性") from None

    def decrypt(self, token: str, aad: str = "") -> str:
        return self.decrypt_bytes(token, aad).decode("utf-8")

    def rewrap(self, token: str) -> str:
        """Re-wrap the data key under the active key (after :meth:`KeyRing.rotate`)."""
        alg, kid, wrap_nonce, wrapped, nonce, ct = self._parse(token)
        if kid == self.ring.active:
            return token
        dek = self._dek(kid, wrap_nonce, wrapped)
        new_nonce = secrets.token_bytes(12)
        active = self.ring.active
        new_wrapped = AESGCM(self.ring.key(active)).encrypt(new_nonce, dek, active.encode())
        blob = base64.urlsafe_b64encode(new_nonce + new_wrapped + nonce + ct).decode("ascii")
        return f"{_TOKEN_PREFIX}{alg}:{active}:{blob}"

    def key_id(self, token: str) -> str:
        return self._parse(token)[1]


def keyed_hash(value: str | bytes, key: bytes, algorithm: HashAlgorithm = "hmac-sha256") -> str:
    """Keyed hash (HMAC) of ``value`` as lowercase hex."""
    data = value.encode("utf-8") if isinstance(value, str) else value
    if algorithm == "hmac-sha256":
        return _hmac.new(key, data, "sha256").hexdigest()
    h = c_hmac.HMAC(key, hashes.SM3())
    h.update(data)
    return h.finalize().hex()
