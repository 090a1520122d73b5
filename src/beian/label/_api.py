"""Public operations: add, read and verify the implicit label of a file."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from beian.errors import BeianError, InputError
from beian.findings import Finding, FindingCode, Location, Severity
from beian.io import atomic_path
from beian.label import _codes
from beian.label._integrity import (
    DigestAlgorithm,
    IntegrityCode,
    KeyLike,
    PubKeyLike,
    digest,
    key_id,
    load_public_key,
    make_code,
)
from beian.label._payload import LabelCharsetError, LabelPayload
from beian.label.carriers import Carrier, all_carriers, carrier_for
from beian.label.carriers._base import corrupt

T = TypeVar("T")

__all__ = [
    "LabelResult",
    "VerifyResult",
    "add_label",
    "check_labels",
    "iter_label_files",
    "read_label",
    "supported_suffixes",
    "verify_label",
    "write_checked",
]


@dataclass(frozen=True)
class LabelResult:
    """What :func:`add_label` did."""

    path: Path
    carrier: str
    payload: LabelPayload
    changed: bool  # False: the file already carried exactly this label
    explicit: bool  # an explicit mark was added in this call


@dataclass
class VerifyResult:
    """Outcome of :func:`verify_label`; ``ok`` is False when any reason blocks."""

    path: Path | None  # None for a text checked with verify_text_label
    ok: bool
    payload: LabelPayload | None = None
    carrier: str | None = None
    signed: bool = False
    signature_checked: bool = False
    key_id: str | None = None
    propagated: bool = False  # the label carries propagator fields (second link checked)
    propagator_key_id: str | None = None
    propagator_signature_checked: bool = False
    #: Each link on its own: the producer's ReservedCode1, the propagator's ReservedCode2
    #: (``None`` when there is no propagation link). A forged propagator field fails the second
    #: link while the first still holds.
    producer_ok: bool | None = None
    propagator_ok: bool | None = None
    reasons: list[Finding] = field(default_factory=list)


def supported_suffixes() -> set[str]:
    return {s for c in all_carriers().values() for s in c.suffixes}


def iter_label_files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files given directly, and supported files found recursively under directories."""
    suffixes = supported_suffixes()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for child in sorted(p.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in suffixes
                    and not child.name.startswith(".")
                ):
                    yield child
        else:
            yield p


def _guard(path: Path, fn: Callable[[], T]) -> T:
    """Run a carrier operation; library exceptions become a clear 'corrupt file' error."""
    try:
        return fn()
    except BeianError:
        raise
    except Exception as exc:
        raise corrupt(path, f"{type(exc).__name__}: {exc}") from None


def _distinct(labels: list[str]) -> list[str]:
    return list(dict.fromkeys(labels))


def _read_raw(path: Path) -> tuple[Carrier, list[str]]:
    """Every label site the carrier finds, duplicates included (GB 45438 6.1 c))."""
    carrier = carrier_for(path)
    return carrier, _guard(path, lambda: carrier.read(path))


def read_label(path: str | os.PathLike[str]) -> LabelPayload | None:
    """The file's label, ``None`` when it has none; conflicting labels are an error.

    Equal copies in several sites are returned as one label here; :func:`verify_label`
    reports them (``BA-LBL-009``).
    """
    p = Path(path)
    _, found = _read_raw(p)
    labels = _distinct(found)
    if not labels:
        return None
    if len(labels) > 1:
        raise InputError(
            f"文件含 {len(labels)} 个不一致的隐式标识（每个文件只能有一个）",
            where=str(p),
            fix="请用 `beian label add` 重新写入，会替换全部旧标识",
        )
    return LabelPayload.from_json(labels[0], where=str(p))


def add_label(
    path: str | os.PathLike[str],
    payload: LabelPayload,
    *,
    explicit: bool = False,
    key: KeyLike | None = None,
    digest_alg: DigestAlgorithm = "sha256",
    notice: str | None = None,
    digital_source_type: str | None = None,
    durable: bool = False,
) -> LabelResult:
    """Label a file in place, atomically and idempotently.

    An empty ``ProduceID`` is filled with an id derived from the content digest.
    ``ReservedCode1`` is replaced by the integrity code (signed with Ed25519 when ``key`` is
    given). With ``explicit=True`` an explicit mark is added first (text, image, audio, video)
    unless the file already carries a label (so labelling twice never marks twice). A truncated
    or malformed file raises :class:`InputError` and is left untouched. ``digital_source_type``
    (an IPTC NewsCode name, e.g. ``"trainedAlgorithmicMedia"``) also writes
    ``Iptc4xmpExt:DigitalSourceType`` into the XMP of an image. ``durable=True`` fsyncs the
    new file and its directory around the rename (slower; see :func:`beian.io.atomic_path`).
    """
    p = Path(path)
    carrier, existing = _read_raw(p)
    if digital_source_type is not None:
        from beian.label._iptc import iptc_extra

        carrier.extra_xmp = iptc_extra(carrier, p, digital_source_type, payload.Label)
    if explicit and not existing:
        with tempfile.TemporaryDirectory(dir=p.parent, prefix=".beian-label-") as work:
            from beian.label.explicit import apply_explicit

            source = Path(work) / f"marked{p.suffix}"
            shutil.copyfile(p, source)
            apply_explicit(source, carrier.kind, notice=notice)
            return _label_from(p, carrier, source, existing, payload, key, digest_alg, durable)
    return _label_from(p, carrier, p, existing, payload, key, digest_alg, durable)


