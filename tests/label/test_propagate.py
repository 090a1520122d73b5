"""The propagation chain (Labelling Measures Art. 6): producer's link, then the platform's."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from beian.errors import InputError
from beian.label import (
    UNKNOWN_PRODUCER,
    LabelPayload,
    add_label,
    carrier_for,
    propagate_label,
    read_label,
    verify_label,
)
from tests.label.conftest import SAMPLES

USCC = "91110108551385082Q"
PLATFORM = "platform-0001"  # any code in the Appendix E character set
PAYLOAD = LabelPayload(Label="1", ContentProducer="0011" + USCC + "00000", ProduceID="g-1")


@pytest.mark.parametrize("name", sorted(SAMPLES))  # every carrier
def test_propagation_keeps_the_producer_link(name: str, make_sample: Callable[..., Path]) -> None:
    path = make_sample(name)
    produced = add_label(path, PAYLOAD).payload
    r = propagate_label(path, PLATFORM, propagate_id="post-42")
    assert r.changed
    got = read_label(path)
    assert got is not None
    # The producer's fields and integrity code are untouched.
    assert (got.Label, got.ContentProducer, got.ProduceID, got.ReservedCode1) == (
        produced.Label,
        produced.ContentProducer,
        produced.ProduceID,
        produced.ReservedCode1,
    )
    assert (got.ContentPropagator, got.PropagateID) == (PLATFORM, "post-42")
    assert got.ReservedCode2.startswith("bi1.sha256.")
    res = verify_label(path)
    assert res.ok and res.propagated and res.reasons == []
    assert not propagate_label(path, PLATFORM, propagate_id="post-42").changed


def _propagated_label(make_sample: Callable[..., Path]) -> tuple[Path, LabelPayload]:
    path = make_sample("sample.png")
    add_label(path, PAYLOAD)
    propagate_label(path, PLATFORM)
    label = read_label(path)
    assert label is not None
    return path, label


@pytest.mark.parametrize(
    ("change", "codes"),
    [
        ({"PropagateID": "post-43"}, ["BA-LBL-011"]),  # the propagator's field rewritten
        ({"ContentPropagator": "someone-else"}, ["BA-LBL-011"]),
        ({"ReservedCode2": ""}, ["BA-LBL-012"]),  # propagator fields without their code
        ({"ProduceID": "g-2"}, ["BA-LBL-005", "BA-LBL-011"]),  # producer field: both links
        ({"ReservedCode2": "vendor-code"}, ["BA-LBL-012"]),
    ],
)
def test_each_link_is_checked(
    change: dict[str, str], codes: list[str], make_sample: Callable[..., Path]
) -> None:
    path, label = _propagated_label(make_sample)
    forged = path.with_name("forged.png")
    carrier_for(path).write(path, forged, label.with_(**change).to_json())
    res = verify_label(forged)
    assert [r.code for r in res.reasons] == codes
    assert res.ok == all(c == "BA-LBL-012" for c in codes)  # 012 is a warning


def test_content_changed_after_propagation_breaks_both_links(
    make_sample: Callable[..., Path],
) -> None:
    _, label = _propagated_label(make_sample)
    other = make_sample("sample.png", seed=5, name="other.png")
    carrier_for(other).write(other, other, label.to_json())
    assert [r.code for r in verify_label(other).reasons] == ["BA-LBL-005", "BA-LBL-011"]


@pytest.mark.parametrize("mark", ["2", "3"])
def test_unlabelled_file_gets_a_propagator_side_label(
    mark: str, make_sample: Callable[..., Path]
) -> None:
    path = make_sample("sample.jpg")
    r = propagate_label(path, PLATFORM, label_if_missing=mark)  # type: ignore[arg-type]
    got = read_label(path)
    assert got is not None and got == r.payload
    assert got.Label == mark and got.ContentProducer == UNKNOWN_PRODUCER
    assert got.ProduceID and got.ContentPropagator == PLATFORM
    assert verify_label(path).ok


def test_refusals(make_sample: Callable[..., Path]) -> None:
    path = make_sample("sample.png")
    with pytest.raises(InputError, match="2 或 3"):
        propagate_label(path, PLATFORM, label_if_missing="1")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        propagate_label(path, "平台名称")  # Appendix E charset
    assert read_label(path) is None


def test_cli_propagate_then_verify(
    cli: Callable[..., CompletedProcess[str]], make_sample: Callable[..., Path]
) -> None:
    path = make_sample("sample.wav")
    assert cli("label", "add", str(path), "--producer", USCC).returncode == 0
    r = cli("label", "propagate", str(path), "--propagator", "91110108551385082A")
    assert r.returncode == 2 and "校验位" in r.stderr  # an 18-character value must be a USCC
    r = cli("label", "propagate", str(path), "--propagator", "platform-007")
    assert r.returncode == 0, r.stderr
    assert "已追加 1" in r.stdout
    out = json.loads(cli("label", "verify", str(path), "--format", "json").stdout)[0]
    assert out["ok"] and out["propagated"]
    assert out["label"]["AIGC"]["ContentPropagator"] == "platform-007"
    assert out["label"]["AIGC"]["ContentProducer"] == "0011" + USCC + "00000"


_PRODUCER_KEY, _PLATFORM_KEY, _STRANGER = (Ed25519PrivateKey.generate() for _ in range(3))


@pytest.mark.parametrize(
    ("change", "producer_pub", "platform_pub", "codes", "links"),
    [
        # (label field changes, producer key, propagator key, findings, (producer_ok, propagator_ok))
        ({}, _PRODUCER_KEY, _PLATFORM_KEY, [], (True, True)),
        ({}, _PRODUCER_KEY, _STRANGER, ["BA-LBL-013"], (True, False)),
        ({}, _STRANGER, _PLATFORM_KEY, ["BA-LBL-006"], (False, True)),
        (
            {"ContentPropagator": "someone-else"},
            _PRODUCER_KEY,
            _PLATFORM_KEY,
            ["BA-LBL-011"],
            (True, False),
        ),
        ({"PropagateID": "post-99"}, _PRODUCER_KEY, None, ["BA-LBL-011"], (True, False)),
        (
            {"ReservedCode2": ""},
            _PRODUCER_KEY,
            _PLATFORM_KEY,
            ["BA-LBL-012", "BA-LBL-014"],
            (True, False),
        ),
        (
            {"ContentProducer": "0011" + "X" * 23},
            _PRODUCER_KEY,
            _PLATFORM_KEY,
            ["BA-LBL-005", "BA-LBL-011"],
            (False, False),
        ),
    ],
)
def test_both_links_with_keys(
    change: dict[str, str],
    producer_pub: Ed25519PrivateKey,
    platform_pub: Ed25519PrivateKey | None,
    codes: list[str],
    links: tuple[bool, bool],
    make_sample: Callable[..., Path],
) -> None:
    """Producer signs ReservedCode1, the platform signs ReservedCode2; each is checked against
    its own key, and a forged propagator field fails only the second link."""
    path = make_sample("sample.jpg")
    add_label(path, PAYLOAD, key=_PRODUCER_KEY)
    propagate_label(path, PLATFORM, key=_PLATFORM_KEY)
    label = read_label(path)
    assert label is not None
    carrier_for(path).write(path, path, label.with_(**change).to_json())
    res = verify_label(
        path,
        producer_pub.public_key(),
        propagator_pubkey=platform_pub.public_key() if platform_pub else None,
    )
    assert [r.code for r in res.reasons] == codes, [r.message for r in res.reasons]
    assert (res.producer_ok, res.propagator_ok) == links
    assert res.signature_checked and res.propagator_signature_checked == (platform_pub is not None)


def test_propagator_key_on_an_unpropagated_label(make_sample: Callable[..., Path]) -> None:
    path = make_sample("sample.png")
    add_label(path, PAYLOAD)
    res = verify_label(path, propagator_pubkey=_PLATFORM_KEY.public_key())
    assert [r.code for r in res.reasons] == ["BA-LBL-014"] and res.producer_ok


def test_cli_verify_with_both_keys(
    cli: Callable[..., CompletedProcess[str]], make_sample: Callable[..., Path], tmp_path: Path
) -> None:
    path = make_sample("sample.png")
    for who in ("producer", "platform", "stranger"):
        assert cli("label", "keygen", "-o", str(tmp_path / f"{who}.pem")).returncode == 0
    assert (
        cli(
            "label", "add", str(path), "--producer", USCC, "--key", str(tmp_path / "producer.pem")
        ).returncode
        == 0
    )
    assert (
        cli(
            "label",
            "propagate",
            str(path),
            "--propagator",
            PLATFORM,
            "--key",
            str(tmp_path / "platform.pem"),
        ).returncode
        == 0
    )

    def verify(platform: str) -> tuple[int, dict[str, object]]:
        r = cli(
            "label",
            "verify",
            str(path),
            "--format",
            "json",
            "--pubkey",
            str(tmp_path / "producer.pem.pub"),
            "--propagator-pubkey",
            str(tmp_path / f"{platform}.pem.pub"),
        )
        return r.returncode, json.loads(r.stdout)[0]

    code, out = verify("platform")
    assert code == 0 and out["producer_ok"] and out["propagator_ok"]
    code, out = verify("stranger")
    assert code == 1 and out["producer_ok"] and out["propagator_ok"] is False
    assert [x["code"] for x in out["reasons"]] == ["BA-LBL-013"]  # type: ignore[union-attr,index]
