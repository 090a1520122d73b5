"""``check_config``'s refusals of placeholders and missing files, one table per check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from beian.crypto import KeyRing
from beian.errors import ConfigError, InputError
from beian.findings import Severity
from beian.gateway import GatewayConfig, Labeller, LabelsConfig, check_config
from beian.standards import load_edition

from .conftest import PRODUCER

NEW = {"BA-GW-007", "BA-GW-008", "BA-GW-009", "BA-GW-010", "BA-GW-021"}
RING = KeyRing.generate()
KEY = RING.to_json().split('"k1": "')[1].split('"')[0]  # BEIAN_KEY: one key's base64


def _codes(cfg: dict[str, Any], base: Path, environ: dict[str, str] | None = None) -> list[str]:
    config = GatewayConfig.from_mapping(cfg).resolve_paths(base)
    found = check_config(config, load_edition(), environ=environ or {"BEIAN_KEY": KEY})
    return [f.code for f in found if f.code in NEW]


PRODUCERS = [
    # name, labels section, codes
    ("a real code", {"content_producer": PRODUCER}, []),
    ("not set", {}, ["BA-GW-007"]),
    ("the demo's marked value", {"content_producer": "DEMO-NOT-A-REAL-PRODUCER"}, ["BA-GW-007"]),
    ("the documentation's X-filled example", {"content_producer": "001191110000XXXXXXXXXX00000"},
     ["BA-GW-007"]),
    ("the old default", {"content_producer": "beian-gateway"}, ["BA-GW-007"]),
    ("no implicit label, no code needed", {"implicit": False}, []),
    ("one character of the credit code dropped", {"content_producer": PRODUCER[:10] + PRODUCER[11:]},
     ["BA-GW-021"]),
    ("a wrong check character", {"content_producer": PRODUCER[:21] + "P" + PRODUCER[22:]}, ["BA-GW-021"]),
    ("the bare credit code", {"content_producer": PRODUCER[4:22]}, ["BA-GW-021"]),
    ("Chinese characters", {"content_producer": "某某科技有限公司"}, ["BA-GW-021"]),
    ("another printable code is the provider's choice", {"content_producer": "ACME-GENAI-001"}, []),
    ("so is one of 18 characters", {"content_producer": "ACME-GENAI-0000001"}, []),
]  # fmt: skip


@pytest.mark.parametrize(("name", "labels", "expected"), PRODUCERS, ids=[c[0] for c in PRODUCERS])
def test_producer(tmp_path: Path, name: str, labels: dict[str, Any], expected: list[str]) -> None:
    assert _codes({"labels": labels}, tmp_path) == expected


UNUSABLE = [
    # name, content_producer: the gateway refuses to start with it (Labeller), so must the check
    ("Chinese characters", "某某科技有限公司", "BA-GW-021"),
    ("a space inside", "ACME GENAI", "BA-GW-021"),
    ("a space after a good code", PRODUCER + " ", "BA-GW-021"),
    ("empty", "", "BA-GW-007"),
]


@pytest.mark.parametrize(("name", "code", "expected"), UNUSABLE, ids=[c[0] for c in UNUSABLE])
def test_producer_the_gateway_cannot_use_blocks(
    tmp_path: Path, name: str, code: str, expected: str
) -> None:
    config = GatewayConfig.from_mapping({"labels": {"content_producer": code}})
    with pytest.raises(ConfigError):
        Labeller(config.labels)
    found = check_config(config.resolve_paths(tmp_path), load_edition(), environ={"BEIAN_KEY": KEY})
    assert [(f.code, f.severity) for f in found if f.code in NEW] == [(expected, Severity.BLOCKING)]


MODERATION = {"moderation": {
    "classifier": {"model": "c.pkl"}, "substitutes": ["s.yaml"],
    "guard": {"base_url": "http://127.0.0.1:9/v1", "model": "g", "categories": "map.yaml"},
}}  # fmt: skip
FILES = [
    # name, config, files to create, codes
    ("all present", {"screening": {"lexicon": ["kw.txt"]}, "records": {"key_file": "k.json"},
                     "labels": {"signing_key": "l.pem"}}, ["kw.txt", "k.json", "l.pem"], []),
    ("keyword library missing", {"screening": {"lexicon": ["kw.txt", "more.txt"]}}, ["kw.txt"],
     ["BA-GW-008"]),
    ("key file missing", {"records": {"key_file": "k.json"}}, [], ["BA-GW-008"]),
    ("signing key missing", {"labels": {"signing_key": "l.pem"}}, [], ["BA-GW-008"]),
    ("a folder is not a file", {"screening": {"lexicon": ["dir"]}}, [], ["BA-GW-008"]),
    ("moderation files present", MODERATION, ["c.pkl", "s.yaml", "map.yaml"], []),
    ("classifier and category map missing", MODERATION, ["s.yaml"], ["BA-GW-008", "BA-GW-008"]),
    ("approved answers missing", MODERATION, ["c.pkl", "map.yaml"], ["BA-GW-008"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "cfg", "present", "expected"), FILES,
                         ids=[c[0] for c in FILES])  # fmt: skip
def test_files(
    tmp_path: Path, name: str, cfg: dict[str, Any], present: list[str], expected: list[str]
) -> None:
    (tmp_path / "dir").mkdir()
    for name_ in present:
        (tmp_path / name_).write_text(RING.to_json() if name_ == "k.json" else "x", "utf-8")
    cfg = {**cfg, "labels": {"content_producer": PRODUCER, **cfg.get("labels", {})}}
    assert _codes(cfg, tmp_path) == expected


KEYS = [
    # name, records section, environment, codes
    ("key file in the config", {"key_file": "k.json"}, {}, []),
    ("BEIAN_KEY", {}, {"BEIAN_KEY": KEY}, []),
    ("BEIAN_KEYS", {}, {"BEIAN_KEYS": RING.to_json()}, []),
    ("BEIAN_KEY_FILE that exists", {}, {"BEIAN_KEY_FILE": "k.json"}, []),
    ("BEIAN_KEY_FILE that does not", {}, {"BEIAN_KEY_FILE": "nowhere.json"}, ["BA-GW-008"]),
    ("no key anywhere", {}, {}, ["BA-GW-009"]),
    ("an empty variable is no key", {}, {"BEIAN_KEY": ""}, ["BA-GW-009"]),
]


@pytest.mark.parametrize(("name", "records", "environ", "expected"), KEYS,
                         ids=[c[0] for c in KEYS])  # fmt: skip
def test_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, records: dict[str, Any],
    environ: dict[str, str], expected: list[str],
) -> None:  # fmt: skip
    KeyRing.generate().save(tmp_path / "k.json")
    monkeypatch.chdir(tmp_path)  # BEIAN_KEY_FILE is relative to where the gateway runs
    cfg = {"records": records, "labels": {"content_producer": PRODUCER}}
    config = GatewayConfig.from_mapping(cfg).resolve_paths(tmp_path)
    found = check_config(config, load_edition(), environ=environ)
    assert [f.code for f in found if f.code in NEW] == expected


BAD_KEYS = [
    # name, records section, environment, where the error points
    ("a malformed key file", {"key_file": "bad.json"}, {}, "bad.json:3 keys.k1"),
    ("a malformed BEIAN_KEY_FILE", {}, {"BEIAN_KEY_FILE": "bad.json"}, "bad.json:3 keys.k1"),
    ("a malformed BEIAN_KEYS", {}, {"BEIAN_KEYS": '{"active": "k1"}'}, "BEIAN_KEYS keys"),
    ("a malformed BEIAN_KEY", {}, {"BEIAN_KEY": "a2V5"}, "BEIAN_KEY"),
]


@pytest.mark.parametrize(("name", "records", "environ", "where"), BAD_KEYS,
                         ids=[c[0] for c in BAD_KEYS])  # fmt: skip
def test_a_malformed_key_ring_is_an_error_at_its_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, records: dict[str, Any],
    environ: dict[str, str], where: str,
) -> None:  # fmt: skip
    (tmp_path / "bad.json").write_text('{"active": "k1",\n "keys": {\n  "k1": "AAAA"}}', "utf-8")
    monkeypatch.chdir(tmp_path)
    cfg = {"records": records, "labels": {"content_producer": PRODUCER}}
    config = GatewayConfig.from_mapping(cfg).resolve_paths(tmp_path)
    with pytest.raises(ConfigError) as caught:
        check_config(config, load_edition(), environ=environ)
    assert where in str(caught.value.where)


TOKENS = [
    ("unset: admin endpoints closed", None, []),
    ("random", "kq3V9x2hJm0bR7tLw8YpZc", []),
    ("the documentation's placeholder", "换成随机长字符串", ["BA-GW-010"]),
    ("change-me", "change-me", ["BA-GW-010"]),
]


@pytest.mark.parametrize(("name", "token", "expected"), TOKENS, ids=[c[0] for c in TOKENS])
def test_admin_token(tmp_path: Path, name: str, token: str | None, expected: list[str]) -> None:
    cfg = {"admin_token": token, "labels": {"content_producer": PRODUCER}}
    assert _codes(cfg, tmp_path) == expected


def test_no_producer_refuses_to_label() -> None:
    """The gateway does not start with implicit labels and no provider code."""
    with pytest.raises(ConfigError) as err:
        Labeller(LabelsConfig())
    assert err.value.where == "labels: content_producer" and "ContentProducer" in err.value.what
    assert Labeller(LabelsConfig(implicit=False)).header("id") is None


DB_CODES = {"BA-GW-015", "BA-GW-016", "BA-GW-017", "BA-GW-018"}
DATABASES = [
    # name, records section, environment, codes
    ("a plain SQLite path", {"path": "gw.db"}, {}, []),
    ("a SQLite URL", {"url": "sqlite:///gw.db"}, {}, []),
    ("url and url_env both", {"url": "sqlite:///a.db", "url_env": "GW_DB"}, {}, ["BA-GW-015"]),
    ("url_env not set", {"url_env": "GW_DB"}, {}, ["BA-GW-015"]),
    ("url_env set", {"url_env": "GW_DB"}, {"GW_DB": "sqlite:///gw.db"}, []),
    ("a placeholder", {"url": "postgresql://user@example.com/db"}, {}, ["BA-GW-015"]),
    ("another database", {"url": "mysql://u@127.0.0.1/db"}, {}, ["BA-GW-015"]),
    ("not a URL", {"url": "postgresql://u@h:notaport/db"}, {}, ["BA-GW-015"]),
    ("nothing listens there", {"url_env": "GW_DB"}, {"GW_DB": "postgresql://u@127.0.0.1:1/db"},
     ["BA-GW-016"]),
    ("a password in the file", {"url": "postgresql://u:pw@127.0.0.1:1/db"}, {},
     ["BA-GW-017", "BA-GW-016"]),
]  # fmt: skip


@pytest.mark.parametrize(("name", "records", "env", "expected"), DATABASES,
                         ids=[c[0] for c in DATABASES])  # fmt: skip
def test_database(tmp_path: Path, name: str, records: dict[str, Any], env: dict[str, str],
                  expected: list[str]) -> None:  # fmt: skip
    config = GatewayConfig.from_mapping({"records": records}).resolve_paths(tmp_path)
    found = check_config(config, load_edition(), environ={"BEIAN_KEY": KEY, **env})
    assert [f.code for f in found if f.code in DB_CODES] == expected
    assert all("pw" not in f.message for f in found)


def test_database_on_the_test_server(tmp_path: Path, pg_database: str) -> None:
    config = GatewayConfig.from_mapping({"records": {"url_env": "GW_DB"}})
    found = check_config(config, load_edition(), environ={"BEIAN_KEY": KEY, "GW_DB": pg_database})
    assert not [f.code for f in found if f.code in DB_CODES]


@pytest.mark.parametrize(("identity", "notice", "expected"), [
    ("off", "v1", ["BA-GW-018"]), ("off", None, []), ("header", "v1", []),
])  # fmt: skip
def test_rights_need_identity(identity: str, notice: str | None, expected: list[str]) -> None:
    config = GatewayConfig.from_mapping(
        {"identity": {"mode": identity}, "rights": {"notice_version": notice}}
    )
    found = check_config(config, load_edition(), environ={"BEIAN_KEY": KEY})
    assert [f.code for f in found if f.code in DB_CODES] == expected


GOOD_FILES = {
    "kw.csv": "关键词,风险代码\n某违规词,A1a\n",
    "s.csv": "编号,风险代码,问题,代答\nS1,A1a,怎么办,请遵守法律。\n",
}
BAD_CONTENTS = [
    # name, moderation + screening config, files (name: text), locations of BA-GW-019
    ("all readable", {"screening": {"lexicon": ["kw.csv"]}, "moderation": {"substitutes": ["s.csv"]}},
     GOOD_FILES, []),
    ("a keyword line with an unknown risk code", {"screening": {"lexicon": ["kw.csv"]}},
     {"kw.csv": "关键词,风险代码\n坏词,ZZZ\n"}, ["screening.lexicon"]),
    ("an approved answer without its risk code", {"moderation": {"substitutes": ["s.csv"]}},
     {"s.csv": "编号,风险代码,问题,代答\nS1,,怎么办,请遵守法律。\n"}, ["moderation.substitutes"]),
    ("a classifier file that is not a model", {"moderation": {"classifier": {"model": "c.pkl"}}},
     {"c.pkl": "garbage"}, ["moderation.classifier.model"]),
    ("a guard preset that does not exist", {"moderation": {"guard": {
        "preset": "qwen3guard-genx", "base_url": "http://127.0.0.1:9/v1", "model": "g"}}},
     {}, ["moderation.guard.preset"]),
    ("a missing file is BA-GW-008 only", {"moderation": {"classifier": {"model": "c.pkl"}}}, {}, []),
]  # fmt: skip


@pytest.mark.parametrize(("name", "cfg", "files", "expected"), BAD_CONTENTS,
                         ids=[c[0] for c in BAD_CONTENTS])  # fmt: skip
def test_files_the_gateway_cannot_load(
    tmp_path: Path, name: str, cfg: dict[str, Any], files: dict[str, str], expected: list[str]
) -> None:
    """``gateway check`` reads the keyword libraries and the moderation files as ``serve`` does:
    a file that would stop the gateway from starting is a blocking finding, not 检查通过."""
    for fname, text in files.items():
        (tmp_path / fname).write_text(text, "utf-8")
    config = GatewayConfig.from_mapping(
        {**cfg, "labels": {"content_producer": PRODUCER}}
    ).resolve_paths(tmp_path)
    found = [f for f in check_config(config, load_edition(), environ={"BEIAN_KEY": KEY})
             if f.code == "BA-GW-019"]  # fmt: skip
    assert [f.location.field for f in found if f.location] == expected
    assert all("网关不会以此配置启动" in (f.fix or "") for f in found)


def test_gateway_lexicon_error_names_no_lenient_option(tmp_path: Path) -> None:
    """The gateway has no ``--lenient``: its refusal of a bad keyword line does not offer one."""
    from beian.gateway._screening import load_lexicon

    bad = tmp_path / "kw.csv"
    bad.write_text("关键词,风险代码\n坏词,ZZZ\n", "utf-8")
    with pytest.raises(InputError, match="ZZZ") as err:
        load_lexicon([str(bad)])
    assert err.value.fix is not None and "加 --lenient" not in err.value.fix
