"""Sample grids from a trained model, written as PNG files that carry the GB 45438 labels."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from numpy.typing import NDArray

from beian.io import atomic_path
from beian.models._train import load_run

GRID = 8  # 8 × 8 digits per sheet
SCALE = 8  # each 8 × 8 digit drawn as 64 × 64 pixels
PAD = 8  # white margin around each digit
# GB 45438 ContentProducer for demonstrations only: plainly not a provider's code, so that a
# label carrying it can never be taken for a real one (``beian models sample --demo``)
DEMO_PRODUCER = "DEMO-NOT-A-REAL-PRODUCER"


@dataclass(frozen=True)
class SampleSheet:
    path: Path
    count: int


def generate(model_dir: str | Path, n: int, seed: int = 0) -> tuple[str, NDArray[np.float32]]:
    """``n`` samples in [0, 1], shape (n, 64), from a checkpoint written by ``beian models train``."""
    kind, model, _ = load_run(model_dir)
    gen = torch.Generator().manual_seed(seed)
    latent = int(getattr(model, "latent_dim"))  # noqa: B009 - both models define it
    z = torch.randn(n, latent, generator=gen)
    with torch.no_grad():
        x = torch.sigmoid(model.decode_logits(z)) if kind == "vae" else model(z)  # type: ignore[operator]
    return kind, x.numpy().astype(np.float32)


def _sheet(images: NDArray[np.float32]) -> NDArray[np.uint8]:
    tile = 8 * SCALE + 2 * PAD
    canvas = np.full((GRID * tile, GRID * tile), 255, dtype=np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, GRID)
        big = np.kron(img.reshape(8, 8), np.ones((SCALE, SCALE)))
        y, x = r * tile + PAD, c * tile + PAD
        canvas[y : y + 8 * SCALE, x : x + 8 * SCALE] = (255 * (1 - big)).astype(np.uint8)
    return canvas


def write_sheets(
    model_dir: str | Path,
    n: int,
    out: str | Path,
    *,
    producer: str,
    explicit: bool = False,
    seed: int = 0,
) -> list[SampleSheet]:
    """Write ``ceil(n / 64)`` PNG sheets into ``out``, each labelled (implicit, and explicit on request)."""
    from PIL import Image

    from beian.label import LabelPayload, add_label

    kind, samples = generate(model_dir, n, seed)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    sheets = []
    per = GRID * GRID
    for idx, start in enumerate(range(0, n, per)):
        chunk = samples[start : start + per]
        path = out / f"{kind}-samples-{idx:03d}.png"
        with atomic_path(path, suffix=".png") as tmp:
            Image.fromarray(_sheet(chunk), mode="L").convert("RGB").save(tmp, format="PNG")
        produce_id = hashlib.sha256(f"{kind}:{seed}:{idx}".encode()).hexdigest()[:32]
        add_label(
            path,
            LabelPayload(Label="1", ContentProducer=producer, ProduceID=produce_id),
            explicit=explicit,
        )
        sheets.append(SampleSheet(path, len(chunk)))
    return sheets
