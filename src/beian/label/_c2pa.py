"""Optional C2PA manifest export, for labelled content that leaves China (extra ``c2pa``).

The manifest states the same facts as the GB 45438 label: a ``c2pa.actions`` assertion with
``c2pa.created`` and IPTC ``digitalSourceType`` ``trainedAlgorithmicMedia``, and the label itself
as the custom assertion ``cn.tc260.aigc``. It is signed with the caller's X.509 certificate chain
and key (ES256/384/512 for EC keys, Ed25519, PS256 for RSA) by c2pa-python (the Content
Authenticity Initiative's library); no time-stamp authority is contacted (no network).

Order matters: label first, then export. The C2PA hard binding hashes the file bytes, so a later
``beian label add`` breaks the manifest; the label's own digest leaves out the C2PA store (JPEG
APP11, PNG ``caBX``, RIFF/ISO-BMFF boxes), so it stays valid after the export, which is checked
before the signed copy replaces the file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from beian.errors import ConfigError, InputError
from beian.io import atomic_path

__all__ = ["AIGC_ASSERTION", "FORMATS", "C2paStatus", "export_c2pa", "read_c2pa"]

AIGC_ASSERTION = "cn.tc260.aigc"
_TRAINED = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
#: Formats whose label digest leaves the C2PA store out (checked by the tests).
#: FLAC is left out: the SDK puts its store in an ID3v2 tag in front of ``fLaC``, which FLAC
#: readers (and this tool) do not accept.
FORMATS = {
    ".jpg",
    ".jpeg",
    ".png",
    ".webp",
    ".tif",
    ".tiff",
    ".gif",
    ".wav",
    ".mp3",
    ".mp4",
    ".mov",
    ".m4a",
    ".avi",
    ".pdf",
}


@dataclass(frozen=True)
class C2paStatus:
    """What a C2PA reader sees in a file."""

    state: str  # the SDK's validation state: "Valid", "Trusted" or "Invalid"
    digital_source_type: str | None
    aigc: dict[str, Any] | None  # the cn.tc260.aigc assertion (the GB 45438 label)


def _sdk() -> Any:
    try:
        import c2pa
    except ImportError:
        raise ConfigError(
            "C2PA 导出需要可选依赖 c2pa-python",
            where="beian.label.export_c2pa",
            fix="请安装：pip install 'beian[c2pa]'",
        ) from None
    return c2pa


def _pem(value: bytes | str | os.PathLike[str], what: str) -> bytes:
    if isinstance(value, bytes):
        return value
    try:
        return Path(value).read_bytes()
    except OSError:
        raise ConfigError(f"无法读取{what}", where=str(value), fix="请给出 PEM 文件路径") from None


def _alg(key_pem: bytes) -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise ConfigError("C2PA 私钥不是无口令的 PEM", where="private_key") from None
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.key_size in (256, 384, 521):
        return {256: "es256", 384: "es384", 521: "es512"}[key.curve.key_size]
    if isinstance(key, rsa.RSAPrivateKey):
        return "ps256"
    raise ConfigError(
        "C2PA 签名只支持 EC（P-256/384/521）、Ed25519 或 RSA 私钥", where="private_key"
    )


def _manifest(path: Path, label: dict[str, str]) -> str:
    from beian import __version__

    return json.dumps(
        {
            "claim_generator_info": [{"name": "beian", "version": __version__}],
            "title": path.name,
            "assertions": [
                {
                    "label": "c2pa.actions",
                    "data": {
                        "actions": [{"action": "c2pa.created", "digitalSourceType": _TRAINED}]
                    },
                },
                {"label": AIGC_ASSERTION, "data": {"AIGC": label}},
            ],
        }
    )


def read_c2pa(path: str | os.PathLike[str]) -> C2paStatus | None:
    """The active C2PA manifest's state and facts, ``None`` when the file has no manifest."""
    c2pa = _sdk()
    try:
        reader = c2pa.Reader(str(path))
    except c2pa.C2paError:
        return None
    with reader:
        store = json.loads(reader.json())
        state = str(reader.get_validation_state())
    manifest = store["manifests"][store["active_manifest"]]
    source, aigc = None, None
    for assertion in manifest.get("assertions", []):
        if assertion["label"].startswith("c2pa.actions"):
            actions = assertion["data"].get("actions", [])
            source = next(
                (a.get("digitalSourceType") for a in actions if "digitalSourceType" in a), None
            )
        elif assertion["label"] == AIGC_ASSERTION:
            aigc = assertion["data"].get("AIGC")
    return C2paStatus(state, source, aigc)


def export_c2pa(
    path: str | os.PathLike[str],
    *,
    cert_chain: bytes | str | os.PathLike[str],
    private_key: bytes | str | os.PathLike[str],
) -> C2paStatus:
    """Sign a C2PA manifest carrying the file's (verified) label into the file, atomically."""
    from beian.label._api import verify_label

    p = Path(path)
    if p.suffix.lower() not in FORMATS:
        raise InputError(
            f"不支持为 {p.suffix or '无扩展名'} 文件导出 C2PA 清单",
            where=str(p),
            fix=f"支持：{' '.join(sorted(FORMATS))}",
        )
    checked = verify_label(p)
    if not checked.ok or checked.payload is None:
        raise InputError(
            "文件没有通过核验的隐式标识，不能导出 C2PA 清单",
            where=str(p),
            fix="请先用 `beian label add` 添加标识（C2PA 导出须在加标识之后）",
        )
    if checked.payload.Label != "1":
        raise InputError(
            f"Label 为 {checked.payload.Label}（可能/疑似）时不能导出 C2PA 清单",
            where=str(p),
            fix="C2PA 的 digitalSourceType 没有“可能”“疑似”的取值；只有 Label 1 可导出",
        )
    c2pa = _sdk()
    key_pem = _pem(private_key, "私钥")
    info = c2pa.C2paSignerInfo(_alg(key_pem), _pem(cert_chain, "证书链"), key_pem, None)
    try:
        signer = c2pa.Signer.from_info(info)
        builder = c2pa.Builder(_manifest(p, checked.payload.fields_dict()))
        with atomic_path(p, suffix=p.suffix) as tmp:
            with open(p, "rb") as src, open(tmp, "w+b") as dst:
                builder.sign(signer, p.suffix.lower().lstrip("."), src, dst)
            if not verify_label(tmp).ok:
                raise InputError("写入 C2PA 清单后隐式标识无法核验", where=str(p))
    except c2pa.C2paError as exc:
        raise ConfigError(
            f"C2PA 签名失败：{exc}",
            where=str(p),
            fix="请检查证书链（叶证书在前，含 digitalSignature 用途）与私钥是否匹配",
        ) from None
    status = read_c2pa(p)
    assert status is not None
    return status
