"""Passwords: the policy (length, a common-password list shipped offline, obvious patterns)
and argon2id hashing, with a dummy hash so that an unknown user name costs the same time."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

from beian.errors import InputError

__all__ = ["check_password", "dummy_verify", "hash_password", "verify_password"]

_LEET = str.maketrans({"@": "a", "4": "a", "0": "o", "1": "l", "!": "i", "3": "e", "$": "s",
                       "5": "s", "7": "t", "+": "t"})
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_TAIL = re.compile(r"[\W\d_]+$")
_RUNS = ("abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm", "01234567890",
         "1qaz2wsx3edc4rfv5tgb6yhn7ujm", "qazwsxedcrfvtgbyhnujmikolp")
_MAX = 200  # the longest password accepted (the API's bound too)


@cache
def _common() -> frozenset[str]:
    text = (resources.files("beian.registry") / "data" / "common_passwords.txt").read_text("utf-8")
    return frozenset(w.strip() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def _cores(password: str) -> set[str]:
    """The forms a password is compared in: itself, de-l33ted, and stripped of the digits and
    symbols around a word (``P@ssw0rd2024!`` → ``password``, ``@dmin123`` → ``admin``)."""
    low = unicodedata.normalize("NFKC", password).lower()
    tail = _TAIL.sub("", low)
    forms = {low, tail, low.translate(_LEET), tail.translate(_LEET), _EDGES.sub("", low),
             _EDGES.sub("", tail.translate(_LEET))}
    return {f for f in forms if f}


def _is_run(text: str) -> bool:
    """A keyboard or alphabet run (or its reverse) like ``abcdefghijkl`` or ``qwertyuiop12``."""
    core = text.lower()
    return len(core) >= 4 and any(core in run or core in run[::-1] or core in run * 2
                                  for run in _RUNS)


def check_password(password: str, *, username: str = "", min_length: int = 12) -> None:
    """Refuse a password the policy does not allow, saying why (``InputError``)."""
    def refuse(why: str, fix: str) -> InputError:
        return InputError(why, where="password", fix=fix)

    if len(password) < min_length:
        raise refuse("密码太短", f"密码至少 {min_length} 个字符；可用几个词组成的短语")
    if len(password) > _MAX:
        raise refuse("密码太长", f"密码不超过 {_MAX} 个字符")
    if password.isdigit():
        raise refuse("密码不能只由数字组成", "电话、生日、证件号码容易被猜到；请加入字母或汉字")
    if len(set(password)) <= 2 or _is_run(password) or _is_run(_EDGES.sub("", password)):
        raise refuse("密码是重复字符或键盘、字母顺序", "请换一个不易猜到的密码")
    user = username.lower()
    if len(user) >= 3 and user in password.lower():
        raise refuse("密码不能包含用户名", "请换一个不含用户名的密码")
    if _cores(password) & _common() or _only_common_words(password):
        raise refuse("密码过于常见（在常见或泄露密码表中）", "请换一个不在常见密码表中的密码")


def _only_common_words(password: str) -> bool:
    """Made of listed words, digits and symbols only (``woaini1314woaini``)."""
    low = unicodedata.normalize("NFKC", password).lower()
    words = sorted((w for w in _common() if len(w) >= 4), key=len, reverse=True)
    for rest in (low, low.translate(_LEET)):
        for word in words:
            rest = rest.replace(word, " ")
        if len(re.sub(r"[\W\d_]", "", rest)) < 4:
            return True
    return False


def hash_password(password: str, *, time_cost: int = 3, memory_kib: int = 65536) -> str:
    """Argon2id hash (parameters default to RFC 9106's second recommendation). The policy is
    :func:`check_password`'s job."""
    from argon2 import PasswordHasher

    return str(PasswordHasher(time_cost=time_cost, memory_cost=memory_kib).hash(password))


def verify_password(stored: str, password: str) -> bool:
    """Check against the hash; its own parameters are read from the hash string."""
    from argon2 import PasswordHasher
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(PasswordHasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy(time_cost: int, memory_kib: int) -> str:
    return hash_password("beian-dummy-password-for-unknown-users", time_cost=time_cost,
                         memory_kib=memory_kib)


def dummy_verify(password: str, *, time_cost: int, memory_kib: int) -> bool:
    """The same argon2 work as a real check, for a user name that does not exist (or is
    disabled), so that the answer's timing does not tell which names exist. Always False."""
    verify_password(_dummy(time_cost, memory_kib), password)
    return False
