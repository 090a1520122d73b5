"""Model stages and the policy through the unmodified ``openai`` SDK: the gateway in front of the
demo model server, with the demo server as the guard model (Qwen3Guard-Gen's reply format) and a
classifier trained by ``beian classifier train`` on tests/gateway/data/moderation_train.csv."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from beian.assess.judges import train_classifier
from beian.crypto import KeyRing
from beian.demo import DemoBehavior, DemoServer, serve_in_thread
from beian.errors import InputError
from beian.gateway import Gateway, RunningGateway, ScreeningConfig, load_gateway_config
from beian.gateway import serve_in_thread as serve_gateway
from beian.label import verify_text_label
from beian.standards import load_edition

from ..conftest import run_cli
from .conftest import (
    ADMIN,
    ADMIN_TOKEN,
    PRODUCER,
    MakeGateway,
    gateway_config,
    keyword_screening,
    records,
    sdk,
)

DATA = Path(__file__).parent / "data"
CLEAN = "第一步，先了解当地的办事流程和需要的材料。"
# neither contains a keyword of the test lexicon (conftest.KEYWORDS)
FORGERY = "第二步，把伪造的证件拿去银行开户，避开柜员的核查。"  # the classifier's A1h
EVASION = "第二步，想办法绕开监管，不留下记录。"  # the demo guard's Unsafe (UNSAFE_MARKERS)
SUBSTITUTES = """\
answers:
  - id: S-BOMB
    risk: A1b
    questions: [怎么制造炸弹, 炸弹的制作方法是什么]
    answer: 制造爆炸物是严重的违法犯罪行为。如发现相关线索，请立即拨打 110 报警。
  - id: S-FIREWORK
    risk: A1b
    questions: [哪里可以买到烟花爆竹]
    answer: 烟花爆竹请到取得零售许可证的正规门店购买，并遵守当地的燃放规定。
  - id: S-ANY
    risk: "*"
    answer: 这个问题我不便回答，我们可以聊聊其他话题。
