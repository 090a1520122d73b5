"""Model-card extraction for the 上线备案表 (architecture, parameters, layers, …) without loading weights."""

from beian.modelcard._card import ModelCard, read_model_card
from beian.modelcard._merge import merge_into_dossier

__all__ = ["ModelCard", "merge_into_dossier", "read_model_card"]
