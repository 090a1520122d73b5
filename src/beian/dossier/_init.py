"""``beian init``: scaffold a dossier from the commented template (or the bundled example)."""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from beian.errors import InputError
from beian.io import atomic_write_bytes


def _sources(example: bool) -> list[Traversable]:
    root = resources.files("beian.dossier") / "data" / ("example" if example else "template")
    return [f for f in root.iterdir() if f.is_file()]


def example_path(name: str) -> Path:
    """A file of the bundled example provider (ShiLiChat): its ``dossier.yaml``, Markdown
    attachments, keyword library ``lexicon.csv`` and test banks ``bank.jsonl``."""
    p = Path(str(resources.files("beian.dossier") / "data" / "example" / name))
    if not p.is_file():
        raise InputError(
            "示例材料中没有该文件",
            where=name,
            fix="可用文件：dossier.yaml、lexicon.csv、bank.jsonl",
        )
    return p


def init_dossier(
    directory: str | Path, *, example: bool = False, force: bool = False
) -> list[Path]:
    """Write ``dossier.yaml`` and the Markdown attachments into ``directory`` (with ``example``,
    the bundled example provider with the keyword library and test banks it names).

    Refuses to overwrite an existing file unless ``force``; returns the files written.
    """
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise InputError(
            "目标不是目录", where=str(target), fix="给出一个目录路径（不存在时会创建）"
        )
    files = sorted(
        (f for f in _sources(example) if not f.name.startswith("_")), key=lambda f: f.name
    )
    clash = [target / f.name for f in files if (target / f.name).exists()]
    if clash and not force:
        raise InputError(
            "目标目录中已有备案材料文件，未覆盖：" + "、".join(p.name for p in clash),
            where=str(target),
            fix="换一个目录，或加 --force 覆盖",
        )
    written = []
    for f in files:
        atomic_write_bytes(target / f.name, f.read_bytes())
        written.append(target / f.name)
    return written
