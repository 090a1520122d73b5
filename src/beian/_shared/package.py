"""The filing package contract ``beian-package/1``: written by ``beian build``, read by the registry.

A package is a directory (zipped for upload) of documents plus three JSON files, each written
and read through one pydantic model:

* ``manifest.json`` — :class:`PackageManifest` (tool, edition, provider, service, every file
  with its SHA-256, size and kind);
* ``findings.json`` — a list of :class:`beian.findings.Finding` (:func:`dump_findings`);
* ``assessment.json`` — the :class:`beian.assess.AssessmentLog`.

:func:`parse_json` reads any of them: a malformed file is an :class:`InputError` naming the
file and the field, never a crash.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from beian.errors import InputError, validation_summary
from beian.findings import Finding

__all__ = [
    "ASSESSMENT",
    "FINDINGS",
    "MANIFEST",
    "META_FILES",
    "PACKAGE_FORMAT",
    "PackageFile",
    "PackageManifest",
    "PackageProvider",
    "PackageService",
    "dump_findings",
    "parse_findings",
    "parse_json",
]

PACKAGE_FORMAT = "beian-package/1"
MANIFEST = "manifest.json"
FINDINGS = "findings.json"
ASSESSMENT = "assessment.json"
# the files that describe a package (not listed in its manifest) -> their kind
META_FILES: dict[str, str] = {MANIFEST: "manifest", FINDINGS: "findings", ASSESSMENT: "assessment"}

T = TypeVar("T")
_FINDINGS: TypeAdapter[list[Finding]] = TypeAdapter(list[Finding])


# lengths match the registry's database columns (PostgreSQL refuses longer values)
class PackageProvider(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    uscc: str = Field(min_length=1, max_length=18)
    province: str = Field(min_length=1, max_length=40)


class PackageService(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    model_name: str = Field(min_length=1, max_length=200)
    kind: str = Field(pattern="^(filing|registration)$")


class PackageFile(BaseModel):
    path: str = Field(min_length=1, max_length=400)
    sha256: str = Field(pattern="^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    kind: str = Field(min_length=1, max_length=60)


class PackageManifest(BaseModel):
    """``manifest.json``. Unknown fields are kept (a newer tool may add some)."""

    model_config = ConfigDict(extra="allow")

    format: str = Field(PACKAGE_FORMAT, max_length=40)
    tool: str = Field(max_length=60)
    edition: str = Field(max_length=60)
    provider: PackageProvider
    service: PackageService
    files: list[PackageFile]
    draft: bool = False  # a blocking finding is unresolved: 草稿，不可提交

    def to_json(self) -> str:
        return self.model_dump_json(indent=2) + "\n"


def dump_findings(findings: Iterable[Finding]) -> str:
    """``findings.json``: the findings as a JSON list (Chinese kept readable)."""
    data = _FINDINGS.dump_python(list(findings), mode="json")
    return json.dumps(data, ensure_ascii=False, indent=2)


def parse_json(data: bytes | str, schema: type[T] | TypeAdapter[T], name: str) -> T:
    """Validate the JSON ``data`` of package file ``name`` against ``schema``.

    Errors are :class:`InputError` with ``where`` = ``name:line`` (bad JSON) or ``name:field``.
    """
    adapter: TypeAdapter[Any] = schema if isinstance(schema, TypeAdapter) else TypeAdapter(schema)
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        raw = json.loads(text)
    except UnicodeDecodeError:
        raise InputError(f"{name} 不是 UTF-8 文本", where=name,
                         fix="请用 `beian build` 重新生成") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{name} 不是有效的 JSON：{exc.msg}", where=f"{name}:{exc.lineno}",
                         fix="请用 `beian build` 重新生成") from None
    try:
        return adapter.validate_python(raw)  # type: ignore[no-any-return]
    except ValidationError as exc:
        msg, loc = validation_summary(exc)
        raise InputError(f"{name} 字段错误：{msg}", where=f"{name}:{loc}" if loc else name,
                         fix="请用 `beian build` 重新生成") from None


def parse_findings(data: bytes | str, name: str = FINDINGS) -> list[Finding]:
    """``findings.json`` as typed findings."""
    return parse_json(data, _FINDINGS, name)
