"""The bound implicit label of a plain record id is built from a template of its canonical
fields: the same fields, header and signature as building and validating the payload."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from beian.gateway._config import LabelsConfig
from beian.gateway._labels import Labeller
from beian.label import LabelPayload, label_text, verify_text_label

from .conftest import PRODUCER

TEXTS = ["", "你好", "光合作用是植物利用光能……\n【本内容由人工智能生成】", '引号"与\\反斜杠']
IDS = ["a" * 32, "0123456789abcdef0123456789abcdef", "x", "id_with-marks.and:colon"]


def _slow(lab: Labeller, rid: str, text: str) -> LabelPayload:
    """What the label was before the template: built and validated as a payload."""
    base = LabelPayload(Label="1", ContentProducer=PRODUCER).with_(ProduceID=rid)
    return label_text(text, base, key=lab._key)


@pytest.fixture(params=["unsigned", "signed"])
def labeller(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Labeller, Ed25519PrivateKey]:
    key = Ed25519PrivateKey.generate()
    cfg: dict[str, str] = {"content_producer": PRODUCER}
    if request.param == "signed":
        pem = tmp_path / "label.pem"
        pem.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
        cfg["signing_key"] = str(pem)
    return Labeller(LabelsConfig(**cfg)), key  # type: ignore[arg-type]


@pytest.mark.parametrize("rid", IDS)
@pytest.mark.parametrize("text", TEXTS)
def test_bound_label_of_a_plain_id_is_the_payloads(
    labeller: tuple[Labeller, Ed25519PrivateKey], rid: str, text: str
) -> None:
    lab, key = labeller
    slow = _slow(lab, rid, text)
    assert lab.payload(rid, text) == {"AIGC": slow.fields_dict()}
    got = lab.bound(rid, text)
    assert got is not None
    header, body = got
    assert (header, body) == (slow.to_json(), {"AIGC": slow.fields_dict()})
    pub = key.public_key() if lab._key is not None else None
    assert verify_text_label(text, header, pub).ok


def test_an_id_that_is_not_plain_takes_the_payload_path() -> None:
    lab = Labeller(LabelsConfig(content_producer=PRODUCER))
    rid = "带中文的编号"  # outside GB 45438's characters: the payload refuses it, as before
    with pytest.raises(Exception, match="ProduceID"):
        lab.payload(rid, "你好")
