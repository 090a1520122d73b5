"""Reference generative services: a tiny GAN and a tiny VAE on scikit-learn's 8 × 8 digits.

Needs the optional extra ``models`` (PyTorch, CPU): ``pip install 'genai-beian[models]'``.
"""

from beian.models._nets import (
    VAE,
    Discriminator,
    Generator,
    discriminator_loss,
    generator_loss,
    negative_elbo,
)
from beian.models._sample import DEMO_PRODUCER, SampleSheet, generate, write_sheets
from beian.models._train import TrainConfig, TrainResult, load_run, save_run, train

__all__ = [
    "DEMO_PRODUCER",
    "VAE",
    "Discriminator",
    "Generator",
    "SampleSheet",
    "TrainConfig",
    "TrainResult",
    "discriminator_loss",
    "generate",
    "generator_loss",
    "load_run",
    "negative_elbo",
    "save_run",
    "train",
    "write_sheets",
]
