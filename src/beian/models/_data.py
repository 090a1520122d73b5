"""The handwritten digits data set that ships inside scikit-learn (1,797 images of 8 × 8 pixels)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


def load_digits_unit() -> tuple[NDArray[np.float32], NDArray[np.int64]]:
    """Digits as float32 in [0, 1] (pixel value / 16), shape (n, 64), and their labels."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return (d.data / 16.0).astype(np.float32), d.target.astype(np.int64)
