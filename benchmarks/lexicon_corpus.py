"""Build the clean Chinese corpus for the lexicon's false-positive measurement (issue 23).

Two parts, both text the project may use and none of it committed (the file goes to a cache):

* real text: the poems, lyrics, classics and their prefaces of ``chinese-poetry`` (MIT licence,
  github.com/chinese-poetry/chinese-poetry), read from a checkout or a bare git directory given
  with ``--poetry``. It is classical Chinese, mostly in traditional characters: real character
  sequences for the character-level evasions (拆字, 形近字, homophones), but no Latin letters;
* generated modern text: sentences of words drawn, with a fixed seed, from pypinyin's phrase
  table (MIT), with Latin tokens for the pinyin forms: about one token in 60 is an English word,
  an acronym, a brand or a place name, or a person's name in pinyin (Zhang Wei). Arbitrary
  words in pinyin are not generated: text that spells a keyword's pinyin is what pinyin matching
  is for (the allow-list takes the exceptions).

    python benchmarks/lexicon_corpus.py --poetry PATH [--mb 60] [--out FILE]

Without ``--poetry`` the whole corpus is generated. Default output:
``$BEIAN_CACHE_DIR/corpus/clean-zh.txt`` (``~/.cache/beian/corpus/clean-zh.txt``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# Latin words that Chinese news and web text use (written for this benchmark).
LATIN_WORDS = (
    "AI APP App CEO CFO GDP CPI PPI iPhone iPad WiFi USB NBA CBA PPT PDF VIP KTV DIY OK Excel "
    "Python Java Linux Windows Android iOS GPS CPU GPU 5G 4G IT VR AR LED ATM ID QQ MBA HR PK "
    "CBD Logo Email Google Apple Tesla Microsoft Amazon Huawei Xiaomi Alibaba Tencent Baidu "
    "ByteDance TikTok WeChat Weibo Taobao JD Meituan Didi BYD Nio Lenovo Haier Oppo Vivo OnePlus "
    "Beijing Shanghai Shenzhen Guangzhou Hangzhou Wuhan Chengdu Chongqing Xiamen Tianjin Nanjing "
    "Suzhou Harbin Qingdao Dalian Kunming Lhasa Urumqi Hong Kong Macau Taipei "
    "the of and to in is for on with as by at from that this new news report data model online "
    "shop sale free live show video music game team cup open China World Global Group Inc Ltd "
    "Co Mr Ms Dr No vs etc am pm km kg cm mm ml GB MB KB Hz V W kW kWh"
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国文辉玲婷雪慧红梅鹏飞宇浩然欣怡子涵晨阳博文思远佳琪梓萱一诺宇航俊杰志强海燕丹凤"
PUNCT = "，，，，、。。；：！？"


def _cjk(s: str) -> bool:
    return any("\u3400" <= c <= "\u9fff" for c in s)


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        if _cjk(node):
            yield node
    elif isinstance(node, list):
        for x in node:
            yield from _strings(x)
    elif isinstance(node, dict):
        for k, v in node.items():
            if k not in ("id", "author_id"):
                yield from _strings(v)


def _poetry_files(root: Path) -> Iterator[bytes]:
    """The JSON files of a checkout, or of a bare git directory (read with ``git cat-file``)."""
    if (root / "HEAD").is_file() and not (root / ".git").exists():
        names = subprocess.run(
            ["git", "-C", str(root), "ls-tree", "-r", "-z", "--name-only", "HEAD"],
            check=True,
            capture_output=True,
        ).stdout.split(b"\0")
        for name in sorted(n for n in names if n.endswith(b".json")):
            yield subprocess.run(
                ["git", "-C", str(root), "cat-file", "blob", b"HEAD:" + name],
                check=True,
                capture_output=True,
            ).stdout
    else:
        for path in sorted(root.rglob("*.json")):
            yield path.read_bytes()


def poetry_text(root: Path, limit: int) -> str:
    out: list[str] = []
    size = 0
    for blob in _poetry_files(root):
        try:
            data = json.loads(blob)
        except ValueError:
            continue
        for s in _strings(data):
            out.append(s)
            size += len(s.encode())
            if size >= limit:
                return "\n".join(out)
    return "\n".join(out)


def default_readings() -> dict[int, str]:
    """Each character's first reading in pypinyin's table, toneless (ü written v)."""
    from pypinyin.pinyin_dict import pinyin_dict

    def plain(reading: str) -> str:
        decomposed = unicodedata.normalize("NFKD", reading.replace("ü", "v"))
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    return {cp: plain(r.split(",")[0]) for cp, r in pinyin_dict.items()}


def _romanize(word: str, readings: dict[int, str]) -> str:
    return "".join(readings.get(ord(c), "") for c in word).capitalize()


def modern_text(limit: int, seed: int) -> str:
    from pypinyin.phrases_dict import phrases_dict

    readings = default_readings()
    rng = random.Random(seed)
    latin = LATIN_WORDS.split()
    words = sorted(w for w in phrases_dict if 2 <= len(w) <= 4 and _cjk(w))
    chars = sorted({c for w in words for c in w})
    out: list[str] = []
    size = 0
    while size < limit:
        parts: list[str] = []
        for _ in range(rng.randint(4, 18)):
            r = rng.random()
            if r < 0.012:
                parts.append(f" {rng.choice(latin)} ")
            elif r < 0.016:  # a name in pinyin: Zhang Wei
                name = rng.choice(SURNAMES), "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))
                parts.append(" " + " ".join(_romanize(x, readings) for x in name) + " ")
            elif r < 0.056:
                parts.append(rng.choice(chars))
            else:
                parts.append(rng.choice(words))
        sentence = "".join(parts).strip() + rng.choice(PUNCT)
        out.append(sentence)
        size += len(sentence.encode())
        if rng.random() < 0.08:
            out.append("\n")
    return "".join(out)


def default_path() -> Path:
    base = os.environ.get("BEIAN_CACHE_DIR")
    root = Path(base) if base else Path.home() / ".cache" / "beian"
    return root / "corpus" / "clean-zh.txt"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--poetry", type=Path, help="chinese-poetry checkout or bare git directory")
    ap.add_argument("--mb", type=float, default=60.0, help="corpus size in MB (UTF-8)")
    ap.add_argument("--poetry-share", type=float, default=0.6, help="share of real text")
    ap.add_argument("--seed", type=int, default=23)
    ap.add_argument("--out", type=Path, default=default_path())
    args = ap.parse_args()
    total = int(args.mb * 1e6)
    real = poetry_text(args.poetry, int(total * args.poetry_share)) if args.poetry else ""
    gen = modern_text(total - len(real.encode()), args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(real + "\n" + gen + "\n", "utf-8")
    tmp.replace(args.out)
    meta = {
        "poetry_mb": round(len(real.encode()) / 1e6, 1),
        "generated_mb": round(len(gen.encode()) / 1e6, 1),
        "poetry_source": str(args.poetry) if args.poetry else None,
        "seed": args.seed,
    }
    args.out.with_suffix(".json").write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
    print(f"{args.out}: {meta}")


if __name__ == "__main__":
    main()
