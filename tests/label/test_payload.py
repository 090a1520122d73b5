"""Payload validation, producer codes and the integrity code format (table-driven)."""

from __future__ import annotations

import json

import pytest

from beian.errors import InputError
from beian.label import IntegrityCode, LabelPayload, producer_code_from_uscc

USCC = "91110108551385082Q"
GOOD = {"Label": "1", "ContentProducer": "0011" + USCC + "00000"}


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
    ],
)
def test_from_json_rejects(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        LabelPayload.from_json(text)


def test_json_round_trip_is_printable_ascii_and_escapes() -> None:
    p = LabelPayload(**GOOD, ProduceID='id"with\\quote', ReservedCode2="~!")
    text = p.to_json()
    assert all(0x21 <= ord(c) <= 0x7E for c in text)
    assert '\\"' in text and "\\\\" in text
    assert json.loads(text)["AIGC"]["ProduceID"] == 'id"with\\quote'
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
