"""A small ISO-BMFF box reader/writer for the QuickTime ``keys`` metadata form.

The video practice guide puts the label in ``moov/udta/meta`` with handler ``mdta``, a ``keys``
atom (key ``AIGC``, namespace ``mdta``) and an ``ilst`` item, the layout ffmpeg writes with
``-movflags use_metadata_tags``. mutagen only writes the iTunes (``mdir``) form, so this module
rebuilds ``moov`` itself: other ``udta`` boxes stay, the items of an existing ``meta`` are
carried over as keys, and when ``moov`` grows or shrinks in front of an ``mdat`` every ``stco`` /
``co64`` chunk offset that points past ``moov`` is shifted by the same amount.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

__all__ = ["Box", "children", "data_value", "find_all", "meta_items", "rebuild_moov"]

Box = tuple[bytes, int, int, int]  # (type, box start, payload start, end) inside a buffer

#: iTunes item atoms → the key names ffmpeg uses for them in the ``keys`` form.
_MDIR_NAMES = {
    b"\xa9too": "encoder",
    b"\xa9nam": "title",
    b"\xa9ART": "artist",
    b"\xa9alb": "album",
    b"\xa9cmt": "comment",
    b"\xa9day": "date",
    b"\xa9gen": "genre",
    b"\xa9wrt": "composer",
    b"cprt": "copyright",
    b"desc": "description",
}


def children(data: bytes | bytearray, start: int, end: int) -> list[Box]:
    """Child boxes of a container payload; a box running past ``end`` stops the walk."""
    out, pos = [], start
    while pos + 8 <= end:
        n, kind = struct.unpack_from(">I4s", data, pos)
        hdr = 8
        if n == 1 and pos + 16 <= end:
            n, hdr = struct.unpack_from(">Q", data, pos + 8)[0], 16
        elif n == 0:
            n = end - pos
        if n < hdr or pos + n > end:
            break
        out.append((kind, pos, pos + hdr, pos + n))
        pos += n
    return out


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _child(data: bytes, start: int, end: int, kind: bytes) -> Box | None:
    return next((b for b in children(data, start, end) if b[0] == kind), None)


def find_all(
    data: bytes, path: tuple[bytes, ...], start: int = 0, end: int | None = None
) -> list[Box]:
    """Boxes at ``path`` (e.g. ``(b"udta", b"meta")``) under a container payload."""
    found = [b for b in children(data, start, len(data) if end is None else end) if b[0] == path[0]]
    if len(path) == 1:
        return found
    return [x for _, _, a, b in found for x in find_all(data, path[1:], a, b)]


def meta_items(data: bytes, start: int, end: int) -> Iterator[tuple[str, list[bytes]]]:
    """(key name, raw ``data`` boxes) of a ``meta`` payload, in ``keys`` or iTunes form."""
    inner = children(data, start + 4, end)  # meta is a full box: skip version and flags
    found = {k: (a, b) for k, _, a, b in inner}
    if b"ilst" not in found:
        return
    names: dict[int, str] = {}
    if b"keys" in found:
        ka, kb = found[b"keys"]
        pos, index = ka + 8, 1
        while pos + 8 <= kb:
            (n,) = struct.unpack_from(">I", data, pos)
            if n < 8 or pos + n > kb:
                break
            names[index] = data[pos + 8 : pos + n].decode("utf-8", "replace")
            pos, index = pos + n, index + 1
    ia, ib = found[b"ilst"]
    for kind, _, x, y in children(data, ia, ib):
        if kind == b"----":  # free-form, also inside a keys-form ilst (mutagen puts it there)
            named = _child(data, x, y, b"name")
            name = data[named[2] + 4 : named[3]].decode("utf-8", "replace") if named else None
        elif b"keys" in found:
            name = names.get(int.from_bytes(kind, "big"))
        else:
            name = _MDIR_NAMES.get(kind, kind.decode("latin-1"))
        values = [bytes(data[a:b]) for k, a, _, b in children(data, x, y) if k == b"data"]
        if name is not None and values:
            yield name, values


def data_value(raw_data_box: bytes) -> str:
    """The text of a ``data`` box (type indicator, locale, value)."""
    return raw_data_box[16:].decode("utf-8", "replace")


def _keys_meta(items: list[tuple[str, list[bytes]]]) -> bytes:
    hdlr = box(b"hdlr", b"\x00" * 8 + b"mdta" + b"\x00" * 13)
    entries = b"".join(box(b"mdta", name.encode("utf-8")) for name, _ in items)
    keys = box(b"keys", b"\x00" * 4 + struct.pack(">I", len(items)) + entries)
    ilst = box(
        b"ilst",
        b"".join(
            box(struct.pack(">I", i), b"".join(values))
            for i, (_, values) in enumerate(items, start=1)
        ),
    )
    return box(b"meta", b"\x00" * 4 + hdlr + keys + ilst)


def label_data(label_json: str) -> bytes:
    """A ``data`` box holding UTF-8 text (well-known type 1), as ffmpeg writes it."""
    return box(b"data", struct.pack(">II", 1, 0) + label_json.encode("ascii"))


def _udta(moov: bytes, a: int, b: int, label_json: str | None) -> bytes:
    items: list[tuple[str, list[bytes]]] = []
    kept = b""
    for kind, begin, x, y in children(moov, a, b):
        if kind == b"meta":
            items += [(n, v) for n, v in meta_items(moov, x, y) if n != "AIGC"]
        else:
            kept += moov[begin:y]
    if label_json is not None:
        items.append(("AIGC", [label_data(label_json)]))
    return box(b"udta", kept + (_keys_meta(items) if items else b""))


def rebuild_moov(moov: bytes, label_json: str | None, shift_from: int, delta_of: int) -> bytes:
    """``moov`` payload → a new ``moov`` box whose ``udta/meta`` holds only ``label_json``.

    ``shift_from``: chunk offsets at or past it (``mdat`` after ``moov``) are shifted by the
    change in ``moov``'s size; ``delta_of`` is the size of the old ``moov`` box.
    """
    parts, has_udta = [], False
    for kind, begin, x, y in children(moov, 0, len(moov)):
        if kind == b"udta":
            has_udta = True
            parts.append(_udta(moov, x, y, label_json))
        else:
            parts.append(moov[begin:y])
    if not has_udta:
        parts.append(_udta(b"", 0, 0, label_json))
    new = bytearray(box(b"moov", b"".join(parts)))
    delta = len(new) - delta_of
    if delta:
        _shift_offsets(new, 8, len(new), shift_from, delta)
    return bytes(new)


def _shift_offsets(buf: bytearray, start: int, end: int, at: int, delta: int) -> None:
    for kind, _, x, y in children(buf, start, end):
        if kind in (b"trak", b"mdia", b"minf", b"stbl"):
            _shift_offsets(buf, x, y, at, delta)
        elif kind in (b"stco", b"co64"):
            (count,) = struct.unpack_from(">I", buf, x + 4)
            size, fmt = (4, ">I") if kind == b"stco" else (8, ">Q")
            for i in range(count):
                pos = x + 8 + i * size
                (off,) = struct.unpack_from(fmt, buf, pos)
                if off >= at:
                    struct.pack_into(fmt, buf, pos, off + delta)