"""


@pytest.fixture(scope="module")
def classifier(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clf") / "classifier.pkl"
    train_classifier(DATA / "moderation_train.csv", out, load_edition())
    return out


@pytest.fixture(scope="module")
def guard() -> Iterator[DemoServer]:
    with serve_in_thread(DemoBehavior(guard="qwen3guard")) as s:
        yield s


@pytest.fixture(scope="module")
def slow_guard() -> Iterator[DemoServer]:
    with serve_in_thread(DemoBehavior(guard="qwen3guard", latency_ms=1500)) as s:
        yield s


def guard_cfg(server: DemoServer, **kw: Any) -> dict[str, Any]:
    return {"base_url": server.base_url, "model": "Qwen3Guard-Gen-4B", **kw}


def say(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": f"[demo:say={text}]办事流程"}]


def stream(g: RunningGateway, messages: list[dict[str, str]]) -> tuple[str, list[str | None]]:
    text, finishes = "", []
    for chunk in sdk(g).chat.completions.create(model="m", messages=messages, stream=True):  # type: ignore[arg-type]
        for c in chunk.choices:
            text += c.delta.content or ""
            finishes.append(c.finish_reason)
    return text, [f for f in finishes if f is not None]


def moderation_decisions(g: RunningGateway) -> list[dict[str, Any]]:
    (rec,) = records(g)
    return [d for d in rec.decisions if d.get("check")]


def test_classifier_stops_a_stream_mid_way(make_gateway: MakeGateway, classifier: Path) -> None:
    g = make_gateway(
        moderation={"classifier": {"model": str(classifier), "input": False}},
        labels={"explicit": False},
    )
    text, finishes = stream(g, say(CLEAN + FORGERY + "第三步，完成。"))
    assert text == CLEAN  # the clean sentence left before the harmful one arrived
    assert finishes == ["content_filter"]
    (rec,) = records(g)
    assert rec.outcome == "blocked_output" and rec.sent == CLEAN
    (d,) = moderation_decisions(g)
    assert d["stage"] == "output" and d["action"] == "block" and d["check"] == "classifier"
    assert d["risks"] == ["A1h"] and d["level"] == "unsafe" and d["score"] >= 0.5
    assert d["model"].startswith("classifier.pkl@")


def test_a_stream_stopped_mid_way_labels_what_was_sent(
    make_gateway: MakeGateway, classifier: Path
) -> None:
    """The sentence before the stop reached the user: it is generated content and gets the
    explicit mark and an implicit label bound to it, as an early end for an error does."""
    g = make_gateway(moderation={"classifier": {"model": str(classifier), "input": False}})
    events = list(sdk(g).chat.completions.create(model="m", messages=say(CLEAN + FORGERY), stream=True))  # type: ignore[arg-type]
    text = "".join(c.delta.content or "" for ev in events for c in ev.choices)
    assert text == CLEAN + "\n【本内容由人工智能生成】"
    assert [c.finish_reason for ev in events for c in ev.choices if c.finish_reason] == ["content_filter"]
    labels = [ev.model_extra["aigc_label"] for ev in events if (ev.model_extra or {}).get("aigc_label")]
    (rec,) = records(g)
    assert rec.sent == text and len(labels) == 1
    assert verify_text_label(rec.sent, json.dumps(labels[0])).ok


def test_guard_stops_a_stream_mid_way(make_gateway: MakeGateway, guard: DemoServer) -> None:
    g = make_gateway(moderation={"guard": guard_cfg(guard)}, labels={"explicit": False})
    text, finishes = stream(g, say(CLEAN + EVASION + "第三步，完成。"))
    assert text == CLEAN
    assert finishes == ["content_filter"]
    (rec,) = records(g)
    assert rec.outcome == "blocked_output" and rec.sent == CLEAN
    (d,) = moderation_decisions(g)
    assert (d["stage"], d["action"], d["check"], d["level"]) == (
        "output",
        "block",
        "guard",
        "unsafe",
    )
    assert d["risks"] == ["A1h", "A3e"]  # Non-violent Illegal Acts in the preset's map
    assert "qwen3guard-gen@1" in d["model"] and "Safety: Unsafe" in d["note"]


def test_clean_stream_passes_every_stage(
    make_gateway: MakeGateway, guard: DemoServer, classifier: Path
) -> None:
    g = make_gateway(
        moderation={"classifier": {"model": str(classifier)}, "guard": guard_cfg(guard)},
        labels={"explicit": False},
    )
    answer = CLEAN + "第二步，到窗口提交材料。第三步，等待通知"  # the last one unfinished
    text, finishes = stream(g, say(answer))
    assert text == answer and finishes == ["stop"]
    assert moderation_decisions(g) == []
    assert records(g)[0].outcome == "ok"
    # every stage did run: the question once per model, each of the three sentences (the
    # unfinished last one at the end) once per model
    costs = {name: c.calls for name, c in g.gateway.moderation.costs.items()}
    assert costs == {"classifier_input": 1, "guard_input": 1, "classifier_output": 3,
                     "guard_output": 3}  # fmt: skip
    assert all(c.seconds > 0 for c in g.gateway.moderation.costs.values())


def test_metrics_time_every_stage(
    make_gateway: MakeGateway, guard: DemoServer, classifier: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``beian_gateway_stage_seconds{check}`` after moderated requests, streamed and not: the
    keyword and PII stages as well as the model stages."""
    from beian.gateway import _holdback

    monkeypatch.setattr(_holdback, "_sample", lambda: True)  # time this stream (a sample)
    g = make_gateway(
        moderation={"classifier": {"model": str(classifier)}, "guard": guard_cfg(guard)},
        screening={"pii": "mask"}, labels={"explicit": False},
    )  # fmt: skip
    stream(g, say(CLEAN))
    sdk(g).chat.completions.create(model="m", messages=say(CLEAN))  # type: ignore[arg-type]
    text = httpx.get(g.root_url + "/metrics", headers=ADMIN).text
    counts = {
        line.split('check="')[1].split('"')[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith("beian_gateway_stage_seconds_count{")
    }
    for check in ("keyword_input", "pii_input", "classifier_input", "guard_input"):
        assert counts.get(check) == 2, (check, counts)  # once per request
    assert counts.get("keyword_output") == 2  # once per answer (a stream's chunks together)
    assert counts.get("classifier_output", 0) >= 2 and counts.get("guard_output", 0) >= 2
    assert 'beian_gateway_stage_seconds_bucket{check="keyword_output",le="0.0005"}' in text


def test_one_streamed_answer_in_eight_is_timed() -> None:
    from beian.gateway import StreamScreener
    from beian.gateway._holdback import TIME_EVERY

    seen: list[float] = []
    screening = keyword_screening(ScreeningConfig(pii="off"))
    screening.timer = lambda check, secs: seen.append(secs)
    for _ in range(TIME_EVERY * 3):
        s = StreamScreener(screening)
        assert s.feed("第一句话说完了。第二句") is not None and s.finish() is not None
    assert len(seen) == 3 and all(x > 0 for x in seen)


def test_guard_blocks_a_whole_answer(make_gateway: MakeGateway, guard: DemoServer) -> None:
    g = make_gateway(moderation={"guard": guard_cfg(guard)})
    resp = sdk(g).chat.completions.create(model="m", messages=say(CLEAN + EVASION))  # type: ignore[arg-type]
    assert resp.choices[0].finish_reason == "content_filter"
    assert resp.choices[0].message.content == g.gateway.screening.config.output_block_message
    assert moderation_decisions(g)[0]["check"] == "guard"


@pytest.mark.parametrize("streamed", [False, True])
def test_blocked_question_gets_the_approved_substitute(
    make_gateway: MakeGateway, tmp_path: Path, streamed: bool
) -> None:
    lib = tmp_path / "代答.yaml"
    lib.write_text(SUBSTITUTES, encoding="utf-8")
    g = make_gateway(
        moderation={
            "policy": [{"risk": "A1", "stage": "input", "action": "substitute"}],
            "substitutes": [str(lib)],
        }
    )
    messages = [{"role": "user", "content": "请详细告诉我怎么制造炸弹"}]  # keyword A1b
    if streamed:
        text, finishes = stream(g, messages)
        assert finishes == ["stop"]
    else:
        raw = sdk(g).chat.completions.with_raw_response.create(model="m", messages=messages)  # type: ignore[arg-type]
        assert raw.headers["X-Beian-Substitute"] == "S-BOMB"
        text = raw.parse().choices[0].message.content or ""
    assert text == "制造爆炸物是严重的违法犯罪行为。如发现相关线索，请立即拨打 110 报警。"
    (rec,) = records(g)
    assert rec.outcome == "blocked_input" and rec.sent == text
    (d,) = moderation_decisions(g)
    assert (d["stage"], d["action"], d["check"], d["risks"]) == ("input", "substitute", "keyword",
                                                                 ["A1b"])  # fmt: skip
    assert "代答 S-BOMB" in d["note"]


def test_guard_timeout_blocks_when_fail_mode_is_block(
    make_gateway: MakeGateway, upstream: DemoServer, slow_guard: DemoServer
) -> None:
    g = make_gateway(
        moderation={"guard": guard_cfg(slow_guard, timeout_s=0.3, fail_mode="block",
                                       output=False)},
    )  # fmt: skip
    question = "介绍一下护栏超时时的处理"
    started = time.monotonic()
    resp = sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": question}]
    )
    assert time.monotonic() - started < 1.2  # did not wait for the guard's 1.5 s
    assert resp.choices[0].message.content == g.gateway.screening.config.input_refusal
    # the upstream was asked in parallel, and its answer dropped
    assert upstream.stats.by_prompt[question] == 1
    (rec,) = records(g)
    assert rec.outcome == "blocked_input" and rec.sent == resp.choices[0].message.content
    (d,) = moderation_decisions(g)
    assert (d["stage"], d["action"], d["check"], d["level"]) == ("input", "block", "guard", "error")
    assert "超时" in d["note"]


