"""Intake of `beian build` packages: hashes verified, nothing unlisted, types sniffed."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from beian.errors import InputError
from beian.registry import read_package, zip_directory
from beian.registry._storage import BlobStore, VerifiedDigest, sniff
from tests.registry.conftest import write_package, zip_dir

MAX = 10 * 1024 * 1024


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_reads_a_good_package(tmp_path: Path) -> None:
    pkg = read_package(zip_directory(write_package(tmp_path / "p")), max_bytes=MAX)
    assert pkg.manifest.service.model_name == "deepseek-chat"
    assert pkg.files["manifest.json"][1] == "manifest" and len(pkg.files) == 9
    assert pkg.findings[0].code == "BA-DOS-012" and pkg.findings[0].severity.value == "警告"
    assert pkg.assessment is not None and pkg.assessment.results[0].n == 1000


def _mutate(tmp_path: Path, how: str) -> bytes:
    d = write_package(tmp_path / "p")
    if how == "tampered":
        (d / "模型服务协议.docx").write_bytes(b"PK\x03\x04changed")
    elif how == "extra":
        (d / "extra.txt").write_text("x")
    elif how == "missing":
        (d / "语料标注规则.docx").unlink()
    elif how == "format":
        m = json.loads((d / "manifest.json").read_text("utf-8"))
        m["format"] = "beian-package/9"
        (d / "manifest.json").write_text(json.dumps(m), "utf-8")
    elif how == "field":
        m = json.loads((d / "manifest.json").read_text("utf-8"))
        del m["provider"]["uscc"]
        (d / "manifest.json").write_text(json.dumps(m), "utf-8")
    elif how == "finding-severity":
        f = json.loads((d / "findings.json").read_text("utf-8"))
        f[0]["severity"] = "严重"
        (d / "findings.json").write_text(json.dumps(f), "utf-8")
    elif how == "findings-not-list":
        (d / "findings.json").write_text("{}", "utf-8")
    elif how == "verdict":
        a = json.loads((d / "assessment.json").read_text("utf-8"))
        a["results"][0]["verdict"] = "pass"
        (d / "assessment.json").write_text(json.dumps(a), "utf-8")
    elif how == "assessment-json":
        (d / "assessment.json").write_text('{"results": [', "utf-8")
    elif how == "no-manifest":
        (d / "manifest.json").unlink()
        return zip_dir(d)
    return zip_dir(d)


@pytest.mark.parametrize(("how", "needle", "where"), [
    ("tampered", "SHA-256", "模型服务协议.docx"),
    ("extra", "未列出", "extra.txt"),
    ("missing", "缺失", "语料标注规则.docx"),
    ("format", "格式", "manifest.json:format"),
    ("field", "字段", "manifest.json:provider.uscc"),
    ("no-manifest", "manifest.json", "package"),
    ("finding-severity", "字段", "findings.json:0.severity"),
    ("findings-not-list", "字段", "findings.json"),
    ("verdict", "格式", "assessment.json: results.0.verdict"),
    ("assessment-json", "JSON", "assessment.json:1"),
])
def test_refuses_bad_packages(tmp_path: Path, how: str, needle: str, where: str) -> None:
    with pytest.raises(InputError) as exc:
        read_package(_mutate(tmp_path, how), max_bytes=MAX)
    assert needle in exc.value.what and exc.value.where == where


def test_refuses_traversal_and_non_zip_and_bombs() -> None:
    with pytest.raises(InputError, match="不安全"):
        read_package(_zip({"../evil": b"x", "manifest.json": b"{}"}), max_bytes=MAX)
    with pytest.raises(InputError, match="ZIP"):
        read_package(b"not a zip", max_bytes=MAX)
    with pytest.raises(InputError, match="上限"):
        read_package(_zip({"manifest.json": b"{}", "big.txt": b"0" * 5000}), max_bytes=1000)


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("a.pdf", b"%PDF-1.7 ...", "application/pdf"),
    ("a.png", b"\x89PNG\r\n\x1a\n....", "image/png"),
    ("a.xlsx", b"PK\x03\x04....", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("说明.md", "# 补充".encode(), "text/markdown"),
])
def test_sniff_accepts(name: str, data: bytes, kind: str) -> None:
    assert sniff(name, data) == kind


@pytest.mark.parametrize(("name", "data", "needle"), [
    ("a.pdf", b"MZ\x90\x00 windows exe", "不接受"),
    ("a.exe", b"MZ\x90\x00", "不接受"),
    ("a.docx", b"%PDF-1.4", "不符"),
    ("a.txt", "中文".encode("gbk"), "UTF-8"),
])
def test_sniff_refuses(name: str, data: bytes, needle: str) -> None:
    with pytest.raises(InputError, match=needle):
        sniff(name, data)


def test_blob_store_content_addressed_with_limits(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs", max_bytes=100)
    sha, _ = store.put("a.txt", b"hello")
    assert store.path_of(sha).read_bytes() == b"hello" and store.get(sha) == b"hello"
    assert store.put("b.txt", b"hello")[0] == sha  # stored once
    with pytest.raises(InputError, match="过大"):
        store.put("c.txt", b"x" * 101)
    store.path_of(sha).write_bytes(b"evil!")
    with pytest.raises(InputError, match="不符"):
        store.get(sha)


def test_blob_store_takes_only_a_verified_digest(tmp_path: Path) -> None:
    """Only the package intake's VerifiedDigest skips hashing: a plain string, which nobody
    need have computed from the data, is refused, so no bytes are filed under a wrong digest."""
    store = BlobStore(tmp_path / "blobs", max_bytes=100)
    with pytest.raises(TypeError, match="VerifiedDigest"):
        store.put("a.txt", b"hello", sha256="0" * 64)
    assert not any((tmp_path / "blobs").rglob("*"))
    pkg = read_package(zip_dir(write_package(tmp_path / "p")), max_bytes=MAX)
    assert pkg.digests and all(isinstance(d, VerifiedDigest) for d in pkg.digests.values())
