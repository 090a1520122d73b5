"""The package contract: what `beian build` writes is what the registry reads, through one model."""

from __future__ import annotations

import pytest

from beian._shared.numbers import check_uscc
from beian._shared.package import (
    PackageFile,
    PackageManifest,
    PackageProvider,
    PackageService,
    dump_findings,
    parse_findings,
    parse_json,
)
from beian.errors import InputError
from beian.findings import Finding, Location, Severity

MANIFEST = PackageManifest(
    tool="beian 0.1.0",
    edition="tc260-003-2024",
    provider=PackageProvider(name="示例科技有限公司", uscc="91110108MA01AAAA0M", province="北京"),
    service=PackageService(name="示例对话", model_name="ShiLiChat", kind="filing"),
    files=[PackageFile(path="上线备案表.docx", sha256="0" * 64, size=3, kind="filing_form")],
)


def test_the_fixture_uscc_is_valid() -> None:
    """The example provider's 统一社会信用代码 passes the check the registry applies."""
    assert check_uscc(MANIFEST.provider.uscc) == ("91110108MA01AAAA0M", None)


def test_manifest_round_trips() -> None:
    text = MANIFEST.to_json()
    assert "示例科技有限公司" in text  # readable Chinese
    assert parse_json(text, PackageManifest, "manifest.json") == MANIFEST


def test_findings_round_trip() -> None:
    f = Finding(code="BA-DOS-012", severity=Severity.WARNING, clause="7 b)", message="缺投诉渠道",
                location=Location(file="dossier.yaml", line=3))
    assert parse_findings(dump_findings([f])) == [f]


@pytest.mark.parametrize(("data", "where"), [
    (b"\xff\xfe", "manifest.json"),
    (b'{"tool": ', "manifest.json:1"),
    (b'{"tool": "x"}', "manifest.json:edition"),
    (b'{"tool": "x", "edition": "e", "provider": {"name": "", "uscc": "u", "province": "p"}}',
     "manifest.json:provider.name"),
])
def test_bad_manifests_name_file_and_field(data: bytes, where: str) -> None:
    with pytest.raises(InputError) as exc:
        parse_json(data, PackageManifest, "manifest.json")
    assert exc.value.where == where
