from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("邮箱zhang.wei@example.com。", ["zhang.wei@example.com"]),
        ("发到li_na+cv@mail.corp-x.com.cn就行", ["li_na+cv@mail.corp-x.com.cn"]),
        ("a@b.cn和c@d.org", ["a@b.cn", "c@d.org"]),
        ("Email: Foo.Bar@Example.COM.", ["Foo.Bar@Example.COM"]),
        ("请@客服小助手", []),
        ("user@localhost", []),
        ("admin@", []),
        ("a..b@example.com", []),
    ],
)
def test_email(text: str, expected: list[str]) -> None:
    assert found("EMAIL", text) == expected
