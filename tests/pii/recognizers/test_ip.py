from __future__ import annotations

import pytest

from tests.pii.recognizers.conftest import found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("登录IP为192.168.1.10，", ["192.168.1.10"]),
        ("来自8.8.8.8的访问", ["8.8.8.8"]),
        ("地址2001:db8::1无法访问", ["2001:db8::1"]),
        ("v6 fe80:0:0:0:200:f8ff:fe21:67cf.", ["fe80:0:0:0:200:f8ff:fe21:67cf"]),
        ("登录IP192.168.1.10被拦截", ["192.168.1.10"]),  # label glued to the digits
        ("notify_ip218.52.43.34", ["218.52.43.34"]),
        ("ip203.0.113.7 user=zhang", ["203.0.113.7"]),
        ("门岗终端IPv6fd12:3a4b:7c00::1e，", ["fd12:3a4b:7c00::1e"]),  # "IPv6" glued to it
        ("源地址IPv4192.168.1.10", ["192.168.1.10"]),
        ("ipv6:2001:db8::1", ["2001:db8::1"]),
        ("IPv6::1", ["::1"]),
        ("v42001:db8::1", []),  # a digit that is no "IPv6" label
        ("A4192.168.1.10", []),
        ("build7.8.9.10", []),  # letters that are no label
        ("v1.2.3.4", []),
        ("256.1.1.1", []),
        ("01.2.3.4", []),  # leading zero
        ("1.2.3.4.5", []),
        ("版本号1.2.3.4已发布", []),  # negative context
        ("时间12:30:45", []),
    ],
)
def test_ip(text: str, expected: list[str]) -> None:
    assert found("IP", text) == expected
