"""Merge model-card facts into a dossier.yaml, keeping the user's comments and layout."""

from __future__ import annotations

import io
from pathlib import Path

from beian.errors import InputError
from beian.io import atomic_write_text, read_text
from beian.modelcard._card import ModelCard, _human


def merge_into_dossier(card: ModelCard, dossier: str | Path) -> None:
    """Set ``model.architecture``, ``model.parameters`` and ``model.card`` in ``dossier`` atomically."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    p = Path(dossier)
    text, _ = read_text(p)
    yaml = YAML()  # round-trip: comments and key order survive
    yaml.preserve_quotes = True
    try:
        data = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{p}:{mark.line + 1}" if mark else str(p)
        raise InputError(
            f"YAML 语法错误：{exc.problem}", where=where, fix="请先修正 dossier.yaml"
        ) from None
    if data is None or not hasattr(data, "setdefault"):
        raise InputError(
            "dossier.yaml 顶层应为映射", where=str(p), fix="请用 `beian init` 生成的模板"
        )
    model = data.setdefault("model", {})
    if not hasattr(model, "__setitem__"):
        raise InputError(
            "model 段应为映射", where=f"{p}: model", fix="请检查 dossier.yaml 的 model 段"
        )
    if card.architecture:
        model["architecture"] = card.architecture
    if card.parameter_count is not None:
        model["parameters"] = _human(card.parameter_count) + (
            "" if card.parameter_count_exact else "（估算）"
        )
    model["card"] = {
        k: v
        for k, v in {
            "source": card.source,
            "parameter_count": card.parameter_count,
            "parameter_count_exact": card.parameter_count_exact,
            "layers": card.layers,
            "hidden_size": card.hidden_size,
            "context_length": card.context_length,
            "dtype": card.dtype,
            "weights_sha256": card.weights_sha256,
        }.items()
        if v is not None
    }
    buf = io.StringIO()
    yaml.dump(data, buf)
    atomic_write_text(p, buf.getvalue())