def _label_from(
    p: Path,
    carrier: Carrier,
    source: Path,
    existing: list[str],
    payload: LabelPayload,
    key: KeyLike | None,
    digest_alg: DigestAlgorithm,
    durable: bool = False,
) -> LabelResult:
    """Write ``source`` (the file itself, or its explicitly marked copy) labelled to ``p``."""
    mark = source != p
    content = _guard(source, lambda: carrier.content_digest(source))
    if not payload.ProduceID:  # a stable content-derived id keeps relabelling idempotent
        payload = payload.with_(ProduceID=content.hex()[:32])
    code = make_code(digest_alg, payload.canonical_fields(), content, key)
    final = payload.with_(ReservedCode1=code.render())
    label_json = final.to_json()
    if not mark and existing == [label_json] and _has_extra_xmp(carrier, p):
        return LabelResult(p, carrier.name, final, changed=False, explicit=False)
    write_checked(p, carrier, source, label_json, content, durable=durable)
    return LabelResult(p, carrier.name, final, changed=True, explicit=mark)


def _has_extra_xmp(carrier: Carrier, path: Path) -> bool:
    """Whether the file already holds every extra XMP property this call would write."""
    if not carrier.extra_xmp:
        return True
    from beian.label.carriers._xmp import xmp_value

    packets = carrier.xmp_packets(path)
    return all(
        any(xmp_value(x, key) == value for x in packets) for key, value in carrier.extra_xmp.items()
    )


def write_checked(
    path: Path,
    carrier: Carrier,
    source: Path,
    label_json: str,
    content: bytes,
    *,
    durable: bool = False,
) -> None:
    """Write ``source`` + label to ``path`` atomically, after reading both back from the copy.

    Carriers that copy the content verbatim (:attr:`Carrier.verbatim`) are not hashed again: their
    read-back parses the copy's structure and label, and the content ranges were copied unchanged.
    """
    with atomic_path(path, suffix=path.suffix, durable=durable) as tmp:
        _guard(source, lambda: carrier.write(source, tmp, label_json))
        if carrier.read(tmp) != [label_json]:
            raise corrupt(path, "写入后读回的标识与写入的不一致")
        if not carrier.verbatim and carrier.content_digest(tmp) != content:
            raise corrupt(path, "写入标识改变了内容摘要")


def verify_label(
    path: str | os.PathLike[str],
    pubkey: PubKeyLike | None = None,
    *,
    propagator_pubkey: PubKeyLike | None = None,
) -> VerifyResult:
    """Check the label: present, unique, well-formed, content unaltered, signatures valid.

    Both links of the propagation chain are checked on their own: ``ReservedCode1`` against the
    producer's ``pubkey`` and ``ReservedCode2`` against the ``propagator_pubkey`` (each
    signature only when its key is given); :attr:`VerifyResult.producer_ok` and
    :attr:`VerifyResult.propagator_ok` say which link holds.
    """
    p = Path(path)
    res = VerifyResult(path=p, ok=False)
    try:
        carrier, labels = _read_raw(p)
    except InputError as exc:
        return _fail(res, _codes.LBL_CORRUPT, exc.what, exc.fix)
    res.carrier = carrier.name
    return check_labels(
        res,
        labels,
        lambda: _guard(p, lambda: carrier.content_digest(p)),
        pubkey,
        propagator_pubkey,
    )


def _fail(res: VerifyResult, fc: FindingCode, message: str, fix: str | None = None) -> VerifyResult:
    loc = Location(file=str(res.path)) if res.path is not None else None
    res.reasons.append(Finding.of(fc, message, fix=fix, location=loc))
    return res


def check_labels(
    res: VerifyResult,
    labels: list[str],
    content_digest: Callable[[], bytes],
    pubkey: PubKeyLike | None,
    propagator_pubkey: PubKeyLike | None = None,
) -> VerifyResult:
    """The checks shared by files and texts: fill ``res`` from the raw labels found."""
    if not labels:
        return _fail(res, _codes.LBL_MISSING, "未找到隐式标识", "请用 `beian label add` 添加标识")
    if len(_distinct(labels)) > 1:
        return _fail(
            res, _codes.LBL_CONFLICT, f"找到 {len(labels)} 个不一致的标识", "请重新写入标识"
        )
    if len(labels) > 1:  # equal copies: still not conforming, but the label can be checked
        _fail(
            res,
            _codes.LBL_DUPLICATE,
            f"找到 {len(labels)} 处相同的隐式标识，GB 45438 6.1 c) 要求每个文件只有一个",
            "请用 `beian label add` 重新写入（只写入该格式实践指南规定的一处）",
        )
    try:
        payload = LabelPayload.from_json(labels[0])
        code = IntegrityCode.parse(payload.ReservedCode1)
    except LabelCharsetError as exc:
        return _fail(res, _codes.LBL_CHARSET, f"{exc.what}（{exc.where}）", exc.fix)
    except InputError as exc:
        return _fail(res, _codes.LBL_BAD_PAYLOAD, f"{exc.what}（{exc.where}）", exc.fix)
    res.payload = payload
    cache: list[bytes] = []

    def content() -> bytes:
        if not cache:
            cache.append(content_digest())
        return cache[0]

    try:
        before = len(res.reasons)
        _check_producer(res, payload, code, content, pubkey)
        res.producer_ok = not _blocking(res.reasons[before:])
        before = len(res.reasons)
        _check_propagator(res, payload, content, propagator_pubkey)
        if res.propagated or propagator_pubkey is not None:
            res.propagator_ok = not _blocking(res.reasons[before:])
    except InputError as exc:
        return _fail(res, _codes.LBL_CORRUPT, exc.what, exc.fix)
    res.ok = not _blocking(res.reasons)
    return res


