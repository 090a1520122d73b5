from __future__ import annotations

from pathlib import Path

import pytest

from beian.corpus import SourceConfig, provenance_findings
from beian.errors import InputError
from tests.corpus.helpers import write_sources

# (type as written, fields given, the missing record labels)
CASES = [
    ("open-source", {"licence": "MIT"}, []),
    ("开源", {}, ["开源许可协议"]),
    ("self-collected", {"collection_record": "记录-1"}, []),
    ("自采", {"collection_record": "  "}, ["采集记录"]),
    ("commercial", {"collection_record": "合同"}, ["供应方的合法性承诺/授权记录"]),
    ("商业", {}, ["交易合同或合作协议", "供应方的合法性承诺/授权记录"]),
    ("user-input", {"authorisation_record": "授权书"}, []),
    ("用户输入", {}, ["用户授权记录"]),
]


@pytest.mark.parametrize(("type_", "fields", "missing"), CASES)
def test_provenance_required_per_type(
    tmp_path: Path, type_: str, fields: dict[str, str], missing: list[str]
) -> None:
    (tmp_path / "a.jsonl").write_text('{"text": "x"}\n', encoding="utf-8")
    y = write_sources(tmp_path, [{"name": "s", "type": type_, "paths": ["a.jsonl"], **fields}])
    cfg = SourceConfig.load(y)
    assert cfg.sources[0].missing_records() == missing
    codes = [f.code for f in provenance_findings(cfg, str(y))]
    assert codes == (["BA-COR-001"] if missing else [])


def test_paths_globs_and_directories(tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    for name in ("d/x.jsonl", "d/sub/y.jsonl", "d/sub/skip.bin", "z.csv"):
        (tmp_path / name).write_text("", encoding="utf-8")
    y = write_sources(
        tmp_path,
        [
            {
                "name": "s",
                "type": "open-source",
                "licence": "MIT",
                "paths": ["d", "*.csv", "d/x.jsonl"],
            }
        ],
    )
    cfg = SourceConfig.load(y)
    assert [cfg.display_path(f) for f in cfg.files(cfg.sources[0])] == [
        "d/sub/y.jsonl",
        "d/x.jsonl",
        "z.csv",
    ]


def test_no_files_is_a_finding(tmp_path: Path) -> None:
    y = write_sources(
        tmp_path,
        [{"name": "s", "type": "open-source", "licence": "MIT", "paths": ["none/*.jsonl"]}],
    )
    assert [f.code for f in provenance_findings(SourceConfig.load(y), str(y))] == ["BA-COR-005"]


@pytest.mark.parametrize(
    ("sources", "where_part"),
    [
        ([{"name": "s", "type": "网络", "paths": ["a"]}], "sources.0.type"),
        ([{"name": "s", "type": "open-source", "paths": []}], "sources.0.paths"),
        ([{"name": "s", "type": "open-source", "paths": ["a"], "colour": 1}], "sources.0.colour"),
    ],
)
def test_invalid_fields_name_their_place(
    tmp_path: Path, sources: list[dict[str, object]], where_part: str
) -> None:
    y = write_sources(tmp_path, sources)
    with pytest.raises(InputError) as exc:
        SourceConfig.load(y)
    assert where_part in (exc.value.where or "")


def test_duplicate_names_rejected(tmp_path: Path) -> None:
    s = {"name": "s", "type": "open-source", "licence": "MIT", "paths": ["a"]}
    with pytest.raises(InputError, match="重复"):
        SourceConfig.load(write_sources(tmp_path, [s, s]))
