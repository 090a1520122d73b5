"""The propagation chain (Labelling Measures Art. 6): a platform adds its own link to a label.

A platform that publishes received content fills ``ContentPropagator`` and ``PropagateID`` and
puts its own integrity code in ``ReservedCode2``. The producer's ``ReservedCode1`` covers the
content and the producer's fields only (:meth:`LabelPayload.canonical_fields`), so it stays
valid; ``ReservedCode2`` covers the content and every other field, the producer's code included
(:meth:`LabelPayload.propagator_fields`). A file without a label gets a propagator-side label
marked ``Label`` "3" (疑似) or "2" (可能), as Art. 6 asks of platforms.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Literal

from beian.errors import InputError
from beian.label._api import LabelResult, _distinct, _guard, _read_raw, write_checked
from beian.label._integrity import DigestAlgorithm, KeyLike, make_code
from beian.label._payload import LabelPayload

__all__ = ["UNKNOWN_PRODUCER", "propagate_label"]

#: ContentProducer of a propagator-side label on content that arrived without one [U]: the
#: Measures ask the platform to mark such content but say nothing about this required field.
UNKNOWN_PRODUCER = "unknown"


def propagate_label(
    path: str | os.PathLike[str],
    propagator: str,
    *,
    propagate_id: str = "",
    key: KeyLike | None = None,
    digest_alg: DigestAlgorithm = "sha256",
    label_if_missing: Literal["2", "3"] = "3",
) -> LabelResult:
    """Add the propagator's fields and ``ReservedCode2`` to a file's label, in place.

    The producer's fields and ``ReservedCode1`` are kept byte for byte. An empty
    ``propagate_id`` becomes a stable id derived from the propagator and the content. A file
    with no label gets ``Label=label_if_missing`` with ``ContentProducer`` "unknown" and this
    tool's ``ReservedCode1``. Idempotent; atomic; conflicting labels are refused.
    """
    if label_if_missing not in ("2", "3"):
        raise InputError(
            f"无标识内容的 Label 只能是 2 或 3，而不是 {label_if_missing!r}",
            where="label_if_missing",
            fix="传播平台为无标识内容添加的标识应为“可能”（2）或“疑似”（3）",
        )
    p = Path(path)
    carrier, found = _read_raw(p)
    labels = _distinct(found)
    if len(labels) > 1:
        raise InputError(
            f"文件含 {len(labels)} 个不一致的隐式标识，无法确定生成者的标识",
            where=str(p),
            fix="请联系内容提供者确认标识，或先用 `beian label verify` 查看",
        )
    content = _guard(p, lambda: carrier.content_digest(p))
    if labels:
        base = LabelPayload.from_json(labels[0], where=str(p))
    else:
        base = LabelPayload(
            Label=label_if_missing, ContentProducer=UNKNOWN_PRODUCER, ProduceID=content.hex()[:32]
        )
        code1 = make_code(digest_alg, base.canonical_fields(), content, None)
        base = base.with_(ReservedCode1=code1.render())
    pid = propagate_id or hashlib.sha256(propagator.encode() + b"\x00" + content).hexdigest()[:32]
    staged = base.with_(ContentPropagator=propagator, PropagateID=pid, ReservedCode2="")
    code2 = make_code(digest_alg, staged.propagator_fields(), content, key)
    final = staged.with_(ReservedCode2=code2.render())
    label_json = final.to_json()
    if found == [label_json]:
        return LabelResult(p, carrier.name, final, changed=False, explicit=False)
    write_checked(p, carrier, p, label_json, content)
    return LabelResult(p, carrier.name, final, changed=True, explicit=False)