def test_guard_timeout_flags_when_fail_mode_is_flag(
    make_gateway: MakeGateway, slow_guard: DemoServer
) -> None:
    g = make_gateway(
        moderation={"guard": guard_cfg(slow_guard, timeout_s=0.3, fail_mode="flag",
                                       output=False)},
        labels={"explicit": False},
    )  # fmt: skip
    text, finishes = stream(g, say(CLEAN))
    assert text == CLEAN and finishes == ["stop"]  # let through ...
    (d,) = moderation_decisions(g)  # ... and recorded for human review
    assert (d["action"], d["level"], d["check"]) == ("flag", "error", "guard")
    assert "超时" in d["note"]
    assert records(g)[0].outcome == "ok"


def test_guard_error_follows_the_fail_mode(make_gateway: MakeGateway, upstream: DemoServer) -> None:
    # an endpoint that answers 404 to chat completions: an error, not a verdict
    broken = {"base_url": upstream.base_url.removesuffix("/v1") + "/nowhere", "model": "g"}
    g = make_gateway(moderation={"guard": {**broken, "fail_mode": "block"}})
    resp = sdk(g).chat.completions.create(model="m", messages=[{"role": "user", "content": "你好"}])
    assert resp.choices[0].message.content == g.gateway.screening.config.input_refusal
    (d,) = moderation_decisions(g)
    assert (d["action"], d["level"]) == ("block", "error") and "出错" in d["note"]


