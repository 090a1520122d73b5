"""NAME: names written in Latin letters — pinyin (``Zhang Wei``, ``Cui Yongjun``) and foreign
names (``Emily Chen``, ``Tanaka Hiroshi``, ``Dr. Smith``).

Two or three capitalised words count as a name when they read as one: a given name from the
name table followed by a family name, a pinyin syllable or another given name; a family name
or a pinyin surname followed by a given name or pinyin; or any capitalised word after a title
(Mr., Ms., Dr., Prof.). The tables are Faker's person names of Latin-script locales and
pypinyin's syllables (``beian.pii._names``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from beian.pii._names import NameTables, name_tables
from beian.pii._registry import Recognizer, register
from beian.pii._scan import Anchor, Scan
from beian.pii._types import Entity

_WORD = r"[A-Z][a-zà-ÿıİşğç]+(?:-[A-Za-z][a-z]+)?"
_PATTERN = re.compile(
    rf"(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+)?{_WORD}(?:[ ]{_WORD}){{0,2}}(?![A-Za-z])"
)
_TITLED = re.compile(r"(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+")
_ANCHOR = Anchor(
    _PATTERN,
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    follows="abcdefghijklmnopqrstuvwxyzàáâãäåæçèéêëìíîïñòóôõöøùúûüýÿı",
)
# Capitalised words that start sentences, places and products in mixed Chinese–English text.
_NOT_GIVEN = frozenset(
    "Hi Hello Dear Best Thanks Thank Please Room Flat Apt Tower Road Street Lane Ave Avenue "
    "District Hong Kong New York China Beijing Shanghai Wi Fi Apple Google Windows Chrome "
    "Mobile Name Passport Address Deliver Tel Email Mail Phone Date Order User Admin Team "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April "
    "May June July August September October November December The This That Dr Mr Ms Mrs "
    "Prof Miss Sir Madam Based Apt Block Building Floor Unit No Unknown Test".split()
)
_PINYIN_SURNAMES = frozenset(
    "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo He Gao Lin Luo "
    "Zheng Liang Xie Song Tang Han Feng Deng Cao Peng Zeng Xiao Tian Dong Yuan Pan Yu Jiang "
    "Cai Du Ye Cheng Su Wei Lu Ding Ren Shen Yao Cui Zhong Tan Fan Jin Shi Liao Jia Xia Fu "
    "Fang Bai Zou Meng Xiong Qin Qiu Yin Xue Yan Duan Lei Hou Long Shi Tao Li He Gu Mao Hao "
    "Gong Shao Wan Qian Yan Qin Kong Xiang Chang Kang Shi Niu Fan Ge Xing An Qi Qiao Wu Pang "
    "Yan Ni Zhuang Nie Zhang Lu Yue Zhai Yin Zhan Shen Ou Geng Guan Lan Jiao Yu Zuo Liu Gan "
    "Zhu Bao Ning Shang Fu Shu Ruan Ke Ji Mei Tong Ling Bi Shan Ji Pei Huo Tu Cheng Miao Gu "
    "Sheng Qu Weng Ran Luo Lan Lu You Xin Guan Chai Meng Bao Hua Yu Qi Pu Fang Teng Qu Rao "
    "Xie Mu Ai You Yang Shi Mu Nong Si Zhuo Gu Ji Miao Jian Che Xiang Lian Lu Mai Chu Lou "
    "Dou Qi Cen Jing Dang Gong Fei Bu Leng Yan Xi Wei Mi Bo Zong Qu Gui Quan Tong Ying Zang "
    "Min Gou Wu Bian Bian Ji Shi Qiu Luan Sui Shang Diao Sha Rong Wu Kou Sang Lang Zhen Cong "
    "Zhong Yu Ao Gong Ming She Chi Cha Ma Chi Kuang Ouyang Shangguan Zhuge Situ Sima Huangfu "
    "Murong Dongfang Nangong Yuchi Gongsun Linghu Xiahou Zhongli Duanmu".split()
)


def _reads_as_name(words: list[str], t: NameTables) -> bool:
    first, rest = words[0], words[1:]
    if first in _NOT_GIVEN or any(w in _NOT_GIVEN for w in rest):
        return False
    second = rest[0]
    if first in _PINYIN_SURNAMES and all(t.pinyin(w.replace("-", "")) for w in rest):
        return True  # Zhang Wei, Cui Yongjun
    if first in t.latin_given and (
        second in t.latin_family or second in t.latin_given or second in _PINYIN_SURNAMES
    ):
        return True  # Emily Chen, John Miller, Kevin Wong
    return first in t.latin_family and (second in t.latin_given or t.pinyin(second))


@register
class LatinNameRecognizer(Recognizer):
    entity_type = "NAME"
    name = "name_latin"
    anchors = (_ANCHOR,)

    def find(self, text: str, scan: Scan | None = None) -> Iterator[Entity]:
        t = name_tables()
        for m in (scan or Scan(text)).anchored(_ANCHOR):
            start, value = m.start(), m.group()
            if start and text[start - 1].isascii() and text[start - 1].isalnum():
                continue
            titled = _TITLED.match(value)
            if titled is not None:
                start += titled.end()
                value = value[titled.end() :]
                words = value.split(" ")
                if words[0] not in _NOT_GIVEN:
                    yield Entity("NAME", start, start + len(value), value, 0.8, self.name)
                continue
            words = value.split(" ")
            if len(words) >= 2 and _reads_as_name(words, t):
                yield Entity("NAME", start, start + len(value), value, 0.75, self.name)
