"""File helpers shared by every part: atomic writes, encoding detection, YAML with locations."""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import yaml

from beian._shared.yaml_problems import DuplicateKey, describe, duplicate_key
from beian.errors import BeianError, InputError, pydantic_message

if TYPE_CHECKING:
    from pydantic import BaseModel

_M = TypeVar("_M", bound="BaseModel")
# libyaml's loader when PyYAML was built with it (10x faster); same marks and results.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FAST_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

__all__ = [
    "YamlDocument",
    "YamlPath",
    "atomic_path",
    "atomic_write_bytes",
    "atomic_write_text",
    "decode_bytes",
    "dump_yaml",
    "edit_yaml",
    "line_of",
    "load_yaml",
    "load_yaml_model",
    "located_validation_error",
    "parse_yaml",
    "read_text",
    "read_yaml_document",
    "write_yaml",
    "yaml_lines",
]

# what a YAML file that does not fit its model is, and how to fix it (each caller may say more)
_WHAT = "YAML 内容不符合格式要求："
_FIX = "请按模板（beian init 生成的注释）修改这些字段的类型或取值"

# Encodings Chinese teams' files come in, tried in this order after BOM detection.
_ENCODINGS = ("utf-8", "gb18030")


@contextlib.contextmanager
def atomic_path(
    target: str | os.PathLike[str],
    *,
    suffix: str | None = None,
    mode: int | None = None,
    durable: bool = False,
) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; rename it over ``target`` on success.

    On any exception the temporary file is removed and ``target`` is left untouched, so a
    reader never sees a half-written file. The file gets ``mode`` when given, else the mode of the
    file it replaces, else 0644. With ``durable=True`` the temporary file is fsynced before the
    rename and the directory after it, so the new content survives a power loss; by default
    neither is (like exiftool and ``cp``; ext4 still starts writing the data back at the rename).
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
        if durable:
            _fsync(tmp_path)
        os.replace(tmp_path, target)
        if durable:  # some systems cannot open or sync a directory; the file itself is synced
            with contextlib.suppress(OSError):
                _fsync(target.parent)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp_path.unlink()
        raise


