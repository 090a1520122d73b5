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
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

from beian._shared.package import (
    ASSESSMENT,
    FINDINGS,
    MANIFEST,
    META_FILES,
    PACKAGE_FORMAT,
    PackageManifest,
    parse_findings,
    parse_json,
)
from beian.errors import InputError
from beian.findings import Finding
from beian.registry._storage import VerifiedDigest
from beian.registry._zipcheck import check_central_directory

if TYPE_CHECKING:
    from beian.assess import AssessmentLog

__all__ = ["Package", "read_package", "zip_directory"]


@dataclass
class Package:
    manifest: PackageManifest
    files: dict[str, tuple[bytes, str]]  # path -> (data, kind), including the meta files
    findings: list[Finding] = field(default_factory=list)
    assessment: AssessmentLog | None = None
    # path -> SHA-256 of the listed files, computed from their data here (and equal to the
    # manifest's): the blob store need not hash them again (it takes only a VerifiedDigest)
    digests: dict[str, str] = field(default_factory=dict)


def _safe(name: str) -> str:
    p = PurePosixPath(name)
    if p.is_absolute() or ".." in p.parts or "\\" in name or not name:
        raise InputError("材料包内有不安全的路径", where=name, fix="路径应为包内相对路径")
    return str(p)


_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError,
               ValueError, NotImplementedError, RuntimeError)
_META_MAX = 8 * 1024 * 1024  # manifest, findings, assessment
_RATIO_FLOOR = 1024 * 1024  # small files may compress as well as they like


@dataclass(frozen=True)
class Limits:
    """Bounds checked while a package is read, before its contents are held in memory."""

    max_bytes: int
    max_entries: int = 200
    max_ratio: int = 100
    max_file_bytes: int | None = None  # one listed file (the blob store's limit)

    @property
    def file_cap(self) -> int:
        """The most bytes one listed file may hold."""
        return min(self.max_bytes, self.max_file_bytes or self.max_bytes)


def _refuse(what: str, where: str = "package", fix: str = "请用 `beian build` 重新生成材料包") -> InputError:
    return InputError(what, where=where, fix=fix)


def _entries(zf: zipfile.ZipFile, limits: Limits) -> dict[str, zipfile.ZipInfo]:
    """The entries by safe path, after the count, declared sizes and ratios are checked."""
    infos = [i for i in zf.infolist() if not i.is_dir()]
    if len(infos) > limits.max_entries:
        raise _refuse(f"材料包内文件过多（{len(infos)} 个）", fix=f"上限 {limits.max_entries} 个")
    if sum(i.file_size for i in infos) > limits.max_bytes:
        raise _refuse("材料包解压后超过大小上限", fix=f"上限 {limits.max_bytes} 字节")
    out: dict[str, zipfile.ZipInfo] = {}
    for i in infos:
        path = _safe(i.filename)
        if path in out:
            raise _refuse("材料包内有重名文件", where=path)
        if i.file_size > _RATIO_FLOOR and i.file_size > limits.max_ratio * max(i.compress_size, 1):
            raise _refuse("材料包内文件的压缩比异常（疑似压缩炸弹）", where=path,
                          fix=f"压缩比上限 {limits.max_ratio}")
        out[path] = i
    return out


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: str, cap: int) -> bytes:
    """One entry, never more than its declared size (and ``cap``); CRC errors are 400s."""
    if info.file_size > cap:
        raise _refuse("材料包内文件过大", where=path, fix=f"上限 {cap} 字节")
    try:
        with zf.open(info) as fh:
            data = fh.read(info.file_size + 1)
    except _ZIP_ERRORS as exc:
        raise _refuse(f"材料包内文件损坏：{exc}", where=path) from None
    if len(data) != info.file_size:
        raise _refuse("材料包内文件的实际大小与声明不符", where=path)
    return data


def _manifest(data: bytes) -> PackageManifest:
    manifest = parse_json(data, PackageManifest, MANIFEST)
    if manifest.format != PACKAGE_FORMAT:
        raise InputError(f"不支持的材料包格式 {manifest.format!r}", where=f"{MANIFEST}:format",
                         fix=f"应为 {PACKAGE_FORMAT}")
    return manifest


def read_package(blob: bytes | IO[bytes], *, max_bytes: int, max_entries: int = 200,
                 max_ratio: int = 100, max_file_bytes: int | None = None) -> Package:
    """Open and verify a zipped package; every bound is checked before the data is read.

    ``blob``: the zip's bytes, or a seekable file holding them (an upload spooled to disk is
    read from there, each entry once, not copied into memory whole first). The central
    directory's declared count and size are checked from the file's end before
    :mod:`zipfile` parses it (:mod:`beian.registry._zipcheck`). ``max_file_bytes``: the most
    one listed file may hold (the blob store's limit); a larger one is refused unread."""
    limits = Limits(max_bytes, max_entries, max_ratio, max_file_bytes)
    fh = io.BytesIO(blob) if isinstance(blob, bytes | bytearray) else blob
    try:
        check_central_directory(fh, max_entries)
        zf = zipfile.ZipFile(fh)
    except _ZIP_ERRORS:
        raise InputError("上传的材料包不是 ZIP 文件", where="package",
                         fix="请用 `beian registry submit 目录` 上传，或把目录打成 zip") from None
    with zf:
        entries = _entries(zf, limits)
        if MANIFEST not in entries:
            raise _refuse(f"材料包缺少 {MANIFEST}", fix="请用 `beian build` 生成材料包")
        raw_manifest = _read(zf, entries[MANIFEST], MANIFEST, _META_MAX)
        manifest = _manifest(raw_manifest)
        listed = {_safe(f.path): f for f in manifest.files}
        for path, f in listed.items():
            if path not in entries:
                raise _refuse("清单列出的文件缺失", where=path, fix="请重新生成材料包")
            if entries[path].file_size != f.size:
                raise _refuse("文件的 SHA-256 或大小与清单不符", where=path,
                              fix="文件在生成后被改动；请重新运行 `beian build`")
            if f.size > limits.file_cap:
                raise _refuse(f"材料包内文件过大（{f.size} 字节）", where=path,
                              fix=f"单个材料上限 {limits.file_cap} 字节；请压缩或拆分材料")
        extra = sorted(set(entries) - set(listed) - set(META_FILES))
        if extra:
            raise _refuse("材料包内有清单未列出的文件", where=extra[0], fix="请删除或重新生成材料包")
        files: dict[str, tuple[bytes, str]] = {}
        digests: dict[str, str] = {}
        for path, f in listed.items():
            data = _read(zf, entries[path], path, limits.file_cap)
            digest = VerifiedDigest(hashlib.sha256(data).hexdigest())  # C, no GIL on big buffers
            if digest != f.sha256:
                raise _refuse("文件的 SHA-256 或大小与清单不符", where=path,
                              fix="文件在生成后被改动；请重新运行 `beian build`")
            files[path], digests[path] = (data, f.kind), digest
        meta = {m: _read(zf, entries[m], m, _META_MAX) for m in (FINDINGS, ASSESSMENT) if m in entries}
    findings = parse_findings(meta[FINDINGS]) if FINDINGS in meta else []
    assessment = None
    if ASSESSMENT in meta:
        from beian.assess import AssessmentLog

        assessment = AssessmentLog.parse(meta[ASSESSMENT], where=ASSESSMENT)
    meta[MANIFEST] = raw_manifest
    for name, kind in META_FILES.items():
        if name in meta:
            files[name] = (meta[name], kind)
    return Package(manifest, files, findings, assessment, digests)


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
