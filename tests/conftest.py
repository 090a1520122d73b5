"""Shared fixtures: running the real CLI in a subprocess, temporary working directories."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def run_cli(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    input: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m beian ARGS`` as a user would, capturing output."""
    full_env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    full_env.pop("BEIAN_CONFIG", None) if env is None or "BEIAN_CONFIG" not in env else None
    return subprocess.run(
        [sys.executable, "-m", "beian", *args],
        cwd=cwd,
        env=full_env,
        input=input,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def cli(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """The CLI, run in a fresh temporary directory by default."""

    def _run(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
        kw.setdefault("cwd", tmp_path)
        return run_cli(*args, **kw)  # type: ignore[arg-type]

    return _run


@pytest.fixture
def postgres_url() -> str:
    """A PostgreSQL URL from BEIAN_TEST_POSTGRES_URL; CI always sets it (see .ci/run)."""
    url = os.environ.get("BEIAN_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("BEIAN_TEST_POSTGRES_URL must be set in CI")
        pytest.skip("BEIAN_TEST_POSTGRES_URL not set (CI always sets it)")
    return url