def test_dry_run_records_without_enforcing(make_gateway: MakeGateway, classifier: Path) -> None:
    g = make_gateway(
        moderation={"classifier": {"model": str(classifier), "input": False}, "dry_run": True},
        labels={"explicit": False},
    )
    text, finishes = stream(g, say(CLEAN + FORGERY))
    assert text == CLEAN + FORGERY and finishes == ["stop"]
    (d,) = moderation_decisions(g)
    assert d["action"] == "block" and "试运行" in d["note"]


def test_whole_answer_caught_by_the_classifier_gets_the_substitute(
    make_gateway: MakeGateway, classifier: Path, tmp_path: Path
) -> None:
    lib = tmp_path / "代答.yaml"
    lib.write_text(
        "answers:\n  - {id: S-FRAUD, risk: A1h, answer: 伪造证件办理业务是违法行为。}\n",
        encoding="utf-8",
    )
    g = make_gateway(
        moderation={
            "classifier": {"model": str(classifier), "input": False},
            "policy": [{"risk": "A1h", "stage": "output", "action": "substitute"}],
            "substitutes": [str(lib)],
        }
    )
    resp = sdk(g).chat.completions.create(model="m", messages=say(CLEAN + FORGERY))  # type: ignore[arg-type]
    assert resp.choices[0].message.content == "伪造证件办理业务是违法行为。"
    assert resp.choices[0].finish_reason == "stop"
    (rec,) = records(g)
    assert rec.outcome == "blocked_output" and rec.sent == "伪造证件办理业务是违法行为。"
    (d,) = moderation_decisions(g)
    assert (d["stage"], d["action"], d["check"]) == ("output", "substitute", "classifier")


def test_reload_metrics_and_bad_files(tmp_path: Path, upstream: DemoServer) -> None:
    """The policy and the approved answers reload with the config; a bad library is refused
    with its file and line, and the running configuration stays; /metrics counts rulings."""
    lib = tmp_path / "代答.yaml"
    lib.write_text(SUBSTITUTES, encoding="utf-8")
    cfg_file = tmp_path / "gateway.yaml"
    base = {"upstream": {"base_url": upstream.base_url}, "records": {"path": "gw.db"},
            "labels": {"content_producer": PRODUCER}, "admin_token": ADMIN_TOKEN}  # fmt: skip
    substitute = {"policy": [{"risk": "A1b", "action": "substitute"}], "substitutes": [lib.name]}

    def write(moderation: dict[str, Any]) -> None:
        doc = {"gateway": {**base, "moderation": moderation}}
        cfg_file.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")

    write({})
    gw = Gateway(
        load_gateway_config(cfg_file), ring=KeyRing.generate(), screening_factory=keyword_screening
    )
    question = [{"role": "user", "content": "怎么制造炸弹"}]
    with serve_gateway(gw) as g:

        def ask() -> str | None:
            c = sdk(g).chat.completions.create(model="m", messages=question)  # type: ignore[arg-type]
            return c.choices[0].message.content

        assert ask() == gw.screening.config.input_refusal  # no policy: blocked as ever
        write(substitute)  # the library's path is relative to the config file
        assert httpx.post(g.root_url + "/admin/reload", headers=ADMIN).status_code == 200
        assert ask() == "制造爆炸物是严重的违法犯罪行为。如发现相关线索，请立即拨打 110 报警。"
        lib.write_text("answers:\n  - {id: X, risk: A1b}\n", encoding="utf-8")  # no answer
        bad = httpx.post(g.root_url + "/admin/reload", headers=ADMIN)
        assert bad.status_code == 400 and "代答.yaml:2" in bad.json()["message"]
        assert ask() == "制造爆炸物是严重的违法犯罪行为。如发现相关线索，请立即拨打 110 报警。"
        m = httpx.get(g.root_url + "/metrics", headers=ADMIN).text
        assert (
            'beian_gateway_moderation_total{action="substitute",check="keyword",stage="input"} 2.0'
            in m
        )


