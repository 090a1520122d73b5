"""The propagation chain (Labelling Measures Art. 6): producer's link, then the platform's."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

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

USCC = "91110108551385082Q"
PLATFORM = "platform-0001"  # any code in the Appendix E character set
PAYLOAD = LabelPayload(Label="1", ContentProducer="0011" + USCC + "00000", ProduceID="g-1")


@pytest.mark.parametrize("name", ["sample.png", "sample.wav", "sample.mp4", "sample.pdf"])
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
