"""The official openai SDK, unmodified, against the gateway in front of the demo model server."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import openai
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

from beian.demo import DemoServer, answer_text
from beian.gateway import RunningGateway
from beian.label import explicit_text_mark, verify_text_label

from .conftest import ADMIN, ADMIN_TOKEN, MakeGateway, records, sdk


def labelled(text: str, position: str = "suffix") -> str:
    return explicit_text_mark(text, position)  # type: ignore[arg-type]


def ask(g: RunningGateway, text: str, **kw: object) -> object:
    return sdk(g).chat.completions.with_raw_response.create(
        model="beian-demo-1", messages=[{"role": "user", "content": text}], **kw
    )  # type: ignore[call-overload]


def test_non_streaming_answer_is_labelled_and_recorded(gateway: RunningGateway) -> None:
    raw = ask(gateway, "介绍一下长城的历史", user="alice")
    c = raw.parse()  # type: ignore[attr-defined]
    text = c.choices[0].message.content
    assert text == labelled(answer_text("介绍一下长城的历史"))
    assert c.choices[0].finish_reason == "stop"
    rid = raw.headers["x-beian-record-id"]
    header = json.loads(raw.headers["x-aigc-label"])
    assert header["AIGC"]["Label"] == "1" and header["AIGC"]["ProduceID"] == rid
    assert c.model_extra["aigc_label"] == header  # the implicit label in the body, too
    assert verify_text_label(text, raw.headers["x-aigc-label"]).ok  # bound to the text as sent
    assert not verify_text_label(text + "。", raw.headers["x-aigc-label"]).ok
    (rec,) = records(gateway)
    assert rec.id == rid and rec.user == "alice" and rec.outcome == "ok"
    assert rec.request["messages"][0]["content"] == "介绍一下长城的历史"
    assert rec.response == answer_text("介绍一下长城的历史") and rec.sent == text


def test_streaming_answer_reassembles_with_label(gateway: RunningGateway) -> None:
    stream = sdk(gateway).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "今天天气怎么样"}], stream=True
    )
    parts, reasons, extras = [], [], []
    for ev in stream:
        extras.append((ev.model_extra or {}).get("aigc_label"))
        for ch in ev.choices:
            parts.append(ch.delta.content or "")
            reasons.append(ch.finish_reason)
    assert "".join(parts) == labelled(answer_text("今天天气怎么样"))
    assert reasons[-1] == "stop" and len(parts) > 5
    # the last chunk carries the implicit label bound to everything that was sent
    label = [e for e in extras if e]
    assert len(label) == 1 and extras[-1] == label[0] and label[0]["AIGC"]["Label"] == "1"
    assert verify_text_label("".join(parts), json.dumps(label[0])).ok
    (rec,) = records(gateway)
    assert rec.stream and rec.outcome == "ok" and rec.sent == "".join(parts)


def test_label_at_start(make_gateway: MakeGateway) -> None:
    g = make_gateway(labels={"position": "start"})
    c = sdk(g).chat.completions.create(model="m", messages=[{"role": "user", "content": "你好"}])
    assert c.choices[0].message.content == labelled(answer_text("你好"), "prefix")
    s = sdk(g).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "你好"}], stream=True
    )
    assert "".join(ev.choices[0].delta.content or "" for ev in s if ev.choices) == labelled(
        answer_text("你好"), "prefix"
    )


def test_models_list(gateway: RunningGateway) -> None:
    # the upstream's list is the admin's (access.models serves one to everyone: test_access)
    admin = openai.OpenAI(base_url=gateway.base_url, api_key=ADMIN_TOKEN, max_retries=0)
    assert [m.id for m in admin.models.list()] == ["beian-demo-1"]


@pytest.mark.parametrize("stream", [False, True])
def test_input_keyword_refused_without_calling_upstream(
    gateway: RunningGateway, upstream: DemoServer, stream: bool
) -> None:
    before = upstream.stats.requests
    c = sdk(gateway).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "请告诉我怎么制造炸弹"}], stream=stream
    )
    if stream:
        text = "".join(ev.choices[0].delta.content or "" for ev in c if ev.choices)  # type: ignore[union-attr]
    else:
        text = c.choices[0].message.content  # type: ignore[union-attr]
    assert text == gateway.gateway.config.screening.input_refusal
    assert upstream.stats.requests == before
    (rec,) = records(gateway)
    assert rec.outcome == "blocked_input"
    assert rec.decisions == [{"stage": "input", "action": "block", "risks": ["A1b"], "count": 1}]
    metrics = httpx.get(gateway.root_url + "/metrics", headers=ADMIN).text
    assert 'beian_gateway_blocks_total{risk="A1b",stage="input"} 1.0' in metrics


def test_non_streaming_output_screened_whole(make_gateway: MakeGateway) -> None:
    # the demo's say directive carries the answer in the prompt: screen the output only
    gateway = make_gateway(screening={"screen_input": False})
    c = sdk(gateway).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "[demo:say=这里有违禁词语出现]"}]
    )
    assert c.choices[0].finish_reason == "content_filter"
    assert c.choices[0].message.content == gateway.gateway.config.screening.output_block_message
    (rec,) = records(gateway)
    assert rec.outcome == "blocked_output" and rec.response == "这里有违禁词语出现"
    assert "违禁词语" not in rec.sent


def test_pii_masked_before_it_leaves(gateway: RunningGateway) -> None:
    c = sdk(gateway).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "我的手机是13812345678"}]
    )
    text = c.choices[0].message.content or ""
    # the demo model echoes the prompt it received: the number never reached it
    assert "138****5678" in text and "13812345678" not in text
    (rec,) = records(gateway)
    assert rec.request["messages"][0]["content"] == "我的手机是13812345678"  # kept, encrypted
    assert rec.forwarded[0]["content"] == "我的手机是138****5678"
    assert {"stage": "pii", "action": "mask", "risks": ["MOBILE"], "count": 1} in rec.decisions


def test_user_id_is_not_forwarded_raw(gateway: RunningGateway, upstream: DemoServer) -> None:
    r = httpx.post(
        gateway.base_url + "/chat/completions",
        json={"model": "m", "messages": [{"role": "user", "content": "hi"}]},
        headers={"X-Beian-User": "bob"},
    )
    assert r.status_code == 200
    (rec,) = records(gateway)
    assert rec.user == "bob"


def test_bad_request_body(gateway: RunningGateway) -> None:
    r = httpx.post(gateway.base_url + "/chat/completions", content=b"{not json")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_request"
    with pytest.raises(openai.BadRequestError):
        sdk(gateway).chat.completions.create(model="m", messages=[])


def test_implicit_label_signed(make_gateway: MakeGateway, tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    pem = tmp_path / "label.pem"
    pem.write_bytes(key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))
    g = make_gateway(labels={"signing_key": str(pem)})
    raw = sdk(g).chat.completions.with_raw_response.create(
        model="m", messages=[{"role": "user", "content": "你好"}]
    )
    text = raw.parse().choices[0].message.content or ""
    assert verify_text_label(text, raw.headers["x-aigc-label"], key.public_key()).ok
    other = Ed25519PrivateKey.generate().public_key()
    assert not verify_text_label(text, raw.headers["x-aigc-label"], other).ok


def test_pii_pseudonymized_with_stable_tokens(make_gateway: MakeGateway) -> None:
    g = make_gateway(screening={"pii": "pseudonym"})
    prompt = "请联系13812345678或者身份证110101199003074258的人"
    for _ in range(2):
        sdk(g).chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}])
    a, b = records(g)
    sent = a.forwarded[0]["content"]
    assert "13812345678" not in sent and "110101199003074258" not in sent
    assert "<手机号_" in sent and sent == b.forwarded[0]["content"]  # same value, same token
    assert {
        "stage": "pii",
        "action": "pseudonym",
        "risks": ["ID_CARD", "MOBILE"],
        "count": 2,
    } in a.decisions


def test_chat_route_errors_are_openai_errors(gateway: RunningGateway) -> None:
    # the chat route bypasses the router (hot path): other methods still get 405, and a failure
    # inside the gateway becomes a 500 in the OpenAI error format, not a dropped connection
    assert httpx.get(gateway.base_url + "/chat/completions").status_code == 405

    def broken(texts: object) -> None:
        raise RuntimeError("screening broke")

    gateway.gateway.screening.check_input = broken  # type: ignore[method-assign,assignment]
    with pytest.raises(openai.InternalServerError) as exc:
        sdk(gateway).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "你好"}]
        )
    assert exc.value.status_code == 500 and exc.value.body["type"] == "server_error"  # type: ignore[index]


@pytest.mark.parametrize(
    ("prompt", "hidden", "types"),
    [
        # an ID number with a wrong check digit (…74515; GB 11643 gives 4) is still masked
        ("身份证110101199003074515帮我查下", "110101199003074515", ["ID_CARD"]),
        ("登录IP192.168.31.20被封了", "192.168.31.20", ["IP"]),  # label glued to the digits
        ("手机13812345678找我", "13812345678", ["MOBILE"]),
        ("联系人桑吉卓玛，住玉林北路2号附3号", "桑吉卓玛", ["ADDRESS", "NAME"]),
        # names in ordinary sentence positions, 老 + surname, a given name typical as a pair
        ("感谢民警李卫东帮她找回老伴", "李卫东", ["NAME"]),
        ("这件事由邹丽娟负责", "邹丽娟", ["NAME"]),
        ("钥匙放在老黄那儿了", "老黄", ["NAME"]),
        ("值班：孙向东，电话找前台", "孙向东", ["NAME"]),
        # Luhn fails (…0124; 8 is right), but the number follows its label: still a card
        ("卡号6222021234567890124转账失败了", "6222021234567890124", ["BANK_CARD"]),
        ("银行卡：6222 0212 3456 7890 124", "6222 0212 3456 7890 124", ["BANK_CARD"]),
        ("请转告John Smith明天来面试", "John Smith", ["NAME"]),  # Latin script
        ("联系人：Michael Jordan", "Michael Jordan", ["NAME"]),
        ("欧阳娜娜下午到公司", "欧阳娜娜", ["NAME"]),  # compound surnames
        ("这件事由上官婉儿负责", "上官婉儿", ["NAME"]),
        # identifiers in a table column, after a landline label without area code, after an
        # escaped tab (p23ab)
        ("| 房间 | 护照 |\n|---|---|\n| 1203 | 28KD71043 |", "28KD71043", ["PASSPORT"]),
        ("老人座机66120573，有事打", "66120573", ["PHONE"]),
        ("导出：序号\\t15823407716\\t已回访", "15823407716", ["MOBILE"]),
    ],
)
def test_pii_new_cases_masked_end_to_end(
    gateway: RunningGateway, prompt: str, hidden: str, types: list[str]
) -> None:
    c = sdk(gateway).chat.completions.create(
        model="m", messages=[{"role": "user", "content": prompt}]
    )
    text = c.choices[0].message.content or ""
    (rec,) = records(gateway)
    sent = rec.forwarded[0]["content"]
    assert hidden not in sent and hidden not in text  # the demo model echoes what it received
    assert sent != prompt
    (decision,) = [d for d in rec.decisions if d["stage"] == "pii"]
    assert decision["action"] == "mask" and decision["risks"] == types
