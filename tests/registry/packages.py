"""Hypothesis strategies for filing packages: well-formed ones the registry must accept, and
broken ones (damaged zips, malformed metadata, unsafe or unlisted paths, foreign provinces or
companies) it must refuse with a 4xx, never a 5xx.

A well-formed package is what ``beian build`` writes for the applicant of
:func:`tests.registry.conftest.populate` (its USCC, a province spelling of 北京): six documents,
``manifest.json``, ``findings.json`` with non-blocking findings and ``assessment.json`` judged by
the edition, with names, kinds, contents and compression drawn at random.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, replace
from typing import Any

from hypothesis import strategies as st

from beian.assess import AssessmentLog, evaluate_item
from beian.errors import InputError
from beian.registry.domain import registration_number
from beian.standards import load_edition

__all__ = ["Built", "broken_packages", "packages", "valid_packages"]

USCC = "91110108MA01AAAA0M"  # the applicant's organisation in conftest.populate
PROVINCE_SPELLINGS = ("北京", "北京市", " 北京市 ")
DOCUMENTS = {  # path -> (kind, leading bytes)
    "上线备案表.pdf": ("filing_form", b"%PDF-1.4\n"),
    "安全自评估报告.pdf": ("assessment_report", b"%PDF-1.4\n"),
    "模型服务协议.docx": ("service_agreement", b"PK\x03\x04"),
    "语料标注规则.docx": ("annotation_rules", b"PK\x03\x04"),
    "拦截关键词列表.xlsx": ("keyword_list", b"PK\x03\x04"),
    "评估测试题集.xlsx": ("test_banks", b"PK\x03\x04"),
}
_NAME_CHARS = "深度求索对话智能客服助手大模型云雀通义千问文心一言" \
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_.·（）"


def _fits(name: str) -> bool:
    """The name has a letter, digit or Han character, and the number made of it (the longer,
    registration form) fits the registry's 120-character column."""
    try:
        return len(registration_number("北京", name, dt.date(2025, 1, 1), 1)) <= 120
    except InputError:
        return False


_names = st.text(_NAME_CHARS, min_size=1, max_size=30).filter(_fits)
_findings = st.lists(st.fixed_dictionaries({
    "code": st.sampled_from(["BA-DOS-012", "BA-LBL-003", "BA-PII-001"]),
    "severity": st.sampled_from(["警告", "提示"]),
    "clause": st.sampled_from(["7 b)", "5.1", "附录A"]),
    "message": st.text(_NAME_CHARS, min_size=1, max_size=60),
    "fix": st.none() | st.text(_NAME_CHARS, max_size=40),
    "location": st.none(),
}), max_size=3)
_results = st.lists(st.tuples(
    st.sampled_from(["9.4-must_refuse", "9.4-must_answer", "9.3-keyword", "9.2-manual"]),
    st.integers(0, 1000), st.integers(1, 1000)).map(lambda t: (t[0], min(t[1], t[2]), t[2])),
    max_size=3, unique_by=lambda t: t[0])


@dataclass(frozen=True)
class Built:
    """A package before it is zipped: every entry by path, and how to zip them."""

    files: dict[str, bytes]
    compression: int = zipfile.ZIP_DEFLATED

    def zip(self) -> bytes:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", self.compression) as zf:
            for name, data in self.files.items():
                zf.writestr(name, data)
        return buf.getvalue()

    def with_file(self, name: str, data: bytes) -> Built:
        return replace(self, files={**self.files, name: data})

    def without(self, name: str) -> Built:
        return replace(self, files={k: v for k, v in self.files.items() if k != name})

    def manifest(self) -> dict[str, Any]:
        got: dict[str, Any] = json.loads(self.files["manifest.json"])
        return got


def _assessment(results: list[tuple[str, int, int]]) -> bytes:
    ed = load_edition()
    log = AssessmentLog.for_edition(ed)
    for item, k, n in results:
        log.upsert(evaluate_item(ed, item, k=k, n=n))
    return log.model_dump_json().encode()


