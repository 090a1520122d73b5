"""LibreOffice as the independent reader of the office files the project writes."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
from pathlib import Path


def libreoffice_convert(
    files: Iterable[Path],
    to: str,
    outdir: Path,
    *,
    profile: Path,
    infilter: str | None = None,
    timeout: float = 300,
) -> None:
    """Convert ``files`` with headless LibreOffice (``--convert-to to``) into ``outdir``.

    ``profile`` is a folder of this test's own: parallel workers never share a LibreOffice
    profile (a shared one makes the second instance exit without converting).
    """
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is installed by scripts/test"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.resolve().as_uri()}",
            "--headless",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        check=True,
        capture_output=True,
        timeout=timeout,
    )
