"""Seeded, reproducible training of the reference GAN and VAE on one CPU core."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch

from beian.io import atomic_path, atomic_write_text
from beian.models._data import load_digits_unit
from beian.models._nets import (
    VAE,
    Discriminator,
    Generator,
    discriminator_loss,
    generator_loss,
    negative_elbo,
)

Kind = Literal["gan", "vae"]


@dataclass
class TrainConfig:
    kind: Kind
    seed: int = 0
    steps: int = 2000  # GAN: generator/discriminator update pairs; VAE: optimiser steps
    batch_size: int = 128
    lr: float = 2e-3
    latent_dim: int = 0  # 0 → the model's default (GAN 16, VAE 4)
    log_every: int = 50


@dataclass
class TrainResult:
    config: TrainConfig
    model: torch.nn.Module
    discriminator: torch.nn.Module | None
    history: dict[str, list[float]] = field(default_factory=dict)
    seconds: float = 0.0

    def metrics(self) -> dict[str, Any]:
        last = {k: v[-1] for k, v in self.history.items() if v and k != "step"}
        first = {k: v[0] for k, v in self.history.items() if v and k != "step"}
        return {
            "kind": self.config.kind,
            "seconds": round(self.seconds, 2),
            "first": first,
            "last": last,
            "config": asdict(self.config),
        }


def _seed(seed: int) -> torch.Generator:
    torch.manual_seed(seed)
    np.random.seed(seed)
    torch.set_num_threads(1)
    return torch.Generator().manual_seed(seed)


def _batches(x: torch.Tensor, batch: int, gen: torch.Generator) -> Any:
    while True:
        yield x[torch.randint(0, x.shape[0], (batch,), generator=gen)]


def train(config: TrainConfig) -> TrainResult:
    """Train a model; the same config gives the same weights and history."""
    gen = _seed(config.seed)
    x = torch.from_numpy(load_digits_unit()[0])
    batches = _batches(x, config.batch_size, gen)
    t0 = time.perf_counter()
    if config.kind == "vae":
        result = _train_vae(config, batches)
    else:
        result = _train_gan(config, batches, gen)
    result.seconds = time.perf_counter() - t0
    return result


def _train_vae(config: TrainConfig, batches: Any) -> TrainResult:
    model = VAE(latent_dim=config.latent_dim or 4)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)
    hist: dict[str, list[float]] = {"step": [], "neg_elbo": [], "recon": [], "kl": []}
    acc = np.zeros(3)
    for step in range(1, config.steps + 1):
        xb = next(batches)
        logits, mu, logvar = model(xb)
        loss, recon, kl = negative_elbo(logits, xb, mu, logvar)
        opt.zero_grad()
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
        acc += [loss.item(), recon.item(), kl.item()]
        if step % config.log_every == 0:
            hist["step"].append(step)
            for key, v in zip(("neg_elbo", "recon", "kl"), acc / config.log_every, strict=True):
                hist[key].append(float(v))
            acc[:] = 0
    return TrainResult(config, model, None, hist)


def _train_gan(config: TrainConfig, batches: Any, gen: torch.Generator) -> TrainResult:
    g = Generator(latent_dim=config.latent_dim or 16)
    d = Discriminator()
    opt_g = torch.optim.Adam(g.parameters(), lr=config.lr / 4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=config.lr / 4, betas=(0.5, 0.999))
    hist: dict[str, list[float]] = {"step": [], "d_loss": [], "g_loss": [], "d_accuracy": []}
    acc = np.zeros(3)
    for step in range(1, config.steps + 1):
        real = next(batches)
        z = torch.randn(real.shape[0], g.latent_dim, generator=gen)
        # discriminator update: minimise −[log D(x) + log(1 − D(G(z)))]
        fake = g(z).detach()
        d_real, d_fake = d(real), d(fake)
        loss_d = discriminator_loss(d_real, d_fake)
        opt_d.zero_grad()
        loss_d.backward()  # type: ignore[no-untyped-call]
        opt_d.step()
        # generator update: minimise the non-saturating loss −log D(G(z))
        loss_g = generator_loss(d(g(z)))
        opt_g.zero_grad()
        loss_g.backward()  # type: ignore[no-untyped-call]
        opt_g.step()
        accuracy = ((d_real > 0).float().mean() + (d_fake < 0).float().mean()).item() / 2
        acc += [loss_d.item(), loss_g.item(), accuracy]
        if step % config.log_every == 0:
            hist["step"].append(step)
            for key, v in zip(
                ("d_loss", "g_loss", "d_accuracy"), acc / config.log_every, strict=True
            ):
                hist[key].append(float(v))
            acc[:] = 0
    return TrainResult(config, g, d, hist)


def save_run(result: TrainResult, out: str | Path) -> Path:
    """Write ``model.pt`` (checkpoint), ``metrics.json`` and ``losses.png`` into ``out``."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    ckpt: dict[str, Any] = {
        "format": "beian-model/1",
        "kind": result.config.kind,
        "config": asdict(result.config),
        "latent_dim": getattr(result.model, "latent_dim", 0),
        "state_dict": result.model.state_dict(),
    }
    if result.discriminator is not None:
        ckpt["discriminator"] = result.discriminator.state_dict()
    with atomic_path(out / "model.pt") as tmp:
        torch.save(ckpt, tmp)
    atomic_write_text(
        out / "metrics.json",
        json.dumps({**result.metrics(), "history": result.history}, ensure_ascii=False, indent=2),
    )
    _plot(result, out / "losses.png")
    return out


def _plot(result: TrainResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5), dpi=100)
    steps = result.history["step"]
    for key, values in result.history.items():
        if key not in ("step", "d_accuracy"):
            ax.plot(steps, values, label=key)
    ax.set_xlabel("step")
    ax.set_title(f"{result.config.kind.upper()} training losses (seed {result.config.seed})")
    ax.legend()
    fig.tight_layout()
    with atomic_path(path, suffix=".png") as tmp:
        fig.savefig(tmp, format="png")
    plt.close(fig)


def load_run(path: str | Path) -> tuple[str, torch.nn.Module, dict[str, Any]]:
    """Load a checkpoint written by :func:`save_run` → (kind, model in eval mode, checkpoint)."""
    from beian.errors import InputError

    p = Path(path)
    ckpt_path = p / "model.pt" if p.is_dir() else p
    try:
        ckpt = torch.load(ckpt_path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise InputError(
            "找不到模型检查点", where=str(ckpt_path), fix="请先运行 `beian models train`"
        ) from None
    except Exception as exc:  # torch raises many types for corrupt files
        raise InputError(
            f"无法读取模型检查点：{exc}", where=str(ckpt_path), fix="文件可能已损坏，请重新训练"
        ) from None
    if not isinstance(ckpt, dict) or ckpt.get("format") != "beian-model/1":
        raise InputError(
            "不是 beian 训练的模型检查点",
            where=str(ckpt_path),
            fix="请使用 `beian models train` 的输出目录",
        )
    model: torch.nn.Module = (
        VAE(latent_dim=ckpt["latent_dim"])
        if ckpt["kind"] == "vae"
        else Generator(latent_dim=ckpt["latent_dim"])
    )
    model.load_state_dict(ckpt["state_dict"])
    model.eval()
    return str(ckpt["kind"]), model, ckpt
