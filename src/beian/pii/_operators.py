"""De-identification operators: mask, replace, redact, hash, encrypt/decrypt, pseudonym.

Keyed operators reuse :mod:`beian.crypto`: ``hash`` is HMAC-SHA256 or HMAC-SM3 (an unkeyed
hash of a phone number is reversible by enumerating 10^11 numbers, so it is never offered),
``encrypt`` is the envelope AES-256-GCM / SM4-GCM token of :class:`~beian.crypto.FieldCipher`,
wrapped as ``[enc:v1:…]`` so :func:`reidentify` can find it again, and ``pseudonym`` gives the
same token to the same value under the same key (``<手机号_1a2b3c4d>``) with a mapping back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from beian.crypto import CipherAlgorithm, FieldCipher, HashAlgorithm, KeyRing, keyed_hash
from beian.errors import ConfigError
from beian.pii._types import Entity, label_of

__all__ = [
    "KEYED_OPERATORS",
    "MASK_DEFAULTS",
    "OPERATORS",
    "Deidentified",
    "Deidentifier",
    "deidentify",
    "normalize",
    "reidentify",
    "sm3_available",
    "sm4_available",
]

OPERATORS = ("mask", "replace", "redact", "hash", "encrypt", "decrypt", "pseudonym")
KEYED_OPERATORS = frozenset({"hash", "encrypt", "decrypt", "pseudonym"})
# (keep first, keep last) characters per type for ``mask``.
MASK_DEFAULTS: dict[str, tuple[int, int]] = {
    "ID_CARD": (3, 4),
    "MOBILE": (3, 4),
    "PHONE": (4, 2),
    "BANK_CARD": (4, 4),
    "USCC": (2, 2),
    "PASSPORT": (1, 2),
    "HK_MACAO_TW_PERMIT": (1, 2),
    "PLATE": (2, 0),
    "EMAIL": (1, 0),
    "IP": (0, 0),
    "NAME": (1, 0),
    "ADDRESS": (6, 0),
}
_KEEP = frozenset(" -·•.:@")  # separators kept by ``mask`` so the shape stays readable
_TOKEN_RE = re.compile(r"\[(enc:v1:(?:aes-256-gcm|sm4-gcm):[A-Za-z0-9_.-]+:[A-Za-z0-9_=-]+)\]")
_PSEUDONYM_RE = re.compile(r"<[^<>\s]{1,24}_[0-9a-f]{8}>")
_MOBILE_PREFIX = re.compile(r"^(?:\+86|0086|86)")
_KEY_FIX = (
    "请用 --key-file 指定密钥文件（`beian keys generate -o 密钥文件`），或设置环境变量 BEIAN_KEY"
)


@lru_cache(maxsize=1)
def sm4_available() -> bool:
    """Whether the installed ``cryptography``/OpenSSL can do SM4-GCM."""
    try:
        from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

        enc = Cipher(algorithms.SM4(b"\0" * 16), modes.GCM(b"\0" * 12)).encryptor()
        enc.update(b"x")
        enc.finalize()
        return True
    except Exception:
        return False


@lru_cache(maxsize=1)
def sm3_available() -> bool:
    """Whether the installed ``cryptography``/OpenSSL can do SM3 (for HMAC-SM3)."""
    try:
        keyed_hash("x", b"\0" * 32, "hmac-sm3")
        return True
    except Exception:
        return False


def normalize(entity_type: str, value: str) -> str:
    """The canonical form hashed by ``hash`` and ``pseudonym`` (separators and case removed)."""
    if entity_type in ("NAME", "ADDRESS"):
        return value.strip()
    if entity_type == "EMAIL":
        return value.lower()
    compact = "".join(c for c in value if c not in " -·•()").upper()
    if entity_type == "MOBILE":
        compact = _MOBILE_PREFIX.sub("", compact)
    return compact


@lru_cache(maxsize=1)
def _admin_pattern() -> re.Pattern[str]:
    from beian.pii._regions import admin_names, province_stems

    names = sorted({*admin_names(), *province_stems()}, key=len, reverse=True)
    return re.compile("(?:" + "|".join(map(re.escape, names)) + ")+")


def _admin_prefix(address: str) -> int:
    """How many leading characters of an address are administrative divisions (浙江省杭州市,
    北京朝阳区): what ``mask`` may keep. An address that starts with a road or a village keeps
    nothing (文三路478号 → 0: keeping six characters showed the road and house number)."""
    m = _admin_pattern().match(address)
    return m.end() if m else 0


class Deidentified(NamedTuple):
    """The new text and, for ``pseudonym``/``encrypt``, a token → original value mapping."""

    text: str
    mapping: dict[str, str]


@dataclass(frozen=True)
class Deidentifier:
    """A prepared operator: validate options and derive keys once, then apply to many texts.

    ``operator`` is one name for every type or a mapping ``{type: name}`` (with an optional
    ``"default"`` entry). Immutable, so one instance can serve many threads.
    """

    operator: str | Mapping[str, str] = "mask"
    keyring: KeyRing | None = None
    mask_char: str = "*"
    keep_first: int | None = None
    keep_last: int | None = None
    hash_algorithm: HashAlgorithm = "hmac-sha256"
    cipher_algorithm: CipherAlgorithm = "aes-256-gcm"
    hash_length: int = 16
    _keys: dict[str, bytes] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [self.operator] if isinstance(self.operator, str) else list(self.operator.values())
        for name in names:
            if name not in OPERATORS:
                raise ConfigError(
                    f"未知的脱敏算子：{name}",
                    where="--operator",
                    fix=f"可选：{'、'.join(OPERATORS)}",
                )
        if "decrypt" in names:
            raise ConfigError("decrypt 不是脱敏算子", where="--operator", fix="还原请用 reidentify")
        if len(self.mask_char) != 1:
            raise ConfigError("掩码字符必须是一个字符", where="--mask-char", fix="例如 * 或 ×")
        if self.cipher_algorithm == "sm4-gcm" and not sm4_available():
            raise ConfigError("当前 cryptography/OpenSSL 不支持 SM4-GCM", fix="改用 aes-256-gcm")
        if self.hash_algorithm == "hmac-sm3" and not sm3_available():
            raise ConfigError("当前 cryptography/OpenSSL 不支持 SM3", fix="改用 hmac-sha256")
        if KEYED_OPERATORS.intersection(names):
            if self.keyring is None:
                raise ConfigError("该脱敏算子需要密钥", where="--operator", fix=_KEY_FIX)
            root = self.keyring.key()
            for purpose in ("hash", "pseudonym"):
                sub = bytes.fromhex(keyed_hash(f"beian.pii.{purpose}", root))
                self._keys[purpose] = sub

    def operator_for(self, entity_type: str) -> str:
        if isinstance(self.operator, str):
            return self.operator
        return self.operator.get(entity_type, self.operator.get("default", "mask"))

    def _mask(self, e: Entity) -> str:
        first, last = MASK_DEFAULTS.get(e.type, (1, 1))
        if e.type == "ADDRESS":  # only the leading divisions, never a road or house number
            first = min(first, _admin_prefix(e.text))
        first = first if self.keep_first is None else self.keep_first
        last = last if self.keep_last is None else self.keep_last
        value = e.text
        if e.type == "EMAIL" and "@" in value:
            local, domain = value.split("@", 1)
            return local[:first] + self.mask_char * max(1, len(local) - first) + "@" + domain
        skip = 0
        if e.type == "MOBILE":  # the country code is not part of the number
            m = _MOBILE_PREFIX.match(value)
            skip = m.end() if m else 0
        core = [i for i in range(skip, len(value)) if value[i] not in _KEEP]
        n = len(core)
        if first + last >= n:
            first, last = (1, 0) if n > 1 else (0, 0)
        hidden = set(core[first : n - last])
        return "".join(self.mask_char if i in hidden else c for i, c in enumerate(value))

    def replacement(self, e: Entity, mapping: dict[str, str]) -> str:
        op = self.operator_for(e.type)
        if op == "mask":
            return self._mask(e)
        if op == "replace":
            return f"<{label_of(e.type)}>"
        if op == "redact":
            return ""
        if op == "hash":
            digest = keyed_hash(normalize(e.type, e.text), self._keys["hash"], self.hash_algorithm)
            return f"<{label_of(e.type)}:{digest[: self.hash_length]}>"
        if op == "pseudonym":
            digest = keyed_hash(f"{e.type}\x1f{normalize(e.type, e.text)}", self._keys["pseudonym"])
            token = f"<{label_of(e.type)}_{digest[:8]}>"
        else:  # encrypt
            assert self.keyring is not None
            token = f"[{FieldCipher(self.keyring, self.cipher_algorithm).encrypt(e.text)}]"
        mapping.setdefault(token, e.text)  # the first spelling of a value wins
        return token

    def apply(self, text: str, entities: Iterable[Entity]) -> Deidentified:
        """Replace each entity (non-overlapping, as returned by ``PiiEngine.analyze``)."""
        parts: list[str] = []
        mapping: dict[str, str] = {}
        pos = 0
        for e in sorted(entities, key=lambda e: e.start):
            if e.start < pos:
                continue  # overlapping input: the earlier entity already covers it
            parts.append(text[pos : e.start])
            parts.append(self.replacement(e, mapping))
            pos = e.end
        parts.append(text[pos:])
        return Deidentified("".join(parts), mapping)


def deidentify(
    text: str,
    entities: Iterable[Entity],
    operator: str | Mapping[str, str] = "mask",
    *,
    keyring: KeyRing | None = None,
    mask_char: str = "*",
    keep_first: int | None = None,
    keep_last: int | None = None,
    hash_algorithm: HashAlgorithm = "hmac-sha256",
    cipher_algorithm: CipherAlgorithm = "aes-256-gcm",
) -> Deidentified:
    """Apply ``operator`` to ``entities`` in ``text``; see :class:`Deidentifier`."""
    return Deidentifier(
        operator,
        keyring=keyring,
        mask_char=mask_char,
        keep_first=keep_first,
        keep_last=keep_last,
        hash_algorithm=hash_algorithm,
        cipher_algorithm=cipher_algorithm,
    ).apply(text, entities)


def reidentify(
    text: str, *, keyring: KeyRing | None = None, mapping: Mapping[str, str] | None = None
) -> str:
    """Undo ``encrypt`` (needs the key ring) and ``pseudonym``/``encrypt`` tokens in ``mapping``.

    Tokens that a mapping does not know and that cannot be decrypted are left as they are.
    """
    if mapping:
        text = _PSEUDONYM_RE.sub(lambda m: mapping.get(m.group(), m.group()), text)
        text = _TOKEN_RE.sub(lambda m: mapping.get(m.group(), m.group()), text)
    if keyring is not None and "[enc:v1:" in text:
        cipher = FieldCipher(keyring)
        text = _TOKEN_RE.sub(lambda m: cipher.decrypt(m.group(1)), text)
    return text
