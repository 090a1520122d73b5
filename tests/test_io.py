from __future__ import annotations

from pathlib import Path

import pytest

from beian.errors import InputError
from beian.io import atomic_path, atomic_write_text, load_yaml, read_text

TEXT = "关键词，风险\n颠覆国家政权,A1a\n"


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        (TEXT.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), "utf-8-sig"),
        (TEXT.encode("gbk"), "gb18030"),
        (TEXT.encode("gb18030"), "gb18030"),
        (TEXT.encode("utf-16"), "utf-16"),
    ],
)
def test_read_text_detects_encoding(tmp_path: Path, encoded: bytes, encoding: str) -> None:
    p = tmp_path / "f.csv"
    p.write_bytes(encoded)
    assert read_text(p) == (TEXT, encoding)


def test_atomic_write_leaves_old_file_on_failure(tmp_path: Path) -> None:
    p = tmp_path / "out.txt"
    atomic_write_text(p, "old")
    with pytest.raises(RuntimeError), atomic_path(p) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError("boom")
    assert p.read_text(encoding="utf-8") == "old"
    assert [x.name for x in tmp_path.iterdir()] == ["out.txt"]


def test_load_yaml_reports_line(tmp_path: Path) -> None:
    p = tmp_path / "d.yaml"
    p.write_text("a: 1\nb: [2\nc: 3\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_yaml(p)
    assert exc.value.where is not None and exc.value.where.startswith(f"{p}:")


def test_missing_file() -> None:
    with pytest.raises(InputError, match="文件不存在"):
        read_text("/nonexistent/x.txt")


def test_parse_yaml_errors_point_at_the_line() -> None:
    from beian.io import parse_yaml

    with pytest.raises(InputError) as exc:
        parse_yaml("a: 1\nb: [\n", where="data/figures.yaml")
    assert exc.value.where is not None and exc.value.where.startswith("data/figures.yaml:")


def test_write_yaml_round_trips_chinese(tmp_path: Path) -> None:
    from beian.io import load_yaml, write_yaml

    data = {"名称": "示例", "列表": [1, "二"], "b": None}
    write_yaml(tmp_path / "a.yaml", data)
    assert "名称: 示例" in (tmp_path / "a.yaml").read_text("utf-8")
    assert load_yaml(tmp_path / "a.yaml") == data
