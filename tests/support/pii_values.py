"""Seeded generators of valid values and near misses for every entity type.

Valid values carry correct checksums (python-stdnum computes them); near misses are what real
text is full of: wrong check digits, impossible dates, order numbers, timestamps, version
numbers. Used by the tests and by ``benchmarks/pii_bench.py``; the project wrote every list here.
"""

from __future__ import annotations

import random
from functools import lru_cache

from stdnum import luhn
from stdnum.cn import ric, uscc

from beian.pii._names import name_tables
from beian.pii._regions import _table
from beian.pii.recognizers.plate import PROVINCES

__all__ = ["COMPOUND_SURNAMES", "SINGLE_SURNAMES", "ValueGenerator"]

# Surnames the generator writes (common ones first); its own list, not the recognizer's.
SINGLE_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
    "莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪"
    "梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简"
    "车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛"
    "仲虞敖巩明佘池查麻苑迟邝"
)
COMPOUND_SURNAMES = tuple(sorted(name_tables().compound))  # the shipped table of 复姓

_MOBILE_PREFIXES = [
    "130",
    "131",
    "132",
    "133",
    "134",
    "135",
    "136",
    "137",
    "138",
    "139",
    "145",
    "147",
    "150",
    "151",
    "152",
    "153",
    "155",
    "156",
    "157",
    "158",
    "159",
    "166",
    "170",
    "171",
    "173",
    "175",
    "176",
    "177",
    "178",
    "180",
    "181",
    "182",
    "183",
    "184",
    "185",
    "186",
    "187",
    "188",
    "189",
    "191",
    "198",
    "199",
]
_AREAS = (
    "010",
    "020",
    "021",
    "022",
    "023",
    "024",
    "025",
    "027",
    "028",
    "029",
    "0755",
    "0571",
    "0512",
    "0731",
    "0991",
    "0351",
)
_CARD_BINS = (
    "6222",
    "6228",
    "6217",
    "6214",
    "6225",
    "6226",
    "6259",
    "6212",
    "4367",
    "4392",
    "5187",
    "5218",
    "6013",
    "9559",
)
_USCC_HEADS = ("91", "92", "93", "11", "12", "13", "51", "52", "53", "59")
_PLATE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍建国红梅文辉鹏飞宇浩然子涵欣怡雨轩博文思远嘉琪晨曦一鸣佳豪雅婷"
_ROADS = (
    "中山",
    "人民",
    "解放",
    "建国",
    "长江",
    "和平",
    "新华",
    "胜利",
    "文化",
    "科技",
    "学院",
    "光明",
    "迎宾",
    "滨江",
)
_ROAD_KINDS = ("路", "大道", "街", "东路", "西路")
_ESTATES = ("阳光花园", "翠苑小区", "锦绣家园", "东方大厦", "金色公寓", "绿城花园")
_EMAIL_DOMAINS = (
    "qq.com",
    "163.com",
    "126.com",
    "gmail.com",
    "example.com.cn",
    "sina.cn",
    "corp-mail.cn",
    "foxmail.com",
)
_PINYIN = (
    "zhangwei",
    "wangfang",
    "li.na",
    "liuyang",
    "chen_jing",
    "yangmin",
    "huanglei",
    "zhao.qiang",
    "wu88",
    "zhou.jie",
)


@lru_cache(maxsize=1)
def _hierarchy() -> list[tuple[str, str, str]]:
    """(province, prefecture, county) name triples from the division table."""
    table = _table()
    out: list[tuple[str, str, str]] = []
    for code, names in table.items():
        if code.endswith("00") or not names:
            continue
        prov = table.get(code[:2] + "0000", [""])[-1]
        pref = table.get(code[:4] + "00", [""])[-1]
        county = names[-1]
        if (
            county not in ("市辖区", "县")
            and len(county) >= 3
            and county.endswith(("区", "县", "市"))
            and pref.endswith(("市", "州", "盟"))
            and len(pref) >= 3
        ):
            out.append((prov, pref, county))
    return out


