"""``add_label(..., durable=True)`` / ``beian label add --fsync``: the same file, flushed to disk."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

import pytest

from beian.label import LabelPayload, add_label, verify_label

PAYLOAD = LabelPayload(Label="1", ContentProducer="0011" + "91110108551385082Q" + "00000")


@pytest.mark.parametrize("name", ["sample.jpg", "sample.png", "sample.wav", "sample.md"])
def test_durable_write_gives_the_same_file(
    name: str, make_sample: Callable[..., Path], tmp_path: Path
) -> None:
    plain = make_sample(name)
    durable = tmp_path / f"durable-{name}"
    shutil.copyfile(plain, durable)
    add_label(plain, PAYLOAD)
    result = add_label(durable, PAYLOAD, durable=True)
    assert result.changed
    assert durable.read_bytes() == plain.read_bytes()
    assert verify_label(durable).ok
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_cli_fsync_option(
    cli: Callable[..., CompletedProcess[str]], make_sample: Callable[..., Path]
) -> None:
    path = make_sample("sample.jpg")
    r = cli("label", "add", str(path), "-p", "91110108551385082Q", "--fsync")
    assert r.returncode == 0, r.stderr
    assert "已添加 1" in r.stdout
    assert verify_label(path).ok
