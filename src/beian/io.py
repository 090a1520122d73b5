"""File helpers shared by every part: atomic writes, encoding detection, YAML with locations."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from beian.errors import InputError

__all__ = [
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "decode_bytes",
    "load_yaml",
    "read_text",
]

# Encodings Chinese teams' files come in, tried in this order after BOM detection.
_ENCODINGS = ("utf-8", "gb18030")


@contextlib.contextmanager
def atomic_path(
    target: str | os.PathLike[str], *, suffix: str | None = None, mode: int | None = None
) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    On any exception the temporary file is removed and ``target`` is left untouched, so a
    reader never sees a half-written file. The file gets ``mode`` when given, else the mode of the
    file it replaces, else 0644.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=suffix or ".tmp", dir=target.parent
    )
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if mode is not None:
            os.chmod(tmp_path, mode)
        elif target.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp_path, target.stat().st_mode & 0o7777)
        else:
            os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``target`` atomically (temporary file + fsync + rename)."""
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_text(target: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``target`` atomically."""
    atomic_write_bytes(target, text.encode(encoding))


def decode_bytes(data: bytes, *, where: str = "<bytes>") -> tuple[str, str]:
    """Decode bytes from UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK.

    Returns ``(text, encoding)``. Raises :class:`InputError` when no encoding fits.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    for enc in _ENCODINGS:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise InputError(
            "无法识别文件编码",
            where=where,
            fix="请将文件另存为 UTF-8 或 GB18030 编码后重试",
        )
    return str(best), str(best.encoding)


def read_text(path: str | os.PathLike[str]) -> tuple[str, str]:
    """Read a text file whose encoding is unknown; returns ``(text, encoding)``."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError("文件不存在", where=str(p), fix="请检查路径是否正确") from None
    except IsADirectoryError:
        raise InputError("需要文件，但给出的是目录", where=str(p), fix="请给出文件路径") from None
    return decode_bytes(data, where=str(p))


def load_yaml(path: str | os.PathLike[str]) -> Any:
    """Load a YAML file; syntax errors are reported as ``file:line:column``."""
    p = Path(path)
    text, _ = read_text(p)
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{p}:{mark.line + 1}:{mark.column + 1}" if mark else str(p)
        raise InputError(
            f"YAML 语法错误：{exc.problem or exc.context}",
            where=where,
            fix="请检查该行的缩进、冒号和引号",
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"YAML 解析失败：{exc}", where=str(p), fix="请检查 YAML 语法") from None