class ValueGenerator:
    """Valid values (``value``) and near misses (``near_miss``) per type, from one seed."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self._regions = sorted(c for c in _table() if not c.endswith("00"))

    def digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def _id_body(self) -> str:
        r = self.rng
        while True:
            date = f"{r.randint(1950, 2008)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
            body = r.choice(self._regions) + date + self.digits(3)
            number = body + ric.calc_check_digit(body + "0")
            if ric.is_valid(number):
                return number

    def value(self, kind: str) -> str:
        r = self.rng
        if kind == "ID_CARD":
            if r.random() < 0.1:  # 15-digit legacy number
                return (
                    r.choice(self._regions)
                    + f"{r.randint(50, 99)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
                    + self.digits(3)
                )
            number = self._id_body()
            return number.lower() if r.random() < 0.2 else number
        if kind == "MOBILE":
            n = r.choice(_MOBILE_PREFIXES) + self.digits(8)
            fmt = r.randrange(6)
            if fmt == 1:
                n = f"{n[:3]} {n[3:7]} {n[7:]}"
            elif fmt == 2:
                n = f"{n[:3]}-{n[3:7]}-{n[7:]}"
            elif fmt == 3:
                n = "+86 " + n
            elif fmt == 4:
                n = "+86" + n
            return n
        if kind == "PHONE":
            if r.random() < 0.15:
                return f"400-{self.digits(3)}-{self.digits(4)}"
            area = r.choice(_AREAS)
            local = str(r.randint(2, 8)) + self.digits(7 if len(area) == 3 else r.choice((6, 7)))
            return r.choice(
                (f"{area}-{local}", f"({area}){local}", f"{area} {local}", area + local)
            )
        if kind == "BANK_CARD":
            body = r.choice(_CARD_BINS) + self.digits(r.choice((16, 19)) - 5)
            n = body + luhn.calc_check_digit(body)
            if r.random() < 0.3:
                sep = r.choice(" -")
                n = sep.join(n[i : i + 4] for i in range(0, len(n), 4))
            return n
        if kind == "USCC":
            while True:
                body = (
                    r.choice(_USCC_HEADS)
                    + r.choice(self._regions)
                    + "".join(r.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
                )
                number = body + uscc.calc_check_digit(body)
                if uscc.is_valid(number):
                    return number
        if kind == "PASSPORT":
            return "E" + (
                self.digits(8) if r.random() < 0.5 else r.choice(_PLATE_LETTERS) + self.digits(7)
            )
        if kind == "HK_MACAO_TW_PERMIT":
            head = r.choice("CCHMT")
            return head + (
                self.digits(8)
                if head != "C" or r.random() < 0.5
                else r.choice(_PLATE_LETTERS) + self.digits(7)
            )
        if kind == "PLATE":
            head = r.choice(PROVINCES) + r.choice(_PLATE_LETTERS) + r.choice(("", "", "·"))
            if r.random() < 0.3:  # new-energy, 8 characters
                return (
                    head + r.choice("DF") + r.choice(_PLATE_LETTERS + "0123456789") + self.digits(4)
                )
            tail = list(self.digits(5))
            for i in r.sample(range(5), r.randint(0, 2)):
                tail[i] = r.choice(_PLATE_LETTERS)
            return head + "".join(tail)
        if kind == "EMAIL":
            return f"{r.choice(_PINYIN)}{r.choice(('', str(r.randint(1, 999))))}@{r.choice(_EMAIL_DOMAINS)}"
        if kind == "IP":
            if r.random() < 0.15:
                groups = [f"{r.randint(0, 65535):x}" for _ in range(8)]
                return "2001:db8::" + ":".join(groups[:3]) if r.random() < 0.5 else ":".join(groups)
            return ".".join(str(r.randint(1 if i == 0 else 0, 255)) for i in range(4))
        if kind == "NAME":
            surname = (
                r.choice(COMPOUND_SURNAMES) if r.random() < 0.05 else r.choice(SINGLE_SURNAMES[:80])
            )
            return surname + "".join(r.choice(_GIVEN) for _ in range(r.choice((1, 2, 2))))
        if kind == "ADDRESS":
            prov, pref, county = r.choice(_hierarchy())
            head = (prov if r.random() < 0.6 and prov != pref else "") + pref + county
            road = self.street()
            extra = r.choice(
                (
                    "",
                    f"{r.choice(_ESTATES)}{r.randint(1, 30)}栋{r.randint(101, 2505)}室",
                    f"{r.randint(1, 20)}号楼{r.randint(1, 6)}单元{r.randint(101, 1802)}室",
                )
            )
            return head + road + extra
        raise ValueError(kind)

    def street(self) -> str:
        r = self.rng
        return f"{r.choice(_ROADS)}{r.choice(_ROAD_KINDS)}{r.randint(1, 999)}号"

    def near_miss(self, kind: str) -> str:
        """Something that looks like ``kind`` but is not personal information."""
        r = self.rng
        if kind == "ID_CARD":
            good = self._id_body()
            choice = r.randrange(4)
            if choice == 0:  # 30 February (a wrong check digit is still an ID number: issue 23)
                return good[:10] + "0230" + good[14:]
            if choice == 1:  # impossible month
                return good[:10] + "13" + good[12:]
            if choice == 2:  # a valid number inside a longer order number
                return self.digits(2) + good[:17]
            return "00" + good[2:]  # no such region
        if kind == "MOBILE":
            return (
                r.choice(("12", "10", "11")) + self.digits(9)
                if r.random() < 0.5
                else "1" + r.choice("3589") + self.digits(10)
            )
        if kind == "PHONE":
            return "0" + self.digits(2) + "-" + self.digits(4)
        if kind == "BANK_CARD":
            # a card number failing Luhn right after a card label is still a card number (masked
            # at a lower score, issue 23); a date-led digit run is not
            return "2024" + self.digits(r.choice((12, 16)))
        if kind == "USCC":
            good = self.value("USCC")
            return good[:-1] + r.choice(
                [c for c in "0123456789ABCDEFGHJKLMNPQRTUWXY" if c != good[-1]]
            )
        if kind in ("PASSPORT", "HK_MACAO_TW_PERMIT"):
            return r.choice("ECHT") + self.digits(r.choice((5, 6, 11)))
        if kind == "PLATE":
            return r.choice(PROVINCES) + r.choice(_PLATE_LETTERS) + self.digits(r.choice((3, 4, 7)))
        if kind == "EMAIL":
            return r.choice(("user@localhost", "@客服小助手", "admin@", "a@b"))
        if kind == "IP":
            return r.choice(
                (
                    f"{r.randint(256, 999)}.{r.randint(0, 255)}.1.1",
                    f"{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 99)}",
                    "1.2.3.4.5",
                )
            )
        if kind == "NAME":
            return r.choice(("各位", "大家", "全体")) + r.choice(("先生", "女士", "同学"))
        if kind == "ADDRESS":
            return self.value("ADDRESS")[:3]
        raise ValueError(kind)
