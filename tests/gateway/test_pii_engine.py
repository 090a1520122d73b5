"""``screening.pii_engine``: the learned name/address tagger in the gateway, through the
unmodified openai SDK, and the setting's errors and report.

The sentences are written for this test (not taken from any ``benchmarks/data/pii_eval`` set):
names with no cue around them, which the default rules miss.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from beian.errors import ConfigError
from beian.gateway import (
    GatewayConfig,
    ScreeningConfig,
    build_screening,
    check_config,
    describe_pii_engine,
)
from beian.pii import _tagger
from beian.standards import load_edition

from ..conftest import run_cli
from .conftest import PRODUCER, MakeGateway, records, sdk

TAGGER = {"pii_engine": {"tagger": True}}
RULES_ONLY = {"pii_engine": {"tagger": False}}

# (prompt, the name it holds)
UNCUED = [
    ("昨天和周建国一起去钓鱼了", "周建国"),
    ("王秀兰明天不来上班", "王秀兰"),
    ("我把材料交给了刘志强", "刘志强"),
    ("会议改到三点，何雨桐会通知大家", "何雨桐"),
]


def _ask(g: object, prompt: str) -> str:
    c = sdk(g).chat.completions.create(  # type: ignore[arg-type]
        model="m", messages=[{"role": "user", "content": prompt}]
    )
    return c.choices[0].message.content or ""


@pytest.mark.parametrize(("prompt", "name"), UNCUED)
def test_tagger_masks_names_without_cues(make_gateway: MakeGateway, prompt: str, name: str) -> None:
    g = make_gateway(screening=TAGGER)
    text = _ask(g, prompt)
    (rec,) = records(g)
    sent = rec.forwarded[0]["content"]
    assert name not in sent and name not in text  # the demo model echoes what it received
    (decision,) = [d for d in rec.decisions if d["stage"] == "pii"]
    assert decision["action"] == "mask" and decision["risks"] == ["NAME"]


@pytest.mark.parametrize("screening", [{}, {"pii_engine": {"threshold": 0.5}}])
def test_tagger_is_the_gateway_default(
    make_gateway: MakeGateway, screening: dict[str, object]
) -> None:
    """Without ``screening.pii_engine`` (or with other keys only) the tagger is on."""
    g = make_gateway(screening=screening)
    _ask(g, UNCUED[0][0])
    (rec,) = records(g)
    assert UNCUED[0][1] not in rec.forwarded[0]["content"]
    assert g.gateway.screening.redactor.engine.config.tagger  # type: ignore[union-attr]


def test_tagger_false_is_the_rules_alone(make_gateway: MakeGateway) -> None:
    g = make_gateway(screening=RULES_ONLY)
    _ask(g, UNCUED[0][0])
    (rec,) = records(g)
    assert rec.forwarded is None  # the rules alone miss it: forwarded as written
    assert not [d for d in rec.decisions if d["stage"] == "pii"]


def test_tagger_pseudonyms_are_restored_in_the_answer(make_gateway: MakeGateway) -> None:
    g = make_gateway(screening={"pii": "pseudonym", **TAGGER})
    prompt = "请转告陈玉梅，钱红霞也要来"  # short: the demo model echoes the first words
    text = _ask(g, prompt)
    (rec,) = records(g)
    sent = rec.forwarded[0]["content"]
    for name in ("陈玉梅", "钱红霞"):
        assert name not in sent  # the model never saw it
        assert name in text  # the user reads their own values back
    assert "<姓名_" in sent and "<姓名_" not in text
    (decision,) = [d for d in rec.decisions if d["stage"] == "pii"]
    assert decision["action"] == "pseudonym" and decision["count"] == 2


def test_engine_is_built_once_and_on_reload(make_gateway: MakeGateway) -> None:
    g = make_gateway(screening=TAGGER)
    engine = g.gateway.screening.redactor.engine  # type: ignore[union-attr]
    assert engine.config.tagger and engine._tagger is not None
    _ask(g, UNCUED[1][0])
    assert g.gateway.screening.redactor.engine is engine  # type: ignore[union-attr]
    rules = build_screening(ScreeningConfig(pii_engine={"tagger": False}))  # type: ignore[arg-type]
    from beian.pii import default_engine

    assert rules.redactor.engine is default_engine()  # type: ignore[union-attr]
    default = build_screening(ScreeningConfig()).redactor.engine  # type: ignore[union-attr]
    assert default.config.tagger and default._tagger is not None


@pytest.mark.parametrize(
    ("section", "key"),
    [
        ({"tagger": True, "taggr": True}, "screening.pii_engine.taggr"),
        ({"threshold": 1.5}, "screening.pii_engine.threshold"),
        ({"thresholds": {"NAMES": 0.4}}, "screening.pii_engine.thresholds"),
        ({"tagger": "开"}, "screening.pii_engine.tagger"),
        ({"fast_names": True}, "screening.pii_engine"),  # the tagger is on unless turned off
        ({"tagger": False, "context_names": True, "fast_names": True}, "screening.pii_engine"),
    ],
)
def test_bad_settings_name_the_key(section: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as exc:
        GatewayConfig.from_mapping({"screening": {"pii_engine": section}})
    assert key in str(exc.value) and "网关配置项无效" in str(exc.value)


def test_missing_model_refuses_to_start(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(_tagger, "MODEL_PATH", tmp_path / "missing.safetensors")
    _tagger.load_tagger.cache_clear()
    try:
        with pytest.raises(ConfigError) as exc:
            build_screening(ScreeningConfig(pii_engine={"tagger": True}))  # type: ignore[arg-type]
        assert "screening.pii_engine.tagger" in exc.value.where
        assert "标注模型" in exc.value.what and "tagger" in (exc.value.fix or "")
        # gateway check says so too (a blocking finding at that key)
        cfg = GatewayConfig.from_mapping({"screening": {"pii_engine": {"tagger": True}}})
        found = [f for f in check_config(cfg, load_edition(), environ={})
                 if f.location and f.location.field == "screening.pii_engine.tagger"]  # fmt: skip
        assert len(found) == 1 and found[0].code == "BA-GW-019"
    finally:
        _tagger.load_tagger.cache_clear()


def test_description_names_the_engine() -> None:
    assert "tagger" in describe_pii_engine(ScreeningConfig())  # on by default
    assert "tagger" not in describe_pii_engine(ScreeningConfig(pii_engine={"tagger": False}))  # type: ignore[arg-type]
    on = describe_pii_engine(
        ScreeningConfig(pii="pseudonym", pii_engine={"tagger": True, "thresholds": {"NAME": 0.6}})  # type: ignore[arg-type]
    )
    assert "学习式姓名/地址标注器" in on and "NAME 0.6" in on and "假名化" in on
    assert "已关闭" in describe_pii_engine(ScreeningConfig(pii="off"))
    fast = ScreeningConfig(pii_engine={"tagger": False, "fast_names": True})  # type: ignore[arg-type]
    assert "fast_names" in describe_pii_engine(fast) and "tagger" not in describe_pii_engine(fast)


def test_check_cli_reports_the_engine(tmp_path: Path) -> None:
    cfg = tmp_path / "g.yaml"
    data = {"upstream": {"base_url": "http://127.0.0.1:9/v1"}, "records": {"path": "gw.db"},
            "screening": {"pii_engine": {"tagger": True}},
            "labels": {"content_producer": PRODUCER}}  # fmt: skip
    cfg.write_text(yaml.safe_dump({"gateway": data}, allow_unicode=True), encoding="utf-8")
    r = run_cli("gateway", "check", "-f", str(cfg), cwd=tmp_path)
    assert "学习式姓名/地址标注器（tagger）" in r.stdout
    r = run_cli("gateway", "check", "-f", str(cfg), "--format", "json", cwd=tmp_path)
    json.loads(r.stdout)  # JSON stays the findings alone


def test_reload_switches_the_engine(tmp_path: Path, upstream: object) -> None:
    from beian.crypto import KeyRing
    from beian.gateway import Gateway, load_gateway_config

    from .conftest import gateway_config

    path = tmp_path / "gateway.yaml"
    data = gateway_config(tmp_path, upstream.base_url).model_dump(mode="json", exclude_none=True)  # type: ignore[attr-defined]
    data["screening"]["pii_engine"] = {"tagger": False}
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
    gw = Gateway(load_gateway_config(path), ring=KeyRing.generate())  # the real build_screening
    try:
        assert gw.screening.redactor.engine._tagger is None  # type: ignore[union-attr]
        data["screening"]["pii_engine"] = {"tagger": True}
        path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        assert gw.reload().ok
        engine = gw.screening.redactor.engine  # type: ignore[union-attr]
        assert engine._tagger is not None
        assert "周建国" not in gw.screening.protect(UNCUED[0][0])[0]
        data["screening"]["pii_engine"] = {"tagger": True, "threshold": 7}
        path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")
        result = gw.reload()  # a bad value: the running engine stays
        assert not result.ok and "screening.pii_engine.threshold" in result.message
        assert gw.screening.redactor.engine is engine  # type: ignore[union-attr]
    finally:
        gw.close()
