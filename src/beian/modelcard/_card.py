"""Read the 模型研制 facts of the 上线备案表 from a real model file, without loading weights."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from beian.errors import InputError, json_message

SourceKind = Literal["safetensors", "pytorch", "hf-config"]

_LAYER_RE = re.compile(
    r"(?:^|\.)(?:layers|layer|h|blocks|block|encoder\.layer|decoder\.layers)\.(\d+)\."
)
_HF_KEYS = {
    "layers": ("num_hidden_layers", "n_layer", "num_layers", "n_layers"),
    "hidden": ("hidden_size", "n_embd", "d_model", "dim"),
    "context": ("max_position_embeddings", "n_positions", "seq_length", "max_seq_len", "n_ctx"),
    "vocab": ("vocab_size",),
}


class ModelCard(BaseModel):
    """Facts for the 上线备案表's 模型研制 section."""

    source: str
    source_kind: SourceKind
    architecture: str | None = None
    parameter_count: int | None = None
    parameter_count_exact: bool = False
    layers: int | None = None
    hidden_size: int | None = None
    context_length: int | None = None
    dtype: str | None = None
    tensors: int | None = None
    weights_sha256: str | None = None
    weights_files: list[str] = []

    def rows(self) -> list[tuple[str, str]]:
        """(Chinese label, value) pairs for display."""

        def fmt(v: object) -> str:
            return "未知" if v is None else str(v)

        params = "未知"
        if self.parameter_count is not None:
            params = f"{self.parameter_count:,}（{_human(self.parameter_count)}）"
            if not self.parameter_count_exact:
                params += "，估算"
        return [
            ("来源", f"{self.source}（{self.source_kind}）"),
            ("模型架构", fmt(self.architecture)),
            ("参数量", params),
            ("层数", fmt(self.layers)),
            ("隐藏层维度", fmt(self.hidden_size)),
            ("上下文长度", fmt(self.context_length)),
            ("数据类型", fmt(self.dtype)),
            ("张量个数", fmt(self.tensors)),
            ("权重文件 SHA-256", fmt(self.weights_sha256)),
        ]


def _human(n: int) -> str:
    for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= size:
            return f"{n / size:.2f}{unit}"
    return str(n)


def _sha256(paths: Iterable[Path]) -> str:
    """SHA-256 of one file, or of the concatenated files (in name order) for sharded weights."""
    h = hashlib.sha256()
    for p in sorted(paths):
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()


def _layers_from_keys(keys: Iterable[str]) -> int | None:
    idx = [int(m.group(1)) for k in keys if (m := _LAYER_RE.search(k))]
    return max(idx) + 1 if idx else None


def _first(cfg: dict[str, Any], names: tuple[str, ...]) -> int | None:
    for n in names:
        v = cfg.get(n)
        if isinstance(v, int):
            return v
    sub = cfg.get("text_config")
    return _first(sub, names) if isinstance(sub, dict) else None


def _read_hf_config(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"config.json 不是有效的 JSON：{json_message(exc)}",
            where=f"{path}:{exc.lineno}",
            fix="请检查文件内容",
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            "config.json 顶层应为对象",
            where=str(path),
            fix="请提供 Hugging Face 模型的 config.json",
        )
    return data


def _apply_config(card: ModelCard, cfg: dict[str, Any]) -> None:
    archs = cfg.get("architectures")
    card.architecture = card.architecture or (
        archs[0] if isinstance(archs, list) and archs else cfg.get("model_type")
    )
    card.layers = _first(cfg, _HF_KEYS["layers"]) or card.layers
    card.hidden_size = _first(cfg, _HF_KEYS["hidden"]) or card.hidden_size
    card.context_length = _first(cfg, _HF_KEYS["context"]) or card.context_length
    dtype = cfg.get("torch_dtype") or cfg.get("dtype")
    card.dtype = card.dtype or (str(dtype) if dtype else None)


