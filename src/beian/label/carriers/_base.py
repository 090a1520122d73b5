"""Carrier base class and the decorator registry (one module per file format)."""

from __future__ import annotations

import hashlib
import warnings
from abc import ABC, abstractmethod
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import ClassVar, Literal, TypeVar

from beian._shared.plugins import PluginRegistry
from beian.errors import InputError

__all__ = [
    "Carrier",
    "ContentKind",
    "all_carriers",
    "carrier_for",
    "corrupt",
    "pixel_digest",
    "register_carrier",
]

ContentKind = Literal["image", "audio", "video", "document", "text"]


def corrupt(path: Path, detail: str = "") -> InputError:
    """The error for a truncated or malformed file (the file is never modified)."""
    extra = f"（{detail}）" if detail else ""
    return InputError(
        f"文件已损坏、被截断或格式不符{extra}，未做任何修改",
        where=str(path),
        fix="请用原始软件重新导出该文件，或确认扩展名与实际格式一致",
    )


class Carrier(ABC):
    """Reads, writes and replaces the implicit label in one file format.

    ``read`` returns every label JSON string found (a file should hold exactly one distinct
    label; the API reports conflicts). ``write`` writes a copy of ``src`` to ``dst`` carrying
    exactly one label, replacing any earlier one. ``content_digest`` hashes the content without
    the label, so writing a label never changes it and altering content always does.
    """

    name: ClassVar[str]
    suffixes: ClassVar[tuple[str, ...]]
    kind: ClassVar[ContentKind]
    where: ClassVar[str]  # where the label lives, for `beian label show`
    magic: ClassVar[tuple[bytes, ...]] = ()  # file signatures checked by the default sniff
    #: ``write`` copies the content bytes unchanged (kernel range copies), so the read-back check
    #: after a write re-reads the label and the structure but does not hash the content again.
    verbatim: ClassVar[bool] = False
    #: The format keeps an XMP packet beside or around the label, so other XMP properties (IPTC
    #: ``DigitalSourceType``) can be written with it (``extra_xmp``) and read (``xmp_packets``).
    supports_xmp: ClassVar[bool] = False
    #: XMP properties (``{namespace}name`` → text) to write with the label in this call.
    extra_xmp: Mapping[str, str] = MappingProxyType({})

    def xmp_packets(self, path: Path) -> list[bytes]:
        """The file's XMP packets (empty for formats without XMP)."""
        return []

    @classmethod
    def sniff(cls, head: bytes) -> bool:
        """Whether the first bytes of a file look like this format."""
        return head.startswith(cls.magic) if cls.magic else False

    @abstractmethod
    def read(self, path: Path) -> list[str]: ...

    @abstractmethod
    def write(self, src: Path, dst: Path, label_json: str) -> None: ...

    @abstractmethod
    def content_digest(self, path: Path) -> bytes: ...


def _builtin_carriers() -> None:
    import beian.label.carriers  # noqa: F401  (registers the built-ins)


_REGISTRY: PluginRegistry[type[Carrier]] = PluginRegistry(
    "carriers", label="标识载体", builtins=_builtin_carriers
)
C = TypeVar("C", bound=type[Carrier])


def register_carrier(cls: C) -> C:
    """Class decorator: make a carrier available for its suffixes."""
    _REGISTRY.add(cls.name, cls)
    return cls


def all_carriers() -> dict[str, type[Carrier]]:
    return dict(_REGISTRY)


def carrier_for(path: Path) -> Carrier:
    """The carrier for a file: chosen by extension, checked against the file's magic bytes."""
    suffix = path.suffix.lower()
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except FileNotFoundError:
        raise InputError("文件不存在", where=str(path), fix="请检查路径是否正确") from None
    except IsADirectoryError:
        raise InputError("需要文件，但给出的是目录", where=str(path)) from None
    by_suffix = [c for c in _REGISTRY.values() if suffix in c.suffixes]
    for cls in by_suffix:
        if cls.sniff(head) or cls.kind == "text":
            return cls()
    if by_suffix:
        raise corrupt(path, f"内容不是 {by_suffix[0].name} 格式")
    sniffed = [c for c in _REGISTRY.values() if c.sniff(head)]
    if sniffed:
        return sniffed[0]()
    supported = sorted({s for c in _REGISTRY.values() for s in c.suffixes})
    raise InputError(
        f"不支持的文件类型 {suffix or '（无扩展名）'}",
        where=str(path),
        fix=f"支持的扩展名：{' '.join(supported)}",
    )


def pixel_digest(path: Path) -> bytes:
    """SHA-256 of every frame's decoded RGBA pixels (independent of metadata and container)."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    h = hashlib.sha256()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # corrupt files raise below; their warnings are noise
            im = Image.open(path)
        with im:
            for frame in ImageSequence.Iterator(im):
                rgba = frame.convert("RGBA")
                h.update(f"{rgba.size[0]}x{rgba.size[1]};".encode())
                h.update(rgba.tobytes())
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise corrupt(path, f"图像无法解码：{exc}") from None
    return h.digest()