def _blocking(reasons: list[Finding]) -> bool:
    return any(r.severity is Severity.BLOCKING for r in reasons)


def _check_producer(
    res: VerifyResult,
    payload: LabelPayload,
    code: IntegrityCode | None,
    content: Callable[[], bytes],
    pubkey: PubKeyLike | None,
) -> None:
    """The first link: ReservedCode1 over the content and the producer's fields."""
    if code is None:
        _fail(
            res,
            _codes.LBL_NO_INTEGRITY,
            "ReservedCode1 不是本工具的完整性码，无法核验内容是否被改动",
            "请用 `beian label add` 重新写入以加入完整性码",
        )
        if pubkey is not None:
            _fail(res, _codes.LBL_UNSIGNED, "标识未签名，无法用公钥核验")
        return
    if digest(code.alg, payload.canonical_fields(), content()) != code.digest:
        _fail(res, _codes.LBL_ALTERED, "内容摘要与标识中的完整性码不符：内容或标识字段已被改动")
    res.signed = code.signature is not None
    res.key_id = code.key_id
    if pubkey is not None:
        _check_signature(res, code, pubkey, propagator=False)


def _check_signature(
    res: VerifyResult, code: IntegrityCode, pubkey: PubKeyLike, *, propagator: bool
) -> None:
    """The Ed25519 signature of one link against the key its signer is expected to hold."""
    pub = load_public_key(pubkey)
    if propagator:
        res.propagator_signature_checked = True
        unsigned, bad = _codes.LBL_PROPAGATION_UNSIGNED, _codes.LBL_PROPAGATION_BAD_SIGNATURE
        who, fix = "传播者", "传播时请用 `beian label propagate --key 私钥` 签名"
    else:
        res.signature_checked = True
        unsigned, bad = _codes.LBL_UNSIGNED, _codes.LBL_BAD_SIGNATURE
        who, fix = "", "加标识时请用 --key 指定私钥"
    if code.signature is None:
        _fail(res, unsigned, f"{who}标识未签名" if who else "标识未签名", fix)
    elif code.key_id != key_id(pub) or not code.signature_valid(pub):
        _fail(res, bad, f"{who}签名与给定公钥不符：标识可能被伪造或复制到其他内容")


def _check_propagator(
    res: VerifyResult,
    payload: LabelPayload,
    content: Callable[[], bytes],
    pubkey: PubKeyLike | None,
) -> None:
    """The second link: ReservedCode2 over the content and every field but itself."""
    if not payload.propagated:
        if pubkey is not None:
            res.propagator_signature_checked = True
            _fail(res, _codes.LBL_PROPAGATION_UNSIGNED, "要求核验传播者签名，但标识没有传播信息")
        return
    res.propagated = True
    fix = "请用 `beian label propagate 文件 --propagator 编码` 重新写入传播信息"
    missing = [k for k in ("ContentPropagator", "PropagateID") if not getattr(payload, k)]
    if missing:
        _fail(res, _codes.LBL_PROPAGATION_UNCHECKED, f"传播字段缺少 {', '.join(missing)}", fix)
    try:
        code = IntegrityCode.parse(payload.ReservedCode2, "ReservedCode2")
    except InputError as exc:
        _fail(res, _codes.LBL_BAD_PAYLOAD, f"{exc.what}（{exc.where}）", exc.fix)
        return
    if code is None:
        _fail(
            res,
            _codes.LBL_PROPAGATION_UNCHECKED,
            "ReservedCode2 为空或不是本工具的完整性码，无法核验传播环节",
            fix,
        )
        if pubkey is not None:
            res.propagator_signature_checked = True
            _fail(
                res, _codes.LBL_PROPAGATION_UNSIGNED, "ReservedCode2 未签名，无法用传播者公钥核验"
            )
        return
    res.propagator_key_id = code.key_id
    if digest(code.alg, payload.propagator_fields(), content()) != code.digest:
        _fail(
            res,
            _codes.LBL_PROPAGATION_ALTERED,
            "ReservedCode2 与内容或标识字段不符：传播后内容或字段被改动",
        )
    if pubkey is not None:
        _check_signature(res, code, pubkey, propagator=True)
