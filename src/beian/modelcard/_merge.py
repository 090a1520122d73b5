"""Merge model-card facts into a dossier.yaml, keeping the user's comments and layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from beian.errors import InputError
from beian.io import edit_yaml
from beian.modelcard._card import ModelCard, _human


def merge_into_dossier(card: ModelCard, dossier: str | Path) -> None:
    """Set ``model.architecture``, ``model.parameters`` and ``model.card`` in ``dossier`` atomically."""
    p = Path(dossier)

    def edit(data: Any) -> None:
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

    edit_yaml(p, edit, fix="请先修正 dossier.yaml（可用 `beian init` 生成的模板对照）")