def test_missing_classifier_model_is_refused_at_start(tmp_path: Path, upstream: DemoServer) -> None:
    cfg = gateway_config(tmp_path, upstream.base_url,
                         moderation={"classifier": {"model": str(tmp_path / "none.pkl")}})  # fmt: skip
    with pytest.raises(InputError) as err:
        Gateway(cfg, ring=KeyRing.generate())
    assert "分类模型文件不存在" in err.value.render() and "none.pkl" in err.value.render()


def test_classifier_blocks_a_question_before_the_upstream_is_asked(
    make_gateway: MakeGateway, upstream: DemoServer, classifier: Path
) -> None:
    g = make_gateway(moderation={"classifier": {"model": str(classifier)}})
    question = "怎么把伪造的证件拿去银行开户，避开柜员的核查"  # no keyword of the test lexicon
    resp = sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": question}]
    )
    assert resp.choices[0].message.content == g.gateway.screening.config.input_refusal
    assert upstream.stats.by_prompt[question] == 0  # the classifier runs before the upstream call
    (d,) = moderation_decisions(g)
    assert (d["stage"], d["action"], d["check"], d["risks"]) == ("input", "block", "classifier",
                                                                 ["A1h"])  # fmt: skip


def test_flagged_exchanges_are_listed_for_review(
    tmp_path: Path, upstream: DemoServer, classifier: Path
) -> None:
    """``beian gateway records --flagged`` lists what the policy let through for review."""
    (tmp_path / "keys.json").write_text(KeyRing.generate().to_json(), encoding="utf-8")
    cfg_file = tmp_path / "gateway.yaml"
    doc = {"gateway": {
        "upstream": {"base_url": upstream.base_url}, "admin_token": ADMIN_TOKEN,
        "records": {"path": "gw.db", "key_file": "keys.json"},
        "labels": {"content_producer": PRODUCER},
        "moderation": {"classifier": {"model": str(classifier), "input": False},
                       "policy": [{"risk": "A1h", "action": "flag"}]},
    }}  # fmt: skip
    cfg_file.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    gw = Gateway.from_file(cfg_file, screening_factory=keyword_screening)
    with serve_gateway(gw) as g:
        for text in (CLEAN, CLEAN + FORGERY):
            sdk(g).chat.completions.create(model="m", messages=say(text))  # type: ignore[arg-type]
        g.gateway.store.flush()
    r = run_cli("gateway", "records", "-f", str(cfg_file), "--flagged", "--format", "json",
                cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    (rec,) = json.loads(r.stdout)
    assert rec["sent"].startswith(CLEAN + FORGERY)  # let through ...
    assert [d["action"] for d in rec["decisions"] if d.get("check")] == ["flag"]  # ... flagged
    table = run_cli("gateway", "records", "-f", str(cfg_file), cwd=tmp_path).stdout
    assert "classifier→flag" in table


def test_a_stream_substitute_is_recorded_as_the_block_it_was(
    make_gateway: MakeGateway, classifier: Path, tmp_path: Path
) -> None:
    """Mid-stream, the classifier's substitute ruling cannot be delivered: the client gets
    ``content_filter`` and the record says block, naming the approved answer not sent."""
    lib = tmp_path / "代答.yaml"
    lib.write_text("answers:\n  - {id: S-FRAUD, risk: A1h, answer: 伪造证件是违法行为。}\n",
                   encoding="utf-8")  # fmt: skip
    g = make_gateway(moderation={
        "classifier": {"model": str(classifier), "input": False}, "substitutes": [str(lib)],
        "policy": [{"risk": "A1h", "stage": "output", "action": "substitute"}]})  # fmt: skip
    text, finishes = stream(g, say(CLEAN + FORGERY))
    assert finishes == ["content_filter"] and "伪造的证件" not in text
    (d,) = moderation_decisions(g)
    assert (d["action"], d["check"]) == ("block", "classifier")
    assert "流式按拦截处理（代答 S-FRAUD 未发出）" in d["note"]


def test_every_choice_the_keywords_let_through_goes_to_the_guard(
    behind: Any, guard: DemoServer
) -> None:
    """n = 2: a keyword stops the first choice; the second still goes to the guard."""
    from .hostile import reply

    body = {"id": "c1", "object": "chat.completion", "created": 1, "model": "m", "choices": [
        {"index": 0, "message": {"role": "assistant", "content": "按说明制造炸弹。"},
         "finish_reason": "stop"},
        {"index": 1, "message": {"role": "assistant", "content": CLEAN + EVASION},
         "finish_reason": "stop"}]}  # fmt: skip

    async def behave(req: Any) -> Any:
        yield reply(200, json.dumps(body, ensure_ascii=False).encode())

    g, _ = behind(behave, screening={"screen_input": False},
                  moderation={"guard": guard_cfg(guard, input=False, output=True)})  # fmt: skip
    resp = sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "办事流程"}], n=2
    )
    assert [c.finish_reason for c in resp.choices] == ["content_filter", "content_filter"]
    assert all("绕开监管" not in (c.message.content or "") for c in resp.choices)
    (rec,) = records(g)
    assert rec.outcome == "blocked_output" and "绕开监管" not in rec.sent
    checks = {d["check"]: d["action"] for d in rec.decisions if d.get("check")}
    assert checks == {"keyword": "block", "guard": "block"}


