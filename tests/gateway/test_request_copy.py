"""``with_texts``: the upstream body with masked strings, the client's body left as it was."""

from __future__ import annotations

import copy

from beian.gateway._request import with_texts


def _body() -> dict:
    return {
        "model": "m",
        "messages": [
            {"role": "system", "content": "你是助手"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "我的电话 13800138000"},
                    {"type": "text", "text": "住在北京"},
                ],
            },
            {"role": "user", "content": "邮箱 a@b.cn", "name": "张三"},
        ],
        "metadata": {"k": "v"},
    }


def test_replaces_every_path_and_keeps_the_original() -> None:
    body = _body()
    before = copy.deepcopy(body)
    new = {
        ("messages", 1, "content", 0, "text"): "我的电话 [PHONE]",
        ("messages", 2, "content"): "邮箱 [EMAIL]",
        ("messages", 2, "name"): "[NAME]",
    }
    out = with_texts(body, new)
    assert body == before  # nothing of the client's body changed
    assert out["messages"][1]["content"][0]["text"] == "我的电话 [PHONE]"
    assert out["messages"][1]["content"][1]["text"] == "住在北京"
    assert out["messages"][2] == {"role": "user", "content": "邮箱 [EMAIL]", "name": "[NAME]"}
    assert out["messages"][0] == before["messages"][0]
    assert out["metadata"] == {"k": "v"}
    # the containers on the changed paths are copies, not the client's
    assert out["messages"] is not body["messages"]
    assert out["messages"][1]["content"] is not body["messages"][1]["content"]


def test_two_paths_through_the_same_container_share_one_copy() -> None:
    body = _body()
    out = with_texts(
        body,
        {("messages", 1, "content", 0, "text"): "x", ("messages", 1, "content", 1, "text"): "y"},
    )
    assert [p["text"] for p in out["messages"][1]["content"]] == ["x", "y"]
    assert [p["text"] for p in body["messages"][1]["content"]] == [
        "我的电话 13800138000",
        "住在北京",
    ]
