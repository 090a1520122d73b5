"""The two reference generative models: a tiny GAN (Goodfellow et al., 2014) and a tiny VAE
(Kingma & Welling, 2013), both on 8 × 8 digit images flattened to 64 values in [0, 1]."""

from __future__ import annotations

import torch
from torch import Tensor, nn

IMAGE_DIM = 64


class Generator(nn.Module):
    """G(z): noise → image, an MLP with a sigmoid output in [0, 1]."""

    def __init__(self, latent_dim: int = 16, hidden: int = 128) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.net = nn.Sequential(
            nn.Linear(latent_dim, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, IMAGE_DIM),
            nn.Sigmoid(),
        )

    def forward(self, z: Tensor) -> Tensor:
        return self.net(z)  # type: ignore[no-any-return]


class Discriminator(nn.Module):
    """D(x): image → logit of "real"."""

    def __init__(self, hidden: int = 128) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(IMAGE_DIM, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, hidden),
            nn.LeakyReLU(0.2),
            nn.Linear(hidden, 1),
        )

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x).squeeze(-1)  # type: ignore[no-any-return]


class VAE(nn.Module):
    """Gaussian encoder q(z|x) = N(μ(x), diag σ²(x)), Bernoulli decoder p(x|z), prior N(0, I)."""

    def __init__(self, latent_dim: int = 4, hidden: int = 256) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = nn.Sequential(nn.Linear(IMAGE_DIM, hidden), nn.ReLU())
        self.mu = nn.Linear(hidden, latent_dim)
        self.logvar = nn.Linear(hidden, latent_dim)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim, hidden), nn.ReLU(), nn.Linear(hidden, IMAGE_DIM)
        )

    def encode(self, x: Tensor) -> tuple[Tensor, Tensor]:
        h = self.encoder(x)
        return self.mu(h), self.logvar(h)

    def decode_logits(self, z: Tensor) -> Tensor:
        return self.decoder(z)  # type: ignore[no-any-return]

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        mu, logvar = self.encode(x)
        # reparameterisation: z = μ + σ ⊙ ε, ε ~ N(0, I), so gradients flow through μ and σ
        z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        return self.decode_logits(z), mu, logvar


def negative_elbo(
    logits: Tensor, x: Tensor, mu: Tensor, logvar: Tensor
) -> tuple[Tensor, Tensor, Tensor]:
    """−ELBO = −E_q[log p(x|z)] + KL(q(z|x) ‖ N(0, I)), averaged over the batch.

    Returns (loss, reconstruction term, KL term). The KL of a diagonal Gaussian to N(0, I) is
    ½ Σ (μ² + σ² − 1 − log σ²).
    """
    recon = nn.functional.binary_cross_entropy_with_logits(logits, x, reduction="sum") / x.shape[0]
    kl = 0.5 * torch.sum(mu.pow(2) + logvar.exp() - 1.0 - logvar) / x.shape[0]
    return recon + kl, recon, kl


def discriminator_loss(d_real: Tensor, d_fake: Tensor) -> Tensor:
    """−[log D(x) + log(1 − D(G(z)))] on logits (numerically stable BCE)."""
    bce = nn.functional.binary_cross_entropy_with_logits
    return bce(d_real, torch.ones_like(d_real)) + bce(d_fake, torch.zeros_like(d_fake))


def generator_loss(d_fake: Tensor) -> Tensor:
    """The non-saturating generator loss −log D(G(z))."""
    return nn.functional.binary_cross_entropy_with_logits(d_fake, torch.ones_like(d_fake))
