"""Reading an uploaded filing package (the directory ``beian build`` writes, zipped).

The package holds ``manifest.json`` (format ``beian-package/1``: tool, edition, provider,
service, files with SHA-256, size and kind), ``findings.json`` (list of findings) and
``assessment.json`` (the AssessmentLog). Every listed file must be present with the listed hash
and size, and nothing unlisted may ride along.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from beian.errors import InputError

__all__ = ["PACKAGE_FORMAT", "Manifest", "Package", "read_package", "zip_directory"]

PACKAGE_FORMAT = "beian-package/1"
_META = ("manifest.json", "findings.json", "assessment.json")


class _Provider(BaseModel):
    name: str = Field(min_length=1)
    uscc: str = Field(min_length=1)
    province: str = Field(min_length=1)


class _Service(BaseModel):
    name: str = Field(min_length=1)
    model_name: str = Field(min_length=1)
    kind: str = Field(pattern="^(filing|registration)$")


class _File(BaseModel):
    path: str
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    kind: str


class Manifest(BaseModel):
    model_config = ConfigDict(extra="allow")
    format: str
    tool: str
    edition: str
    provider: _Provider
    service: _Service
    files: list[_File]


@dataclass
class Package:
    manifest: Manifest
    files: dict[str, tuple[bytes, str]]  # path -> (data, kind), including the meta files
    findings: list[dict[str, Any]] = field(default_factory=list)
    assessment: dict[str, Any] = field(default_factory=dict)


def _safe(name: str) -> str:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or "\\" in name or not name:
        raise InputError("材料包内有不安全的路径", where=name, fix="路径应为包内相对路径")
    return str(p)


def _json(data: bytes, where: str) -> Any:
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"JSON 无法解析：{exc}", where=where, fix="请用 `beian build` 重新生成") from None


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
    if "manifest.json" not in raw:
        raise InputError("材料包缺少 manifest.json", where="package", fix="请用 `beian build` 生成材料包")
    try:
        manifest = Manifest.model_validate(_json(raw["manifest.json"], "manifest.json"))
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise InputError(f"manifest.json 字段错误：{err['msg']}", where=f"manifest.json:{loc}",
                         fix="请用 `beian build` 重新生成") from None
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
    findings = _json(raw["findings.json"], "findings.json") if "findings.json" in raw else []
    assessment = _json(raw["assessment.json"], "assessment.json") if "assessment.json" in raw else {}
    if not isinstance(findings, list):
        raise InputError("findings.json 应为列表", where="findings.json", fix="请重新生成")
    if not isinstance(assessment, dict):
        raise InputError("assessment.json 应为对象", where="assessment.json", fix="请重新生成")
    for meta, kind in zip(_META, ("manifest", "findings", "assessment"), strict=True):
        if meta in raw:
            files[meta] = (raw[meta], kind)
    return Package(manifest, files, findings, assessment)


def zip_directory(directory: Path) -> bytes:
    """Zip a package directory (what ``beian registry submit`` uploads)."""
    if not (directory / "manifest.json").is_file():
        raise InputError("目录中没有 manifest.json", where=str(directory),
                         fix="请指向 `beian build` 生成的材料包目录")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(directory.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(directory).as_posix())
    return buf.getvalue()
