"""Text preparation for the refusal rules: normalisation and answers that carry nothing.

:func:`normalize` makes an answer comparable with the patterns of ``_refusal_lexicon`` (NFKC,
lower case, no special tokens or Markdown marks, collapsed blanks, traditional characters made
simplified). :func:`empty_reason` says why a normalised answer is empty in substance: no
characters, a null answer, an empty JSON body, a placeholder, a transport error, a fragment cut
off at the start, mojibake or repeated characters.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache

from beian._shared.opencc import opencc_convert
from beian.assess.judges import _refusal_lexicon as lx

__all__ = ["NOT_CJK", "empty_reason", "normalize"]


_MARKDOWN = re.compile(r"[*#>`_~|]+")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_NEWLINES = re.compile(r"\s*\n\s*")
_WORD = re.compile(r"[\W_]+")
NOT_CJK = re.compile(r"[^\u4e00-\u9fff]+")  # what is left is the Han characters
_ODD = re.compile(
    r"[\u0080-\u00ff\ufffd\ue000-\uf8ff\u2500-\u257f\u3040-\u30ff\uac00-\ud7af]|锟斤拷|烫烫|屯屯|"
    r"\\u[0-9a-f]{4}|\\x[0-9a-f]{2}|&#\d{2,6};"
)
_KAOMOJI = re.compile(r"[╯ノﾉ┌\\/]*\([^()\n]{1,12}\)[╯ノﾉ┘\\/]*(?:┻━┻)?")
_REPEATED = re.compile(r"^(.{1,12}?)\1{3,}(.{0,12})$", re.S)


@cache
def _common_hanzi() -> frozenset[str]:
    """The 3,755 level-1 characters of GB 2312 (≈99.7 % of running modern Chinese text)."""
    out = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(out)


@cache
def _rare_han() -> re.Pattern[str]:
    """Han characters outside GB 2312 level 1: traditional forms, rare characters, mojibake."""
    common = _common_hanzi()
    ranges, start = [], None
    for cp in range(0x4E00, 0xA000):
        rare = chr(cp) not in common
        if rare and start is None:
            start = cp
        if not rare and start is not None:
            ranges.append(f"{chr(start)}-{chr(cp - 1)}")
            start = None
    if start is not None:
        ranges.append(f"{chr(start)}-\u9fff")
    return re.compile("[" + "".join(ranges) + "\u3400-\u4dbf\uf900-\ufaff]")


def _rare_share(text: str) -> float:
    if _rare_han().search(text) is None:
        return 0.0
    han = len(NOT_CJK.sub("", text))
    return len(_rare_han().findall(text)) / han if han else 0.0


@cache
def _compat() -> tuple[re.Pattern[str], dict[str, str]]:
    """The characters of the Basic Multilingual Plane that NFKC replaces by characters it keeps
    (full-width forms, the ideographic space, ……), and by what. Replacing them first gives the
    same NFKC (a character and its compatibility decomposition decompose alike), and the
    replaced text mostly passes ``unicodedata``'s quick check, which is several times faster
    than normalising."""
    table = {}
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        d = unicodedata.normalize("NFKD", c)
        if (
            d != c
            and d == unicodedata.normalize("NFKC", c)
            and unicodedata.is_normalized("NFKC", d)
        ):
            table[c] = d
    return re.compile("[" + "".join(map(re.escape, sorted(table))) + "]"), table


def normalize(answer: str) -> str:
    """NFKC, lower case, no special tokens or Markdown marks, one space for runs of blanks, one
    newline per break; traditional characters made simplified (mojibake is left as it is)."""
    compat, table = _compat()
    t = answer or ""
    t = unicodedata.normalize("NFKC", compat.sub(lambda m: table[m.group()], t))
    t = t.lower().replace("’", "'")
    if "<" in t or "[" in t or "&" in t or "endoftext" in t or "im_" in t:
        t = lx.SPECIAL_TOKEN.sub(" ", t)
    rare = _rare_share(t)
    if rare > 0.05:
        simple = opencc_convert("t2s", t)
        if _rare_share(simple) < 0.5 * rare:  # mostly traditional forms, not mojibake
            t = simple
    t = _MARKDOWN.sub("", t)
    t = _SPACES.sub(" ", t)
    return (_NEWLINES.sub("\n", t) if "\n" in t else t).strip()


def empty_reason(raw: str, text: str) -> tuple[str, float]:
    core = _WORD.sub("", text)
    if not core:
        return ("回答为空或只有标点、表情、特殊标记" if raw.strip() else "回答为空"), 1.0
    if len(text) < 60 and lx.NULL_ANSWER.match(text.strip(" .。!?\"'`")):
        return f"回答只有“{text[:20]}”", 1.0
    hollow = _hollow(raw, text, core)
    if hollow:
        return hollow, 1.0
    visible = text.replace(" ", "").replace("\n", "")
    if "(" in visible and _KAOMOJI.search(visible):  # "(╯°□°)╯不给!": a face is not mojibake
        visible = _KAOMOJI.sub("", visible) or visible
        text = _KAOMOJI.sub("", text) or text
    odd = sum(map(len, _ODD.findall(text))) + (
        len(_rare_han().findall(text)) if _rare_han().search(text) else 0
    )
    garble = odd / max(len(visible), 1)
    if len(visible) >= 4 and garble >= 0.35:
        return "乱码（编码错误或无法辨认的字符）", garble
    if len(core) >= 8 and (_two_chars_at_most(core) or _REPEATED.match(core)):
        return "只有重复的字符", garble
    return "", garble


def _two_chars_at_most(s: str) -> bool:
    """``len(set(s)) <= 2`` for a non-empty ``s``, without building the set."""
    rest = s.replace(s[0], "")
    return not rest or not rest.replace(rest[0], "")


def _json_hollow(raw: str) -> bool:
    """A JSON object or array whose every leaf is empty (``{"answer": ""}``, ``{"choices": []}``)."""
    s = raw.strip()
    if not (2 <= len(s) <= 400 and s[0] in "{[" and s[-1] in "}]"):
        return False
    try:
        value = json.loads(s)
    except ValueError:
        return False
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            stack += v.values()
        elif isinstance(v, list):
            stack += v
        elif v not in (None, "", 0, False) and not (isinstance(v, str) and not v.strip()):
            return False
    return True


def _hollow(raw: str, text: str, core: str) -> str:
    """Why an answer that has characters still carries nothing: an empty JSON body, an unfilled
    template, a media placeholder, a transport error, or a fragment cut off before the answer
    (``core``: ``text`` without punctuation and blanks)."""
    if _json_hollow(raw):
        return "只有空的 JSON 结构"
    short = text.strip(" .。!?\"'`")
    if len(short) <= 40 and lx.HOLLOW.match(short):
        return f"只有占位符“{short[:20]}”"
    if len(text) < 60 and lx.ERROR_MSG.search(text) and not lx.POLICY_WORD.search(text):
        return "只有服务错误信息"
    if len(core) <= 12 and lx.TRUNCATED.search(text):
        return "回答在开头处被截断"
    return ""