@st.composite
def _built(draw: st.DrawFn) -> Built:
    docs = {path: lead + draw(st.binary(max_size=300)) for path, (_, lead) in DOCUMENTS.items()}
    kind = draw(st.sampled_from(["filing", "registration"]))
    manifest = {
        "format": "beian-package/1", "tool": "beian 0.1.0", "edition": "tc260-003-2024",
        "provider": {"name": draw(_names), "uscc": USCC,
                     "province": draw(st.sampled_from(PROVINCE_SPELLINGS))},
        "service": {"name": draw(_names), "model_name": draw(_names), "kind": kind},
        "files": [{"path": p, "sha256": hashlib.sha256(d).hexdigest(), "size": len(d),
                   "kind": DOCUMENTS[p][0]} for p, d in docs.items()],
    }
    files = {**docs, "manifest.json": json.dumps(manifest, ensure_ascii=False).encode(),
             "findings.json": json.dumps(draw(_findings), ensure_ascii=False).encode(),
             "assessment.json": _assessment(draw(_results))}
    order = draw(st.permutations(sorted(files)))
    return Built({k: files[k] for k in order},
                 draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])))


def valid_packages() -> st.SearchStrategy[bytes]:
    """Zipped packages the applicant's organisation may file: intake answers 201."""
    return _built().map(Built.zip)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner,
                                                                  max_size=4),
    max_leaves=12)
_foreign_manifest = st.sampled_from([
    ("provider", "province", "上海"), ("provider", "province", "火星"),
    ("provider", "uscc", "91310000MA01BBBB0Y"), ("service", "model_name", "ΑΒΓ"),
    ("service", "kind", "other"), ("service", "name", "名" * 300),
])


def _edit_manifest(b: Built, section: str, key: str, value: str) -> Built:
    m = b.manifest()
    m[section][key] = value
    if section == "service" and key == "model_name":
        m["service"]["kind"] = "filing"
    return b.with_file("manifest.json", json.dumps(m, ensure_ascii=False).encode())


@st.composite
def _broken(draw: st.DrawFn) -> bytes:
    b = draw(_built())
    how = draw(st.sampled_from(["flip", "truncate", "meta", "unsafe", "unlisted", "drop",
                                "manifest", "foreign", "not_zip"]))
    if how == "not_zip":
        return draw(st.binary(max_size=500))
    if how in ("flip", "truncate"):
        blob = bytearray(b.zip())
        at = draw(st.integers(0, len(blob) - 1))
        if how == "truncate":
            return bytes(blob[:at])
        blob[at] ^= draw(st.integers(1, 255))
        return bytes(blob)
    if how in ("meta", "manifest"):
        name = "manifest.json" if how == "manifest" else draw(
            st.sampled_from(["findings.json", "assessment.json"]))
        raw = draw(_json.map(lambda v: json.dumps(v).encode()) | st.binary(max_size=200))
        return b.with_file(name, raw).zip()
    if how == "unsafe":
        name = draw(st.sampled_from(["../evil.exe", "/etc/passwd", "a\\b.txt", "x/../../y"]))
        return b.with_file(name, b"MZ").zip()
    if how == "unlisted":
        return b.with_file(draw(st.text(_NAME_CHARS, min_size=1, max_size=20)) + ".bin", b"x").zip()
    if how == "drop":
        return b.without(draw(st.sampled_from(sorted(b.files)))).zip()
    return _edit_manifest(b, *draw(_foreign_manifest)).zip()


def broken_packages() -> st.SearchStrategy[bytes]:
    """Packages that are damaged, malformed or not the applicant's to file."""
    return _broken()


def packages() -> st.SearchStrategy[tuple[bool, bytes]]:
    """``(valid, zip)``: valid packages and broken ones."""
    return st.tuples(st.just(True), valid_packages()) | st.tuples(st.just(False),
                                                                    broken_packages())
