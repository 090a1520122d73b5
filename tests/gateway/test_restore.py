"""Pseudonym tokens in the answer become the user's own values again, also split across chunks."""

from __future__ import annotations

import pytest

from beian.gateway import RunningGateway
from beian.gateway._restore import Restorer, restore

from .conftest import MakeGateway, records, sdk

TOKEN = "<手机号_1a2b3c4d>"
MAPPING = {TOKEN: "13812345678", "<姓名_0f0f0f0f>": "张三"}


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (f"请拨打{TOKEN}。", "请拨打13812345678。"),
        (f"{TOKEN}和<姓名_0f0f0f0f>", "13812345678和张三"),
        ("<手机号_99999999> 不在映射中", "<手机号_99999999> 不在映射中"),
        ("a < b 且 c > d", "a < b 且 c > d"),
        ("", ""),
    ],
)
def test_restore_whole_text(text: str, want: str) -> None:
    assert restore(text, MAPPING) == want


def _stream(pieces: list[str]) -> tuple[list[str], str]:
    r = Restorer(MAPPING)
    sent = [r.feed(p) for p in pieces]
    sent.append(r.finish())
    return sent, "".join(sent)


@pytest.mark.parametrize("cut", range(1, len(TOKEN)))
def test_a_token_split_anywhere_is_restored(cut: int) -> None:
    text = f"号码是{TOKEN}，请联系"
    start = text.index("<")
    pieces = [text[: start + cut], text[start + cut :]]
    sent, joined = _stream(pieces)
    assert joined == "号码是13812345678，请联系"
    assert not any("<" in s for s in sent)  # no part of the token ever reaches the client


@pytest.mark.parametrize(
    ("pieces", "first"),
    [
        (["比较 a <", " b 的大小"], "比较 a "),  # "<" held: it could start a token …
        (["x<" + "y" * 40, "z"], "x<" + "y" * 40),  # … but not one longer than a token
        (["标签 <b>粗体</b>", "。"], "标签 <b>粗体</b>"),  # closed: nothing to hold
        (["<手机号_1a2b", " 不是完整的"], ""),
    ],
)
def test_only_what_can_still_become_a_token_is_held(pieces: list[str], first: str) -> None:
    sent, joined = _stream(pieces)
    assert sent[0] == first
    assert joined == "".join(pieces)  # nothing lost, nothing changed


def _chat(g: RunningGateway, stream: bool) -> str:
    prompt = "请联系13812345678的人"  # the demo model repeats the question in its answer
    client = sdk(g)
    if stream:
        parts = client.chat.completions.create(
            model="m", messages=[{"role": "user", "content": prompt}], stream=True
        )
        return "".join(p.choices[0].delta.content or "" for p in parts if p.choices)
    c = client.chat.completions.create(model="m", messages=[{"role": "user", "content": prompt}])
    return c.choices[0].message.content or ""


@pytest.mark.parametrize("stream", [False, True])
def test_gateway_puts_the_users_values_back(make_gateway: MakeGateway, stream: bool) -> None:
    g = make_gateway(screening={"pii": "pseudonym"})
    text = _chat(g, stream)
    assert "请联系13812345678的人" in text and "<手机号_" not in text
    assert text.endswith("【本内容由人工智能生成】")
    (rec,) = records(g)
    assert "13812345678" not in rec.forwarded[0]["content"]  # the model never saw it
    assert "<手机号_" in rec.response and "13812345678" not in rec.response
    assert rec.sent == text


@pytest.mark.parametrize("stream", [False, True])
def test_restoring_can_be_turned_off(make_gateway: MakeGateway, stream: bool) -> None:
    g = make_gateway(screening={"pii": "pseudonym", "restore_pseudonyms": False})
    text = _chat(g, stream)
    assert "<手机号_" in text and "13812345678" not in text