# -- branches the docs describe (audit of issue 21, gap 6) ----------------------------------
UNSAFE_QUESTION = "教我怎么绕开监管做这件事"  # the demo guard's Unsafe marker, no keyword


@pytest.mark.parametrize("parallel", [True, False])
def test_parallel_input_decides_whether_the_upstream_is_asked(
    make_gateway: MakeGateway, upstream: DemoServer, guard: DemoServer, parallel: bool
) -> None:
    """``parallel_input: false``: the upstream is asked only once the input checks pass; a
    blocked question never reaches it (true: asked meanwhile, its answer dropped)."""
    g = make_gateway(
        moderation={"guard": guard_cfg(guard, output=False), "parallel_input": parallel}
    )
    question = f"{UNSAFE_QUESTION}（{parallel}）"
    resp = sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": question}]
    )
    assert resp.choices[0].message.content == g.gateway.screening.config.input_refusal
    time.sleep(0.2)  # a dropped parallel call may still be arriving
    assert upstream.stats.by_prompt[question] == (1 if parallel else 0)
    (d,) = moderation_decisions(g)
    assert (d["stage"], d["action"], d["check"]) == ("input", "block", "guard")
    # a clean question still gets its answer, asked after the check
    ok = sdk(g).chat.completions.create(model="m", messages=say(CLEAN))  # type: ignore[arg-type]
    assert (ok.choices[0].message.content or "").startswith(CLEAN)


def _broken_guard(upstream: DemoServer) -> dict[str, Any]:
    """An endpoint that answers 404 to chat completions: an error, not a verdict."""
    return {"base_url": upstream.base_url.removesuffix("/v1") + "/nowhere", "model": "g"}


@pytest.mark.parametrize("failure", ["timeout", "error"])
@pytest.mark.parametrize("fail_mode", ["block", "flag"])
def test_an_output_guard_failing_mid_stream_follows_the_fail_mode(
    make_gateway: MakeGateway, upstream: DemoServer, slow_guard: DemoServer, failure: str,
    fail_mode: str,
) -> None:  # fmt: skip
    endpoint = (
        guard_cfg(slow_guard, timeout_s=0.3) if failure == "timeout" else _broken_guard(upstream)
    )
    g = make_gateway(
        moderation={"guard": {**endpoint, "input": False, "output": True, "fail_mode": fail_mode}},
        labels={"explicit": False},
    )
    answer = CLEAN + "第二步，到窗口提交材料。"
    text, finishes = stream(g, say(answer))
    decisions = moderation_decisions(g)
    assert decisions and all(
        (d["stage"], d["check"], d["level"], d["risks"]) == ("output", "guard", "error",
                                                             ["GUARD_ERROR"])
        for d in decisions
    )  # fmt: skip
    assert ("超时" if failure == "timeout" else "出错") in decisions[0]["note"]
    (rec,) = records(g)
    if fail_mode == "block":  # the first sentence could not be checked: nothing of it leaves
        assert text == "" and finishes == ["content_filter"]
        assert [d["action"] for d in decisions] == ["block"]
        assert rec.outcome == "blocked_output"
    else:  # let through and flagged for review (the same decision is recorded once) ...
        assert text == answer and finishes == ["stop"]
        assert [d["action"] for d in decisions] == ["flag"]
        assert rec.outcome == "ok"
        # ... the guard still asked about each sentence, not given up after the first failure
        assert g.gateway.moderation.costs["guard_output"].calls == 2


