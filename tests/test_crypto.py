from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from beian.crypto import FieldCipher, KeyRing, is_token, keyed_hash
from beian.errors import ConfigError, InputError


@pytest.mark.parametrize("alg", ["aes-256-gcm", "sm4-gcm"])
def test_round_trip_and_tamper(alg: str) -> None:
    c = FieldCipher(KeyRing.generate(), alg)  # type: ignore[arg-type]
    tok = c.encrypt("13800138000", aad="users.phone")
    assert is_token(tok) and "13800138000" not in tok
    assert c.decrypt(tok, aad="users.phone") == "13800138000"
    assert c.encrypt("x") != c.encrypt("x")  # fresh data key and nonce
    with pytest.raises(InputError):
        c.decrypt(tok, aad="other.field")
    raw = tok[:-6] + ("AAAA" if not tok.endswith("AAAA") else "BBBB") + tok[-2:]
    with pytest.raises(InputError):
        c.decrypt(raw, aad="users.phone")


def test_rotation_rewraps_without_reencrypting(tmp_path: Path) -> None:
    ring = KeyRing.generate()
    c = FieldCipher(ring)
    tok = c.encrypt("secret")
    path = tmp_path / "keys.json"
    ring.save(path)
    assert os.stat(path).st_mode & 0o777 == 0o600
    ring2 = KeyRing.load(path)
    new = ring2.rotate()
    c2 = FieldCipher(ring2)
    assert c2.decrypt(tok) == "secret"
    re = c2.rewrap(tok)
    assert c2.key_id(re) == new and c2.decrypt(re) == "secret"
    assert re.split(":")[-1][-30:] == tok.split(":")[-1][-30:]  # ciphertext unchanged
    # without the old key the old token cannot be read
    only_new = KeyRing(keys={new: ring2.keys[new]}, active=new)
    with pytest.raises(ConfigError):
        FieldCipher(only_new).decrypt(tok)
    assert FieldCipher(only_new).decrypt(re) == "secret"


def test_keyring_from_env_and_errors() -> None:
    ring = KeyRing.generate()
    env = {"BEIAN_KEYS": ring.to_json()}
    assert KeyRing.from_env(env).keys == ring.keys
    single = json.loads(ring.to_json())["keys"]["k1"]
    assert KeyRing.from_env({"BEIAN_KEY": single}).keys == {"env": ring.keys["k1"]}
    with pytest.raises(ConfigError, match="未配置加密密钥"):
        KeyRing.from_env({})
    with pytest.raises(ConfigError, match="base64"):
        KeyRing.from_env({"BEIAN_KEY": "not base64!"})
    with pytest.raises(ConfigError, match="32 字节"):
        KeyRing.from_env({"BEIAN_KEY": "AAAA"})


def test_keyed_hash() -> None:
    k = b"k" * 32
    assert keyed_hash("13800138000", k) == keyed_hash("13800138000", k)
    assert keyed_hash("13800138000", k) != keyed_hash("13800138000", b"j" * 32)
    assert len(keyed_hash("x", k, "hmac-sm3")) == 64
    assert keyed_hash("x", k, "hmac-sm3") != keyed_hash("x", k)
    # known vector: HMAC-SHA256(key="key", "The quick brown fox jumps over the lazy dog")
    assert keyed_hash("The quick brown fox jumps over the lazy dog", b"key") == (
        "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
    )


def test_keys_cli(tmp_path: Path) -> None:
    from tests.conftest import run_cli

    out = tmp_path / "k.json"
    assert run_cli("keys", "generate", "-o", str(out)).returncode == 0
    again = run_cli("keys", "generate", "-o", str(out))
    assert again.returncode == 2 and "--force" in again.stderr
    assert run_cli("keys", "rotate", str(out)).returncode == 0
    assert KeyRing.load(out).active == "k2"
