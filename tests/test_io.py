from __future__ import annotations

from pathlib import Path

import pytest

from beian.errors import InputError
from beian.io import atomic_path, atomic_write_text, edit_yaml, load_yaml, read_text

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


@pytest.mark.parametrize(
    ("before", "after", "message", "where"),
    [
        ("# 注释\na: 1  # 保留\nb: 'x'\n", "# 注释\na: 2  # 保留\nb: 'x'\n", None, None),
        ("a: [1\nb: 2\n", None, "YAML 语法错误", "y.yaml:2"),
        ("- 1\n- 2\n", None, "顶层应为映射", "y.yaml"),
        ("", None, "顶层应为映射", "y.yaml"),
    ],
)
def test_edit_yaml(
    tmp_path: Path, before: str, after: str | None, message: str | None, where: str | None
) -> None:
    p = tmp_path / "y.yaml"
    p.write_text(before, "utf-8")

    def edit(data: dict[str, int]) -> None:
        data["a"] = 2

    if after is not None:
        edit_yaml(p, edit)
        assert p.read_text("utf-8") == after
        return
    with pytest.raises(InputError) as exc:
        edit_yaml(p, edit)
    assert message in exc.value.what and (exc.value.where or "").endswith(where or "")
    assert p.read_text("utf-8") == before


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("a: 1\nb: [x\n", "y.yaml:3:1"),  # syntax: the list is never closed
        ("a: 1\nwhen: 2027-02-30\n", "y.yaml:2:7"),  # a date that does not exist
    ],
)
def test_yaml_errors_are_located(tmp_path: Path, text: str, where: str) -> None:
    p = tmp_path / "y.yaml"
    p.write_text(text, "utf-8")
    with pytest.raises(InputError) as exc:
        load_yaml(p)
    assert exc.value.where == f"{p}:{where.split(':', 1)[1]}"


# (case, YAML text, the Chinese words expected, line:column the error points at)
YAML_SYNTAX: list[tuple[str, str, str, str]] = [
    ("key without colon", "a: 1\nb\nc: 2\n", "缺少冒号", "2:1"),
    ("tab indentation", "a:\n\tb: 1\n", "制表符（Tab）", "2:1"),
    ("tab after a value", "a: 1\n\tb: 2\n", "制表符（Tab）", "2:1"),
    ("colon in a value", "a: b: c\n", "请给整个值加引号", "1:5"),
    ("undefined alias", "a: *x\n", "未定义的锚点", "1:4"),
    ("unclosed quote", 'a: "abc\nb: 2\n', "引号没有闭合", "1:4"),
    ("unclosed list", "a: [1, 2\nb: 3\n", "方括号列表", "2:2"),
    ("unclosed mapping", "a: {x: 1\n", "花括号映射", "2:1"),
    ("ragged indentation", "a:\n  b: 1\n c: 2\n", "缩进不齐", "3:2"),
    ("bad escape", 'a: "C:\\q"\n', "转义无效", "1:7"),
    ("value starting with @", "a: @x\n", "「@」不能作为值的开头", "1:4"),
    ("two documents", "a: 1\n---\nb: 2\n", "多个 YAML 文档", "2:1"),
    ("list among keys", "- a\nb: 1\n", "列表项", "2:1"),
    ("duplicate key", "a: 1\nb:\n  c: 1\n  c: 2\n", "键 'c' 重复：第 3 行", "4:3"),
    ("control character", "a: b\x01c\n", "不允许的字符 U+0001", "1"),
    ("unknown tag", "a: !foo x\n", "不认识的标签", "1:4"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "words", "at"), [c[1:] for c in YAML_SYNTAX],
                         ids=[c[0] for c in YAML_SYNTAX])  # fmt: skip
def test_yaml_syntax_errors_are_said_in_chinese(text: str, words: str, at: str) -> None:
    from beian.io import parse_yaml

    with pytest.raises(InputError) as exc:
        parse_yaml(text, where="y.yaml")
    assert exc.value.what.startswith("YAML 语法错误：") and words in exc.value.what
    assert "（" in exc.value.what or "重复" in words  # PyYAML's own words kept as the detail
    assert exc.value.where == f"y.yaml:{at}"


def test_merge_keys_are_no_duplicates() -> None:
    from beian.io import parse_yaml

    assert parse_yaml("x: &b {p: 1}\ny:\n  <<: *b\n  q: 2\n")["y"] == {"p": 1, "q": 2}


def test_edit_yaml_says_ruamel_errors_in_chinese(tmp_path: Path) -> None:
    p = tmp_path / "y.yaml"
    p.write_text("a: 1\na: 2\n", "utf-8")
    with pytest.raises(InputError) as exc:
        edit_yaml(p, lambda data: None)
    assert "同名的键" in exc.value.what and exc.value.where == f"{p}:2"
    assert p.read_text("utf-8") == "a: 1\na: 2\n"


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf\xff\xfe", b"\xff\xfe\x00\xd8\x00\x00"])
def test_a_byte_order_mark_over_other_bytes_is_an_input_error(tmp_path: Path, data: bytes) -> None:
    (tmp_path / "f.txt").write_bytes(data)
    with pytest.raises(InputError, match="字节序标记") as caught:
        read_text(tmp_path / "f.txt")
    assert caught.value.where == str(tmp_path / "f.txt")


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", ".xls"),
        (b"%PDF-1.7\n%\xe2\xe3", "PDF"),
        (b"\x1f\x8b\x08\x00", "gzip"),
    ],
)
def test_a_binary_file_is_named_not_called_an_unknown_encoding(
    tmp_path: Path, data: bytes, kind: str
) -> None:
    (tmp_path / "f.txt").write_bytes(data + bytes(range(256)))
    with pytest.raises(InputError) as caught:
        read_text(tmp_path / "f.txt")
    assert kind in caught.value.what and "不是文本文件" in caught.value.what
    assert caught.value.where == str(tmp_path / "f.txt") and caught.value.fix