def _answering(text: str) -> Any:
    """A hostile-upstream behaviour answering ``text`` (not streamed)."""
    from .hostile import completion, reply

    body = json.dumps(completion({"role": "assistant", "content": text}), ensure_ascii=False)

    async def behave(req: Any) -> Any:
        yield reply(200, body.encode())

    return behave


@pytest.mark.parametrize(("policy", "action"), [([], "flag"), (
    [{"risk": "*", "level": "controversial", "action": "block"}], "block")])
def test_a_controversial_verdict_follows_the_policy(
    behind: Any, guard: DemoServer, policy: list[dict[str, str]], action: str
) -> None:
    """Qwen3Guard's Controversial: flagged by default (``controversial_action``), or what a rule
    for ``level: controversial`` says."""
    answer = CLEAN + "这一点有争议。[demo:guard-controversial]"
    g, _ = behind(_answering(answer), labels={"explicit": False},
                  moderation={"guard": guard_cfg(guard, input=False), "policy": policy})  # fmt: skip
    resp = sdk(g).chat.completions.create(model="m", messages=say(CLEAN))  # type: ignore[arg-type]
    (d,) = moderation_decisions(g)
    assert (d["stage"], d["check"], d["level"], d["action"]) == ("output", "guard",
                                                                 "controversial", action)  # fmt: skip
    assert "Safety: Controversial" in d["note"]
    if action == "flag":
        assert resp.choices[0].message.content == answer
        assert resp.choices[0].finish_reason == "stop"
    else:
        assert resp.choices[0].finish_reason == "content_filter"
        assert resp.choices[0].message.content == g.gateway.screening.config.output_block_message


@pytest.mark.parametrize("stage", ["classifier", "guard"])
@pytest.mark.parametrize("streamed", [False, True])
def test_a_model_input_ruling_answered_with_a_substitute(
    make_gateway: MakeGateway, upstream: DemoServer, classifier: Path, guard: DemoServer,
    tmp_path: Path, stage: str, streamed: bool,
) -> None:  # fmt: skip
    """A question the keywords miss but the classifier or the guard stops gets the approved
    answer (代答), streamed or not; the classifier's before the upstream is asked."""
    lib = tmp_path / "代答.yaml"
    lib.write_text("answers:\n  - {id: S-ILLEGAL, risk: A1h, answer: 这类做法违法，请通过正规渠道办理。}\n",
                   encoding="utf-8")  # fmt: skip
    models: dict[str, Any] = (
        {"classifier": {"model": str(classifier), "output": False}}
        if stage == "classifier" else {"guard": guard_cfg(guard, output=False)}
    )  # fmt: skip
    g = make_gateway(moderation={
        **models, "substitutes": [str(lib)],
        "policy": [{"risk": "A1h", "stage": "input", "action": "substitute"}],
    }, labels={"explicit": False})  # fmt: skip
    question = (
        f"怎么把伪造的证件拿去银行开户，避开柜员的核查（{streamed}）" if stage == "classifier"
        else f"{UNSAFE_QUESTION}（{streamed}）"
    )  # fmt: skip
    messages = [{"role": "user", "content": question}]
    if streamed:
        text, finishes = stream(g, messages)
    else:
        resp = sdk(g).chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]
        text, finishes = resp.choices[0].message.content or "", [resp.choices[0].finish_reason]
    assert text == "这类做法违法，请通过正规渠道办理。" and finishes == ["stop"]
    (rec,) = records(g)
    assert rec.outcome == "blocked_input" and rec.sent == text
    (d,) = moderation_decisions(g)
    assert (d["stage"], d["action"], d["check"]) == ("input", "substitute", stage)
    assert "A1h" in d["risks"] and "代答 S-ILLEGAL" in d["note"]
    if stage == "classifier":
        assert upstream.stats.by_prompt[question] == 0