def _from_safetensors(files: list[Path], card: ModelCard) -> None:
    from safetensors import safe_open

    total, count, dtypes, keys = 0, 0, set(), []
    for f in files:
        try:
            with safe_open(str(f), framework="numpy") as st:  # header only; tensors are not read
                meta = st.metadata() or {}
                for k in st.keys():  # noqa: SIM118 - safe_open is not a dict
                    sl = st.get_slice(k)
                    total += math.prod(sl.get_shape())
                    dtypes.add(str(sl.get_dtype()))
                    keys.append(k)
                    count += 1
        except Exception as exc:  # safetensors raises SafetensorError and OSError subtypes
            raise InputError(
                f"无法读取 safetensors 文件头：{exc}",
                where=str(f),
                fix="文件可能被截断或不是 safetensors 格式",
            ) from None
        if meta.get("architecture"):
            card.architecture = meta["architecture"]
    card.parameter_count, card.parameter_count_exact, card.tensors = total, True, count
    card.dtype = card.dtype or ("/".join(sorted(dtypes)) if dtypes else None)
    card.layers = card.layers or _layers_from_keys(keys)


def _from_pytorch(path: Path, card: ModelCard) -> None:
    try:
        import torch
    except ModuleNotFoundError:
        raise InputError(
            "读取 PyTorch 检查点需要安装 PyTorch",
            where=str(path),
            fix="pip install 'genai-beian[models]'",
        ) from None
    try:
        obj = torch.load(path, map_location="meta", weights_only=True)
    except Exception as exc:
        raise InputError(
            f"无法读取 PyTorch 检查点：{exc}",
            where=str(path),
            fix="文件可能已损坏，或不是 torch.save 保存的检查点",
        ) from None
    state = obj
    if isinstance(obj, dict):
        for key in ("state_dict", "model", "model_state_dict"):
            if isinstance(obj.get(key), dict):
                state = obj[key]
                break
        if obj.get("format") == "beian-model/1":
            card.architecture = f"beian-reference-{obj.get('kind')}"
    tensors = (
        {k: v for k, v in state.items() if isinstance(v, torch.Tensor)}
        if isinstance(state, dict)
        else {}
    )
    if not tensors:
        raise InputError(
            "检查点中没有找到张量（state_dict）",
            where=str(path),
            fix="请提供保存了 state_dict 的检查点",
        )
    card.parameter_count = sum(int(t.numel()) for t in tensors.values())
    card.parameter_count_exact = True
    card.tensors = len(tensors)
    card.dtype = "/".join(sorted({str(t.dtype).removeprefix("torch.") for t in tensors.values()}))
    card.layers = _layers_from_keys(tensors)


def _estimate_params(card: ModelCard, cfg: dict[str, Any]) -> None:
    """Decoder-only transformer estimate 12·L·h² + V·h when only config.json is present."""
    vocab = _first(cfg, _HF_KEYS["vocab"])
    if card.layers and card.hidden_size and vocab:
        card.parameter_count = 12 * card.layers * card.hidden_size**2 + vocab * card.hidden_size
        card.parameter_count_exact = False


def read_model_card(path: str | Path) -> ModelCard:
    """Model facts from a safetensors file, a PyTorch checkpoint, a config.json or a model directory."""
    p = Path(path)
    if not p.exists():
        raise InputError(
            "模型文件不存在",
            where=str(p),
            fix="请给出 .safetensors、.pt/.pth/.bin 检查点、config.json 或模型目录",
        )
    config_path = (
        p / "config.json"
        if p.is_dir()
        else (p if p.name.endswith(".json") else p.parent / "config.json")
    )
    cfg = _read_hf_config(config_path) if config_path.is_file() else None
    if p.is_dir():
        weights = sorted(p.glob("*.safetensors"))
        kind: SourceKind = "safetensors" if weights else "hf-config"
    elif p.suffix == ".safetensors":
        weights, kind = [p], "safetensors"
    elif p.suffix in (".pt", ".pth", ".bin", ".ckpt"):
        weights, kind = [p], "pytorch"
    elif p.suffix == ".json":
        weights, kind = sorted(p.parent.glob("*.safetensors")), "hf-config"
    else:
        raise InputError(
            f"不支持的模型文件类型 {p.suffix or '(无扩展名)'}",
            where=str(p),
            fix="支持 .safetensors、.pt/.pth/.bin/.ckpt 与 config.json",
        )
    card = ModelCard(source=str(p), source_kind=kind)
    if cfg is not None:
        _apply_config(card, cfg)
    if kind == "pytorch":
        _from_pytorch(p, card)
    elif weights:
        _from_safetensors(weights, card)
    elif cfg is not None:
        _estimate_params(card, cfg)
    if weights:
        card.weights_sha256 = _sha256(weights)
        card.weights_files = [w.name for w in weights]
    return card