def _fsync(path: Path) -> None:
    """Flush a file's (or a directory's) data and metadata to the disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(target: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``target`` atomically (temporary file + fsync + rename)."""
    with atomic_path(target) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def atomic_write_text(target: str | os.PathLike[str], text: str, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``target`` atomically."""
    atomic_write_bytes(target, text.encode(encoding))


# Signatures of the binary files users most often hand to a text reader by mistake:
# (leading bytes, what it is, how to fix it).
_EXPORT = "请先导出为 UTF-8 文本（TXT、CSV 或 JSONL）后重试"
_BINARY_MAGIC = (
    (b"PK\x03\x04", "ZIP 压缩包（Excel .xlsx、Word .docx 也是）",
     "Excel 表格请另存为 CSV（UTF-8）后重试；压缩包请先解压"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office 文件（.xls、.doc）",
     "请在 Office/WPS 中另存为 CSV（UTF-8）或纯文本后重试"),
    (b"%PDF-", "PDF 文件", _EXPORT),
    (b"\x1f\x8b", "gzip 压缩文件", "请先解压（gunzip）后重试"),
    (b"\x89PNG", "PNG 图片", _EXPORT),
    (b"\xff\xd8\xff", "JPEG 图片", _EXPORT),
)  # fmt: skip


def decode_bytes(data: bytes, *, where: str = "<bytes>") -> tuple[str, str]:
    """Decode bytes from UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK.

    Returns ``(text, encoding)``. Raises :class:`InputError` when no encoding fits.
    """
    for magic, kind, fix in _BINARY_MAGIC:
        if data.startswith(magic):
            raise InputError(f"这是{kind}，不是文本文件", where=where, fix=fix)
    marked = (
        (data[3:], "utf-8", "utf-8-sig") if data.startswith(b"\xef\xbb\xbf")
        else (data, "utf-16", "utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff"))
        else None
    )  # fmt: skip
    if marked is not None:
        body, codec, name = marked
        try:
            return body.decode(codec), name
        except UnicodeDecodeError as exc:
            raise InputError(
                f"文件以 {codec.upper()} 字节序标记开头，但第 {exc.start} 字节起不是 {codec.upper()} 编码",
                where=where,
                fix="文件可能已损坏或被截断；请重新生成，或另存为 UTF-8 编码后重试",
            ) from None
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
    return parse_yaml(text, where=str(p))


def parse_yaml(text: str, *, where: str = "<yaml>") -> Any:
    """Parse YAML text (a packaged data file, a request body); errors point at ``where:line``."""
    try:
        return _compose(text)[0]
    except yaml.YAMLError as exc:
        raise _yaml_error(exc, where, text) from None


def dump_yaml(data: Any) -> str:
    """YAML text for ``data``: Chinese kept readable, keys in their order."""
    return str(yaml.dump(data, Dumper=_FAST_DUMPER, allow_unicode=True, sort_keys=False))


def write_yaml(target: str | os.PathLike[str], data: Any) -> None:
    """Write ``data`` as YAML to ``target`` atomically."""
    atomic_write_text(target, dump_yaml(data))


def edit_yaml(
    target: str | os.PathLike[str], edit: Callable[[Any], None], *, fix: str = "请检查 YAML 语法"
) -> None:
    """Change a YAML file in place keeping its comments, quotes and key order (a round trip).

    ``edit`` receives the top-level mapping and changes it; the file is rewritten atomically.
    A syntax error is an :class:`InputError` at ``file:line``; a top level that is not a
    mapping is one at ``file``.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    p = Path(target)
    text, _ = read_text(p)
    rt = YAML()  # round-trip: comments and key order survive
    rt.preserve_quotes = True
    try:
        data = rt.load(text)
    except MarkedYAMLError as exc:
        problem = describe(exc, text)
        where = f"{p}:{problem.line + 1}" if problem.line is not None else str(p)
        raise InputError(f"YAML 语法错误：{problem.message}", where=where, fix=fix) from None
    if data is None or not hasattr(data, "setdefault"):
        raise InputError("YAML 文件顶层应为映射", where=str(p), fix=fix)
    edit(data)
    buf = io.StringIO()
    rt.dump(data, buf)
    atomic_write_text(p, buf.getvalue())


class _UnbuildableValue(yaml.constructor.ConstructorError):
    """A value PyYAML reads but cannot build (``2027-02-30``); its problem is Chinese."""


def _yaml_error(exc: yaml.YAMLError, p: Path | str, text: str | None = None) -> InputError:
    """``exc`` in Chinese at ``file:line:column`` (``text``: the document, for the details)."""
    if isinstance(exc, _UnbuildableValue):
        mark = exc.problem_mark
        return InputError(
            f"YAML 中的值无效：{exc.problem}",
            where=f"{p}:{mark.line + 1}:{mark.column + 1}" if mark else str(p),
            fix="日期写作存在的 YYYY-MM-DD；不是日期或数字的值请加引号",
        )
    if isinstance(exc, yaml.MarkedYAMLError | yaml.reader.ReaderError | DuplicateKey):
        problem = describe(exc, text)
        at = "" if problem.line is None else f":{problem.line + 1}"
        at += "" if problem.line is None or problem.column is None else f":{problem.column + 1}"
        return InputError(f"YAML 语法错误：{problem.message}", where=f"{p}{at}", fix=problem.fix)
    return InputError(f"YAML 解析失败：{exc}", where=str(p), fix="请检查 YAML 语法")


YamlPath = tuple[str | int, ...]


def yaml_lines(text: str) -> dict[YamlPath, int]:
    """Map every key path of a YAML document to its 1-based line (walks ``yaml.compose`` nodes).

    ``("provider", "uscc")`` maps to the line of the ``uscc`` key; list items map to the line of
    their item. Used to point schema errors and findings at ``file:line``.
    """
    return _lines_of(yaml.compose(text, Loader=_FAST_LOADER))


def _lines_of(root: yaml.Node | None) -> dict[YamlPath, int]:
    lines: dict[YamlPath, int] = {}

    def walk(node: yaml.Node, path: YamlPath) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                sub = (*path, str(key.value))
                lines[sub] = key.start_mark.line + 1
                walk(value, sub)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines


def _compose(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse once: the data and the node tree (for line numbers).

    A value PyYAML reads but cannot build (a date like ``2027-02-30``) is a
    :class:`yaml.MarkedYAMLError` at its node, like a syntax error."""
    loader = _FAST_LOADER(text)
    try:
        node = loader.get_single_node()
        duplicate = duplicate_key(node)
        if duplicate is not None:
            raise duplicate
        try:
            return (loader.construct_document(node) if node is not None else None), node
        except (ValueError, TypeError, OverflowError) as exc:
            bad = _unbuildable(node)
            raise _UnbuildableValue(
                None,
                None,
                f"无法识别的值 {getattr(bad, 'value', '')!r}（{exc}）",
                bad.start_mark if bad is not None else None,
            ) from None
    finally:
        loader.dispose()


def _unbuildable(root: yaml.Node | None) -> yaml.Node | None:
    """The first scalar under ``root`` that PyYAML's constructor cannot build."""
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop(0)
        if isinstance(node, yaml.ScalarNode):
            try:
                yaml.constructor.SafeConstructor().construct_object(node)
            except (ValueError, TypeError, OverflowError, yaml.YAMLError):
                return node
        elif isinstance(node, yaml.MappingNode):
            stack[:0] = [x for pair in node.value for x in pair]
        elif isinstance(node, yaml.SequenceNode):
            stack[:0] = list(node.value)
    return None


def line_of(lines: dict[YamlPath, int], path: YamlPath) -> int | None:
    """The line of ``path`` or of its nearest ancestor present in ``lines``."""
    p = tuple(path)
    while p:
        if p in lines:
            return lines[p]
        p = p[:-1]
    return lines.get(())


def _has(container: Any, key: Any) -> bool:
    """Whether ``container[key]`` is a key of a mapping or an index of a list."""
    if isinstance(container, dict):
        return key in container
    return isinstance(container, list) and isinstance(key, int) and 0 <= key < len(container)


@dataclass(frozen=True)
class YamlDocument:
    """A YAML file's data with the line of every key, to validate parts of it with ``file:line``
    errors (a configuration file whose sections belong to different parts)."""

    path: str
    data: Any
    lines: dict[YamlPath, int] = field(default_factory=dict)

    def get(self, *at: str | int) -> Any:
        """The value at key path ``at`` (``None`` where there is none)."""
        cur = self.data
        for key in at:
            if not _has(cur, key):
                return None
            cur = cur[key]
        return cur

    def where(self, *at: str | int) -> str:
        """``file:line field`` of key path ``at`` (the line of its nearest written ancestor)."""
        line = line_of(self.lines, at)
        name = ".".join(str(x) for x in at)
        place = f"{self.path}:{line}" if line else self.path
        return f"{place} {name}" if name else place

    def validate(
        self,
        model: type[_M],
        *,
        at: YamlPath = (),
        value: Any = None,
        error: type[BeianError] = InputError,
        what: str = _WHAT,
        fix: str = _FIX,
    ) -> _M:
        """The value at ``at`` (or ``value``, what was made of it) as ``model``; every problem
        is reported at ``file:line field`` as one ``error``."""
        from pydantic import ValidationError

        data = self.get(*at) if value is None else value
        try:
            return model.model_validate(data if data is not None else {})
        except ValidationError as exc:
            raise located_validation_error(
                exc, self.path, self.lines, prefix=at, data=data, error=error, what=what, fix=fix
            ) from None


def read_yaml_document(
    path: str | os.PathLike[str], *, error: type[BeianError] = InputError
) -> YamlDocument:
    """A YAML file with its line map; a syntax error is ``error`` at ``file:line:column``."""
    p = Path(path)
    text, _ = read_text(p)
    try:
        data, node = _compose(text)
    except yaml.YAMLError as exc:
        located = _yaml_error(exc, p, text)
        raise error(located.what, where=located.where, fix=located.fix) from None
    return YamlDocument(str(p), data, _lines_of(node))


def load_yaml_model(
    path: str | os.PathLike[str],
    model: type[_M],
    *,
    error: type[BeianError] = InputError,
    what: str = _WHAT,
    fix: str = _FIX,
) -> tuple[_M, dict[YamlPath, int]]:
    """Load a YAML file and validate it as ``model``; errors (``error``) point at ``file:line``.

    Returns the model and the line map of :func:`yaml_lines` (for locating findings later).
    """
    doc = read_yaml_document(path, error=error)
    return doc.validate(model, error=error, what=what, fix=fix), doc.lines


def _document_loc(loc: tuple[Any, ...], data: Any, missing: bool) -> YamlPath:
    """The part of a pydantic ``loc`` that is a path in the document ``data``: union members
    and validator names pydantic adds (``constrained-int``, ``literal['all']``) are dropped;
    a missing key (``missing``) is kept."""
    out: list[str | int] = []
    cur = data
    for i, part in enumerate(loc):
        if _has(cur, part):
            cur = cur[part]
            out.append(part)
        elif missing and i == len(loc) - 1 and isinstance(cur, dict):
            out.append(part)
    return tuple(out)


def located_validation_error(
    exc: Exception,
    source: str | os.PathLike[str],
    lines: dict[YamlPath, int],
    *,
    prefix: YamlPath = (),
    data: Any = None,
    error: type[BeianError] = InputError,
    what: str = _WHAT,
    fix: str = _FIX,
    show_input: bool = True,
) -> BeianError:
    """The pydantic ``exc`` as ``error``, each problem at ``file:line field`` (at most ten listed).

    ``prefix`` is where the validated value sits in the YAML document (a section validated on
    its own, such as ``("target",)``); ``lines`` is the document's :func:`yaml_lines` map;
    ``data`` the validated value, to tell its keys from the names pydantic adds to a location;
    ``show_input=False`` leaves the values given out of the message (secrets).
    """
    problems: list[str] = []
    first_where = str(source)
    for err in getattr(exc, "errors", list)():
        raw = tuple(x for x in err["loc"] if isinstance(x, str | int) and x != "[key]")
        rel = raw if data is None else _document_loc(raw, data, err["type"] == "missing")
        loc = (*prefix, *rel)
        line = line_of(lines, loc)
        field = ".".join(str(x) for x in loc) or "（顶层）"
        where = f"{source}:{line}" if line else str(source)
        if not problems:
            first_where = f"{where} {field}"
        problem = f"{where} {field}：{pydantic_message(err, show_input=show_input)}"
        if problem not in problems:
            problems.append(problem)
    return error(
        what
        + "；".join(problems[:10])
        + (f"（另有 {len(problems) - 10} 处）" if len(problems) > 10 else ""),
        where=first_where,
        fix=fix,
    )
