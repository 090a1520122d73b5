"""Content-addressed storage of uploaded materials, outside the web root.

Files are stored once under ``<root>/ab/cdef…`` by SHA-256, with a size limit and type sniffing
from the content (never trusting the file name alone).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from beian.errors import InputError
from beian.io import atomic_path

__all__ = ["BlobStore", "VerifiedDigest", "private_dir", "private_file", "sniff"]

_SHA = re.compile(r"^[0-9a-f]{64}$")
_ZIP_KINDS = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
              ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
              ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
              ".zip": "application/zip"}
_TEXT_KINDS = {".json": "application/json", ".jsonl": "application/x-ndjson",
               ".csv": "text/csv", ".md": "text/markdown", ".txt": "text/plain",
               ".html": "text/html", ".htm": "text/html", ".yaml": "application/yaml",
               ".yml": "application/yaml"}


def private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only (0700)."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Make ``path`` exist with mode 0600 before a library (SQLite, pg_dump) writes it: they
    keep the mode of an existing file, and SQLite gives its -wal and -shm files the same."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)
    return path


def sniff(name: str, data: bytes) -> str:
    """The media type of ``data`` judged from its bytes; unknown or disguised types are refused."""
    suffix = Path(name).suffix.lower()
    if data.startswith(b"%PDF-"):
        kind = "application/pdf"
    elif data.startswith(b"\x89PNG\r\n\x1a\n"):
        kind = "image/png"
    elif data.startswith(b"\xff\xd8\xff"):
        kind = "image/jpeg"
    elif data.startswith(b"PK\x03\x04"):
        kind = _ZIP_KINDS.get(suffix, "application/zip")
    elif suffix in _TEXT_KINDS and b"\x00" not in data[:8192]:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError("文本材料不是 UTF-8 编码", where=name,
                             fix="请另存为 UTF-8 后重新上传") from None
        kind = _TEXT_KINDS[suffix]
    else:
        raise InputError("不接受的文件类型", where=name,
                         fix="材料应为 PDF、DOCX、XLSX、PNG、JPEG 或 UTF-8 文本（JSON/CSV/MD/TXT/HTML）")
    expected = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
                ".jpeg": "image/jpeg", **_ZIP_KINDS, **_TEXT_KINDS}.get(suffix)
    if expected is None and suffix != ".zip":
        raise InputError(f"不接受的文件扩展名 {suffix or '（无）'}", where=name,
                         fix="材料应为 .pdf .docx .xlsx .png .jpg 或 UTF-8 文本（.json .csv .md .txt .html）")
    if expected is not None and expected != kind and not (suffix == ".zip"):
        raise InputError(f"文件扩展名 {suffix} 与内容（{kind}）不符", where=name,
                         fix="请上传与扩展名一致的原始文件")
    return kind


class VerifiedDigest(str):
    """A SHA-256 the package intake computed from a file's bytes and checked against the
    package's manifest (:func:`beian.registry.read_package`). :meth:`BlobStore.put` stores
    under such a digest without hashing again; a plain string is refused there, so no caller
    can file bytes under a digest nobody computed from them."""

    __slots__ = ()


@dataclass
class BlobStore:
    root: Path
    max_bytes: int

    def path_of(self, sha256: str) -> Path:
        if not _SHA.match(sha256):
            raise InputError("无效的 SHA-256", where=sha256, fix="应为 64 位小写十六进制")
        return self.root / sha256[:2] / sha256[2:]

    def put(self, name: str, data: bytes, *, sha256: str | None = None) -> tuple[str, str]:
        """Store ``data``; returns (sha256, media type). ``sha256``: only a
        :class:`VerifiedDigest` (the package intake's, computed from ``data``), so that a large
        file is not hashed twice; any other string is a :class:`TypeError`."""
        if sha256 is not None and not isinstance(sha256, VerifiedDigest):
            raise TypeError("BlobStore.put(sha256=) takes only a VerifiedDigest from the package intake")
        if len(data) > self.max_bytes:
            raise InputError(f"文件过大（{len(data)} 字节，上限 {self.max_bytes}）", where=name,
                             fix="请压缩或拆分材料")
        kind = sniff(name, data)
        digest = sha256 or hashlib.sha256(data).hexdigest()
        target = self.path_of(digest)
        if not target.exists():
            private_dir(target.parent)
            with atomic_path(target, mode=0o600) as tmp:
                tmp.write_bytes(data)
        return digest, kind

    def get(self, sha256: str) -> bytes:
        p = self.path_of(sha256)
        try:
            data = p.read_bytes()
        except FileNotFoundError:
            raise InputError("材料文件缺失", where=sha256, fix="请从备份恢复材料目录") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise InputError("材料文件内容与哈希不符（被改动）", where=str(p), fix="请从备份恢复")
        return data
