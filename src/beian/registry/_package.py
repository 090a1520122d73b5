"""Reading an uploaded filing package (the directory ``beian build`` writes, zipped).

The package follows the contract of :mod:`beian._shared.package`: ``manifest.json``
(:class:`PackageManifest`), ``findings.json`` (a list of findings) and ``assessment.json``
(the :class:`~beian.assess.AssessmentLog`), each validated with the model ``beian build``
wrote it with. Every listed file must be present with the listed hash and size, and nothing
unlisted may ride along. A malformed file is an :class:`InputError` (HTTP 400) naming the file
and the field.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from beian._shared.package import (
    ASSESSMENT,
    FINDINGS,
    MANIFEST,
    PACKAGE_FORMAT,
    PackageManifest,
    parse_findings,
    parse_json,
)
from beian.errors import InputError
from beian.findings import Finding

if TYPE_CHECKING:
    from beian.assess import AssessmentLog

__all__ = ["PACKAGE_FORMAT", "Manifest", "Package", "PackageManifest", "read_package",
           "zip_directory"]

Manifest = PackageManifest  # the name this module used before the contract was shared
_META = (MANIFEST, FINDINGS, ASSESSMENT)


@dataclass
class Package:
    manifest: PackageManifest
    files: dict[str, tuple[bytes, str]]  # path -> (data, kind), including the meta files
    findings: list[Finding] = field(default_factory=list)
    assessment: AssessmentLog | None = None


def _safe(name: str) -> str:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or "\\" in name or not name:
        raise InputError("材料包内有不安全的路径", where=name, fix="路径应为包内相对路径")
    return str(p)


def read_package(blob: bytes, *, max_bytes: int) -> Package:
    """Open and verify a zipped package."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(blob))
    except zipfile.BadZipFile:
        raise InputError("上传的材料包不是 ZIP 文件", where="package",
                         fix="请用 `beian registry submit 目录` 上传，或把目录打成 zip") from None
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if sum(i.file_size for i in infos) > max_bytes:
        raise InputError("材料包解压后超过大小上限", where="package", fix=f"上限 {max_bytes} 字节")
    raw = {_safe(i.filename): zf.read(i) for i in infos}
    if MANIFEST not in raw:
        raise InputError("材料包缺少 manifest.json", where="package", fix="请用 `beian build` 生成材料包")
    manifest = parse_json(raw[MANIFEST], PackageManifest, MANIFEST)
    if manifest.format != PACKAGE_FORMAT:
        raise InputError(f"不支持的材料包格式 {manifest.format!r}", where="manifest.json:format",
                         fix=f"应为 {PACKAGE_FORMAT}")
    files: dict[str, tuple[bytes, str]] = {}
    for f in manifest.files:
        path = _safe(f.path)
        data = raw.get(path)
        if data is None:
            raise InputError("清单列出的文件缺失", where=path, fix="请重新生成材料包")
        if len(data) != f.size or hashlib.sha256(data).hexdigest() != f.sha256:
            raise InputError("文件的 SHA-256 或大小与清单不符", where=path,
                             fix="文件在生成后被改动；请重新运行 `beian build`")
        files[path] = (data, f.kind)
    extra = sorted(set(raw) - set(files) - set(_META))
    if extra:
        raise InputError("材料包内有清单未列出的文件", where=extra[0], fix="请删除或重新生成材料包")
    findings = parse_findings(raw[FINDINGS]) if FINDINGS in raw else []
    assessment = None
    if ASSESSMENT in raw:
        from beian.assess import AssessmentLog

        assessment = AssessmentLog.parse(raw[ASSESSMENT], where=ASSESSMENT)
    for meta, kind in zip(_META, ("manifest", "findings", "assessment"), strict=True):
        if meta in raw:
            files[meta] = (raw[meta], kind)
    return Package(manifest, files, findings, assessment)


def zip_directory(directory: Path) -> bytes:
    """Zip a package directory (what ``beian registry submit`` uploads)."""
    if not (directory / MANIFEST).is_file():
        raise InputError("目录中没有 manifest.json", where=str(directory),
                         fix="请指向 `beian build` 生成的材料包目录")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(directory.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(directory).as_posix())
    return buf.getvalue()
