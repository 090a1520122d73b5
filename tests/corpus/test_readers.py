from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from beian.corpus import BadRecord, Document, SourceConfig, iter_documents, plan_shards
from tests.corpus.helpers import texts, write_jsonl, write_parquet, write_sources


def _read_all(cfg: SourceConfig, shard_bytes: int) -> tuple[list[Document], list[BadRecord]]:
    docs: list[Document] = []
    bad: list[BadRecord] = []
    for shard in plan_shards(cfg, fingerprint="t", shard_bytes=shard_bytes):
        for item in iter_documents(shard):
            (docs if isinstance(item, Document) else bad).append(item)
    return docs, bad


@pytest.mark.parametrize("shard_bytes", [1, 97, 1000, 1 << 20])
def test_jsonl_shards_cover_every_line_once(tmp_path: Path, shard_bytes: int) -> None:
    write_jsonl(tmp_path / "a.jsonl", texts(200, 10, 1))
    cfg = SourceConfig.load(
        write_sources(
            tmp_path, [{"name": "s", "type": "开源", "licence": "x", "paths": ["a.jsonl"]}]
        )
    )
    docs, bad = _read_all(cfg, shard_bytes)
    assert not bad
    # independent reading: the json module, line by line
    with open(tmp_path / "a.jsonl", encoding="utf-8") as fh:
        expected = [(n, json.loads(line)["text"]) for n, line in enumerate(fh, start=1)]
    assert [(d.line, d.text) for d in docs] == expected
    assert len({d.doc_id for d in docs}) == 200
    assert docs[5].doc_id == "s:a.jsonl:6"
    with open(tmp_path / "a.jsonl", "rb") as fh:  # offsets point at the line
        fh.seek(docs[17].offset)
        assert json.loads(fh.readline())["text"] == docs[17].text


def test_corrupt_lines_reported_with_file_and_line(tmp_path: Path) -> None:
    lines = [
        '{"text": "好"}',
        '{"text": "坏',  # truncated JSON
        "",  # blank: not a record
        '["not", "an", "object"]',
        '{"body": "no text field"}',
        '{"text": 42}',
        '{"text": "末"}',
    ]
    (tmp_path / "a.jsonl").write_bytes(("\n".join(lines) + "\n").encode() + b'{"text": "\xff"}\n')
    cfg = SourceConfig.load(
        write_sources(
            tmp_path, [{"name": "s", "type": "开源", "licence": "x", "paths": ["a.jsonl"]}]
        )
    )
    docs, bad = _read_all(cfg, 1 << 20)
    assert [d.text for d in docs] == ["好", "末"]
    assert [(b.file, b.line) for b in bad] == [("a.jsonl", n) for n in (2, 4, 5, 6, 8)]
    assert "a.jsonl:2" in bad[0].message and "JSON" in bad[0].message
    assert "文本字段 text" in bad[2].message
    assert "解码" in bad[4].message


def test_gb18030_text_and_bom(tmp_path: Path) -> None:
    (tmp_path / "g.txt").write_bytes("第一行：繁體與简体\n\n第三行\n".encode("gb18030"))
    (tmp_path / "b.jsonl").write_bytes(b"\xef\xbb\xbf" + '{"text": "带BOM"}\n'.encode())
    cfg = SourceConfig.load(
        write_sources(
            tmp_path,
            [{"name": "s", "type": "开源", "licence": "x", "paths": ["g.txt", "b.jsonl"]}],
        )
    )
    docs, bad = _read_all(cfg, 4)
    assert not bad
    assert [(d.file, d.line, d.text) for d in docs] == [
        ("b.jsonl", 1, "带BOM"),
        ("g.txt", 1, "第一行：繁體與简体"),
        ("g.txt", 3, "第三行"),
    ]


def test_csv_quoted_newlines_keep_line_numbers(tmp_path: Path) -> None:
    with open(tmp_path / "c.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "text"])
        w.writerow(["1", "一行"])
        w.writerow(["2", "两\n行"])
        w.writerow(["3", "三"])
    cfg = SourceConfig.load(
        write_sources(
            tmp_path,
            [{"name": "s", "type": "开源", "licence": "x", "paths": ["c.csv"], "id_field": "id"}],
        )
    )
    docs, bad = _read_all(cfg, 1)
    assert not bad
    assert [(d.doc_id, d.line, d.text) for d in docs] == [
        ("s:1", 2, "一行"),
        ("s:2", 3, "两\n行"),
        ("s:3", 5, "三"),
    ]


def test_parquet_row_groups_are_shards(tmp_path: Path) -> None:
    data = texts(250, 0, 9)
    write_parquet(tmp_path / "p.parquet", data, row_group=100)
    cfg = SourceConfig.load(
        write_sources(
            tmp_path,
            [
                {
                    "name": "s",
                    "type": "开源",
                    "licence": "x",
                    "paths": ["p.parquet"],
                    "text_field": "content",
                }
            ],
        )
    )
    shards = plan_shards(cfg, fingerprint="t")
    assert [(s.start, s.first_line) for s in shards] == [(0, 1), (1, 101), (2, 201)]
    docs, _ = _read_all(cfg, 1)
    assert [d.text for d in docs] == pq.read_table(tmp_path / "p.parquet")["content"].to_pylist()
    assert docs[150].line == 151


def test_missing_parquet_column_is_reported(tmp_path: Path) -> None:
    write_parquet(tmp_path / "p.parquet", texts(5, 0, 1))
    cfg = SourceConfig.load(
        write_sources(
            tmp_path, [{"name": "s", "type": "开源", "licence": "x", "paths": ["p.parquet"]}]
        )
    )
    docs, bad = _read_all(cfg, 1)
    assert not docs and len(bad) == 1 and "缺少列 text" in bad[0].message


def test_shard_ids_change_with_file_and_fingerprint(tmp_path: Path) -> None:
    write_jsonl(tmp_path / "a.jsonl", texts(20, 0, 1))
    cfg = SourceConfig.load(
        write_sources(
            tmp_path, [{"name": "s", "type": "开源", "licence": "x", "paths": ["a.jsonl"]}]
        )
    )
    a = [s.id for s in plan_shards(cfg, fingerprint="x")]
    assert a == [s.id for s in plan_shards(cfg, fingerprint="x")]
    assert a != [s.id for s in plan_shards(cfg, fingerprint="y")]
    with open(tmp_path / "a.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"text": "新"}\n')
    assert a != [s.id for s in plan_shards(cfg, fingerprint="x")]
