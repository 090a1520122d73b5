"""Labels for model answers (gateway use): a payload bound to a text, checked later."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from beian.label import LabelPayload, explicit_text_mark, label_text, verify_text_label

PAYLOAD = LabelPayload(Label="1", ContentProducer="0011" + "91110108551385082Q" + "00000")
ANSWER = explicit_text_mark("北京是中华人民共和国的首都。", "suffix")


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        (ANSWER, []),
        (ANSWER + " ", ["BA-LBL-005"]),
        (ANSWER.replace("北京", "上海"), ["BA-LBL-005"]),
    ],
)
def test_text_label_round_trip(text: str, codes: list[str]) -> None:
    key = Ed25519PrivateKey.generate()
    header = label_text(ANSWER, PAYLOAD, key=key).to_json()
    assert header.isascii() and "\n" not in header  # fits in an HTTP header
    res = verify_text_label(text, header, key.public_key())
    assert [r.code for r in res.reasons] == codes
    assert res.ok is (not codes) and res.signature_checked


def test_text_label_fields_are_bound() -> None:
    label = label_text(ANSWER, PAYLOAD)
    assert label.ProduceID and label.ReservedCode1.startswith("bi1.sha256.")
    forged = label.with_(ContentProducer="0011" + "91440300MA5F3Y1X21" + "00000")
    assert [r.code for r in verify_text_label(ANSWER, forged).reasons] == ["BA-LBL-005"]
    assert [r.code for r in verify_text_label(ANSWER, "{}").reasons] == ["BA-LBL-003"]
