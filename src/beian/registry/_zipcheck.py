"""The bounds of a zip's central directory, read from its end before :mod:`zipfile` parses it.

:class:`zipfile.ZipFile` builds a ``ZipInfo`` for every central-directory entry as it opens
the file, walking the directory by its declared *size* (the declared entry count can lie): a
200 MiB upload of 4.4 million 47-byte entries costs 20 s of CPU and a GiB of memory before any
entry count can be checked. So the end-of-central-directory record (and the Zip64 locator
and record that zipfile would follow) is located here, the same way zipfile locates it, with
one bounded read of the file's tail, and the package is refused unless

- the declared entry count is at most :func:`max_declared_entries` (files plus folder entries),
- the declared directory size is at most that many entries of :data:`CD_ENTRY_MAX` bytes, and
- the declared directory (offset + size) lies inside the file, before its end record.
"""

from __future__ import annotations

import struct
from typing import IO

from beian.errors import InputError

__all__ = ["CD_ENTRY_MAX", "check_central_directory", "max_declared_entries"]

_EOCD = struct.Struct("<4s4H2LH")  # signature, disks, entries here/total, size, offset, comment
_LOC64 = struct.Struct("<4sLQL")  # signature, disk, offset of the Zip64 record, disks
_EOCD64 = struct.Struct("<4sQ2H2L4Q")  # ... entries here/total, size, offset
_EOCD_SIG, _LOC64_SIG, _EOCD64_SIG = b"PK\x05\x06", b"PK\x06\x07", b"PK\x06\x06"
_COMMENT_MAX = 0xFFFF  # the archive comment's length is a 16-bit field

# one central-directory entry: 46 fixed bytes, then its name, extra field and comment. Names in
# a package are short relative paths; a Zip64 extra is 32 bytes, timestamps 9-36: the caps are
# generous for what `beian build` and common zip tools write, and bound the directory.
CD_NAME_MAX, CD_EXTRA_MAX, CD_COMMENT_MAX = 1024, 256, 256
CD_ENTRY_MAX = 46 + CD_NAME_MAX + CD_EXTRA_MAX + CD_COMMENT_MAX  # 1,582 bytes


def max_declared_entries(max_entries: int) -> int:
    """Entries the directory may declare: ``max_entries`` files, and as many folder entries
    (zip tools list folders too; those are not counted against ``max_entries`` later)."""
    return 2 * max_entries


def _refuse(what: str, fix: str) -> InputError:
    return InputError(what, where="package（ZIP 中央目录）", fix=fix)


def _not_zip() -> InputError:
    return InputError(
        "上传的材料包不是 ZIP 文件",
        where="package",
        fix="请用 `beian registry submit 目录` 上传，或把目录打成 zip",
    )


def _end_record(fh: IO[bytes], size: int) -> tuple[int, tuple[int, ...]]:
    """(where the end record starts, its fields), found as :mod:`zipfile` finds it: right at
    the end when there is no comment, else the last signature within the comment's reach."""
    tail_len = min(size, _EOCD.size + _COMMENT_MAX)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    if tail[-_EOCD.size : -_EOCD.size + 4] == _EOCD_SIG and tail[-2:] == b"\0\0":
        start = len(tail) - _EOCD.size
    else:
        start = tail.rfind(_EOCD_SIG)
        if start < 0 or start + _EOCD.size > len(tail):
            raise _not_zip()
    return size - tail_len + start, _EOCD.unpack_from(tail, start)


def _zip64(fh: IO[bytes], eocd_at: int) -> tuple[int, int, int, int] | None:
    """(record start, entries, size, offset) from the Zip64 record zipfile would use, if any."""
    loc_at = eocd_at - _LOC64.size
    rec_at = loc_at - _EOCD64.size
    if rec_at < 0:
        return None
    fh.seek(rec_at)
    data = fh.read(_EOCD64.size + _LOC64.size)
    if len(data) != _EOCD64.size + _LOC64.size:
        return None
    if _LOC64.unpack_from(data, _EOCD64.size)[0] != _LOC64_SIG:
        return None
    rec = _EOCD64.unpack_from(data)
    if rec[0] != _EOCD64_SIG:
        return None
    return rec_at, rec[7], rec[8], rec[9]


def check_central_directory(fh: IO[bytes], max_entries: int) -> None:
    """Refuse (:class:`InputError`) a zip whose central directory declares more entries or
    bytes than ``max_entries`` allow, or lies outside the file. Reads at most 64 KiB + 98
    bytes; leaves ``fh``'s position anywhere (zipfile seeks for itself)."""
    size = fh.seek(0, 2)
    if size < _EOCD.size:
        raise _not_zip()
    record_at, eocd = _end_record(fh, size)
    count, cd_size, cd_offset = eocd[4], eocd[5], eocd[6]
    z64 = _zip64(fh, record_at)
    if z64 is not None:
        record_at, count, cd_size, cd_offset = z64
    allowed = max_declared_entries(max_entries)
    if count > allowed:
        raise _refuse(
            f"材料包内文件过多（中央目录声明 {count} 个条目，上限 {allowed} 个）",
            fix=f"每个材料包至多 {max_entries} 个文件；请删除多余文件或拆分后重新打包",
        )
    if cd_size > allowed * CD_ENTRY_MAX:
        raise _refuse(
            f"材料包的中央目录过大（声明 {cd_size} 字节，上限 {allowed * CD_ENTRY_MAX} 字节）",
            fix=f"至多 {max_entries} 个文件、文件名不超过 {CD_NAME_MAX} 字节；"
            "请用 `beian build` 重新生成材料包",
        )
    if cd_offset + cd_size > record_at:
        raise _refuse(
            "材料包的中央目录位置与文件大小不符（文件被截断或改动）",
            fix="请重新打包后上传完整的文件",
        )
