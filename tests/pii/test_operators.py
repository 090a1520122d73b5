"""Operators: mask, replace, redact, keyed hash, encrypt/decrypt round trip, pseudonyms."""

from __future__ import annotations

import pytest

from beian.crypto import FieldCipher, KeyRing, keyed_hash
from beian.errors import ConfigError
from beian.pii import (
    Deidentifier,
    Entity,
    PiiEngine,
    deidentify,
    protect,
    reidentify,
    sm3_available,
    sm4_available,
)

TEXT = "张伟先生的手机13812345678，身份证110101199003074514，邮箱zhangwei@example.com。"


@pytest.fixture(scope="module")
def entities():  # type: ignore[no-untyped-def]
    return PiiEngine().analyze(TEXT)


def test_mask_defaults_and_options(entities) -> None:  # type: ignore[no-untyped-def]
    out = deidentify(TEXT, entities, "mask")
    assert (
        out.text == "张*先生的手机138****5678，身份证110***********4514，邮箱z*******@example.com。"
    )
    assert out.mapping == {}
    custom = deidentify(TEXT, entities, "mask", mask_char="#", keep_first=0, keep_last=2)
    assert "手机#########78" in custom.text


def test_mask_keeps_separators_and_country_code() -> None:
    text = "电话+86 138-1234-5678"
    out = deidentify(text, PiiEngine().analyze(text), "mask")
    assert out.text == "电话+86 138-****-5678"


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("浙江省杭州市西湖区文三路478号", "浙江省杭州市" + "*" * 10),  # at most six, as before
        ("北京朝阳区建国路88号", "北京朝阳区******"),
        ("文三路478号3幢", "*********"),  # kept "文三路478" before
        ("幸福村3组12号", "*" * 8),  # kept "幸福村3组1" before
        ("丰台区马家堡东路121号院", "丰台区**********"),
    ],
)
def test_address_mask_keeps_only_leading_divisions(address: str, masked: str) -> None:
    e = Entity("ADDRESS", 0, len(address), address, 0.9, "test")
    assert deidentify(address, [e], "mask").text == masked
    assert deidentify(address, [e], "mask", keep_first=2).text.startswith(address[:2] + "*")


def test_replace_and_redact(entities) -> None:  # type: ignore[no-untyped-def]
    assert deidentify(TEXT, entities, "replace").text == (
        "<姓名>先生的手机<手机号>，身份证<身份证号>，邮箱<电子邮箱>。"
    )
    assert deidentify(TEXT, entities, "redact").text == "先生的手机，身份证，邮箱。"


def test_per_type_operators(entities) -> None:  # type: ignore[no-untyped-def]
    out = deidentify(TEXT, entities, {"MOBILE": "replace", "default": "redact"})
    assert out.text == "先生的手机<手机号>，身份证，邮箱。"


@pytest.mark.parametrize("op", ["hash", "encrypt", "pseudonym"])
def test_keyed_operators_need_a_key(entities, op: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="需要密钥"):
        deidentify(TEXT, entities, op)


def test_unknown_operator() -> None:
    with pytest.raises(ConfigError, match="未知的脱敏算子"):
        Deidentifier("sha256")


@pytest.mark.parametrize("alg", ["hmac-sha256", "hmac-sm3"])
def test_hash_is_keyed_and_normalised(alg: str) -> None:
    if alg == "hmac-sm3" and not sm3_available():
        pytest.skip("OpenSSL without SM3")
    ring_a, ring_b = KeyRing.generate(), KeyRing.generate()
    a = "手机13812345678"
    b = "手机138 1234 5678"
    ea, eb = PiiEngine().analyze(a), PiiEngine().analyze(b)
    ha = deidentify(a, ea, "hash", keyring=ring_a, hash_algorithm=alg).text  # type: ignore[arg-type]
    hb = deidentify(b, eb, "hash", keyring=ring_a, hash_algorithm=alg).text  # type: ignore[arg-type]
    other = deidentify(a, ea, "hash", keyring=ring_b, hash_algorithm=alg).text  # type: ignore[arg-type]
    assert ha == hb  # separators do not change the hash
    assert ha != other  # another key, another hash: no dictionary of all numbers works
    assert ha.startswith("手机<手机号:") and "13812345678" not in ha
    # An unkeyed SHA-256 of the number is not what we output.
    import hashlib

    assert hashlib.sha256(b"13812345678").hexdigest()[:16] not in ha
    assert len(keyed_hash("x", ring_a.key(), alg)) == 64  # type: ignore[arg-type]


@pytest.mark.parametrize("cipher", ["aes-256-gcm", "sm4-gcm"])
def test_encrypt_round_trip(entities, cipher: str) -> None:  # type: ignore[no-untyped-def]
    if cipher == "sm4-gcm" and not sm4_available():
        pytest.skip("OpenSSL without SM4")
    ring = KeyRing.generate()
    out = deidentify(TEXT, entities, "encrypt", keyring=ring, cipher_algorithm=cipher)  # type: ignore[arg-type]
    assert "13812345678" not in out.text and f"[enc:v1:{cipher}:" in out.text
    assert reidentify(out.text, keyring=ring) == TEXT
    # The tokens are beian.crypto's: FieldCipher opens one directly.
    token = next(iter(out.mapping))[1:-1]
    assert FieldCipher(ring).decrypt(token) in {e.text for e in entities}
    # Another key cannot open them.
    from beian.errors import InputError

    with pytest.raises(InputError):
        reidentify(out.text, keyring=KeyRing.generate())


def test_pseudonyms_are_consistent_within_a_key() -> None:
    ring = KeyRing.generate()
    text = "手机13812345678，再说一遍138-1234-5678，另一个13900000000。"
    out = deidentify(text, PiiEngine().analyze(text), "pseudonym", keyring=ring)
    tokens = [t for t in out.mapping]
    assert len(tokens) == 2  # the same number twice gives one token
    first = out.text.split("，")[0].removeprefix("手机")
    assert out.text.count(first) == 2
    assert first.startswith("<手机号_") and first.endswith(">")
    again = deidentify(text, PiiEngine().analyze(text), "pseudonym", keyring=ring)
    assert again.text == out.text
    other = deidentify(text, PiiEngine().analyze(text), "pseudonym", keyring=KeyRing.generate())
    assert other.text != out.text
    assert (
        reidentify(out.text, mapping=out.mapping)
        == "手机13812345678，再说一遍13812345678，另一个13900000000。"
    )


def test_protect_is_one_call_for_the_gateway() -> None:
    prompt = "我叫王小明，电话13912345678，帮我写一封信"
    assert protect(prompt).text == "我叫王**，电话139****5678，帮我写一封信"
    ring = KeyRing.generate()
    masked = protect(prompt, "pseudonym", keyring=ring)
    assert "13912345678" not in masked.text
    answer = f"好的，{next(iter(masked.mapping))}，信已写好。"
    assert reidentify(answer, mapping=masked.mapping).startswith("好的，")
    assert "13912345678" in reidentify(masked.text, mapping=masked.mapping)
