"""A small keyword screener with the lexicon's ``scan`` interface, and a seeded corpus writer."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

# The planted bad words and the risk each stands for.
BAD_WORDS = {"违禁甲": "A1a", "违禁乙": "A2b", "违禁丙": "A3a"}
FILLER = "今天天气很好我们一起去公园散步讨论历史文化与科学技术的发展"
# the standard corpus is screened by the real PII engine too: its documents are made of words, since
# a salad of single characters reads as names to the bare-name rule ("的文园的"), which no real text does
WORDS = ("今天", "天气", "很好", "我们", "一起", "去", "公园", "散步", "讨论", "历史", "文化", "与", "科学",
         "技术", "的", "发展")


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    keyword: str
    risk: str


class WordScreener:
    """Finds the planted words; ``crash_on`` makes it fail on a text (an interrupted scan)."""

    def __init__(self, words: dict[str, str] | None = None, crash_on: str | None = None) -> None:
        self.words = dict(words or BAD_WORDS)
        self.crash_on = crash_on

    @property
    def fingerprint(self) -> str:  # what decides results; crash_on does not
        return "words:" + ",".join(f"{w}={r}" for w, r in sorted(self.words.items()))

    def scan(self, text: str) -> list[Hit]:
        if self.crash_on and self.crash_on in text:
            raise RuntimeError("interrupted")
        out = []
        for w, risk in self.words.items():
            i = text.find(w)
            while i >= 0:
                out.append(Hit(i, i + len(w), w, risk))
                i = text.find(w, i + 1)
        return out


@dataclass(frozen=True)
class Entity:
    type: str
    start: int
    end: int


class PhoneFinder:
    """Marks 11-digit numbers starting with 1 as MOBILE (enough to exercise the PII column)."""

    fingerprint = "phone-v1"

    def analyze(self, text: str) -> list[Entity]:
        import re

        return [Entity("MOBILE", m.start(), m.end()) for m in re.finditer(r"1[3-9]\d{9}", text)]


def texts(
    n: int, bad: int, seed: int, filler: str | tuple[str, ...] = FILLER
) -> list[tuple[str, bool]]:
    """``n`` documents, exactly ``bad`` of them with a planted word, shuffled."""
    rng = random.Random(seed)
    words = list(BAD_WORDS)
    out = []
    for i in range(n):
        body = "".join(rng.choice(filler) for _ in range(rng.randint(20, 80)))
        is_bad = i < bad
        if is_bad:
            cut = rng.randint(0, len(body))
            body = body[:cut] + rng.choice(words) + body[cut:]
        if i % 50 == 7:
            body += " 联系13812345678"
        out.append((body, is_bad))
    rng.shuffle(out)
    return out


def write_jsonl(path: Path, docs: list[tuple[str, bool]], *, id_prefix: str | None = None) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for i, (t, _) in enumerate(docs):
            rec = {"text": t, "n": i}
            if id_prefix:
                rec["id"] = f"{id_prefix}{i}"
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def write_parquet(path: Path, docs: list[tuple[str, bool]], row_group: int = 100) -> None:
    table = pa.table({"content": [t for t, _ in docs], "k": list(range(len(docs)))})
    pq.write_table(table, path, row_group_size=row_group)


def write_sources(root: Path, sources: list[dict[str, object]]) -> Path:
    import yaml

    p = root / "sources.yaml"
    p.write_text(yaml.safe_dump({"sources": sources}, allow_unicode=True), encoding="utf-8")
    return p


def standard_corpus(root: Path) -> Path:
    """Four sources in four formats: 'web' 7 % bad (rejected), the others about 3 % or less."""
    (root / "web").mkdir()
    write_jsonl(root / "web" / "a.jsonl", texts(600, 42, 1, WORDS))
    write_jsonl(root / "web" / "b.jsonl", texts(400, 28, 2, WORDS))  # 70 / 1000 = 7 %
    books = texts(1000, 30, 3, WORDS)  # 3 %
    write_parquet(root / "books.parquet", books)
    forum = texts(300, 6, 4, WORDS)
    import csv

    with open(root / "forum.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["author", "text"])
        for i, (t, _) in enumerate(forum):
            w.writerow([f"u{i}", t if i % 40 else t[:10] + "\n" + t[10:]])
    news = texts(400, 4, 5, WORDS)
    (root / "news.txt").write_bytes("".join(t + "\n" for t, _ in news).encode("gb18030"))
    return write_sources(
        root,
        [
            {
                "name": "web",
                "type": "self-collected",
                "collection_record": "采集记录-2024-01",
                "paths": ["web/*.jsonl"],
                "id_field": "id",
            },
            {
                "name": "books",
                "type": "commercial",
                "collection_record": "合同 HT-001",
                "authorisation_record": "供应方承诺书",
                "paths": ["books.parquet"],
                "text_field": "content",
            },
            {"name": "forum", "type": "开源", "licence": "CC-BY-4.0", "paths": ["forum.csv"]},
            {"name": "news", "type": "user-input", "paths": ["news.txt"]},
        ],
    )
