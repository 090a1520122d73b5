"""Payload validation, producer codes and the integrity code format (table-driven)."""

from __future__ import annotations

import json

import pytest

from beian.errors import InputError
from beian.label import (
    IntegrityCode,
    LabelCharsetError,
    LabelPayload,
    producer_code,
    producer_code_from_uscc,
)

USCC = "91110108551385082Q"
GOOD = {"Label": "1", "ContentProducer": "0011" + USCC + "00000", "ProduceID": "p-1"}


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"Label": "4"}, "Label"),
        ({"Label": 1}, "Label"),
        ({"ContentProducer": ""}, "ContentProducer"),
        ({"ProduceID": "含中文"}, "ProduceID"),
        ({"ProduceID": "a b"}, "ProduceID"),  # space is outside 0x21-0x7E
        ({"PropagateID": "tab\there"}, "PropagateID"),
        ({"ReservedCode2": "\x7f"}, "ReservedCode2"),
        ({"ProduceID": "back\\slash"}, "ProduceID"),  # 0x5C: Appendix E j) excludes it
    ],
)
def test_invalid_fields(fields: dict[str, object], where: str) -> None:
    with pytest.raises(InputError) as exc:
        LabelPayload(**{**GOOD, **fields})  # type: ignore[arg-type]
    assert exc.value.where is not None and where in exc.value.where


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "JSON"),
        ('["AIGC"]', "对象"),
        ('{"AIGC": {"Label": "1"}}', "ContentProducer"),
        ('{"AIGC": {"Label": "1", "ContentProducer": "x", "Extra": "y"}}', "未知字段"),
        ('{"AIGC": {"Label": "1", "ContentProducer": "x"}}', "ProduceID"),
        ('{"AIGC": {"Label": "1", "ContentProducer": "x", "ProduceID": ""}}', "ProduceID"),
    ],
)
def test_from_json_rejects(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        LabelPayload.from_json(text)


# Appendix E j): 0x21, 0x23-0x5B, 0x5D-0x7E and the escaped quote; nothing else, on read too.
@pytest.mark.parametrize(
    ("raw_value", "ok"),
    [
        ('\\"quoted\\"', True),  # the escaped quote is allowed
        ("!#[]^~", True),
        ("\\\\", False),  # an escaped backslash decodes to 0x5C
        ("\\u0041", False),  # only the \" escape is allowed
        ("\\/", False),
        ("a b", False),
        ("\\u4e2d", False),
        ("中", False),
    ],
)
def test_charset_on_read(raw_value: str, ok: bool) -> None:
    text = '{"AIGC":{"Label":"1","ContentProducer":"' + raw_value + '","ProduceID":"1"}}'
    if ok:
        assert (
            LabelPayload.from_json(text).ContentProducer
            == json.loads(text)["AIGC"]["ContentProducer"]
        )
    else:
        with pytest.raises(LabelCharsetError):
            LabelPayload.from_json(text)


def test_json_round_trip_is_printable_ascii_and_escapes() -> None:
    p = LabelPayload(**{**GOOD, "ProduceID": 'id"with"quote'}, ReservedCode2="~!")
    text = p.to_json()
    assert all(0x21 <= ord(c) <= 0x7E for c in text)
    assert '\\"' in text and "\\\\" not in text
    assert json.loads(text)["AIGC"]["ProduceID"] == 'id"with"quote'
    assert LabelPayload.from_json(text) == p
    assert list(json.loads(text)["AIGC"]) == [
        "Label",
        "ContentProducer",
        "ProduceID",
        "ReservedCode1",
        "ContentPropagator",
        "PropagateID",
        "ReservedCode2",
    ]


def test_producer_code() -> None:
    code = producer_code_from_uscc(USCC.lower())
    assert code == "0011" + USCC + "00000" and len(code) == 27
    assert producer_code_from_uscc(USCC, suffix="A0001").endswith("A0001")
    with pytest.raises(InputError, match="统一社会信用代码"):
        producer_code_from_uscc("91110108551385082A")  # wrong check digit
    with pytest.raises(InputError, match="后缀"):
        producer_code_from_uscc(USCC, suffix="12")


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        (USCC, "0011" + USCC + "00000"),
        (f"  {USCC.lower()} ", "0011" + USCC + "00000"),
        ("0011" + USCC + "A0001", "0011" + USCC + "A0001"),
        ("vendor-code-7", "vendor-code-7"),
        ("统一社会信用代码", None),  # the README's placeholder, typed literally
        ("91110108551385082A", None),  # wrong check digit
        ("0011" + "91110108551385082A" + "00000", None),
        ("ACME Ltd", None),
        ("", None),
    ],
)
def test_producer_code_forms(typed: str, expected: str | None) -> None:
    if expected is not None:
        assert producer_code(typed) == expected
        return
    with pytest.raises(InputError) as exc:
        producer_code(typed)
    assert exc.value.fix is not None and "18 位统一社会信用代码" in exc.value.fix
    assert "27 位" in exc.value.fix


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("vendor-code", None),
        ("", None),
        ("bi1.sha256.AAAA", "sha256"),
        ("bi1.sm3.AAAA.ed25519.0123456789abcdef.AAAA", "sm3"),
    ],
)
def test_integrity_code_parse(text: str, parsed: str | None) -> None:
    code = IntegrityCode.parse(text)
    assert (code.alg if code else None) == parsed
    if code is not None:
        assert code.render() == text


def test_integrity_code_malformed() -> None:
    with pytest.raises(InputError, match="完整性码"):
        IntegrityCode.parse("bi1.md5.AAAA")
